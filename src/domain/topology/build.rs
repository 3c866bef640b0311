//! Cutting a set of shapes into arcs: every ring split at its junctions,
//! each border kept once however many rings use it.

use std::collections::HashMap;

use geo::{Coord, MultiPolygon};

/// A vertex's identity: its coordinates' bits, `-0.0` read as `0.0`.
pub(super) type Key = (u64, u64);

/// The identity of `c`.
pub(super) fn key(c: Coord<f64>) -> Key {
    ((c.x + 0.0).to_bits(), (c.y + 0.0).to_bits())
}

/// One arc used by a ring, in the ring's direction or reversed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ArcUse {
    /// The arc's index in [`Topology::arcs`].
    pub arc: usize,
    /// Whether the ring walks the arc from its last vertex to its first.
    pub reversed: bool,
}

/// A ring as the arcs it is made of, in order: exteriors counter-clockwise,
/// holes clockwise, so the shape lies to the left of every ring.
pub(super) type Ring = Vec<ArcUse>;

/// The shapes of a coverage as shared arcs.
#[derive(Debug, Clone, Default)]
pub struct Topology {
    /// Each arc's vertices, first and last being junctions (or, for a ring
    /// that meets no other, the same vertex).
    pub(super) arcs: Vec<Vec<Coord<f64>>>,
    /// Each shape's polygons, each its rings (the exterior first).
    pub(super) shapes: Vec<Vec<Vec<Ring>>>,
    /// Each arc's uses: (shape, reversed), one per ring that walks it.
    pub(super) uses: Vec<Vec<(usize, bool)>>,
}

impl Topology {
    /// The arcs of `shapes` (lon/lat degrees). Consecutive repeated vertices
    /// are dropped, and rings of fewer than three distinct vertices with them.
    pub fn build(shapes: &[&MultiPolygon<f64>]) -> Topology {
        let rings: Vec<Vec<Vec<Vec<Coord<f64>>>>> = shapes
            .iter()
            .map(|shape| shape.0.iter().filter_map(clean_polygon).collect())
            .collect();
        let junctions = junctions(&rings);
        let mut topology = Topology {
            shapes: Vec::with_capacity(shapes.len()),
            ..Default::default()
        };
        let mut ids: HashMap<(Key, Key), usize> = HashMap::new();
        for (shape, polygons) in rings.iter().enumerate() {
            let mut out = Vec::with_capacity(polygons.len());
            for polygon in polygons {
                let rings = polygon
                    .iter()
                    .map(|ring| topology.cut(ring, shape, &junctions, &mut ids))
                    .collect();
                out.push(rings);
            }
            topology.shapes.push(out);
        }
        topology
    }

    /// How many shapes were given.
    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    /// Whether no shape was given.
    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }

    /// How many arcs the shapes were cut into (each shared border once).
    pub fn arc_count(&self) -> usize {
        self.arcs.len()
    }

    /// Cuts one ring (open: its first vertex not repeated) into arcs,
    /// adding those not seen before.
    fn cut(
        &mut self,
        ring: &[Coord<f64>],
        shape: usize,
        junctions: &HashMap<Key, bool>,
        ids: &mut HashMap<(Key, Key), usize>,
    ) -> Ring {
        let n = ring.len();
        let is_junction = |c: &Coord<f64>| junctions.get(&key(*c)).copied().unwrap_or(true);
        let start = ring.iter().position(is_junction).unwrap_or_else(|| {
            // A ring meeting no other: cut where every ring along it cuts.
            (0..n).min_by_key(|&i| key(ring[i])).unwrap_or(0)
        });
        let mut out = Vec::new();
        let mut piece = vec![ring[start]];
        for step in 1..=n {
            let c = ring[(start + step) % n];
            piece.push(c);
            if step == n || is_junction(&c) {
                out.push(self.arc_of(std::mem::take(&mut piece), shape, ids));
                piece.push(c);
            }
        }
        out
    }

    /// The use of the arc whose vertices are `piece`, registering it if new.
    fn arc_of(
        &mut self,
        piece: Vec<Coord<f64>>,
        shape: usize,
        ids: &mut HashMap<(Key, Key), usize>,
    ) -> ArcUse {
        let m = piece.len();
        // Between junctions every vertex has two neighbours, so an arc is
        // known by its first vertex and the next.
        let forward = (key(piece[0]), key(piece[1]));
        let backward = (key(piece[m - 1]), key(piece[m - 2]));
        let reversed = backward < forward;
        let id = if reversed { backward } else { forward };
        let arc = *ids.entry(id).or_insert_with(|| {
            let mut coords = piece;
            if reversed {
                coords.reverse();
            }
            self.arcs.push(coords);
            self.uses.push(Vec::new());
            self.arcs.len() - 1
        });
        self.uses[arc].push((shape, reversed));
        ArcUse { arc, reversed }
    }
}

/// A polygon's rings, open, without repeated vertices, exterior
/// counter-clockwise and holes clockwise; `None` if its exterior collapses.
fn clean_polygon(polygon: &geo::Polygon<f64>) -> Option<Vec<Vec<Coord<f64>>>> {
    let exterior = clean_ring(&polygon.exterior().0, true)?;
    let mut rings = vec![exterior];
    rings.extend(
        polygon
            .interiors()
            .iter()
            .filter_map(|h| clean_ring(&h.0, false)),
    );
    Some(rings)
}

/// A ring without its closing vertex or repeated vertices, turned
/// counter-clockwise (`ccw`) or clockwise.
fn clean_ring(coords: &[Coord<f64>], ccw: bool) -> Option<Vec<Coord<f64>>> {
    let mut ring: Vec<Coord<f64>> = Vec::with_capacity(coords.len());
    for c in coords {
        if ring.last().is_none_or(|l| key(*l) != key(*c)) {
            ring.push(*c);
        }
    }
    while ring.len() > 1 && key(ring[0]) == key(ring[ring.len() - 1]) {
        ring.pop();
    }
    if ring.len() < 3 {
        return None;
    }
    if (signed_area(&ring) > 0.0) != ccw {
        ring.reverse();
    }
    Some(ring)
}

/// Twice the signed area of an open ring (positive: counter-clockwise).
pub(super) fn signed_area(ring: &[Coord<f64>]) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a.x * b.y - b.x * a.y
        })
        .sum()
}

/// Whether each vertex is a junction: one with other than two distinct
/// neighbours along all the rings.
fn junctions(shapes: &[Vec<Vec<Vec<Coord<f64>>>>]) -> HashMap<Key, bool> {
    let mut neighbours: HashMap<Key, Vec<Key>> = HashMap::new();
    let mut add = |a: Key, b: Key| {
        let list = neighbours.entry(a).or_default();
        if !list.contains(&b) {
            list.push(b);
        }
    };
    for ring in shapes.iter().flatten().flatten() {
        let n = ring.len();
        for i in 0..n {
            let (a, b) = (key(ring[i]), key(ring[(i + 1) % n]));
            add(a, b);
            add(b, a);
        }
    }
    neighbours
        .into_iter()
        .map(|(k, list)| (k, list.len() != 2))
        .collect()
}
