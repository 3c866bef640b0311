use super::*;
use crate::domain::geometry::geodesic::point_distance_m;
use geo::{Destination, Distance, Geodesic, Haversine, InterpolatePoint, Line};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random edge anywhere, of a length of one of several scales, and a
/// point at a random distance of a similar scale from its middle.
fn random_case(rng: &mut ChaCha8Rng, scales: &[f64]) -> (Line<f64>, Point<f64>) {
    let start = Point::new(
        rng.random_range(-180.0..180.0),
        rng.random_range(-85.0..85.0),
    );
    let scale = scales[rng.random_range(0..scales.len())];
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

/// The nearest point of one edge on the sphere, and its haversine distance.
fn sphere_foot(p: Coord<f64>, line: Line<f64>) -> (Coord<f64>, f64) {
    let ring = [line.start, line.end];
    let foot = nearest_on_rings(Point(p), [&ring[..]].into_iter()).expect("an edge");
    (foot, Haversine.distance(Point(p), Point(foot)))
}

/// The distance as [`super::super::distance_m`] measures a line of these
/// edges (each a ring of its own).
fn edges_distance_m(p: Point<f64>, edges: impl Iterator<Item = Line<f64>>) -> f64 {
    let rings: Vec<[Coord<f64>; 2]> = edges.map(|l| [l.start, l.end]).collect();
    let foot = nearest_on_rings(p, rings.iter().map(|r| &r[..])).expect("an edge");
    point_distance_m(p, Point(foot))
}

const EVERY_SCALE: [f64; 5] = [10.0, 1_000.0, 20_000.0, 300_000.0, 3_000_000.0];

/// The least of `measure` over `n + 1` points spaced evenly along the edge
/// as `along` interpolates it, and the spacing on the sphere.
fn sampled(
    line: Line<f64>,
    n: u32,
    along: impl Fn(Point<f64>, Point<f64>, f64) -> Point<f64>,
    measure: impl Fn(Point<f64>) -> f64,
) -> (f64, f64) {
    let (a, b) = (Point(line.start), Point(line.end));
    let least = (0..=n)
        .map(|i| measure(along(a, b, f64::from(i) / f64::from(n))))
        .fold(f64::INFINITY, f64::min);
    (least, Haversine.distance(a, b) / f64::from(n))
}

/// How far below the least of evenly spaced samples `δ` apart the least
/// over the whole edge may be, for a distance `d`.
fn spacing_slack(spacing: f64, d: f64) -> f64 {
    (spacing * spacing / (2.0 * d.max(1e-9))).min(spacing / 2.0)
}

/// The sphere's foot is the nearest point of the great-circle edge: never
/// farther on the sphere than any of 4,000 points along the arc, nearer
/// than the least of them by no more than their spacing allows, and on the
/// arc (its distances to the ends add up to the edge's length).
#[test]
fn the_sphere_foot_is_the_nearest_point_of_the_arc() {
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    for _ in 0..400 {
        let (line, p) = random_case(&mut rng, &EVERY_SCALE);
        let (foot, d) = sphere_foot(p.0, line);
        let (least, spacing) = sampled(
            line,
            4_000,
            |a, b, t| Haversine.point_at_ratio_between(a, b, t),
            |x| Haversine.distance(p, x),
        );
        assert!(d <= least + 1e-6, "{line:?} {p:?}: {d} above {least}");
        assert!(
            least - d <= spacing_slack(spacing, d) + 1e-6,
            "{line:?} {p:?}: {d} below {least}"
        );
        let (a, b) = (Point(line.start), Point(line.end));
        let detour = Haversine.distance(a, Point(foot)) + Haversine.distance(Point(foot), b)
            - Haversine.distance(a, b);
        assert!(
            detour.abs() <= 1e-6,
            "{line:?} {p:?}: off the arc by {detour}"
        );
    }
}

/// A point on the edge is at distance 0, and a point beyond an end is at
/// the end's distance; a zero-length edge is its point.
#[test]
fn the_foot_is_the_point_on_the_edge_and_the_end_beyond_it() {
    let (a, b) = (Point::new(-66.9, 10.5), Point::new(-66.8, 10.45));
    let line = Line::new(a.0, b.0);
    let on = Haversine.point_at_ratio_between(a, b, 0.3);
    assert!(edges_distance_m(on, [line].into_iter()) < 1e-6);
    let beyond = Haversine.point_at_distance_between(b, a, -500.0);
    let d = edges_distance_m(beyond, [line].into_iter());
    assert_eq!(d, point_distance_m(beyond, b));
    let dot = Line::new(a.0, a.0);
    assert_eq!(
        edges_distance_m(b, [dot].into_iter()),
        point_distance_m(a, b)
    );
}

/// The distance to an edge of up to 20 km is within 23 parts in a million
/// of the least geodesic distance along the edge followed as a geodesic,
/// give or take how far the geodesic strays from the great circle (and the
/// sampling's slack), over
/// random edges and points within 70° of the equator (nearer the poles the
/// geodesic parts from the great circle by millimetres): the cost of
/// measuring to the sphere's foot, as PostGIS does.
#[test]
fn the_distance_is_near_the_least_along_the_geodesic() {
    let mut rng = ChaCha8Rng::seed_from_u64(34);
    let mut worst: f64 = 0.0;
    let mut cases = 0;
    while cases < 400 {
        let (line, p) = random_case(&mut rng, &[10.0, 1_000.0, 20_000.0]);
        if [line.start.y, line.end.y, p.y()]
            .iter()
            .any(|y| y.abs() > 70.0)
        {
            continue;
        }
        cases += 1;
        let d = edges_distance_m(p, [line].into_iter());
        let (least, spacing) = sampled(
            line,
            4_000,
            |a, b, t| Geodesic.point_at_ratio_between(a, b, t),
            |x| point_distance_m(p, x),
        );
        // The geodesic and the great circle of an edge of length `L` part
        // by up to about `f L² / 8R` (7 mm for 10 km), here ten times over.
        let length = Haversine.distance(Point(line.start), Point(line.end));
        let stray = 1e-9 * length * length + 1e-3;
        assert!(
            d >= least - spacing_slack(spacing, d) - stray,
            "{line:?} {p:?}: {d} below {least}"
        );
        assert!(
            d <= least * (1.0 + 2.3e-5) + stray,
            "{line:?} {p:?}: {d} above {least}"
        );
        worst = worst.max((d - least) / least.max(1.0));
    }
    assert!(worst > 1e-7, "the sphere's foot never differed: {worst}");
}

/// Over several edges, the distance is the geodesic to the foot nearest on
/// the sphere.
#[test]
fn the_distance_to_edges_is_to_the_foot_nearest_on_the_sphere() {
    let mut rng = ChaCha8Rng::seed_from_u64(33);
    for _ in 0..200 {
        let lines: Vec<Line<f64>> = (0..6)
            .map(|_| random_case(&mut rng, &EVERY_SCALE).0)
            .collect();
        let p = random_case(&mut rng, &EVERY_SCALE).1;
        let (nearest, _) = lines
            .iter()
            .map(|l| sphere_foot(p.0, *l))
            .min_by(|x, y| x.1.total_cmp(&y.1))
            .expect("six edges");
        assert_eq!(
            edges_distance_m(p, lines.into_iter()),
            point_distance_m(p, Point(nearest))
        );
    }
}
