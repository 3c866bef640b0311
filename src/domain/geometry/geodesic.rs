//! Distances on the WGS84 ellipsoid, by Karney's geodesic algorithms
//! (`geographiclib-rs`, which `geo`'s `Geodesic` wraps): between two points,
//! and from a point to edges, as PostGIS measures `geography`.
//!
//! # Units
//! Positions are `[longitude, latitude]` in WGS84 degrees; distances are
//! metres.

use geo::{Coord, Distance, Geodesic, Line, Point};

/// The sphere of geo's `Haversine`, whose distances bound the ellipsoid's.
pub const SPHERE_RADIUS_M: f64 = 6_371_008.8;

/// Bounds of the ratio of a geodesic distance on WGS84 to the great-circle
/// distance on the sphere of [`SPHERE_RADIUS_M`] between the same
/// coordinates: `LOW · sphere ≤ ellipsoid ≤ HIGH · sphere` for any two
/// points.
///
/// In latitude and longitude the ellipsoid's metric is `M² dφ² + N² cos² φ
/// dλ²` and the sphere's `R² dφ² + R² cos² φ dλ²`, so every path's length
/// on the one is between `min M / R` and `max N / R` times its length on
/// the other: `M` is least at the equator, `a (1 − e²)`, and `N` greatest at
/// the poles, `a / √(1 − e²)`. The shortest path of either is a path of the
/// other, which bounds the distances. The constants are these ratios
/// (0.994417, 1.004487) rounded outwards (the tests derive them).
pub const ELLIPSOID_OVER_SPHERE: (f64, f64) = (0.994_41, 1.004_49);

/// The geodesic distance in metres between two points on WGS84.
pub fn point_distance_m(a: Point<f64>, b: Point<f64>) -> f64 {
    Geodesic.distance(a, b)
}

/// A position as a unit vector from the centre of the sphere: latitude and
/// longitude taken as spherical coordinates, as PostGIS's `geog2cart` does.
fn unit(c: Coord<f64>) -> [f64; 3] {
    let (sin_lat, cos_lat) = c.y.to_radians().sin_cos();
    let (sin_lon, cos_lon) = c.x.to_radians().sin_cos();
    [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat]
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

/// The cross product of the unit vectors of two positions, from the
/// differences of their coordinates rather than of their vectors: for the
/// ends of an edge of a few metres the vectors' components agree to seven
/// digits, and their plain cross product would tilt the edge's plane enough
/// to move its nearest point by tens of micrometres. With `L` and `D` the
/// half sum and half difference of the longitudes, the product's components
/// are `sin L cos D sin(φ₂ − φ₁) − cos L sin D sin(φ₁ + φ₂)`, `−cos L cos D
/// sin(φ₂ − φ₁) − sin L sin D sin(φ₁ + φ₂)` and `cos φ₁ cos φ₂ sin(λ₂ − λ₁)`.
fn cross_of(a: Coord<f64>, b: Coord<f64>) -> [f64; 3] {
    let (lat_a, lat_b) = (a.y.to_radians(), b.y.to_radians());
    let (sin_l, cos_l) = ((a.x + b.x) / 2.0).to_radians().sin_cos();
    let (sin_d, cos_d) = ((b.x - a.x) / 2.0).to_radians().sin_cos();
    let (apart, together) = ((lat_b - lat_a).sin(), (lat_a + lat_b).sin());
    [
        sin_l * cos_d * apart - cos_l * sin_d * together,
        -cos_l * cos_d * apart - sin_l * sin_d * together,
        lat_a.cos() * lat_b.cos() * (b.x - a.x).to_radians().sin(),
    ]
}

fn normalized(v: [f64; 3]) -> Option<[f64; 3]> {
    let n = dot(v, v).sqrt();
    (n > 0.0 && n.is_finite()).then(|| [v[0] / n, v[1] / n, v[2] / n])
}

/// The angle in radians between two unit vectors (by the chord, precise
/// at every distance a query meets).
fn angle(a: [f64; 3], b: [f64; 3]) -> f64 {
    let d = [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
    2.0 * (dot(d, d).sqrt() / 2.0).min(1.0).asin()
}

/// The nearest point to `p` of the edge `line` followed as a great circle on
/// the sphere, and its distance from `p` on the sphere of
/// [`SPHERE_RADIUS_M`], as PostGIS's `edge_distance_to_point` finds it: `p`
/// projected onto the edge's plane when the projection falls within the
/// edge's cone, else the nearer end.
pub(crate) fn sphere_foot(p: Coord<f64>, line: Line<f64>) -> (Coord<f64>, f64) {
    let (a, b, q) = (unit(line.start), unit(line.end), unit(p));
    let ends = || {
        let (da, db) = (angle(q, a), angle(q, b));
        if da <= db {
            (line.start, da * SPHERE_RADIUS_M)
        } else {
            (line.end, db * SPHERE_RADIUS_M)
        }
    };
    let Some(n) = normalized(cross_of(line.start, line.end)) else {
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
    // Within the cone of the edge: at least as near the middle's direction
    // as its ends are.
    let Some(middle) = normalized([a[0] + b[0], a[1] + b[1], a[2] + b[2]]) else {
        return ends();
    };
    if dot(k, middle) >= dot(a, middle) {
        (position(k), angle(q, k) * SPHERE_RADIUS_M)
    } else {
        ends()
    }
}

/// The point of `edges` nearest to `p` on the sphere ([`sphere_foot`] on
/// each edge; the first of equals), `None` for no edges.
///
/// PostGIS measures a point's distance to a line or a polygon's rings in
/// `geography` with the spheroid as the geodesic on WGS84 to this point
/// ([`super::distance_m`]). That is not the least geodesic distance to the
/// edges followed as geodesics: the ellipsoid's nearest point lies a little
/// along the edge from the sphere's (the sphere's right angle is off the
/// ellipsoid's by up to its flattening of directions, 0.7 %), so PostGIS's
/// distance (and this service's) may exceed that least by up to about 23
/// parts in a million, 2.3 cm a kilometre (the tests measure it). Users
/// check radius queries against PostGIS, so PostGIS's definition is the
/// one kept.
pub fn nearest_on_edges(
    p: Point<f64>,
    edges: impl Iterator<Item = Line<f64>>,
) -> Option<Coord<f64>> {
    edges
        .map(|line| sphere_foot(p.0, line))
        .reduce(|best, next| if next.1 < best.1 { next } else { best })
        .map(|(foot, _)| foot)
}

#[cfg(test)]
mod tests;
