//! The synthetic national catalog the generated priorities refer to: the 24
//! states, and municipalities, parishes and councils made up over the
//! outline of [`country`](super::country).
//!
//! The territory is cut by a quadtree: one-degree blocks split into quarters
//! until a cell is at most half a degree wide and its expected share of the
//! priorities is small, down to 1/32 of a degree (about 3.5 km) in the
//! densest parts of the cities. Each leaf, clipped to the outline, is a
//! parish: about 55 km wide in the llanos and the south, 3.5 km in central
//! Caracas. A parish belongs to the state with the nearest reference point
//! (the parish at a city's centre, to that city's state); the parishes of
//! one quadtree cell (at most one degree, at most 30 parishes) and one state
//! form a municipality. Councils are shared out in
//! proportion to each parish's expected share, at least one per parish.
//!
//! # Units
//! Coordinates are `(longitude, latitude)` in WGS84 degrees; distances and
//! cluster widths are kilometres.

use std::ops::Range;

use geo::orient::Direction;
use geo::{
    Area, BooleanOps, BoundingRect, Contains, Coord, InteriorPoint, MultiPolygon, Orient, Point,
    Rect, unary_union,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::country::{self, CITIES, STATES};
use super::text;
use crate::domain::codes::{CouncilCode, Level, TerritoryCode};
use crate::domain::territory::{Council, Territory};

/// South-west corner of the grid of one-degree blocks.
const LON0: f64 = -74.0;
const LAT0: f64 = 0.0;
/// Blocks west to east and south to north.
const NX: usize = 15;
const NY: usize = 13;
/// Largest and smallest parish cell, degrees.
const MAX_LEAF: f64 = 0.5;
const MIN_LEAF: f64 = 1.0 / 32.0;
/// A cell is split while more than this share of the priorities is expected in it.
const SPLIT_SHARE: f64 = 1.0 / 700.0;
/// Most parishes in one municipality (codes allow 99), and municipalities in one state.
const MAX_CHILDREN: usize = 99;
/// Municipalities are cut from quadtree cells holding at most this many parishes.
const MUNICIPALITY_PARISHES: usize = 30;
/// Share of the priorities clustered around cities; the rest is uniform over the territory.
pub(super) const CLUSTERED: f64 = 0.9;
/// Share of a city's priorities in its core; the rest spread 2.5 times wider.
pub(super) const CORE: f64 = 0.7;
pub(super) const SPREAD: f64 = 2.5;
/// The catalog depends only on the number of councils: it is drawn from this seed.
const CATALOG_SEED: u64 = 0x5645_4e45_5a55_454c;

/// Kilometres per degree of latitude, and of longitude at `lat`.
pub(super) const KM_PER_DEG_LAT: f64 = 110.574;
pub(super) fn km_per_deg_lon(lat: f64) -> f64 {
    111.320 * lat.to_radians().cos()
}

/// Where a city's priorities cluster: a mixture of two round Gaussians.
#[derive(Debug, Clone)]
pub(super) struct Cluster {
    pub lon: f64,
    pub lat: f64,
    /// Its share of the clustered priorities.
    pub weight: f64,
    /// Standard deviation of the core, km.
    pub sigma_km: f64,
}

/// The clusters of [`CITIES`], weighted by population; a city's core is
/// wider the larger it is (2.8 km for 100,000 people, 7.2 km for 2 million).
pub(super) fn clusters() -> Vec<Cluster> {
    let total: f64 = CITIES.iter().map(|c| c.thousands).sum();
    CITIES
        .iter()
        .map(|c| Cluster {
            lon: c.lon,
            lat: c.lat,
            weight: c.thousands / total,
            sigma_km: 1.5 + 4.0 * (c.thousands / 1000.0).sqrt(),
        })
        .collect()
}

/// The error function (Abramowitz and Stegun 7.1.26, error below 1.5e-7).
fn erf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let y = 1.0 - poly * (-x * x).exp();
    if x < 0.0 { -y } else { y }
}

