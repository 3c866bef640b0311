//! Shapes put back together from their simplified arcs: each shape from
//! its own rings, and the union of a group of shapes from the arcs that are
//! not shared by two of its members, chained into rings.

use std::collections::HashMap;

use geo::{Contains, Coord, InteriorPoint, LineString, MultiPolygon, Polygon};

use super::build::{ArcUse, Key, Ring, key, signed_area};
use super::simplify::Simplification;

impl Simplification<'_> {
    /// Every shape, simplified, in the order given to [`Topology::build`].
    ///
    /// [`Topology::build`]: super::Topology::build
    pub fn shapes(&self) -> Vec<MultiPolygon<f64>> {
        self.topology
            .shapes
            .iter()
            .map(|polygons| {
                MultiPolygon(
                    polygons
                        .iter()
                        .map(|rings| {
                            let mut rings = rings.iter().map(|r| self.ring(r));
                            let exterior = rings.next().unwrap_or_else(|| LineString(vec![]));
                            Polygon::new(exterior, rings.collect())
                        })
                        .collect(),
                )
            })
            .collect()
    }

    /// For each of `groups` groups, the union of its shapes' simplified
    /// shapes, where `group_of[shape]` names each shape's group (a shape
    /// with `None` belongs to none). Arcs with both sides in the group are
    /// left out; what remains is chained into rings, split where a ring
    /// would touch itself, and holes are put in the smallest shell around
    /// them.
    pub fn unions(&self, group_of: &[Option<usize>], groups: usize) -> Vec<MultiPolygon<f64>> {
        let mut edges: Vec<Vec<Vec<Coord<f64>>>> = vec![Vec::new(); groups];
        for (arc, uses) in self.topology.uses.iter().enumerate() {
            let mut net: HashMap<usize, i64> = HashMap::new();
            for &(shape, reversed) in uses {
                if let Some(g) = group_of.get(shape).copied().flatten() {
                    *net.entry(g).or_default() += if reversed { -1 } else { 1 };
                }
            }
            for (g, n) in net {
                let use_ = ArcUse {
                    arc,
                    reversed: n < 0,
                };
                for _ in 0..n.unsigned_abs() {
                    edges[g].push(self.arc_coords(use_));
                }
            }
        }
        edges.into_iter().map(|e| polygons(chain(e))).collect()
    }

    /// The coordinates of one arc as a ring walks it.
    fn arc_coords(&self, use_: ArcUse) -> Vec<Coord<f64>> {
        let arc = &self.topology.arcs[use_.arc];
        let mut out: Vec<Coord<f64>> = self.kept[use_.arc].iter().map(|&i| arc[i]).collect();
        if use_.reversed {
            out.reverse();
        }
        out
    }

    /// A ring's closed line string.
    fn ring(&self, ring: &Ring) -> LineString<f64> {
        let mut coords: Vec<Coord<f64>> = Vec::new();
        for use_ in ring {
            let arc = self.arc_coords(*use_);
            let skip = usize::from(!coords.is_empty());
            coords.extend_from_slice(&arc[skip..]);
        }
        LineString(coords)
    }
}

/// Directed arcs chained end to start into closed rings, each split at the
/// vertices it passes twice so that no ring touches itself.
fn chain(edges: Vec<Vec<Coord<f64>>>) -> Vec<Vec<Coord<f64>>> {
    let mut starting: HashMap<Key, Vec<usize>> = HashMap::new();
    for (i, e) in edges.iter().enumerate() {
        starting.entry(key(e[0])).or_default().push(i);
    }
    let mut used = vec![false; edges.len()];
    let mut rings = Vec::new();
    for first in 0..edges.len() {
        if used[first] {
            continue;
        }
        used[first] = true;
        let mut ring = edges[first].clone();
        let start = key(ring[0]);
        while let Some(&end) = ring.last().map(|c| key(*c)).as_ref()
            && end != start
        {
            let next = starting
                .get(&end)
                .and_then(|list| list.iter().copied().find(|&i| !used[i]));
            let Some(next) = next else { break };
            used[next] = true;
            ring.extend_from_slice(&edges[next][1..]);
        }
        rings.extend(split_at_repeats(ring));
    }
    rings
}

/// A closed ring cut into closed rings that pass each vertex once.
fn split_at_repeats(ring: Vec<Coord<f64>>) -> Vec<Vec<Coord<f64>>> {
    let mut out = Vec::new();
    let mut stack: Vec<Coord<f64>> = Vec::with_capacity(ring.len());
    let mut seen: HashMap<Key, usize> = HashMap::new();
    for c in ring {
        if let Some(&at) = seen.get(&key(c)) {
            let mut loop_ = stack.split_off(at);
            for l in &loop_ {
                seen.remove(&key(*l));
            }
            loop_.push(c);
            if loop_.len() >= 4 {
                out.push(loop_);
            }
        }
        seen.insert(key(c), stack.len());
        stack.push(c);
    }
    out
}

/// Closed rings sorted into polygons: counter-clockwise ones are shells,
/// clockwise ones holes of the smallest shell holding them.
fn polygons(rings: Vec<Vec<Coord<f64>>>) -> MultiPolygon<f64> {
    let (mut shells, mut holes) = (Vec::new(), Vec::new());
    for ring in rings {
        let area = signed_area(&ring[..ring.len() - 1]) / 2.0;
        if area > 0.0 {
            shells.push((area, Polygon::new(LineString(ring), vec![])));
        } else if area < 0.0 {
            holes.push(LineString(ring));
        }
    }
    let mut inner: Vec<Vec<LineString<f64>>> = vec![Vec::new(); shells.len()];
    for hole in holes {
        let probe = Polygon::new(hole.clone(), vec![]).interior_point();
        let home = probe.and_then(|p| {
            shells
                .iter()
                .enumerate()
                .filter(|(_, (_, shell))| shell.contains(&p))
                .min_by(|a, b| a.1.0.total_cmp(&b.1.0))
                .map(|(i, _)| i)
        });
        if let Some(i) = home {
            inner[i].push(hole);
        }
    }
    MultiPolygon(
        shells
            .into_iter()
            .zip(inner)
            .map(|((_, shell), holes)| Polygon::new(shell.into_inner().0, holes))
            .collect(),
    )
}
