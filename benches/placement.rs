//! Speed of placing points in their parish with [`BoundaryIndex`].
//!
//! What is measured:
//! - `placement/locate_one`: one [`BoundaryIndex::locate`] call per
//!   iteration, cycling through the points; this is what a single write adds.
//! - `placement/place_all_1m`: one [`BoundaryIndex::place_all`] over
//!   1,000,000 `Geometry::Point`s, spread over every core; this is a bulk
//!   import or a re-placement after the boundaries change.
//! - Outside criterion, a plain wall-clock of `place_all` over the 1M points
//!   (median of 3 runs) and how many points found a parish, printed so the
//!   figure can be quoted as is.
//!
//! Targets (from the issue): 1,000,000 points against ~1,100 parish polygons
//! of real complexity in ≤ 10 s on the 2-core machine; a single placement on
//! write adds ≤ 50 µs.
//!
//! Boundaries: the 1,109 real parishes of
//! `../shared/data/venezuela/ven_parishes.geojson` (relative to the crate
//! root) when that file is present, read at bench time and never copied into
//! the repository. Otherwise (or when `PLACEMENT_SYNTHETIC=1` is set) a
//! deterministic synthetic tessellation of Venezuela's bounding box: 1,110
//! cells of a jittered grid whose shared edges are subdivided with seeded
//! noise (identical on both sides), about 300 vertices per cell.
//!
//! Points: 1,000,000 deterministic points (ChaCha8 seed), 85% normally
//! spread (σ ≈ 0.1°) around 40 populated places of northern Venezuela,
//! weighted roughly by population, and 15% uniform over the bounding box
//! (many of those fall in the sea or abroad and find no parish).
//!
//! Run with `cargo bench --bench placement`.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use geo::{BoundingRect, Coord, CoordsIter, Geometry, LineString, MultiPolygon, Point, Polygon};
use prioridades::domain::codes::{Level, TerritoryCode};
use prioridades::index::boundaries::BoundaryIndex;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

const POINTS: usize = 1_000_000;
/// Venezuela's bounding box, `[longitude, latitude]` degrees.
const LON: (f64, f64) = (-73.4, -59.8);
const LAT: (f64, f64) = (0.6, 12.2);
/// Synthetic grid: 37 × 30 = 1,110 cells.
const COLS: usize = 37;
const ROWS: usize = 30;
/// Segments per synthetic edge: 4 × 75 = 300 vertices per cell (plus closure).
const SEGMENTS: usize = 75;
/// Share of points clustered around populated places.
const CLUSTERED: f64 = 0.85;
/// Spread of a cluster, degrees.
const SIGMA: f64 = 0.1;

/// Populated places of northern Venezuela: (longitude, latitude, weight).
/// Weights are roughly the population in hundreds of thousands.
const PLACES: [(f64, f64, f64); 40] = [
    (-66.90, 10.50, 20.0), // Caracas
    (-71.64, 10.65, 15.0), // Maracaibo
    (-68.00, 10.18, 12.0), // Valencia
    (-69.32, 10.07, 10.0), // Barquisimeto
    (-67.60, 10.25, 9.0),  // Maracay
    (-62.65, 8.30, 8.0),   // Ciudad Guayana
    (-64.70, 10.13, 5.0),  // Barcelona
    (-63.18, 9.75, 5.0),   // Maturín
    (-64.18, 10.46, 4.0),  // Cumaná
    (-66.81, 10.48, 4.0),  // Petare
    (-72.23, 7.77, 4.0),   // San Cristóbal
    (-63.55, 8.12, 3.5),   // Ciudad Bolívar
    (-64.63, 10.21, 3.0),  // Puerto La Cruz
    (-71.45, 10.40, 3.0),  // Cabimas
    (-71.14, 8.59, 3.0),   // Mérida
    (-70.21, 8.62, 3.0),   // Barinas
    (-71.65, 10.55, 3.0),  // San Francisco
    (-67.04, 10.34, 2.5),  // Los Teques
    (-66.61, 10.47, 2.5),  // Guarenas
    (-69.67, 11.40, 2.5),  // Coro
    (-70.20, 11.70, 2.5),  // Punto Fijo
    (-71.31, 10.20, 2.0),  // Ciudad Ojeda
    (-69.20, 9.55, 2.0),   // Acarigua
    (-70.60, 9.32, 2.0),   // Valera
    (-67.88, 10.23, 2.0),  // Guacara
    (-67.47, 10.23, 2.0),  // Turmero
    (-68.01, 10.47, 2.0),  // Puerto Cabello
    (-64.25, 8.89, 2.0),   // El Tigre
    (-66.86, 10.24, 1.5),  // Charallave
    (-66.88, 10.16, 1.5),  // Cúa
    (-66.78, 10.12, 1.5),  // Ocumare del Tuy
    (-69.75, 9.04, 1.5),   // Guanare
    (-67.47, 7.89, 1.5),   // San Fernando de Apure
    (-67.43, 8.92, 1.5),   // Calabozo
    (-63.85, 10.96, 1.5),  // Porlamar
    (-68.74, 10.34, 1.5),  // San Felipe
    (-71.65, 8.62, 1.5),   // El Vigía
    (-66.93, 10.60, 1.0),  // La Guaira
    (-67.35, 9.91, 1.0),   // San Juan de los Morros
    (-63.24, 10.67, 1.0),  // Carúpano
];

