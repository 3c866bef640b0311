//! Making a simplification valid: find every simplified segment that
//! crosses or touches another away from a shared vertex (which also catches
//! a ring collapsing onto itself: two arcs simplified to the same segment),
//! or that has jumped over a vertex (a border that moved past an island, a
//! hole or a junction), and put back an original vertex of it; again until
//! none is left. Segments that were not simplified (original edges) are
//! never blamed, so the loop ends, at worst with the original arcs.

use std::collections::BTreeSet;

use geo::{Coord, Line, LineIntersection, line_intersection::line_intersection};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::simplify::Simplification;

/// A simplified segment: arc, original indices of its ends, its ends.
#[derive(Debug, Clone, Copy)]
struct Segment {
    arc: usize,
    from: usize,
    to: usize,
    a: Coord<f64>,
    b: Coord<f64>,
}

impl Segment {
    /// Whether it stands for more than one original edge.
    fn simplified(&self) -> bool {
        self.to > self.from + 1
    }
}

impl Simplification<'_> {
    /// Refines offending segments until there are none (see the module).
    pub(super) fn repair(&mut self) {
        loop {
            let defects = self.defects();
            let mut progressed = false;
            // Refining changes positions, not original indices: any order.
            for (arc, from) in defects {
                progressed |= self.refine(arc, from);
            }
            if !progressed {
                return;
            }
        }
    }

    /// The current segments, each (arc, from) to refine.
    fn defects(&self) -> BTreeSet<(usize, usize)> {
        let segments = self.segments();
        let mut out = BTreeSet::new();
        self.crossings(&segments, &mut out);
        self.jumps(&segments, &mut out);
        out
    }

    fn segments(&self) -> Vec<Segment> {
        let arcs = &self.topology.arcs;
        let mut out = Vec::new();
        for (arc, kept) in self.kept.iter().enumerate() {
            for w in kept.windows(2) {
                out.push(Segment {
                    arc,
                    from: w[0],
                    to: w[1],
                    a: arcs[arc][w[0]],
                    b: arcs[arc][w[1]],
                });
            }
        }
        out
    }

    /// Pairs of segments meeting other than at a shared end.
    fn crossings(&self, segments: &[Segment], out: &mut BTreeSet<(usize, usize)>) {
        let tree = RTree::bulk_load(
            segments
                .iter()
                .enumerate()
                .map(|(i, s)| GeomWithData::new(Rectangle::from_corners(xy(s.a), xy(s.b)), i))
                .collect(),
        );
        for (i, s) in segments.iter().enumerate() {
            let envelope = AABB::from_corners(xy(s.a), xy(s.b));
            for other in tree.locate_in_envelope_intersecting(envelope) {
                let j = other.data;
                if j <= i {
                    continue;
                }
                let t = &segments[j];
                if conflict(s, t) {
                    for blamed in [s, t].into_iter().filter(|x| x.simplified()) {
                        out.insert((blamed.arc, blamed.from));
                    }
                }
            }
        }
    }

    /// Simplified segments with a kept vertex strictly between them and the
    /// original stretch of arc they replace: the vertex changed sides.
    fn jumps(&self, segments: &[Segment], out: &mut BTreeSet<(usize, usize)>) {
        let arcs = &self.topology.arcs;
        let points: Vec<[f64; 2]> = segments.iter().flat_map(|s| [xy(s.a), xy(s.b)]).collect();
        let tree = RTree::bulk_load(points);
        for s in segments.iter().filter(|s| s.simplified()) {
            let stretch = &arcs[s.arc][s.from..=s.to];
            let corners: Vec<[f64; 2]> = stretch.iter().map(|c| xy(*c)).collect();
            let envelope = AABB::from_points(corners.iter());
            let jumped = tree.locate_in_envelope(envelope).any(|p| {
                let c = Coord { x: p[0], y: p[1] };
                c != s.a && c != s.b && inside(c, stretch)
            });
            if jumped {
                out.insert((s.arc, s.from));
            }
        }
    }
}

fn xy(c: Coord<f64>) -> [f64; 2] {
    [c.x, c.y]
}

/// Whether two segments meet anywhere but at an end they share.
fn conflict(s: &Segment, t: &Segment) -> bool {
    match line_intersection(Line::new(s.a, s.b), Line::new(t.a, t.b)) {
        None => false,
        Some(LineIntersection::SinglePoint {
            intersection,
            is_proper,
        }) => {
            is_proper
                || !((intersection == s.a || intersection == s.b)
                    && (intersection == t.a || intersection == t.b))
        }
        Some(LineIntersection::Collinear { intersection }) => {
            intersection.start != intersection.end
                || !((intersection.start == s.a || intersection.start == s.b)
                    && (intersection.start == t.a || intersection.start == t.b))
        }
    }
}

/// Whether `p` lies inside the ring closed by joining the stretch's ends
/// (crossing number; a point on it counts either way).
fn inside(p: Coord<f64>, stretch: &[Coord<f64>]) -> bool {
    let n = stretch.len();
    let mut crossings = false;
    for i in 0..n {
        let (a, b) = (stretch[i], stretch[(i + 1) % n]);
        if (a.y > p.y) != (b.y > p.y) {
            let x = a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x);
            if p.x < x {
                crossings = !crossings;
            }
        }
    }
    crossings
}
