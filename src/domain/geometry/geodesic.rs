//! Distances on the WGS84 ellipsoid, by Karney's geodesic algorithms
//! (`geographiclib-rs`, which `geo`'s `Geodesic` wraps): between two points,
//! and from a point to an edge followed as a geodesic.
//!
//! # Units
//! Positions are `[longitude, latitude]` in WGS84 degrees; distances are
//! metres.

use std::sync::LazyLock;

use geo::{Closest, Distance, Geodesic, Haversine, HaversineClosestPoint, Line, Point};
use geographiclib_rs::{DirectGeodesic, InverseGeodesic};

/// WGS84, as `geo`'s `Geodesic` measures on it.
static WGS84: LazyLock<geographiclib_rs::Geodesic> =
    LazyLock::new(geographiclib_rs::Geodesic::wgs84);

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

/// How far, in metres, the edge `line` followed as a geodesic on the
/// ellipsoid strays from the same edge followed as a great circle of the
/// sphere, at most: about `f · L² / (8 R)` for a length `L` (7 mm for
/// 10 km), taken ten times over, plus a millimetre, for edges of up to
/// 100 km with both ends within 70° of the equator (the tests check it on
/// random edges). Near a pole the two may pass on either side of it (10 km
/// apart for an edge of 100 km), and longer edges stray more, so for other
/// edges no bound is claimed: infinity.
pub fn edge_stray_m(line: Line<f64>) -> f64 {
    let length_m = Haversine.distance(Point(line.start), Point(line.end));
    if length_m <= 100_000.0 && line.start.y.abs() <= 70.0 && line.end.y.abs() <= 70.0 {
        1e-9 * length_m * length_m + 1e-3
    } else {
        f64::INFINITY
    }
}

/// The geodesic distance in metres between two points on WGS84.
pub fn point_distance_m(a: Point<f64>, b: Point<f64>) -> f64 {
    Geodesic.distance(a, b)
}

/// The geodesic distance in metres from `p` to the nearest point of the edge
/// `line`, the edge followed as the geodesic between its ends.
///
/// The nearest point is found by iteration from the nearest point of the
/// great-circle edge on the sphere: at a point `X` of the edge, `s` metres
/// from its start, the geodesic from `p` to `X` meets the edge at an angle
/// `γ`, and the foot of the perpendicular lies `d · cos γ` back along it
/// (`d` = the distance `pX`). On a plane one step lands on the foot; on the
/// ellipsoid the error shrinks by about `(d / a)²` a step, so two or three
/// steps reach the foot to a micrometre for distances of hundreds of
/// kilometres. The distance there is then within `δ² / 2d` of the least,
/// for a foot `δ` off along the edge. A foot beyond an end is clamped to the
/// end. Should the steps not settle (distances of thousands of kilometres),
/// a golden-section search over the whole edge finishes it.
pub fn edge_distance_m(p: Point<f64>, line: Line<f64>) -> f64 {
    let g = &*WGS84;
    let (a, b) = (line.start, line.end);
    let (length, azimuth, _, _): (f64, f64, f64, f64) = g.inverse(a.y, a.x, b.y, b.x);
    if length == 0.0 {
        return point_distance_m(p, Point(a));
    }
    // The distance from `p` to the point `s` metres along the edge, and the
    // angle between the edge and the geodesic from `p` there.
    let at = |s: f64| -> (f64, f64) {
        let (lat, lon, edge_azimuth): (f64, f64, f64) = g.direct(a.y, a.x, azimuth, s);
        let (d, _, from_p, _): (f64, f64, f64, f64) = g.inverse(p.y(), p.x(), lat, lon);
        (d, (edge_azimuth - from_p).to_radians().cos())
    };
    let mut s = seed_fraction(p, line) * length;
    let mut best = f64::INFINITY;
    for _ in 0..12 {
        let (d, cos_gamma) = at(s);
        best = best.min(d);
        let next = (s - d * cos_gamma).clamp(0.0, length);
        if (next - s).abs() <= 1e-7 {
            return best.min(at(next).0);
        }
        s = next;
    }
    best.min(golden_section(|s| at(s).0, length))
}

/// Where along the edge, as a fraction of its length, the great-circle
/// edge on the sphere comes nearest to `p`.
fn seed_fraction(p: Point<f64>, line: Line<f64>) -> f64 {
    let nearest = match line.haversine_closest_point(&p) {
        Closest::Intersection(x) | Closest::SinglePoint(x) => x,
        Closest::Indeterminate => return 0.5,
    };
    let whole = Haversine.distance(Point(line.start), Point(line.end));
    if whole == 0.0 {
        return 0.0;
    }
    (Haversine.distance(Point(line.start), nearest) / whole).clamp(0.0, 1.0)
}

/// The least of `f` over `[0, length]` by golden-section search, to a
/// micrometre of the argument.
fn golden_section(f: impl Fn(f64) -> f64, length: f64) -> f64 {
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = (0.0, length);
    let mut x1 = hi - ratio * (hi - lo);
    let mut x2 = lo + ratio * (hi - lo);
    let (mut f1, mut f2) = (f(x1), f(x2));
    let mut best = f(0.0).min(f(length)).min(f1).min(f2);
    while hi - lo > 1e-6 {
        if f1 <= f2 {
            hi = x2;
            (x2, f2) = (x1, f1);
            x1 = hi - ratio * (hi - lo);
            f1 = f(x1);
            best = best.min(f1);
        } else {
            lo = x1;
            (x1, f1) = (x2, f2);
            x2 = lo + ratio * (hi - lo);
            f2 = f(x2);
            best = best.min(f2);
        }
    }
    best
}

/// The geodesic distance in metres from `p` to the nearest of `edges`: the
/// edges are ranked by their great-circle distance on the sphere, and only
/// those whose bound by [`ELLIPSOID_OVER_SPHERE`] and [`edge_stray_m`] could
/// beat the best found are measured on the ellipsoid.
pub fn edges_distance_m(p: Point<f64>, edges: impl Iterator<Item = Line<f64>>) -> f64 {
    let (low, _) = ELLIPSOID_OVER_SPHERE;
    let mut ranked: Vec<(f64, Line<f64>)> = edges
        .map(|line| {
            let sphere = match line.haversine_closest_point(&p) {
                Closest::Intersection(_) => 0.0,
                Closest::SinglePoint(x) => Haversine.distance(x, p),
                Closest::Indeterminate => 0.0,
            };
            (
                (low * (sphere - edge_stray_m(line))).max(0.0) * (1.0 - 1e-12),
                line,
            )
        })
        .collect();
    ranked.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut best = f64::INFINITY;
    for (bound, line) in ranked {
        if bound > best {
            break;
        }
        best = best.min(edge_distance_m(p, line));
    }
    best
}

#[cfg(test)]
mod tests;