/// The boundary set: its description and the `(code, boundary)` pairs.
fn boundaries() -> (&'static str, Vec<(TerritoryCode, MultiPolygon<f64>)>) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/venezuela/ven_parishes.geojson");
    let forced = std::env::var_os("PLACEMENT_SYNTHETIC").is_some_and(|v| v == "1");
    if !forced && path.exists() {
        ("real (ven_parishes.geojson)", real(&path))
    } else {
        ("synthetic (jittered grid, noisy shared edges)", synthetic())
    }
}

/// Reads the real parishes: `code` is 6 digits, geometry Polygon or MultiPolygon.
fn real(path: &Path) -> Vec<(TerritoryCode, MultiPolygon<f64>)> {
    let text = std::fs::read_to_string(path).expect("read ven_parishes.geojson");
    let doc: Value = serde_json::from_str(&text).expect("parse ven_parishes.geojson");
    let features = doc["features"].as_array().expect("a FeatureCollection");
    features
        .iter()
        .map(|f| {
            let code = f["properties"]["code"].as_str().expect("a string code");
            let code = TerritoryCode::parse(Level::Parish, code).expect("a parish code");
            let geometry = &f["geometry"];
            let coordinates = geometry["coordinates"].clone();
            let shape = match geometry["type"].as_str() {
                Some("Polygon") => MultiPolygon(vec![polygon(
                    serde_json::from_value(coordinates).expect("Polygon coordinates"),
                )]),
                Some("MultiPolygon") => MultiPolygon(
                    serde_json::from_value::<Vec<Vec<Vec<[f64; 2]>>>>(coordinates)
                        .expect("MultiPolygon coordinates")
                        .into_iter()
                        .map(polygon)
                        .collect(),
                ),
                other => panic!("parish {code}: unexpected geometry {other:?}"),
            };
            (code, shape)
        })
        .collect()
}

/// A polygon from GeoJSON rings (`[lon, lat]` pairs, exterior first).
fn polygon(rings: Vec<Vec<[f64; 2]>>) -> Polygon<f64> {
    let mut rings = rings.into_iter().map(|ring| {
        LineString::from(
            ring.into_iter()
                .map(|[x, y]| Coord { x, y })
                .collect::<Vec<_>>(),
        )
    });
    let exterior = rings.next().expect("an exterior ring");
    Polygon::new(exterior, rings.collect())
}

