use super::*;
use geo::{Distance, Haversine};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random circle centre, and a box anywhere on the globe: its south-west
/// corner and its size in degrees, one of `sizes` wide and `aspect` times as
/// tall (at most 179°).
fn random_case(rng: &mut ChaCha8Rng, sizes: [f64; 5], aspect: f64) -> (Point, [f64; 2], [f64; 2]) {
    let center = Point::new(
        rng.random_range(-180.0..180.0),
        rng.random_range(-89.0..89.0),
    );
    let size = sizes[rng.random_range(0..5)];
    let (w, h) = (size, (size * aspect).min(179.0));
    let west = rng.random_range(-180.0..180.0 - w);
    let south = rng.random_range(-90.0..90.0 - h);
    (center, [west, south], [w, h])
}

/// For random circles and boxes, of every size and anywhere: a box said
/// to be outside holds no point within the radius, one said inside holds
/// no point beyond it, the nearest bound is below every point's distance,
/// and `holds` decides as the distance does (checked on points sampled on
/// each box's edges and inside, where the extremes lie).
#[test]
fn circle_bounds_hold_for_every_point_of_a_box() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (mut outside, mut inside) = (0, 0);
    for _ in 0..3_000 {
        let (center, [west, south], [w, h]) =
            random_case(&mut rng, [0.001, 0.1, 2.0, 40.0, 200.0], 0.7);
        let rect = AABB::from_corners([west, south], [west + w, south + h]);
        let corner = Point::new(west, south);
        let radius = Haversine.distance(corner, center) * rng.random_range(0.5..1.5);
        let circle = Circle::new(center, radius);
        let reach = circle.reach(&rect);
        let nearest = circle.nearest_m(&rect);
        for i in 0..=20 {
            for j in 0..=20 {
                let p = Point::new(
                    west + w * f64::from(i) / 20.0,
                    south + h * f64::from(j) / 20.0,
                );
                let d = Haversine.distance(p, center);
                assert_eq!(
                    Circle::metres(circle.a_of(Spot::new(p))).to_bits(),
                    d.to_bits()
                );
                assert!(
                    nearest <= d,
                    "{center:?} {rect:?}: {p:?} at {d}, nearest {nearest}"
                );
                match circle.quick(Spot::new(p)) {
                    Reach::Outside => assert!(d > radius),
                    Reach::Inside => assert!(d <= radius),
                    Reach::Partly => {}
                }
                match reach {
                    Reach::Outside => {
                        assert!(d > radius, "{center:?} {rect:?} r {radius}: {p:?} at {d}")
                    }
                    Reach::Inside => {
                        assert!(d <= radius, "{center:?} {rect:?} r {radius}: {p:?} at {d}")
                    }
                    Reach::Partly => {}
                }
            }
        }
        outside += usize::from(matches!(reach, Reach::Outside));
        inside += usize::from(matches!(reach, Reach::Inside));
    }
    // Both shortcuts are taken, not only the safe "look inside".
    assert!(
        outside > 300 && inside > 300,
        "{outside} outside, {inside} inside"
    );
}

/// The polynomial bounds of `a` hold for every point of a box and for
/// single points, anywhere and at every scale, bracket the bounds by
/// sines, and decide what lies
/// clearly in or out: a circle of up to 100 km leaves to the sines only
/// points within 1 % of its radius.
#[test]
fn polynomial_bounds_hold_and_decide_all_but_the_edge() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut undecided_far = 0;
    for _ in 0..3_000 {
        let (center, [west, south], [w, h]) =
            random_case(&mut rng, [0.0001, 0.01, 0.5, 10.0, 120.0], 0.6);
        let rect = AABB::from_corners([west, south], [west + w, south + h]);
        let radius = rng.random_range(1.0..100_000.0);
        let circle = Circle::new(center, radius);
        let offsets = circle.offsets(&rect);
        let quick = circle.a_bounds_quick(&offsets);
        let (low, high) = (quick.low.0, quick.high.1);
        // What the sines would say lies where `reach` assumes.
        let (exact_low, exact_high) = circle.a_bounds(&offsets);
        assert!(exact_low <= quick.low.1 && exact_high >= quick.high.0);
        for i in 0..=10 {
            for j in 0..=10 {
                let p = Point::new(
                    west + w * f64::from(i) / 10.0,
                    south + h * f64::from(j) / 10.0,
                );
                let a = circle.a_of(Spot::new(p));
                assert!(
                    low <= a && a <= high,
                    "{center:?} {rect:?}: {p:?} a {a} not in [{low}, {high}]"
                );
                let d = Haversine.distance(p, center);
                match circle.quick(Spot::new(p)) {
                    Reach::Inside => assert!(a < circle.a_radius * (1.0 - A_MARGIN)),
                    Reach::Outside => assert!(a > circle.a_radius * (1.0 + A_MARGIN)),
                    Reach::Partly => {
                        undecided_far += usize::from(d < radius * 0.99 || d > radius * 1.01)
                    }
                }
            }
        }
    }
    assert_eq!(
        undecided_far, 0,
        "points far from the edge left to the sines"
    );
}

