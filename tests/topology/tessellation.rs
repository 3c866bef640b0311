//! A seeded tessellation to simplify: a jittered grid of cells, each given
//! to the territory whose (noisy) seed is nearest, so borders are long
//! staircases; every grid edge is made wiggly with inner vertices shared by
//! both sides. The land has a lake (holes), islands off its coast (shapes
//! of several polygons) and an enclave (a territory inside another).
//! Rings are traced from the cells, independently of the code under test.

use std::collections::HashMap;

use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Cells per side.
const N: usize = 40;
/// Cell size in degrees, from (-70, 2).
const CELL: f64 = 0.125;
/// Inner vertices of each grid edge.
const WIGGLES: usize = 3;

/// A generated coverage: shapes, and each shape's group (its municipality).
pub struct Tessellation {
    pub shapes: Vec<MultiPolygon<f64>>,
    pub groups: Vec<usize>,
}

type Label = Option<usize>;

pub fn generate(seed: u64) -> Tessellation {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let seeds: Vec<(f64, f64)> = (0..16)
        .map(|_| (rng.random_range(4.0..36.0), rng.random_range(4.0..36.0)))
        .collect();
    let mut label = vec![vec![None; N]; N];
    for (i, column) in label.iter_mut().enumerate() {
        for (j, cell) in column.iter_mut().enumerate() {
            let (x, y) = (i as f64 + 0.5, j as f64 + 0.5);
            let r = ((x - 20.0).powi(2) + (y - 20.0).powi(2)).sqrt();
            let coast = 15.0 + 2.5 * (3.0 * y.atan2(x - 20.0)).sin() + rng.random_range(-1.0..1.0);
            if r < coast {
                *cell = Some(nearest(&seeds, x, y, &mut rng));
            }
        }
    }
    // A lake: holes in the territories around it.
    for column in &mut label[17..20] {
        column[22..24].fill(None);
    }
    // Islands: land off the coast, each given to a territory of the land.
    for (i, j, t) in [(1, 1, 0), (2, 37, 3), (38, 20, 5), (37, 2, 5)] {
        label[i][j] = Some(t);
    }
    remove_pinches(&mut label);
    // An enclave: a territory of its own inside the territory around it,
    // where a 5×4 block of cells is all one territory's.
    let (ei, ej) = (1..N - 5)
        .flat_map(|i| (1..N - 4).map(move |j| (i, j)))
        .find(|&(i, j)| {
            let first = label[i][j];
            first.is_some() && (i..i + 5).all(|x| (j..j + 4).all(|y| label[x][y] == first))
        })
        .expect("room for an enclave");
    for column in &mut label[ei + 1..ei + 4] {
        column[ej + 1..ej + 3].fill(Some(16));
    }
    let corners = corners(&mut rng);
    let wiggles = Wiggles::new(&corners, &mut rng);
    // Seeds left without land have no shape; the enclave comes last.
    let (shapes, groups) = (0..=16)
        .map(|t| (shape(&label, t, &corners, &wiggles), t / 5))
        .filter(|(s, _)| !s.0.is_empty())
        .unzip();
    Tessellation { shapes, groups }
}

fn nearest(seeds: &[(f64, f64)], x: f64, y: f64, rng: &mut ChaCha8Rng) -> usize {
    (0..seeds.len())
        .min_by(|&a, &b| {
            let d = |k: usize| (seeds[k].0 - x).hypot(seeds[k].1 - y);
            d(a).total_cmp(&d(b))
        })
        .map(|k| {
            // Now and then a cell goes to a neighbour: ragged borders.
            if rng.random_range(0.0..1.0) < 0.15 {
                (0..seeds.len())
                    .filter(|&o| o != k)
                    .min_by(|&a, &b| {
                        let d = |o: usize| (seeds[o].0 - x).hypot(seeds[o].1 - y);
                        d(a).total_cmp(&d(b))
                    })
                    .unwrap_or(k)
            } else {
                k
            }
        })
        .unwrap_or(0)
}

/// No two cells of a label meet only at a corner (rings stay simple).
fn remove_pinches(label: &mut [Vec<Label>]) {
    loop {
        let mut changed = false;
        for i in 0..N - 1 {
            for j in 0..N - 1 {
                let (a, b, c, d) = (
                    label[i][j],
                    label[i + 1][j],
                    label[i][j + 1],
                    label[i + 1][j + 1],
                );
                if a == d && b != a && c != a {
                    label[i + 1][j] = a;
                    changed = true;
                } else if b == c && a != b && d != b {
                    label[i][j] = b;
                    changed = true;
                }
            }
        }
        if !changed {
            return;
        }
    }
}

