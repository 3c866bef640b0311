//! Counts of priorities per cell of a fine Web Mercator grid, kept as
//! priorities come and go, so that a map tile at a low zoom clusters a
//! million priorities from a few thousand cells instead of visiting each.
//!
//! The finest grid has 2^[`BASE`] cells a side (about 2.4 km at the
//! equator): the 16 × 16 cluster grid of a tile at zoom [`MAX_ZOOM`]
//! (`BASE` − 4). Every coarser grid down to 2^4 cells a side (the cluster
//! grid of zoom 0) is kept too, each cell the sum of the four below it, so
//! a tile of any zoom up to `MAX_ZOOM` reads at most 256 cells: its own
//! cluster cells. Cells are keyed by their Morton (quadkey) code, so the
//! cells under a tile are one range of keys. Each keeps its count per
//! status and category and the sum of its members' positions; a priority's
//! position is the one [`super::Found`] reports (a point, or the centre of
//! its box), so counts from here equal counts from a scan. Positions are
//! summed in fixed point, so a cell's sum does not depend on the order its
//! members came and went in, and a removal takes back exactly what its
//! addition put in.

use std::collections::BTreeMap;

use crate::domain::crs::Crs;
use crate::domain::priority::{Category, Status};

use super::Entry;
use super::tree::envelope_of;

/// The grid's depth: 2^BASE cells a side.
pub const BASE: u8 = 14;
/// The deepest tile zoom the pyramid clusters: its cluster cells are the
/// grid's cells.
pub const MAX_ZOOM: u8 = BASE - 4;
const KINDS: usize = Status::ALL.len() * Category::ALL.len();
/// The coarsest grid kept: 2^4 cells a side, the cluster grid of zoom 0.
const FIRST: u8 = 4;
/// The grids kept, from 2^FIRST to 2^BASE cells a side.
const LEVELS: usize = (BASE - FIRST) as usize + 1;
/// Fractional bits of the fixed-point position sums: a grid position below
/// 2^BASE times 2^FRACTION, summed over up to 2^(63 − BASE − FRACTION)
/// priorities in one cell, fits an `i64`.
const FRACTION: u32 = 24;

/// What one cell holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Priorities per (status, category): `status * categories + category`.
    pub by_kind: [u32; KINDS],
    /// Their count.
    pub count: u32,
    /// The sum of their positions, in units of 2^−FRACTION cells of the
    /// finest grid.
    sum: (i64, i64),
}

impl Cell {
    fn empty() -> Cell {
        Cell {
            by_kind: [0; KINDS],
            count: 0,
            sum: (0, 0),
        }
    }

    /// The mean position of its members, in cells of the finest grid (x
    /// east, y south).
    pub fn mean(&self) -> (f64, f64) {
        let n = f64::from(self.count.max(1)) * f64::from(1u32 << FRACTION);
        (self.sum.0 as f64 / n, self.sum.1 as f64 / n)
    }

    fn merge(&mut self, other: &Cell) {
        self.by_kind
            .iter_mut()
            .zip(other.by_kind)
            .for_each(|(a, b)| *a += b);
        self.count += other.count;
        self.sum.0 += other.sum.0;
        self.sum.1 += other.sum.1;
    }
}

/// The non-empty cells of each grid by Morton code, the coarsest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Pyramid {
    levels: Vec<BTreeMap<u64, Cell>>,
}

impl Default for Pyramid {
    fn default() -> Pyramid {
        Pyramid {
            levels: vec![BTreeMap::new(); LEVELS],
        }
    }
}

/// A WGS84 position in grid units: 0 to 2^BASE, x east, y south.
pub fn grid_position(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = Crs::Epsg3857.from_lon_lat(lon, lat);
    let half = Crs::Epsg3857.from_lon_lat(180.0, 0.0).0;
    let size = f64::from(1u32 << BASE);
    (
        (x + half) / (2.0 * half) * size,
        (half - y) / (2.0 * half) * size,
    )
}

/// Interleaves the bits of `x` and `y` (x in the even bits): the Morton
/// code, whose prefixes are the quadtree's tiles.
pub fn morton(x: u32, y: u32) -> u64 {
    let spread = |v: u32| {
        let mut v = u64::from(v);
        v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        v = (v | (v << 1)) & 0x5555_5555_5555_5555;
        v
    };
    spread(x) | (spread(y) << 1)
}