/// Probability that a round Gaussian (centre `c`, `sigma` km) falls in `r`.
fn gaussian_mass(r: &Rect<f64>, c: &Cluster, sigma: f64) -> f64 {
    let kx = km_per_deg_lon(c.lat);
    let cdf = |d_km: f64| 0.5 * (1.0 + erf(d_km / (sigma * std::f64::consts::SQRT_2)));
    let px = cdf((r.max().x - c.lon) * kx) - cdf((r.min().x - c.lon) * kx);
    let py = cdf((r.max().y - c.lat) * KM_PER_DEG_LAT) - cdf((r.min().y - c.lat) * KM_PER_DEG_LAT);
    px * py
}

/// Area of a lon/lat rectangle, km² (planar at its centre latitude).
fn area_km2(r: &Rect<f64>) -> f64 {
    r.width() * km_per_deg_lon(r.center().y) * r.height() * KM_PER_DEG_LAT
}

/// A node of the quadtree: split into four (south-west, south-east,
/// north-west, north-east), or a leaf that is a parish (or nothing, at sea).
#[derive(Debug, Clone, Copy)]
enum Node {
    Split([u32; 4]),
    Leaf(Option<u32>),
}

/// A parish as the priority generator needs it.
#[derive(Debug, Clone)]
pub(super) struct Parish {
    /// Its quadtree cell.
    pub rect: Rect<f64>,
    /// The cell clipped to the outline; `None` when the whole cell is land.
    pub shape: Option<MultiPolygon<f64>>,
    /// Its councils, as positions in [`Catalog::councils`].
    pub councils: Range<u32>,
    /// Positions in [`Catalog::municipality_names`] and [`STATES`].
    pub municipality: u32,
    pub state: u32,
}

/// States, municipalities, parishes with their boundaries, and councils,
/// with what it takes to place generated priorities in them.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// States, then municipalities, then parishes, each sorted by code.
    pub territories: Vec<Territory>,
    /// Sorted by code; the councils of one parish are contiguous.
    pub councils: Vec<Council>,
    nodes: Vec<Node>,
    /// Root node of each one-degree block, row by row from the south-west.
    roots: Vec<u32>,
    pub(super) parishes: Vec<Parish>,
    pub(super) municipality_names: Vec<String>,
    pub(super) clusters: Vec<Cluster>,
    /// The outline's bounding box, for priorities scattered over the country.
    pub(super) extent: Rect<f64>,
}

/// A leaf cell while the tree is built.
struct Cell {
    rect: Rect<f64>,
    shape: Option<MultiPolygon<f64>>,
    boundary: MultiPolygon<f64>,
    share: f64,
}

struct Builder<'a> {
    outline: &'a MultiPolygon<f64>,
    extent: Rect<f64>,
    clusters: &'a [Cluster],
    land_km2: f64,
    nodes: Vec<Node>,
    cells: Vec<Cell>,
}

