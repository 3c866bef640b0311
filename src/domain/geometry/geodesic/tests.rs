use super::*;
use geo::{Coord, Destination, Geodesic, InterpolatePoint};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random edge anywhere, of a length of one of several scales, and a
/// point at a random distance of a similar scale from its middle.
fn random_case(rng: &mut ChaCha8Rng) -> (Line<f64>, Point<f64>) {
    let start = Point::new(
        rng.random_range(-180.0..180.0),
        rng.random_range(-85.0..85.0),
    );
    let scale: f64 = [10.0, 1_000.0, 20_000.0, 300_000.0, 3_000_000.0][rng.random_range(0..5)];
    let end = Geodesic.destination(
        start,
        rng.random_range(0.0..360.0),
        scale * rng.random_range(0.01..1.0),
    );
    let middle = Geodesic.point_at_ratio_between(start, end, 0.5);
    let p = Geodesic.destination(
        middle,
        rng.random_range(0.0..360.0),
        scale * rng.random_range(0.0..1.5),
    );
    (Line::new(start.0, end.0), p)
}

/// The least distance from `p` to `n + 1` points spaced evenly along the
/// geodesic edge, and the spacing.
fn sampled(line: Line<f64>, p: Point<f64>, n: u32) -> (f64, f64) {
    let (a, b) = (Point(line.start), Point(line.end));
    let least = (0..=n)
        .map(|i| Geodesic.point_at_ratio_between(a, b, f64::from(i) / f64::from(n)))
        .map(|x| point_distance_m(p, x))
        .fold(f64::INFINITY, f64::min);
    (least, point_distance_m(a, b) / f64::from(n))
}

/// The distance to an edge is its least over the edge: never above the
/// distance to any of 4,000 points along it, and below the least of them
/// by no more than their spacing allows (`δ² / 2d` for a spacing `δ`, or
/// `δ / 2` when the point is on the edge).
#[test]
fn edge_distance_is_the_least_along_the_geodesic() {
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    for _ in 0..400 {
        let (line, p) = random_case(&mut rng);
        let d = edge_distance_m(p, line);
        let (least, spacing) = sampled(line, p, 4_000);
        let slack = (spacing * spacing / (2.0 * d.max(1e-9))).min(spacing / 2.0);
        assert!(d <= least + 1e-6, "{line:?} {p:?}: {d} above {least}");
        assert!(
            least - d <= slack + 1e-6,
            "{line:?} {p:?}: {d} below {least} by more than {slack}"
        );
    }
}

/// A point on the edge is at distance 0 (to a micrometre), and a point
/// beyond an end is at the end's distance.
#[test]
fn edge_distance_is_zero_on_the_edge_and_the_ends_beyond_it() {
    let (a, b) = (Point::new(-66.9, 10.5), Point::new(-66.8, 10.45));
    let line = Line::new(a.0, b.0);
    let on = Geodesic.point_at_ratio_between(a, b, 0.3);
    assert!(edge_distance_m(on, line) < 1e-6);
    let beyond = Geodesic.point_at_distance_between(b, a, -500.0);
    let d = edge_distance_m(beyond, line);
    assert!((d - point_distance_m(beyond, b)).abs() < 1e-6, "{d}");
}

/// An edge followed as a geodesic strays from the great circle of the same
/// ends by no more than `edge_stray_m` says (checked on the sphere, at
/// points along edges of up to 100 km, with ends up to 70° from the
/// equator); beyond, no bound is claimed.
#[test]
fn geodesic_edges_stray_from_great_circles_within_the_bound() {
    let mut rng = ChaCha8Rng::seed_from_u64(32);
    for _ in 0..20_000 {
        let start = Point::new(
            rng.random_range(-180.0..180.0),
            rng.random_range(-70.0..70.0),
        );
        let length = [100.0, 10_000.0, 50_000.0, 99_000.0][rng.random_range(0..4)];
        let end = Geodesic.destination(start, rng.random_range(0.0..360.0), length);
        let line = Line::new(start.0, end.0);
        let bound = edge_stray_m(line);
        if end.y().abs() > 70.0 {
            assert_eq!(bound, f64::INFINITY);
            continue;
        }
        for i in 1..10 {
            let x = Geodesic.point_at_ratio_between(start, end, f64::from(i) / 10.0);
            let off = match line.haversine_closest_point(&x) {
                Closest::Intersection(_) => 0.0,
                Closest::SinglePoint(y) => Haversine.distance(x, y),
                Closest::Indeterminate => panic!("no closest point"),
            };
            assert!(
                off <= bound,
                "{line:?} at {i}/10: {off} m off, bound {bound}"
            );
        }
    }
    let long = Line::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 1.0, y: 0.0 });
    assert_eq!(edge_stray_m(long), f64::INFINITY);
}

/// Over several edges, the least is that of the nearest edge measured
/// alone, whatever the ranking on the sphere skipped.
#[test]
fn the_distance_to_edges_is_the_least_of_each_edges() {
    let mut rng = ChaCha8Rng::seed_from_u64(33);
    for _ in 0..200 {
        let lines: Vec<Line<f64>> = (0..6).map(|_| random_case(&mut rng).0).collect();
        let p = random_case(&mut rng).1;
        let each = lines
            .iter()
            .map(|l| edge_distance_m(p, *l))
            .fold(f64::INFINITY, f64::min);
        assert_eq!(edges_distance_m(p, lines.into_iter()), each);
    }
}