/// A deterministic irregular tessellation of the bounding box: a grid of
/// jittered nodes whose edges are subdivided and bent by seeded noise; each
/// edge is made once and shared by the two cells beside it.
fn synthetic() -> Vec<(TerritoryCode, MultiPolygon<f64>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(1_109);
    let (dx, dy) = ((LON.1 - LON.0) / COLS as f64, (LAT.1 - LAT.0) / ROWS as f64);
    // Nodes: interior ones jittered in both axes, border ones only along the border.
    let nodes: Vec<Vec<Coord<f64>>> = (0..=ROWS)
        .map(|j| {
            (0..=COLS)
                .map(|i| {
                    let mut jx = rng.random_range(-0.25..0.25) * dx;
                    let mut jy = rng.random_range(-0.25..0.25) * dy;
                    if i == 0 || i == COLS {
                        jx = 0.0;
                    }
                    if j == 0 || j == ROWS {
                        jy = 0.0;
                    }
                    Coord {
                        x: LON.0 + i as f64 * dx + jx,
                        y: LAT.0 + j as f64 * dy + jy,
                    }
                })
                .collect()
        })
        .collect();
    // Horizontal edges: (i, j) → (i + 1, j); vertical edges: (i, j) → (i, j + 1).
    // Edges on the border of the box stay straight, so the cells cover it exactly.
    let horizontal: Vec<Vec<Vec<Coord<f64>>>> = (0..=ROWS)
        .map(|j| {
            (0..COLS)
                .map(|i| noisy_edge(nodes[j][i], nodes[j][i + 1], j > 0 && j < ROWS, &mut rng))
                .collect()
        })
        .collect();
    let vertical: Vec<Vec<Vec<Coord<f64>>>> = (0..ROWS)
        .map(|j| {
            (0..=COLS)
                .map(|i| noisy_edge(nodes[j][i], nodes[j + 1][i], i > 0 && i < COLS, &mut rng))
                .collect()
        })
        .collect();
    let mut cells = Vec::with_capacity(ROWS * COLS);
    for j in 0..ROWS {
        for i in 0..COLS {
            // Counter-clockwise: bottom east, right north, top west, left south.
            let mut ring: Vec<Coord<f64>> = Vec::with_capacity(4 * SEGMENTS + 1);
            ring.extend(&horizontal[j][i][..SEGMENTS]);
            ring.extend(&vertical[j][i + 1][..SEGMENTS]);
            ring.extend(horizontal[j + 1][i].iter().rev().take(SEGMENTS));
            ring.extend(vertical[j][i].iter().rev().take(SEGMENTS));
            ring.push(ring[0]);
            let n = (j * COLS + i) as u32;
            // Unique codes with no `00` part: state, municipality, parish.
            let code = TerritoryCode::parish(
                (1 + n / 100) * 10_000 + (1 + n % 100 / 10) * 100 + 1 + n % 10,
            );
            cells.push((
                code,
                MultiPolygon(vec![Polygon::new(LineString::from(ring), vec![])]),
            ));
        }
    }
    cells
}

/// `SEGMENTS + 1` vertices from `a` to `b`, bent sideways by a few seeded
/// sine waves that vanish (with zero slope) at both ends, plus a little
/// jitter; straight (still subdivided) when `bend` is false.
fn noisy_edge(a: Coord<f64>, b: Coord<f64>, bend: bool, rng: &mut ChaCha8Rng) -> Vec<Coord<f64>> {
    let d = b - a;
    let normal = if bend {
        Coord { x: -d.y, y: d.x }
    } else {
        Coord { x: 0.0, y: 0.0 }
    };
    let waves: Vec<(f64, f64, f64)> = [0.06, 0.03, 0.02, 0.01]
        .into_iter()
        .enumerate()
        .map(|(k, amp)| {
            (
                amp * rng.random_range(0.5..1.0),
                (k + 1) as f64 + rng.random_range(0.0..1.0),
                rng.random_range(0.0..std::f64::consts::TAU),
            )
        })
        .collect();
    (0..=SEGMENTS)
        .map(|s| {
            let t = s as f64 / SEGMENTS as f64;
            if s == 0 || s == SEGMENTS {
                return a + d * t;
            }
            let envelope = (std::f64::consts::PI * t).sin().powi(2);
            let wave: f64 = waves
                .iter()
                .map(|(amp, freq, phase)| amp * (std::f64::consts::TAU * freq * t + phase).sin())
                .sum();
            let offset = envelope * (wave + 0.005 * rng.random_range(-1.0..1.0));
            a + d * t + normal * offset
        })
        .collect()
}

