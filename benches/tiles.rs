//! Tile build speed, uncached: the `priorities` layer of a tile built from
//! the index (`tiles::priorities::build`, what the server does on a cache
//! miss), without HTTP, over `prioridades generate`'s national data (seed 1).
//!
//! - `national_N/zZ`: the tile of zoom Z (0 to 6, clustered) holding Caracas,
//!   the densest of the national map at that zoom;
//! - `national_N/zZ caracas` for Z = 8, 12 (clustered) and 16 (features);
//! - `national_N/equal content`: at zoom 16 and deeper, the tile near
//!   Caracas whose priorities number about what the zoom-16 tile holds at
//!   100,000 (the same area holds N / 100,000 times more at N), which is how
//!   the cost's growth with the collection is read.
//!
//! The priorities in each tile are printed before the measurements. Run with
//! `cargo bench --bench tiles`; `PRIORIDADES_BENCH_COUNT=1000000 cargo bench
//! --bench tiles` for the national scale.

mod national;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use national::national_dataset;
use prioridades::domain::query::PriorityFilter;
use prioridades::index::PriorityIndex;
use prioridades::tiles::TileId;
use prioridades::tiles::priorities::build;

const BASE_COUNT: usize = 100_000;
/// The server's default `--cluster-below-zoom`.
const CLUSTER_BELOW: u8 = 14;
/// Caracas's centre, as the generator places it.
const CARACAS: (f64, f64) = (-66.9036, 10.4806);

/// How many priorities: `PRIORIDADES_BENCH_COUNT`, 100,000 by default.
fn count() -> usize {
    std::env::var("PRIORIDADES_BENCH_COUNT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(BASE_COUNT)
}

/// The tile of zoom `z` holding (lon, lat).
fn tile_at(z: u8, (lon, lat): (f64, f64)) -> TileId {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor()
        as u32;
    TileId::new(u32::from(z), y, x).expect("a tile of the grid")
}

/// Priorities whose geometry meets the tile's buffered bounds.
fn found(index: &PriorityIndex, tile: TileId) -> usize {
    let mut n = 0;
    index.for_each_in(&PriorityFilter::default(), tile.buffered_bounds(), |_| {
        n += 1
    });
    n
}

/// Among the tiles of zooms 16 to 18 within a few tiles of Caracas's, the
/// one whose priorities number closest to `target`.
fn tile_holding(index: &PriorityIndex, target: usize) -> (TileId, usize) {
    let mut best: Option<(TileId, usize)> = None;
    for z in 16..=18u8 {
        let centre = tile_at(z, CARACAS);
        for dy in -3i32..=3 {
            for dx in -3i32..=3 {
                let tile = TileId::new(
                    u32::from(z),
                    centre.y.saturating_add_signed(dy),
                    centre.x.saturating_add_signed(dx),
                )
                .expect("a tile of the grid");
                let n = found(index, tile);
                if best.is_none_or(|(_, b)| n.abs_diff(target) < b.abs_diff(target)) {
                    best = Some((tile, n));
                }
            }
        }
    }
    best.expect("tiles near Caracas")
}

fn tiles(c: &mut Criterion) {
    let count = count();
    let (index, _) = national_dataset(count);
    let filter = PriorityFilter::default();
    let mut cases: Vec<(String, TileId)> = (0..=6)
        .map(|z| (format!("z{z}"), tile_at(z, CARACAS)))
        .collect();
    for z in [8, 12, 16] {
        cases.push((format!("z{z} caracas"), tile_at(z, CARACAS)));
    }
    // What the zoom-16 tile holds at 100,000, scaled from what it holds here.
    let z16 = found(&index, tile_at(16, CARACAS));
    let target = z16 * BASE_COUNT / count;
    let (equal, _) = tile_holding(&index, target);
    cases.push(("equal content".to_owned(), equal));

    let mut group = c.benchmark_group(format!("national_{count}"));
    for (name, tile) in &cases {
        let bytes = build(&index, &filter, *tile, CLUSTER_BELOW).len();
        eprintln!(
            "national_{count}/{name}: tile {}/{}/{}, {} priorities meet it, {bytes} bytes",
            tile.z,
            tile.y,
            tile.x,
            found(&index, *tile)
        );
        group.bench_function(name.as_str(), |b| {
            b.iter(|| black_box(build(&index, &filter, black_box(*tile), CLUSTER_BELOW).len()))
        });
    }
    group.finish();
}

criterion_group!(benches, tiles);
criterion_main!(benches);