impl Builder<'_> {
    /// Expected share of the priorities in `r` (ignoring the sea, which
    /// rejects some draws).
    fn share(&self, r: &Rect<f64>) -> f64 {
        let clustered: f64 = self
            .clusters
            .iter()
            .map(|c| {
                c.weight
                    * (CORE * gaussian_mass(r, c, c.sigma_km)
                        + (1.0 - CORE) * gaussian_mass(r, c, SPREAD * c.sigma_km))
            })
            .sum();
        CLUSTERED * clustered + (1.0 - CLUSTERED) * area_km2(r) / self.land_km2
    }

    /// Builds the subtree of cell `r`, children in reading order (north-west
    /// first) so parishes are numbered from the north-west.
    fn build(&mut self, r: Rect<f64>) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node::Leaf(None));
        if !r.intersects_rect(&self.extent) {
            return id;
        }
        let size = r.width();
        let share = self.share(&r);
        if size > MAX_LEAF || (share > SPLIT_SHARE && size > MIN_LEAF) {
            let half = size / 2.0;
            let min = r.min();
            let quarter = |dx: f64, dy: f64| {
                let a = Coord {
                    x: min.x + dx,
                    y: min.y + dy,
                };
                Rect::new(
                    a,
                    Coord {
                        x: a.x + half,
                        y: a.y + half,
                    },
                )
            };
            let nw = self.build(quarter(0.0, half));
            let ne = self.build(quarter(half, half));
            let sw = self.build(quarter(0.0, 0.0));
            let se = self.build(quarter(half, 0.0));
            self.nodes[id as usize] = Node::Split([sw, se, nw, ne]);
            return id;
        }
        let square = r.to_polygon();
        let clipped = square.intersection(self.outline);
        let area = clipped.unsigned_area();
        let full = square.unsigned_area();
        if area < 1e-3 * full {
            return id;
        }
        let whole = area >= full * (1.0 - 1e-9);
        let boundary = if whole {
            MultiPolygon(vec![square]).orient(Direction::Default)
        } else {
            clipped.orient(Direction::Default)
        };
        self.nodes[id as usize] = Node::Leaf(Some(self.cells.len() as u32));
        self.cells.push(Cell {
            rect: r,
            shape: (!whole).then(|| boundary.clone()),
            boundary,
            share: share * area / full,
        });
        id
    }
}

trait RectExt {
    fn intersects_rect(&self, other: &Rect<f64>) -> bool;
}

impl RectExt for Rect<f64> {
    fn intersects_rect(&self, o: &Rect<f64>) -> bool {
        self.min().x < o.max().x
            && o.min().x < self.max().x
            && self.min().y < o.max().y
            && o.min().y < self.max().y
    }
}

/// Why a catalog cannot be made with the numbers asked for.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{councils} councils are too few: every one of the {parishes} parishes needs one")]
    TooFewCouncils { councils: usize, parishes: usize },
    #[error(
        "{councils} councils are too many: parish {parish} would get {per_parish} (at most 999)"
    )]
    TooManyCouncils {
        councils: usize,
        parish: String,
        per_parish: usize,
    },
}