/// The deterministic points: 85% clustered around [`PLACES`], 15% uniform.
fn points() -> Vec<Point<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let total: f64 = PLACES.iter().map(|p| p.2).sum();
    (0..POINTS)
        .map(|_| {
            if rng.random::<f64>() < CLUSTERED {
                let mut pick = rng.random::<f64>() * total;
                let &(lon, lat, _) = PLACES
                    .iter()
                    .find(|p| {
                        pick -= p.2;
                        pick < 0.0
                    })
                    .unwrap_or(&PLACES[0]);
                // Box–Muller: one normal pair per point.
                let r = SIGMA * (-2.0 * (1.0 - rng.random::<f64>()).ln()).sqrt();
                let theta = rng.random_range(0.0..std::f64::consts::TAU);
                Point::new(lon + r * theta.cos(), lat + r * theta.sin())
            } else {
                Point::new(
                    rng.random_range(LON.0..LON.1),
                    rng.random_range(LAT.0..LAT.1),
                )
            }
        })
        .collect()
}

/// How many boundaries a point's bounding-box look-up hands to the exact
/// test, and how many vertices those hold: a brute-force count over a sample,
/// to show where the time of a `locate` goes.
fn candidates(boundaries: &[(TerritoryCode, MultiPolygon<f64>)], points: &[Point<f64>]) {
    let boxes: Vec<_> = boundaries
        .iter()
        .filter_map(|(_, b)| Some((b.bounding_rect()?, b.coords_count())))
        .collect();
    let sample = &points[..points.len().min(20_000)];
    let (mut hits, mut vertices, mut most) = (0usize, 0usize, 0usize);
    for p in sample {
        let mut v = 0;
        for (rect, count) in &boxes {
            let (min, max) = (rect.min(), rect.max());
            if (min.x..=max.x).contains(&p.x()) && (min.y..=max.y).contains(&p.y()) {
                hits += 1;
                v += count;
            }
        }
        vertices += v;
        most = most.max(v);
    }
    let n = sample.len() as f64;
    println!(
        "bbox candidates per point: {:.2} on average; vertices in them: {:.0} on average, {most} at most",
        hits as f64 / n,
        vertices as f64 / n
    );
}

fn placement(c: &mut Criterion) {
    let started = Instant::now();
    let (set, boundaries) = boundaries();
    let vertices: usize = boundaries.iter().map(|(_, b)| b.coords_count()).sum();
    let largest = boundaries
        .iter()
        .map(|(_, b)| b.coords_count())
        .max()
        .unwrap_or(0);
    println!(
        "boundaries: {set}: {} parishes, {vertices} vertices in total (ring closures included), {largest} in the largest",
        boundaries.len()
    );
    let points = points();
    candidates(&boundaries, &points);
    let index = BoundaryIndex::build(boundaries);
    let geometries: Vec<Geometry<f64>> = points.iter().map(|&p| Geometry::Point(p)).collect();
    let refs: Vec<&Geometry<f64>> = geometries.iter().collect();
    println!(
        "set-up (load, {POINTS} points, index): {:.2} s",
        started.elapsed().as_secs_f64()
    );

    // The plain figure: median of 3 wall-clock runs of place_all over 1M.
    let mut runs = Vec::with_capacity(3);
    let mut found = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let placed = black_box(index.place_all(black_box(&refs)));
        runs.push(t.elapsed());
        found = placed.iter().filter(|p| p.is_some()).count();
    }
    runs.sort();
    let median = runs[1];
    println!(
        "place_all over {POINTS} points, wall clock (median of 3 runs: {:.3} s, {:.3} s, {:.3} s): {:.3} s; \
         {found} found a parish, {} did not; target ≤ 10 s: {}",
        runs[0].as_secs_f64(),
        runs[1].as_secs_f64(),
        runs[2].as_secs_f64(),
        median.as_secs_f64(),
        POINTS - found,
        if median <= Duration::from_secs(10) {
            "met"
        } else {
            "NOT met"
        }
    );

    let mut group = c.benchmark_group("placement");
    let mut i = 0;
    group.bench_function("locate_one", |b| {
        b.iter(|| {
            let p = points[i % POINTS];
            i += 1;
            black_box(index.locate(black_box(p)))
        })
    });
    // Ten single-run samples, with room for them.
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time((median * 15).max(Duration::from_secs(5)));
    group.bench_function("place_all_1m", |b| {
        b.iter(|| black_box(index.place_all(black_box(&refs))))
    });
    group.finish();
}

criterion_group!(benches, placement);
criterion_main!(benches);
