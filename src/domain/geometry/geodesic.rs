//! Distances on the WGS84 ellipsoid, by Karney's geodesic algorithms
//! (`geographiclib-rs`, which `geo`'s `Geodesic` wraps), and how they bound
//! the sphere's.
//!
//! # Units
//! Positions are `[longitude, latitude]` in WGS84 degrees; distances are
//! metres.

use geo::{Distance, Geodesic, Point};

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