impl Catalog {
    /// The catalog with `councils` councils; the same every time for the
    /// same number.
    pub fn build(councils: usize) -> Result<Catalog, CatalogError> {
        let outline = country::outline();
        let extent = outline.bounding_rect().unwrap_or(Rect::new(
            Coord { x: LON0, y: LAT0 },
            Coord { x: LON0, y: LAT0 },
        ));
        let clusters = clusters();
        let land_km2 =
            geo::ChamberlainDuquetteArea::chamberlain_duquette_unsigned_area(&outline) / 1e6;
        let mut builder = Builder {
            outline: &outline,
            extent,
            clusters: &clusters,
            land_km2,
            nodes: Vec::new(),
            cells: Vec::new(),
        };
        let mut roots = vec![0; NX * NY];
        // Rows from the north, so parishes are numbered from the north-west.
        for j in (0..NY).rev() {
            for i in 0..NX {
                let min = Coord {
                    x: LON0 + i as f64,
                    y: LAT0 + j as f64,
                };
                let rect = Rect::new(
                    min,
                    Coord {
                        x: min.x + 1.0,
                        y: min.y + 1.0,
                    },
                );
                roots[j * NX + i] = builder.build(rect);
            }
        }
        let Builder { nodes, cells, .. } = builder;
        let mut rng = ChaCha8Rng::seed_from_u64(CATALOG_SEED);

        // Each cell's state: the one with the nearest reference point.
        let state_of: Vec<u32> = cells
            .iter()
            .map(|cell| {
                let p = match &cell.shape {
                    None => Point::from(cell.rect.center()),
                    Some(shape) => shape
                        .interior_point()
                        .unwrap_or(Point::from(cell.rect.center())),
                };
                nearest_state(p)
            })
            .collect();
        let mut state_of = state_of;
        // The parish at a city's centre belongs to the city's state.
        for c in CITIES {
            if let Some(k) = locate(&nodes, &roots, c.lon, c.lat) {
                state_of[k as usize] =
                    STATES.iter().position(|s| s.code == c.state).unwrap_or(0) as u32;
            }
        }

        // Municipalities: the cells under the highest node holding at most
        // MUNICIPALITY_PARISHES parishes, split by state.
        let mut group_of = vec![0u32; cells.len()];
        let mut groups = 0u32;
        for j in (0..NY).rev() {
            for i in 0..NX {
                group(&nodes, roots[j * NX + i], &mut group_of, &mut groups, true);
            }
        }
        // (group, state) → municipality, numbered per state in order of
        // first appearance.
        let mut municipality_of = vec![0u32; cells.len()];
        let mut municipalities: Vec<(u32, u32)> = Vec::new(); // (state, number in state)
        let mut key_to_municipality = std::collections::HashMap::new();
        let mut per_state = [0u32; 24];
        for (k, (&g, &s)) in group_of.iter().zip(&state_of).enumerate() {
            let m = *key_to_municipality.entry((g, s)).or_insert_with(|| {
                per_state[s as usize] += 1;
                municipalities.push((s, per_state[s as usize]));
                (municipalities.len() - 1) as u32
            });
            municipality_of[k] = m;
        }
        assert!(
            per_state.iter().all(|&n| n as usize <= MAX_CHILDREN),
            "a state has more than 99 municipalities: {per_state:?}"
        );
        let mut parish_number = vec![0u32; municipalities.len()];
        let parish_codes: Vec<TerritoryCode> = municipality_of
            .iter()
            .map(|&m| {
                parish_number[m as usize] += 1;
                let (s, n) = municipalities[m as usize];
                let number = parish_number[m as usize];
                assert!(number as usize <= MAX_CHILDREN);
                TerritoryCode::parish((s + 1) * 10_000 + n * 100 + number)
            })
            .collect();

        // Names: a municipality takes the name of its largest city, else a
        // common municipality name.
        let mut city_in: Vec<Option<(&str, f64)>> = vec![None; municipalities.len()];
        for c in CITIES {
            if let Some(k) = locate(&nodes, &roots, c.lon, c.lat) {
                let m = municipality_of[k as usize] as usize;
                if city_in[m].is_none_or(|(_, t)| t < c.thousands) {
                    city_in[m] = Some((c.name, c.thousands));
                }
            }
        }
        let municipality_names: Vec<String> = city_in
            .iter()
            .map(|c| match c {
                Some((name, _)) => (*name).to_owned(),
                None => text::pick(&mut rng, text::MUNICIPALITY_NAMES).to_owned(),
            })
            .collect();

        // Councils in proportion to each parish's share, at least one each.
        if councils < cells.len() {
            return Err(CatalogError::TooFewCouncils {
                councils,
                parishes: cells.len(),
            });
        }
        let counts = apportion(councils, &cells);
        if let Some((k, &n)) = counts.iter().enumerate().find(|(_, n)| **n > 999) {
            return Err(CatalogError::TooManyCouncils {
                councils,
                parish: parish_codes[k].to_string(),
                per_parish: n,
            });
        }

        // Territories and their boundaries.
        let mut territories: Vec<Territory> = Vec::new();
        let mut municipality_parts: Vec<Vec<&MultiPolygon<f64>>> =
            vec![Vec::new(); municipalities.len()];
        for (cell, &m) in cells.iter().zip(&municipality_of) {
            municipality_parts[m as usize].push(&cell.boundary);
        }
        let municipality_shapes: Vec<MultiPolygon<f64>> = municipality_parts
            .into_iter()
            .map(|parts| unary_union(parts).orient(Direction::Default))
            .collect();
        let mut state_parts: Vec<Vec<&MultiPolygon<f64>>> = vec![Vec::new(); STATES.len()];
        for (shape, &(s, _)) in municipality_shapes.iter().zip(&municipalities) {
            state_parts[s as usize].push(shape);
        }
        for (s, parts) in state_parts.into_iter().enumerate() {
            if parts.is_empty() {
                continue;
            }
            territories.push(Territory {
                code: TerritoryCode::parse(Level::State, STATES[s].code)
                    .expect("state codes are valid"),
                name: STATES[s].name.to_owned(),
                boundary: Some(unary_union(parts).orient(Direction::Default)),
            });
        }
        let mut municipality_territories: Vec<Territory> = municipalities
            .iter()
            .zip(municipality_shapes)
            .zip(&municipality_names)
            .map(|((&(s, n), shape), name)| Territory {
                code: TerritoryCode::parse(
                    Level::Municipality,
                    &format!("{:04}", (s + 1) * 100 + n),
                )
                .expect("municipality codes are valid"),
                name: name.clone(),
                boundary: Some(shape),
            })
            .collect();
        municipality_territories.sort_by_key(|t| t.code);
        territories.extend(municipality_territories);
        let mut parish_territories: Vec<Territory> = cells
            .iter()
            .zip(&parish_codes)
            .map(|(cell, &code)| Territory {
                code,
                name: text::pick(&mut rng, text::PARISH_NAMES).to_owned(),
                boundary: Some(cell.boundary.clone()),
            })
            .collect();
        parish_territories.sort_by_key(|t| t.code);
        territories.extend(parish_territories);

        // Councils, parish by parish in code order.
        let mut order: Vec<usize> = (0..cells.len()).collect();
        order.sort_by_key(|&k| parish_codes[k]);
        let mut all_councils = Vec::with_capacity(councils);
        let mut ranges = vec![0..0; cells.len()];
        for k in order {
            let start = all_councils.len() as u32;
            for n in 1..=counts[k] {
                let code: CouncilCode = format!("CC-{}-{n:03}", parish_codes[k])
                    .parse()
                    .expect("council codes are valid");
                all_councils.push(Council {
                    code,
                    name: format!(
                        "Consejo Comunal {}",
                        text::pick(&mut rng, text::COUNCIL_NAMES)
                    ),
                    parish: parish_codes[k],
                    location: Some(point_in(&mut rng, &cells[k])),
                    commune: None,
                    spokespeople: rng.random_range(5..=35),
                });
            }
            ranges[k] = start..all_councils.len() as u32;
        }

        let parishes = cells
            .into_iter()
            .zip(ranges)
            .zip(municipality_of)
            .zip(state_of)
            .map(|(((cell, councils), municipality), state)| Parish {
                rect: cell.rect,
                shape: cell.shape,
                councils,
                municipality,
                state,
            })
            .collect();
        Ok(Catalog {
            territories,
            councils: all_councils,
            nodes,
            roots,
            parishes,
            municipality_names,
            clusters,
            extent,
        })
    }