/// The inverse of [`morton`].
pub fn unmorton(code: u64) -> (u32, u32) {
    let pack = |mut v: u64| {
        v &= 0x5555_5555_5555_5555;
        v = (v | (v >> 1)) & 0x3333_3333_3333_3333;
        v = (v | (v >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v >> 4)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v >> 8)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v >> 16)) & 0x0000_0000_FFFF_FFFF;
        v as u32
    };
    (pack(code), pack(code >> 1))
}

impl Pyramid {
    /// Counts `entry` in (`add`) or out, in every grid.
    pub fn count(&mut self, entry: &Entry, add: bool) {
        let (key, kind, xy) = place(entry);
        for (level, cells) in self.levels.iter_mut().enumerate() {
            let key = key >> (2 * (LEVELS - 1 - level));
            if add {
                let cell = cells.entry(key).or_insert_with(Cell::empty);
                cell.by_kind[kind] += 1;
                cell.count += 1;
                cell.sum.0 += xy.0;
                cell.sum.1 += xy.1;
            } else if let Some(cell) = cells.get_mut(&key) {
                cell.by_kind[kind] = cell.by_kind[kind].saturating_sub(1);
                cell.count = cell.count.saturating_sub(1);
                cell.sum.0 -= xy.0;
                cell.sum.1 -= xy.1;
                if cell.count == 0 {
                    cells.remove(&key);
                }
            }
        }
    }

    /// Counts `entry` in the finest grid only: for a bulk load, which then
    /// calls [`Pyramid::sum_levels`] once.
    pub fn count_finest(&mut self, entry: &Entry) {
        let (key, kind, xy) = place(entry);
        let cell = self.levels[LEVELS - 1]
            .entry(key)
            .or_insert_with(Cell::empty);
        cell.by_kind[kind] += 1;
        cell.count += 1;
        cell.sum.0 += xy.0;
        cell.sum.1 += xy.1;
    }

    /// Rebuilds every coarser grid from the finest one.
    pub fn sum_levels(&mut self) {
        for level in (0..LEVELS - 1).rev() {
            let mut coarser: BTreeMap<u64, Cell> = BTreeMap::new();
            for (key, cell) in &self.levels[level + 1] {
                coarser
                    .entry(key >> 2)
                    .or_insert_with(Cell::empty)
                    .merge(cell);
            }
            self.levels[level] = coarser;
        }
    }

    /// The cells of the cluster grid of tile `x`, `y` at zoom `z` (at most
    /// [`MAX_ZOOM`]), with their column and row in that grid: the grid with
    /// 2^(z + 4) cells a side.
    pub fn under(&self, z: u8, x: u32, y: u32) -> impl Iterator<Item = ((u32, u32), &Cell)> {
        let z = z.min(MAX_ZOOM);
        let shift = 2 * u32::from(FIRST);
        let (first, end) = (morton(x, y) << shift, (morton(x, y) + 1) << shift);
        self.levels[usize::from(z)]
            .range(first..end)
            .map(|(code, cell)| (unmorton(*code), cell))
    }
}

