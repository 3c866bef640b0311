//! The point of a line's or polygon's rings nearest to a point on the
//! sphere, edges followed as great circles, as PostGIS's `geography` finds
//! it (`edge_distance_to_point`): PostGIS measures a point's distance to a
//! line or polygon as the geodesic on WGS84 to this point
//! ([`super::distance_m`]).
//!
//! That is not the least geodesic distance to the edges followed as
//! geodesics: the ellipsoid's nearest point lies a little along the edge
//! from the sphere's (the sphere's right angle is off the ellipsoid's by up
//! to its flattening of directions, 0.7 %), so PostGIS's distance (and this
//! service's) may exceed that least by up to about 23 parts in a million,
//! 2.3 cm a kilometre (the tests measure it). Users check radius queries
//! against PostGIS, so PostGIS's definition is the one kept.
//!
//! # Units
//! Positions are `[longitude, latitude]` in WGS84 degrees, taken as
//! spherical coordinates.

use geo::{Coord, Point};

/// A vertex as the sphere sees it, computed once for the two edges it ends.
#[derive(Debug, Clone, Copy)]
struct Vertex {
    at: Coord<f64>,
    /// Its unit vector from the sphere's centre.
    unit: [f64; 3],
    lat: f64,
    cos_lat: f64,
}

impl Vertex {
    fn new(at: Coord<f64>) -> Self {
        let lat = at.y.to_radians();
        let (sin_lat, cos_lat) = lat.sin_cos();
        let (sin_lon, cos_lon) = at.x.to_radians().sin_cos();
        Vertex {
            at,
            unit: [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat],
            lat,
            cos_lat,
        }
    }
}

/// The nearest point found so far: its squared chord from the point, and
/// where it is (a vertex's own coordinates, or a point inside an edge).
#[derive(Debug, Clone, Copy)]
enum Found {
    Vertex(Coord<f64>),
    Inside([f64; 3]),
}

/// The point of `rings` (each a sequence of positions joined by edges)
/// nearest to `p` on the sphere; the first of equals. `None` when no ring
/// has an edge.
pub fn nearest_on_rings<'a>(
    p: Point<f64>,
    rings: impl Iterator<Item = &'a [Coord<f64>]>,
) -> Option<Coord<f64>> {
    let q = Vertex::new(p.0).unit;
    let mut best: Option<(f64, Found)> = None;
    for ring in rings {
        let mut vertices = ring.iter().map(|c| Vertex::new(*c));
        let Some(mut a) = vertices.next() else {
            continue;
        };
        for b in vertices {
            let found = edge_foot(q, &a, &b);
            if best.is_none_or(|(chord2, _)| found.0 < chord2) {
                best = Some(found);
            }
            a = b;
        }
    }
    best.map(|(_, found)| match found {
        Found::Vertex(at) => at,
        Found::Inside(unit) => position(unit),
    })
}

/// The point of the great-circle edge `a`–`b` nearest to the unit vector
/// `q`, and its squared chord from `q`: `q` projected onto the edge's
/// plane when the projection falls within the edge's cone (at least as
/// near the middle's direction as the ends are), else the nearer end.
fn edge_foot(q: [f64; 3], a: &Vertex, b: &Vertex) -> (f64, Found) {
    let ends = || {
        let (to_a, to_b) = (chord2(q, a.unit), chord2(q, b.unit));
        if to_a <= to_b {
            (to_a, Found::Vertex(a.at))
        } else {
            (to_b, Found::Vertex(b.at))
        }
    };
    let Some(n) = normalized(cross(a, b)) else {
        return ends();
    };
    let along = dot(q, n);
    let Some(k) = normalized([
        q[0] - along * n[0],
        q[1] - along * n[1],
        q[2] - along * n[2],
    ]) else {
        return ends();
    };
    let (ua, ub) = (a.unit, b.unit);
    let Some(middle) = normalized([ua[0] + ub[0], ua[1] + ub[1], ua[2] + ub[2]]) else {
        return ends();
    };
    if dot(k, middle) >= dot(ua, middle) {
        (chord2(q, k), Found::Inside(k))
    } else {
        ends()
    }
}

/// The cross product of two vertices' unit vectors, from the differences of
/// their coordinates rather than of their vectors: for the ends of an edge
/// of a few metres the vectors' components agree to seven digits, and their
/// plain cross product would tilt the edge's plane enough to move its
/// nearest point by tens of micrometres. With `L` and `D` the half sum and
/// half difference of the longitudes, the product's components are `sin L
/// cos D sin(φ₂ − φ₁) − cos L sin D sin(φ₁ + φ₂)`, `−cos L cos D sin(φ₂ −
/// φ₁) − sin L sin D sin(φ₁ + φ₂)` and `cos φ₁ cos φ₂ sin(λ₂ − λ₁)`.
fn cross(a: &Vertex, b: &Vertex) -> [f64; 3] {
    let (sin_l, cos_l) = ((a.at.x + b.at.x) / 2.0).to_radians().sin_cos();
    let (sin_d, cos_d) = ((b.at.x - a.at.x) / 2.0).to_radians().sin_cos();
    let apart = (b.lat - a.lat).sin();
    // sin(φ₁ + φ₂), from the sines and cosines the vertices hold.
    let together = a.unit[2] * b.cos_lat + a.cos_lat * b.unit[2];
    [
        sin_l * cos_d * apart - cos_l * sin_d * together,
        -cos_l * cos_d * apart - sin_l * sin_d * together,
        a.cos_lat * b.cos_lat * 2.0 * sin_d * cos_d,
    ]
}

/// The position of a unit vector, in degrees.
fn position(v: [f64; 3]) -> Coord<f64> {
    Coord {
        x: v[1].atan2(v[0]).to_degrees(),
        y: v[2].atan2(v[0].hypot(v[1])).to_degrees(),
    }
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// The squared chord between two unit vectors, which grows with the angle
/// between them.
fn chord2(a: [f64; 3], b: [f64; 3]) -> f64 {
    let d = [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
    dot(d, d)
}

fn normalized(v: [f64; 3]) -> Option<[f64; 3]> {
    let n = dot(v, v).sqrt();
    (n > 0.0 && n.is_finite()).then(|| [v[0] / n, v[1] / n, v[2] / n])
}

#[cfg(test)]
mod tests;
