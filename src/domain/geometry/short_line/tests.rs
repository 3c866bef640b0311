use super::*;
use geo::{Destination, Distance, Geodesic};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The largest difference from Karney's distance (`geographiclib-rs`) over
/// `n` random lines of up to [`SHORT_LINE_MAX_M`] from centres with
/// latitudes in `lats` and any longitude, each checked against the bound;
/// the largest difference over `(d / 100 km)⁵` beyond 60 km, and the
/// largest below 20 km.
fn worst_over(seed: u64, n: usize, lats: std::ops::Range<f64>) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut worst_far, mut worst_near) = (0.0_f64, 0.0_f64);
    for _ in 0..n {
        let center = Point::new(
            rng.random_range(-180.0..180.0),
            rng.random_range(lats.clone()),
        );
        // Uniform over the disc's area, and every tenth line short.
        let reach = if rng.random_bool(0.1) {
            1_000.0
        } else {
            SHORT_LINE_MAX_M
        };
        let d = reach * rng.random_range(0.0_f64..1.0).sqrt();
        let p = Geodesic.destination(center, rng.random_range(0.0..360.0), d);
        let karney = Geodesic.distance(center, p);
        let fast = ShortLines::new(center).distance_m(p);
        let error = (fast - karney).abs();
        assert!(
            error <= short_line_error_m(karney),
            "{center:?} to {p:?}: {fast} against Karney's {karney}"
        );
        if karney < 20_000.0 {
            worst_near = worst_near.max(error);
        } else if karney >= 60_000.0 {
            worst_far = worst_far.max(error / (karney / 100_000.0).powi(5));
        }
    }
    (worst_far, worst_near)
}

/// Over random lines everywhere (poles included) the short-line distance is
/// within the bound of Karney's, and the bound keeps its margins: three
/// times the largest `d⁵` term found beyond 60 km (where it outweighs
/// the rounding), four times the rounding
/// below.
#[test]
fn short_lines_are_within_the_bound_of_karneys_everywhere() {
    let (far, near) = worst_over(18, 300_000, -90.0..90.0);
    assert!(far * 3.0 <= 1e-6 && far > 0.0, "d⁵ term {far}");
    assert!(near * 4.0 <= 2e-8, "rounding {near}");
    eprintln!("largest d⁵ term {far:e}, rounding {near:e}");
}

/// The same in Venezuela's latitudes, where the service's points lie.
#[test]
fn short_lines_are_within_the_bound_of_karneys_in_venezuela() {
    worst_over(10, 200_000, 0.5..12.5);
}

/// Lines along a meridian, along the equator, across a pole and across the
/// antimeridian, and points on the centre, where the azimuth or the
/// middle's direction degenerate.
#[test]
fn degenerate_lines_are_within_the_bound() {
    let cases = [
        ([10.0, 0.0], [10.0, 0.9]),
        ([10.0, 0.0], [10.9, 0.0]),
        ([-66.9, 10.5], [-66.9, 10.5]),
        ([0.0, 89.8], [180.0, 89.8]),
        ([45.0, 90.0], [45.0, 89.2]),
        ([0.0, -90.0], [120.0, -89.5]),
        ([179.8, 5.0], [-179.7, 5.2]),
        ([-66.9, 10.5], [-66.9 + 1e-9, 10.5]),
    ];
    for (a, b) in cases {
        let (a, b) = (Point::new(a[0], a[1]), Point::new(b[0], b[1]));
        let karney = Geodesic.distance(a, b);
        let fast = ShortLines::new(a).distance_m(b);
        assert!(
            (fast - karney).abs() <= short_line_error_m(karney),
            "{a:?} to {b:?}: {fast} against {karney}"
        );
    }
}