    /// The parish (a position in `parishes`) whose cell holds `(lon, lat)`,
    /// if any: the point may still lie outside the parish's clipped shape.
    pub(super) fn locate(&self, lon: f64, lat: f64) -> Option<u32> {
        locate(&self.nodes, &self.roots, lon, lat)
    }

    /// How many parishes the catalog has.
    pub fn parish_count(&self) -> usize {
        self.parishes.len()
    }
}

/// The leaf under `(lon, lat)`.
fn locate(nodes: &[Node], roots: &[u32], lon: f64, lat: f64) -> Option<u32> {
    let (fx, fy) = ((lon - LON0).floor(), (lat - LAT0).floor());
    if !(0.0..NX as f64).contains(&fx) || !(0.0..NY as f64).contains(&fy) {
        return None;
    }
    let (mut x0, mut y0, mut size) = (LON0 + fx, LAT0 + fy, 1.0);
    let mut node = roots[fy as usize * NX + fx as usize];
    loop {
        match nodes[node as usize] {
            Node::Leaf(leaf) => return leaf,
            Node::Split(children) => {
                size /= 2.0;
                let east = lon >= x0 + size;
                let north = lat >= y0 + size;
                if east {
                    x0 += size;
                }
                if north {
                    y0 += size;
                }
                node = children[usize::from(east) + 2 * usize::from(north)];
            }
        }
    }
}

