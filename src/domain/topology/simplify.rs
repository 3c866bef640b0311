//! Each arc simplified once: Douglas–Peucker with the arc's endpoints fixed,
//! kept as the indices of the original vertices that remain, so the repair
//! can put back the one an offending segment most needs.

use geo::Coord;

use super::build::Topology;

/// A topology simplified at one tolerance: the vertices each arc keeps.
/// Build one with [`Topology::simplify`]; its shapes come from
/// [`Simplification::shapes`] and [`Simplification::unions`].
#[derive(Debug, Clone)]
pub struct Simplification<'t> {
    pub(super) topology: &'t Topology,
    /// Per arc, the indices of its vertices kept, ascending, first and last
    /// always among them.
    pub(super) kept: Vec<Vec<usize>>,
}

impl Topology {
    /// Every arc simplified by `tolerance` degrees (a vertex closer than
    /// that to the simplified line may go), then repaired until the shapes
    /// are valid and still tile as before (see the module's guarantees). A
    /// tolerance of 0 or less keeps every vertex.
    pub fn simplify(&self, tolerance: f64) -> Simplification<'_> {
        let kept = self
            .arcs
            .iter()
            .map(|arc| douglas_peucker(arc, tolerance))
            .collect();
        let mut s = Simplification {
            topology: self,
            kept,
        };
        if tolerance > 0.0 {
            s.repair();
        }
        s
    }
}

impl Simplification<'_> {
    /// How many vertices the simplified arcs keep, each shared border once.
    pub fn vertex_count(&self) -> usize {
        self.kept.iter().map(Vec::len).sum()
    }

    /// Puts back into `arc`, between its kept vertex `from` (an original
    /// index) and the next kept one, the original vertex farthest from the
    /// segment between them. False if they are consecutive already.
    pub(super) fn refine(&mut self, arc: usize, from: usize) -> bool {
        let kept = &mut self.kept[arc];
        let Ok(pos) = kept.binary_search(&from) else {
            return false;
        };
        let Some(&to) = kept.get(pos + 1) else {
            return false;
        };
        match farthest(&self.topology.arcs[arc], from, to) {
            Some((k, _)) => {
                kept.insert(pos + 1, k);
                true
            }
            None => false,
        }
    }
}

/// The indices Douglas–Peucker keeps of `arc` at `tolerance`. A closed arc
/// (a ring meeting no other) also keeps its vertex farthest from its start,
/// so it stays a ring.
fn douglas_peucker(arc: &[Coord<f64>], tolerance: f64) -> Vec<usize> {
    let last = arc.len() - 1;
    if tolerance <= 0.0 {
        return (0..=last).collect();
    }
    let mut keep = vec![false; arc.len()];
    keep[0] = true;
    keep[last] = true;
    let mut stack = vec![(0, last)];
    if arc[0] == arc[last] && last > 1 {
        let far = (1..last)
            .max_by(|&a, &b| dist2(arc[a], arc[0]).total_cmp(&dist2(arc[b], arc[0])))
            .unwrap_or(1);
        keep[far] = true;
        stack = vec![(0, far), (far, last)];
    }
    while let Some((from, to)) = stack.pop() {
        if let Some((k, d)) = farthest(arc, from, to)
            && d > tolerance
        {
            keep[k] = true;
            stack.push((from, k));
            stack.push((k, to));
        }
    }
    (0..=last).filter(|&i| keep[i]).collect()
}

/// The vertex strictly between `from` and `to` farthest from the segment
/// joining them, with its distance.
fn farthest(arc: &[Coord<f64>], from: usize, to: usize) -> Option<(usize, f64)> {
    let (a, b) = (arc[from], arc[to]);
    (from + 1..to)
        .map(|i| (i, segment_distance(arc[i], a, b)))
        .max_by(|x, y| x.1.total_cmp(&y.1))
}

fn dist2(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

/// Planar distance from `p` to the segment `a`–`b`.
pub(super) fn segment_distance(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    };
    dist2(
        p,
        Coord {
            x: a.x + t * dx,
            y: a.y + t * dy,
        },
    )
    .sqrt()
}
