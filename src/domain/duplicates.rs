//! Nearby duplicates: which categories are related, and how far apart two
//! priorities' geometries lie.
//!
//! A proposal is a *possible duplicate* of an open priority (see
//! [`super::workflow::is_open`]) of a related category whose geometry lies
//! within a distance of its own (`--duplicate-distance`, default
//! [`DEFAULT_DUPLICATE_DISTANCE_M`]).
//!
//! # Units
//! Coordinates are `[longitude, latitude]` in WGS84 degrees; distances metres.

use geo::{CoordsIter, Geometry, Intersects, Point};

use super::geometry::sphere_distance_m;
use super::priority::Category;

/// The default of `--duplicate-distance`, in metres.
pub const DEFAULT_DUPLICATE_DISTANCE_M: f64 = 100.0;

/// The largest distance `distance=` may ask for, in metres.
pub const MAX_DUPLICATE_DISTANCE_M: f64 = 5_000.0;

/// At most this many possible duplicates are listed, nearest first.
pub const MAX_POSSIBLE_DUPLICATES: usize = 20;

/// The family a category belongs to; two categories are related when their
/// families are equal (so a category is related to itself):
///
/// | family | categories |
/// | --- | --- |
/// | water and sanitation | `water`, `environment` (waste and sanitation) |
/// | energy | `electricity`, `gas` |
/// | mobility | `roads`, `transport` |
/// | every other category | itself alone |
fn family(category: Category) -> Category {
    match category {
        Category::Environment => Category::Water,
        Category::Gas => Category::Electricity,
        Category::Transport => Category::Roads,
        other => other,
    }
}

/// Whether a priority of category `a` may duplicate one of category `b`.
pub fn related(a: Category, b: Category) -> bool {
    family(a) == family(b)
}

/// The distance in metres between the nearest parts of two geometries;
/// 0 when they touch, cross or one contains the other.
///
/// The one function possible duplicates are measured by, so that the
/// metric can change in one place. It is [`sphere_distance_m`]'s: haversine on a
/// sphere of the mean Earth radius, edges as great-circle arcs, within
/// 0.5% of the WGS84 geodesic (0.5 m at the default 100 m). Between two
/// lines or polygons that do not meet, the nearest pair of points has a
/// vertex of one of them at one end (exact in the plane; on the sphere, off
/// by far less than the haversine's own error for features of a few
/// kilometres), so the distance is the least of every vertex's distance to
/// the other geometry.
pub fn geometry_distance_m(a: &Geometry<f64>, b: &Geometry<f64>) -> f64 {
    match (a, b) {
        (Geometry::Point(p), other) | (other, Geometry::Point(p)) => sphere_distance_m(other, *p),
        _ if a.intersects(b) => 0.0,
        _ => {
            let from_a = a
                .coords_iter()
                .map(|c| sphere_distance_m(b, Point(c)))
                .fold(f64::INFINITY, f64::min);
            b.coords_iter()
                .map(|c| sphere_distance_m(a, Point(c)))
                .fold(from_a, f64::min)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Distance, Haversine, LineString, Polygon};

    #[test]
    fn relation_is_symmetric_and_reflexive() {
        for a in Category::ALL {
            assert!(related(*a, *a));
            for b in Category::ALL {
                assert_eq!(related(*a, *b), related(*b, *a));
            }
        }
        assert!(related(Category::Water, Category::Environment));
        assert!(!related(Category::Water, Category::Electricity));
    }

    #[test]
    fn distances_between_geometries() {
        let p = Point::new(-66.9, 10.5);
        let q = Point::new(-66.9, 10.501);
        let d = Haversine.distance(p, q);
        assert_eq!(
            geometry_distance_m(&Geometry::Point(p), &Geometry::Point(q)),
            d
        );
        // Two parallel east–west lines 0.001° of latitude apart.
        let line = |y: f64| Geometry::LineString(LineString::from(vec![(-66.91, y), (-66.89, y)]));
        let between = geometry_distance_m(&line(10.5), &line(10.501));
        assert!((between - d).abs() < 0.01, "{between} {d}");
        // A polygon holding a line: 0.
        let square = Geometry::Polygon(Polygon::new(
            LineString::from(vec![
                (-67.0, 10.0),
                (-66.0, 10.0),
                (-66.0, 11.0),
                (-67.0, 11.0),
                (-67.0, 10.0),
            ]),
            vec![],
        ));
        assert_eq!(geometry_distance_m(&square, &line(10.5)), 0.0);
        assert_eq!(geometry_distance_m(&line(10.5), &square), 0.0);
    }
}
