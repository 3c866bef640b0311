//! Small coverages checked by hand; the seeded tessellation with islands,
//! holes and enclaves, checked by geo and by GEOS, is in `tests/topology/`.

use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon, Validation, polygon};

use super::Topology;

/// A wiggly line from `a` to `b` with `n` inner vertices, deterministic.
fn wiggle(a: Coord<f64>, b: Coord<f64>, n: usize, amplitude: f64) -> Vec<Coord<f64>> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = dx.hypot(dy);
    let (nx, ny) = (-dy / len, dx / len);
    (0..=n + 1)
        .map(|i| {
            let t = i as f64 / (n + 1) as f64;
            let w = if i == 0 || i == n + 1 {
                0.0
            } else {
                amplitude * ((i * 7919 % 13) as f64 / 6.0 - 1.0)
            };
            Coord {
                x: a.x + t * dx + w * nx,
                y: a.y + t * dy + w * ny,
            }
        })
        .collect()
}

/// Two squares side by side, sharing a wiggly border of 200 vertices.
fn two_squares() -> Vec<MultiPolygon<f64>> {
    let border = wiggle(
        Coord { x: 1.0, y: 0.0 },
        Coord { x: 1.0, y: 1.0 },
        200,
        0.01,
    );
    let mut left = vec![Coord { x: 0.0, y: 0.0 }];
    left.extend(border.iter().copied());
    left.push(Coord { x: 0.0, y: 1.0 });
    let mut right: Vec<Coord<f64>> = border.iter().rev().copied().collect();
    right.extend([Coord { x: 2.0, y: 0.0 }, Coord { x: 2.0, y: 1.0 }]);
    let n = right.len();
    right.rotate_left(n - 2);
    [left, right]
        .into_iter()
        .map(|ring| MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]))
        .collect()
}

fn area(shapes: &[MultiPolygon<f64>]) -> f64 {
    shapes.iter().map(|s| s.unsigned_area()).sum()
}

#[test]
fn a_shared_border_is_one_arc_simplified_once_for_both_sides() {
    let shapes = two_squares();
    let topology = Topology::build(&shapes.iter().collect::<Vec<_>>());
    // The border, and each square's outer side.
    assert_eq!(topology.arc_count(), 3);
    for tolerance in [0.0, 0.001, 0.02, 0.5, 5.0] {
        let simplified = topology.simplify(tolerance).shapes();
        for s in &simplified {
            assert!(s.is_valid(), "{tolerance}: {:?}", s.validation_errors());
        }
        let union = simplified[0].union(&simplified[1]);
        let (sum, whole) = (area(&simplified), union.unsigned_area());
        assert!((sum - whole).abs() < 1e-12, "{tolerance}: {sum} vs {whole}");
        // Below the corners' distance from the chords that would cut them
        // (1 and 0.7), they stay: the union is the 2×1 box.
        if tolerance < 0.7 {
            assert!((whole - 2.0).abs() < 1e-12, "{tolerance}: {whole}");
        }
    }
    let coarse = topology.simplify(0.02);
    assert!(coarse.vertex_count() < 20, "{}", coarse.vertex_count());
}

#[test]
fn a_tolerance_of_zero_keeps_every_vertex() {
    let shapes = two_squares();
    let topology = Topology::build(&shapes.iter().collect::<Vec<_>>());
    let same = topology.simplify(0.0).shapes();
    for (a, b) in shapes.iter().zip(&same) {
        assert!((a.unsigned_area() - b.unsigned_area()).abs() < 1e-15);
        assert_eq!(
            a.0[0].exterior().0.len(),
            b.0[0].exterior().0.len(),
            "every vertex kept"
        );
    }
}

#[test]
fn an_enclave_stays_inside_its_host_and_its_hole_matches_it() {
    // A host whose hole is exactly an enclave that is a shape of its own.
    let corners = [(0.4, 0.5), (0.6, 0.5), (0.6, 0.6), (0.4, 0.6), (0.4, 0.5)];
    let mut ring = vec![Coord { x: 0.4, y: 0.5 }];
    for w in corners.windows(2) {
        let (a, b) = (Coord::from(w[0]), Coord::from(w[1]));
        ring.extend(wiggle(a, b, 40, 0.002)[1..].iter());
    }
    let enclave = Polygon::new(LineString(ring.clone()), vec![]);
    let host = Polygon::new(
        polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)]
            .exterior()
            .clone(),
        vec![LineString(ring)],
    );
    let shapes = vec![MultiPolygon(vec![host]), MultiPolygon(vec![enclave])];
    for shape in &shapes {
        assert!(shape.is_valid(), "{:?}", shape.validation_errors());
    }
    let topology = Topology::build(&shapes.iter().collect::<Vec<_>>());
    for tolerance in [0.001, 0.01, 0.1, 1.0] {
        let s = topology.simplify(tolerance).shapes();
        for shape in &s {
            assert!(
                shape.is_valid(),
                "{tolerance}: {:?}",
                shape.validation_errors()
            );
        }
        // The enclave never vanishes and the pair still fills the square.
        assert!(s[1].unsigned_area() > 0.0, "{tolerance}");
        let sum = area(&s);
        assert!((sum - 1.0).abs() < 1e-12, "{tolerance}: {sum}");
        let union = s[0].union(&s[1]).unsigned_area();
        assert!((union - 1.0).abs() < 1e-12, "{tolerance}: {union}");
    }
}

#[test]
fn unions_of_groups_are_the_outline_of_their_members() {
    let shapes = two_squares();
    let topology = Topology::build(&shapes.iter().collect::<Vec<_>>());
    let simplified = topology.simplify(0.01);
    let parts = simplified.shapes();
    let union = simplified.unions(&[Some(0), Some(0)], 1);
    assert!(union[0].is_valid(), "{:?}", union[0].validation_errors());
    assert_eq!(union[0].0.len(), 1, "one polygon");
    assert_eq!(union[0].0[0].interiors().len(), 0);
    let expected = parts[0].union(&parts[1]);
    let diff = union[0].xor(&expected).unsigned_area();
    assert!(diff < 1e-12, "{diff}");
    // In separate groups, each union is its member.
    let apart = simplified.unions(&[Some(0), Some(1)], 2);
    for (u, p) in apart.iter().zip(&parts) {
        assert!(u.xor(p).unsigned_area() < 1e-12);
    }
}
