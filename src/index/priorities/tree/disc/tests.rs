use super::*;
use crate::domain::geometry::SPHERE_RADIUS_M;
use geo::{Destination, Distance, Geodesic, Haversine};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The ratio bounds are those the metric argument gives for WGS84's axes,
/// rounded outwards by less than 1e-5.
#[test]
fn ratio_bounds_are_wgs84s_radii_of_curvature_over_the_sphere() {
    let (a, f) = (6_378_137.0_f64, 1.0 / 298.257_223_563);
    let e2 = f * (2.0 - f);
    let least_m = a * (1.0 - e2) / SPHERE_RADIUS_M;
    let greatest_n = a / (1.0 - e2).sqrt() / SPHERE_RADIUS_M;
    let (low, high) = ELLIPSOID_OVER_SPHERE;
    assert!(low <= least_m && least_m - low < 1e-5, "{low} vs {least_m}");
    assert!(
        high >= greatest_n && high - greatest_n < 1e-5,
        "{high} vs {greatest_n}"
    );
}

/// A random centre anywhere, and a point at a random distance of every
/// scale in a random direction from it.
fn random_pair(rng: &mut ChaCha8Rng) -> (Point, Point) {
    let center = Point::new(
        rng.random_range(-180.0..180.0),
        rng.random_range(-89.9..89.9),
    );
    let scale: f64 = [1.0, 100.0, 5_000.0, 200_000.0, 5_000_000.0][rng.random_range(0..5)];
    let p = Geodesic.destination(
        center,
        rng.random_range(0.0..360.0),
        scale * rng.random_range(0.0..1.0),
    );
    (center, p)
}

/// Every geodesic distance lies within the ratio bounds of the haversine
/// distance of the same points, at every scale and latitude.
#[test]
fn geodesic_distances_lie_within_the_ratio_bounds_of_the_sphere() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let (low, high) = ELLIPSOID_OVER_SPHERE;
    for _ in 0..50_000 {
        let (center, p) = random_pair(&mut rng);
        let (e, s) = (point_distance_m(center, p), Haversine.distance(center, p));
        assert!(
            e >= low * s * (1.0 - 1e-12) && e <= high * s * (1.0 + 1e-12) + 1e-9,
            "{center:?} {p:?}: {e} vs {s}"
        );
    }
}

/// Points at the edge, within half a per cent of the radius either way
/// (where the sphere and the ellipsoid disagree), and at a hair from it,
/// are decided and measured exactly as the geodesic says.
#[test]
fn points_near_the_edge_are_decided_by_the_geodesic() {
    let mut rng = ChaCha8Rng::seed_from_u64(22);
    let mut disagreeing = 0;
    for _ in 0..20_000 {
        let (center, p) = random_pair(&mut rng);
        let d = point_distance_m(center, p);
        let factor: f64 = [1.0, 1.005, 0.995, 1.002, 0.998, 1.0 + 1e-12][rng.random_range(0..6)];
        for radius in [d * factor, d.next_up(), d.next_down()] {
            let disc = Disc::new(center, radius);
            let spot = Spot::new(p);
            assert_eq!(
                disc.holds(spot),
                d <= radius,
                "{center:?} {p:?} {d} {radius}"
            );
            let within = disc.distance_within(spot);
            assert_eq!(
                within.is_some(),
                d <= radius,
                "{center:?} {p:?} {d} {radius}"
            );
            assert!(within.is_none_or(|w| (w - d).abs() <= disc.slack_m()));
            if let Some(bound) = disc.at_least_m(spot) {
                assert!(bound <= d);
            } else {
                assert!(d > radius);
            }
            if disc.surely_holds(p) {
                assert!(d <= radius);
            }
            let sphere = Haversine.distance(center, p);
            disagreeing += usize::from((sphere <= radius) != (d <= radius));
        }
    }
    // The sphere alone would have decided many of them wrongly.
    assert!(disagreeing > 1_000, "{disagreeing}");
}

/// For random boxes around random circles: a box said outside holds no
/// point within the radius on the ellipsoid, one said inside none beyond
/// it, and the nearest bound is below every point's geodesic distance.
#[test]
fn box_bounds_hold_for_every_point_of_a_box() {
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    let (mut outside, mut inside) = (0, 0);
    for _ in 0..2_000 {
        let center = Point::new(
            rng.random_range(-170.0..170.0),
            rng.random_range(-80.0..80.0),
        );
        let size: f64 = [0.001, 0.01, 0.1, 1.0][rng.random_range(0..4)];
        let west = center.x() + rng.random_range(-3.0..3.0) * size;
        let south = center.y() + rng.random_range(-3.0..3.0) * size;
        let rect = AABB::from_corners([west, south], [west + size, south + size]);
        let corner = Point::new(west, south);
        let radius = point_distance_m(corner, center) * rng.random_range(0.5..1.5);
        let disc = Disc::new(center, radius);
        let reach = disc.reach(&rect);
        let nearest = disc.nearest_m(&rect);
        for i in 0..=12 {
            for j in 0..=12 {
                let p = Point::new(
                    west + size * f64::from(i) / 12.0,
                    south + size * f64::from(j) / 12.0,
                );
                let d = point_distance_m(p, center);
                assert!(
                    nearest <= d,
                    "{center:?} {rect:?}: {p:?} at {d}, nearest {nearest}"
                );
                match reach {
                    Reach::Outside => assert!(d > radius, "{center:?} {rect:?} {p:?}"),
                    Reach::Inside => assert!(d <= radius, "{center:?} {rect:?} {p:?}"),
                    Reach::Partly => {}
                }
            }
        }
        outside += usize::from(matches!(reach, Reach::Outside));
        inside += usize::from(matches!(reach, Reach::Inside));
    }
    assert!(
        outside > 100 && inside > 100,
        "{outside} outside, {inside} inside"
    );
}