/// Grid vertices, jittered inside (the grid's outline stays straight).
fn corners(rng: &mut ChaCha8Rng) -> Vec<Vec<Coord<f64>>> {
    (0..=N)
        .map(|i| {
            (0..=N)
                .map(|j| {
                    let inner = i > 0 && j > 0 && i < N && j < N;
                    let (dx, dy) = if inner {
                        (rng.random_range(-0.2..0.2), rng.random_range(-0.2..0.2))
                    } else {
                        (0.0, 0.0)
                    };
                    Coord {
                        x: -70.0 + (i as f64 + dx) * CELL,
                        y: 2.0 + (j as f64 + dy) * CELL,
                    }
                })
                .collect()
        })
        .collect()
}

/// Inner vertices of every grid edge, from its lower vertex to its upper.
struct Wiggles(HashMap<(Vertex, Vertex), Vec<Coord<f64>>>);

/// A grid vertex: (column, row).
type Vertex = (usize, usize);

impl Wiggles {
    fn new(corners: &[Vec<Coord<f64>>], rng: &mut ChaCha8Rng) -> Wiggles {
        let mut map = HashMap::new();
        for i in 0..=N {
            for j in 0..=N {
                for (k, l) in [(i + 1, j), (i, j + 1)] {
                    if k > N || l > N {
                        continue;
                    }
                    let (a, b) = (corners[i][j], corners[k][l]);
                    let (nx, ny) = (-(b.y - a.y), b.x - a.x);
                    let points = (1..=WIGGLES)
                        .map(|s| {
                            let t = s as f64 / (WIGGLES + 1) as f64;
                            let w = rng.random_range(-0.08..0.08);
                            Coord {
                                x: a.x + t * (b.x - a.x) + w * nx,
                                y: a.y + t * (b.y - a.y) + w * ny,
                            }
                        })
                        .collect();
                    map.insert(((i, j), (k, l)), points);
                }
            }
        }
        Wiggles(map)
    }

    /// The inner vertices walking from `from` to `to`.
    fn between(&self, from: (usize, usize), to: (usize, usize)) -> Vec<Coord<f64>> {
        match self.0.get(&(from, to)) {
            Some(p) => p.clone(),
            None => self.0[&(to, from)].iter().rev().copied().collect(),
        }
    }
}

/// The shape of label `t`: its cells' outline, traced counter-clockwise.
fn shape(
    label: &[Vec<Label>],
    t: usize,
    corners: &[Vec<Coord<f64>>],
    wiggles: &Wiggles,
) -> MultiPolygon<f64> {
    let at = |i: isize, j: isize| -> Label {
        if i < 0 || j < 0 || i >= N as isize || j >= N as isize {
            None
        } else {
            label[i as usize][j as usize]
        }
    };
    // Directed boundary edges, each from a grid vertex to the next.
    let mut next: HashMap<(usize, usize), (usize, usize)> = HashMap::new();
    for (i, column) in label.iter().enumerate() {
        for (j, cell) in column.iter().enumerate() {
            if *cell != Some(t) {
                continue;
            }
            let (x, y) = (i as isize, j as isize);
            let sides = [
                (at(x, y - 1), (i, j), (i + 1, j)),
                (at(x + 1, y), (i + 1, j), (i + 1, j + 1)),
                (at(x, y + 1), (i + 1, j + 1), (i, j + 1)),
                (at(x - 1, y), (i, j + 1), (i, j)),
            ];
            for (neighbour, from, to) in sides {
                if neighbour != Some(t) {
                    assert!(next.insert(from, to).is_none(), "a pinch at {from:?}");
                }
            }
        }
    }
    let mut rings = Vec::new();
    while let Some(&start) = next.keys().min() {
        let mut coords = Vec::new();
        let mut v = start;
        loop {
            let to = next.remove(&v).expect("rings close");
            coords.push(corners[v.0][v.1]);
            coords.extend(wiggles.between(v, to));
            v = to;
            if v == start {
                break;
            }
        }
        coords.push(coords[0]);
        rings.push(LineString(coords));
    }
    let area = |r: &LineString<f64>| geo::Area::signed_area(&Polygon::new(r.clone(), vec![]));
    let (shells, holes): (Vec<_>, Vec<_>) = rings.into_iter().partition(|r| area(r) > 0.0);
    let mut polygons: Vec<Polygon<f64>> = shells
        .into_iter()
        .map(|s| Polygon::new(s, vec![]))
        .collect();
    for hole in holes {
        let probe = Point(hole.0[0]);
        let home = polygons
            .iter_mut()
            .filter(|p| p.contains(&probe))
            .min_by(|a, b| geo::Area::unsigned_area(*a).total_cmp(&geo::Area::unsigned_area(*b)))
            .expect("a hole lies in a shell");
        home.interiors_push(hole);
    }
    MultiPolygon(polygons)
}