/// Gives every leaf under `node` a municipality group: the leaves under the
/// highest node with at most [`MUNICIPALITY_PARISHES`] of them share one.
fn group(nodes: &[Node], node: u32, group_of: &mut [u32], groups: &mut u32, top: bool) {
    let count = leaf_count(nodes, node);
    if count == 0 {
        return;
    }
    if count <= MUNICIPALITY_PARISHES || !top {
        if top {
            *groups += 1;
        }
        match nodes[node as usize] {
            Node::Leaf(Some(k)) => group_of[k as usize] = *groups,
            Node::Leaf(None) => {}
            Node::Split(children) => {
                // Reading order: north-west, north-east, south-west, south-east.
                for c in [children[2], children[3], children[0], children[1]] {
                    group(nodes, c, group_of, groups, false);
                }
            }
        }
        return;
    }
    if let Node::Split(children) = nodes[node as usize] {
        for c in [children[2], children[3], children[0], children[1]] {
            group(nodes, c, group_of, groups, true);
        }
    }
}

fn leaf_count(nodes: &[Node], node: u32) -> usize {
    match nodes[node as usize] {
        Node::Leaf(leaf) => usize::from(leaf.is_some()),
        Node::Split(children) => children.iter().map(|&c| leaf_count(nodes, c)).sum(),
    }
}

/// The state (position in [`STATES`]) with the reference point nearest `p`.
fn nearest_state(p: Point<f64>) -> u32 {
    let kx = km_per_deg_lon(p.y());
    let mut best = (f64::INFINITY, 0);
    for (s, state) in STATES.iter().enumerate() {
        for &(lon, lat) in state.anchors {
            let d = ((lon - p.x()) * kx).hypot((lat - p.y()) * KM_PER_DEG_LAT);
            if d < best.0 {
                best = (d, s as u32);
            }
        }
    }
    best.1
}

/// Shares `total` councils out: one per cell, the rest in proportion to
/// each cell's share (largest remainders, ties to the earlier cell).
fn apportion(total: usize, cells: &[Cell]) -> Vec<usize> {
    let extra = (total - cells.len()) as f64;
    let sum: f64 = cells.iter().map(|c| c.share).sum();
    let exact: Vec<f64> = cells.iter().map(|c| extra * c.share / sum).collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| 1 + e.floor() as usize).collect();
    let left = total - counts.iter().sum::<usize>();
    let mut by_remainder: Vec<usize> = (0..cells.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &k in by_remainder.iter().take(left) {
        counts[k] += 1;
    }
    counts
}

/// A random point strictly inside a cell's land, rounded to 6 decimals.
fn point_in(rng: &mut ChaCha8Rng, cell: &Cell) -> Point<f64> {
    for _ in 0..1_000 {
        let p = super::round_point(
            rng.random_range(cell.rect.min().x..cell.rect.max().x),
            rng.random_range(cell.rect.min().y..cell.rect.max().y),
        );
        let inside =
            strictly_inside(&cell.rect, p) && cell.shape.as_ref().is_none_or(|s| s.contains(&p));
        if inside {
            return p;
        }
    }
    cell.boundary
        .interior_point()
        .unwrap_or(Point::from(cell.rect.center()))
}

