//! The quadtree that cuts the outline into parish cells.

use geo::orient::Direction;
use geo::{Area, BooleanOps, BoundingRect, Coord, MultiPolygon, Orient, Rect};

use super::super::country;
use super::density::{CLUSTERED, CORE, Cluster, SPREAD, area_km2, gaussian_mass};

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
/// Municipalities are cut from quadtree cells holding at most this many parishes.
const MUNICIPALITY_PARISHES: usize = 30;

/// The quadtree: its nodes, and the root of each one-degree block.
#[derive(Debug, Clone)]
pub(super) struct Quadtree {
    nodes: Vec<Node>,
    /// Root node of each one-degree block, row by row from the south-west.
    roots: Vec<u32>,
}

/// The quadtree grown over the outline, with its leaf cells (in the order
/// parishes are numbered) and the outline's bounding box.
pub(super) fn grow(clusters: &[Cluster]) -> (Quadtree, Vec<Cell>, Rect<f64>) {
    let outline = country::outline();
    let extent = outline.bounding_rect().unwrap_or(Rect::new(
        Coord { x: LON0, y: LAT0 },
        Coord { x: LON0, y: LAT0 },
    ));
    let land_km2 = geo::ChamberlainDuquetteArea::chamberlain_duquette_unsigned_area(&outline) / 1e6;
    let mut builder = Builder {
        outline: &outline,
        extent,
        clusters,
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
    (Quadtree { nodes, roots }, cells, extent)
}

impl Quadtree {
    /// The leaf under `(lon, lat)`.
    pub(super) fn locate(&self, lon: f64, lat: f64) -> Option<u32> {
        locate(&self.nodes, &self.roots, lon, lat)
    }

    /// Each of the `cells` leaves' municipality group: the leaves under the
    /// highest node with at most [`MUNICIPALITY_PARISHES`] of them share one.
    pub(super) fn groups(&self, cells: usize) -> Vec<u32> {
        let mut group_of = vec![0u32; cells];
        let mut groups = 0u32;
        for j in (0..NY).rev() {
            for i in 0..NX {
                group(
                    &self.nodes,
                    self.roots[j * NX + i],
                    &mut group_of,
                    &mut groups,
                    true,
                );
            }
        }
        group_of
    }
}

/// A node of the quadtree: split into four (south-west, south-east,
/// north-west, north-east), or a leaf that is a parish (or nothing, at sea).
#[derive(Debug, Clone, Copy)]
enum Node {
    Split([u32; 4]),
    Leaf(Option<u32>),
}

/// A leaf cell while the tree is built.
pub(super) struct Cell {
    /// Its quadtree cell.
    pub rect: Rect<f64>,
    /// The cell clipped to the outline; `None` when the whole cell is land.
    pub shape: Option<MultiPolygon<f64>>,
    /// The cell clipped to the outline, counter-clockwise.
    pub boundary: MultiPolygon<f64>,
    /// Its expected share of the priorities.
    pub share: f64,
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

/// Whether two rectangles overlap by more than an edge.
pub(super) trait RectExt {
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