/// An entry's cell in the finest grid, its kind and its position in fixed
/// point.
fn place(entry: &Entry) -> (u64, usize, (i64, i64)) {
    let envelope = envelope_of(&entry.geometry);
    let ([x0, y0], [x1, y1]) = (envelope.lower(), envelope.upper());
    let (gx, gy) = grid_position((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    // Positions beyond the grid's edges (the poles) fall in its edge cells.
    let last = f64::from(1u32 << BASE) - f64::EPSILON * f64::from(1u32 << BASE);
    let (gx, gy) = (gx.clamp(0.0, last), gy.clamp(0.0, last));
    let key = morton(gx as u32, gy as u32);
    let kind = entry.status as usize * Category::ALL.len() + entry.category as usize;
    // Exact: a power of two; the floor keeps a position in its cell.
    let fixed = |g: f64| (g * f64::from(1u32 << FRACTION)).floor() as i64;
    (key, kind, (fixed(gx), fixed(gy)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn morton_codes_round_trip_and_a_tile_is_one_range() {
        for (x, y) in [(0, 0), (1, 0), (0, 1), (12_345, 6_789), (16_383, 16_383)] {
            assert_eq!(unmorton(morton(x, y)), (x, y));
        }
        // The cells of tile (z 1, x 1, y 0) are those with x ≥ 2^13, y < 2^13.
        let shift = 2 * u32::from(BASE - 1);
        let (first, end) = (morton(1, 0) << shift, (morton(1, 0) + 1) << shift);
        for (x, y) in [(8_192, 0), (16_383, 8_191), (9_000, 4_000)] {
            assert!((first..end).contains(&morton(x, y)), "{x} {y}");
        }
        for (x, y) in [(8_191, 0), (8_192, 8_192), (0, 0)] {
            assert!(!(first..end).contains(&morton(x, y)), "{x} {y}");
        }
    }

    /// Every grid's cells hold exactly the priorities whose position lies
    /// in them, counted by an independent Web Mercator formula, after
    /// additions and removals; a tile reads its own cluster cells.
    #[test]
    fn every_grid_counts_what_lies_in_its_cells() {
        use crate::index::PriorityIndex;
        use crate::index::priorities::tests::random_priority;
        use rand::SeedableRng;
        use std::collections::BTreeMap;

        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(19);
        let mut index = PriorityIndex::default();
        let parish = crate::domain::codes::TerritoryCode::parish(10_101);
        let priorities: Vec<_> = (1..=3_000)
            .map(|pk| random_priority(&mut rng, pk))
            .collect();
        for p in &priorities {
            index.upsert(p, parish, false);
        }
        for pk in (1..=3_000).step_by(3) {
            index.remove(pk);
        }
        // Where each remaining priority lies, in unit Web Mercator.
        let unit: Vec<(f64, f64, usize)> = index
            .entries()
            .map(|entry| {
                let envelope = envelope_of(&entry.geometry);
                let ([x0, y0], [x1, y1]) = (envelope.lower(), envelope.upper());
                let (lon, lat) = ((x0 + x1) / 2.0, ((y0 + y1) / 2.0).to_radians());
                let ux = (lon + 180.0) / 360.0;
                let uy = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
                let kind = entry.status as usize * Category::ALL.len() + entry.category as usize;
                (ux, uy, kind)
            })
            .collect();
        assert!(unit.len() > 1_500);
        for z in 0..=MAX_ZOOM {
            let cells = f64::from(1u32 << (z + 4));
            let mut expected: BTreeMap<(u32, u32), (u32, [u32; KINDS])> = BTreeMap::new();
            for (ux, uy, kind) in &unit {
                let cell = ((ux * cells) as u32, (uy * cells) as u32);
                let slot = expected.entry(cell).or_insert((0, [0; KINDS]));
                slot.0 += 1;
                slot.1[*kind] += 1;
            }
            let tiles: std::collections::BTreeSet<(u32, u32)> =
                expected.keys().map(|(c, r)| (c >> 4, r >> 4)).collect();
            let mut got = BTreeMap::new();
            for (x, y) in tiles {
                for ((c, r), cell) in index.pyramid().under(z, x, y) {
                    assert_eq!((c >> 4, r >> 4), (x, y), "a cell of another tile");
                    let (mx, my) = cell.mean();
                    let span = f64::from(1u32 << (BASE - z - 4));
                    assert!(
                        (mx / span).floor() as u32 == c && (my / span).floor() as u32 == r,
                        "the mean lies in its cell"
                    );
                    got.insert((c, r), (cell.count, cell.by_kind));
                }
            }
            assert_eq!(got, expected, "zoom {z}");
        }
        // Counting in bulk and summing the grids gives the same pyramid.
        let mut bulk = Pyramid::default();
        for entry in index.entries() {
            bulk.count_finest(entry);
        }
        bulk.sum_levels();
        assert_eq!(&bulk, index.pyramid());
        // Removing everything leaves every grid empty.
        for pk in 1..=3_000 {
            index.remove(pk);
        }
        assert_eq!(index.pyramid(), &Pyramid::default());
    }
}