/// Whether `p` lies inside `r`, not on its edge.
pub(super) fn strictly_inside(r: &Rect<f64>, p: Point<f64>) -> bool {
    r.min().x < p.x() && p.x() < r.max().x && r.min().y < p.y() && p.y() < r.max().y
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use geo::{Intersects, Validation, Winding};

    use super::*;

    fn catalog() -> Catalog {
        Catalog::build(35_000).unwrap()
    }

    #[test]
    fn erf_matches_known_values() {
        for (x, e) in [
            (0.0, 0.0),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (2.0, 0.995_322_3),
        ] {
            assert!((erf(x) - e).abs() < 2e-7, "{x}");
            assert!((erf(-x) + e).abs() < 2e-7, "{x}");
        }
    }

    #[test]
    fn the_catalog_has_national_proportions() {
        let c = catalog();
        let count = |level: Level| {
            c.territories
                .iter()
                .filter(|t| t.code.level() == level)
                .count()
        };
        let (states, municipalities, parishes) = (
            count(Level::State),
            count(Level::Municipality),
            count(Level::Parish),
        );
        println!("{states} states, {municipalities} municipalities, {parishes} parishes");
        assert_eq!(states, 24);
        assert!((150..=700).contains(&municipalities), "{municipalities}");
        assert!((900..=2_500).contains(&parishes), "{parishes}");
        assert_eq!(c.councils.len(), 35_000);
        let per_parish: BTreeMap<_, usize> = c.councils.iter().fold(BTreeMap::new(), |mut m, k| {
            *m.entry(k.parish).or_default() += 1;
            m
        });
        assert_eq!(per_parish.len(), parishes, "every parish has a council");
        let most = per_parish.values().max().unwrap();
        println!("at most {most} councils in one parish");
    }

    #[test]
    fn codes_nest_and_are_unique_and_sorted() {
        let c = catalog();
        let codes: HashSet<_> = c.territories.iter().map(|t| t.code).collect();
        assert_eq!(codes.len(), c.territories.len());
        for t in &c.territories {
            if let Some(parent) = t.code.parent() {
                assert!(codes.contains(&parent), "{} has no parent", t.code);
            }
        }
        for level in Level::ALL {
            let of_level: Vec<_> = c
                .territories
                .iter()
                .filter(|t| t.code.level() == level)
                .collect();
            assert!(of_level.windows(2).all(|w| w[0].code < w[1].code));
        }
        let councils: HashSet<_> = c.councils.iter().map(|k| k.code.clone()).collect();
        assert_eq!(councils.len(), c.councils.len());
        assert!(c.councils.windows(2).all(|w| w[0].code < w[1].code));
        for k in &c.councils {
            assert!(codes.contains(&k.parish));
        }
    }

    #[test]
    fn boundaries_are_valid_counter_clockwise_and_parishes_do_not_overlap() {
        let c = catalog();
        for t in &c.territories {
            let b = t.boundary.as_ref().unwrap();
            assert!(b.is_valid(), "{}: {:?}", t.code, b.validation_errors());
            assert!(b.0.iter().all(|p| p.exterior().is_ccw()), "{}", t.code);
        }
        // Parishes are quadtree cells (clipped): they can only share edges.
        for (a, p) in c.parishes.iter().enumerate() {
            for q in &c.parishes[a + 1..] {
                let overlap = p.rect.intersects_rect(&q.rect);
                assert!(!overlap, "{:?} and {:?}", p.rect, q.rect);
            }
        }
    }

    #[test]
    fn councils_lie_in_their_parish_and_cities_in_a_parish() {
        let c = catalog();
        let boundary: BTreeMap<_, _> = c
            .territories
            .iter()
            .map(|t| (t.code, t.boundary.clone().unwrap()))
            .collect();
        for k in c.councils.iter().step_by(37) {
            assert!(
                boundary[&k.parish].intersects(&k.location.unwrap()),
                "{}",
                k.code
            );
        }
        for city in CITIES {
            assert!(c.locate(city.lon, city.lat).is_some(), "{}", city.name);
        }
    }

    #[test]
    fn the_catalog_is_deterministic_and_follows_the_council_count() {
        let a = Catalog::build(5_000).unwrap();
        let b = Catalog::build(5_000).unwrap();
        assert_eq!(a.territories, b.territories);
        assert_eq!(a.councils, b.councils);
        assert_eq!(a.councils.len(), 5_000);
        assert!(matches!(
            Catalog::build(100),
            Err(CatalogError::TooFewCouncils { .. })
        ));
    }
}