/// Points at a hair's breadth from the radius, on either side and on it:
/// what the polynomial bounds and `surely_holds` decide is what the
/// distance says, and what they leave, `a` at the margin decides the same.
#[test]
fn points_at_the_edge_are_decided_as_the_distance_says() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    for _ in 0..20_000 {
        let center = Point::new(
            rng.random_range(-180.0..180.0),
            rng.random_range(-89.0..89.0),
        );
        let reach: f64 = [1e-5, 1e-3, 0.05, 1.0, 30.0][rng.random_range(0..5)];
        let p = Point::new(
            (center.x() + rng.random_range(-reach..reach)).clamp(-180.0, 180.0),
            (center.y() + rng.random_range(-reach..reach)).clamp(-90.0, 90.0),
        );
        let d = Haversine.distance(p, center);
        let nudge: f64 = [0.0, 1e-15, 1e-12, 1e-10, 1e-9, 2e-9, 1e-7][rng.random_range(0..7)];
        for radius in [
            d,
            d.next_up(),
            d.next_down(),
            d * (1.0 + nudge),
            d * (1.0 - nudge),
        ] {
            let circle = Circle::new(center, radius);
            let spot = Spot::new(p);
            let a = circle.a_of(spot);
            assert_eq!(Circle::metres(a).to_bits(), d.to_bits());
            match circle.quick(spot) {
                Reach::Outside => assert!(d > radius, "{center:?} {p:?} {d} {radius}"),
                Reach::Inside => assert!(d <= radius, "{center:?} {p:?} {d} {radius}"),
                Reach::Partly => {}
            }
            if a < circle.a_radius * (1.0 - A_MARGIN) {
                assert!(d <= radius, "{center:?} {p:?} {d} {radius}");
            } else if a > circle.a_radius * (1.0 + A_MARGIN) {
                assert!(d > radius, "{center:?} {p:?} {d} {radius}");
            }
            if circle.surely_holds(p) {
                assert!(d <= radius);
            }
        }
    }
}

/// Near a small box the nearest bound is tight, within 0.01 % of the
/// distance to the box's nearest point, so a best-first walk does not
/// open nodes it need not.
#[test]
fn nearest_bound_is_reached_beside_a_box() {
    let rect = AABB::from_corners([-66.81, 10.4], [-66.8, 10.5]);
    let circle = Circle::new(Point::new(-66.7, 10.45), 1.0);
    let on_edge = (0..=1000)
        .map(|j| {
            let p = Point::new(-66.8, 10.4 + 0.1 * f64::from(j) / 1000.0);
            Haversine.distance(p, circle.center)
        })
        .fold(f64::INFINITY, f64::min);
    let nearest = circle.nearest_m(&rect);
    assert!(
        nearest <= on_edge && on_edge - nearest < on_edge * 1e-4,
        "{on_edge} vs {nearest}"
    );
}

/// Against two circles about one centre, a box is said outside the larger
/// or inside the smaller exactly when each circle alone says so.
#[test]
fn reach_between_two_circles_is_each_circles_reach() {
    let mut rng = ChaCha8Rng::seed_from_u64(29);
    let mut seen = [0usize; 3];
    for _ in 0..20_000 {
        let center = Point::new(
            rng.random_range(-179.0..179.0),
            rng.random_range(-80.0..80.0),
        );
        let radius: f64 = [300.0, 5_000.0, 100_000.0][rng.random_range(0..3)];
        let (outer, inner) = (
            Circle::new(center, radius / 0.994_41),
            Circle::new(center, radius / 1.004_49),
        );
        let size = radius / 111_000.0 * rng.random_range(0.01..2.0);
        let west = center.x() + rng.random_range(-2.0..2.0) * radius / 111_000.0;
        let south = center.y() + rng.random_range(-2.0..2.0) * radius / 111_000.0;
        let rect = AABB::from_corners([west, south], [west + size, south + size]);
        let each = match (outer.reach(&rect), inner.reach(&rect)) {
            (Reach::Outside, _) => Reach::Outside,
            (_, Reach::Inside) => Reach::Inside,
            _ => Reach::Partly,
        };
        let both = outer.reach_between(&inner, &rect);
        assert_eq!(both, each, "{center:?} {radius} {rect:?}");
        seen[match both {
            Reach::Outside => 0,
            Reach::Inside => 1,
            Reach::Partly => 2,
        }] += 1;
    }
    assert!(seen.iter().all(|n| *n > 1_000), "{seen:?}");
}
