//! What is measured on a geometry: its representative point and the exact
//! predicates queries refine with (in degrees of
//! longitude and latitude; distances in metres).

use geo::{
    Coord, CoordsIter, Distance, Geometry, Haversine, InteriorPoint, Intersects, LineString, Point,
    Polygon, Rect,
};

use super::geodesic::point_distance_m;
use super::nearest::nearest_on_rings;

/// A point of the geometry that stands for its location: the point itself,
/// or a point inside the polygon or on the line (never outside it, unlike a
/// centroid). Validated geometries are never empty, so one always exists.
pub fn representative_point(geometry: &Geometry<f64>) -> Point<f64> {
    match geometry {
        Geometry::Point(p) => *p,
        other => other
            .interior_point()
            .unwrap_or_else(|| Point::new(0.0, 0.0)),
    }
}

/// Whether `test` holds for one of the geometry's positions, walking its
/// rings' slices: geo's `coords_iter` chains an iterator per ring behind an
/// enum, which showed in the profile of circles whose edge crosses lines
/// and polygons (docs/benchmarks.md).
pub fn any_vertex(geometry: &Geometry<f64>, mut test: impl FnMut(Coord<f64>) -> bool) -> bool {
    fn ring(l: &LineString<f64>, test: &mut impl FnMut(Coord<f64>) -> bool) -> bool {
        l.0.iter().any(|c| test(*c))
    }
    fn polygon(p: &Polygon<f64>, test: &mut impl FnMut(Coord<f64>) -> bool) -> bool {
        ring(p.exterior(), test) || p.interiors().iter().any(|r| ring(r, test))
    }
    match geometry {
        Geometry::Point(p) => test(p.0),
        Geometry::MultiPoint(mp) => mp.iter().any(|p| test(p.0)),
        Geometry::LineString(l) => ring(l, &mut test),
        Geometry::MultiLineString(ml) => ml.iter().any(|l| ring(l, &mut test)),
        Geometry::Polygon(p) => polygon(p, &mut test),
        Geometry::MultiPolygon(mp) => mp.iter().any(|p| polygon(p, &mut test)),
        // Never validated into a priority; walked the slow way.
        other => other.coords_iter().any(test),
    }
}

/// Whether the geometry shares at least one point with the rectangle
/// (boundaries included), as the `bbox` parameter requires.
pub fn intersects_rect(geometry: &Geometry<f64>, rect: &Rect<f64>) -> bool {
    geometry.intersects(rect)
}

/// Geodesic distance in metres on the WGS84 ellipsoid from `from` to the
/// nearest point of `geometry`; 0 when the point lies on or inside it.
///
/// As PostGIS measures `geography` with the spheroid: the geodesic
/// (Karney's algorithm) to the point of the geometry nearest on the sphere
/// ([`sphere_nearest`]).
pub fn distance_m(geometry: &Geometry<f64>, from: Point<f64>) -> f64 {
    sphere_nearest(geometry, from).map_or(f64::INFINITY, |p| point_distance_m(p, from))
}

/// The point of `geometry` nearest to `from` on the sphere, edges followed
/// as great circles (see [`nearest_on_rings`]); `from` itself when it lies
/// inside an area. `None` only for types validation never lets in.
pub fn sphere_nearest(geometry: &Geometry<f64>, from: Point<f64>) -> Option<Point<f64>> {
    fn rings(p: &Polygon<f64>) -> impl Iterator<Item = &[Coord<f64>]> {
        std::iter::once(&p.exterior().0[..]).chain(p.interiors().iter().map(|r| &r.0[..]))
    }
    let on = |found: Option<Coord<f64>>| found.map(Point);
    match geometry {
        Geometry::Point(p) => Some(*p),
        Geometry::MultiPoint(mp) => mp
            .iter()
            .map(|p| (*p, Haversine.distance(*p, from)))
            .reduce(|best, next| if next.1 < best.1 { next } else { best })
            .map(|(p, _)| p),
        // A point inside an area is at distance 0, which the edges alone
        // would not say.
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) if geometry.intersects(&from) => {
            Some(from)
        }
        Geometry::LineString(g) => on(nearest_on_rings(from, std::iter::once(&g.0[..]))),
        Geometry::MultiLineString(g) => on(nearest_on_rings(from, g.0.iter().map(|l| &l.0[..]))),
        Geometry::Polygon(g) => on(nearest_on_rings(from, rings(g))),
        Geometry::MultiPolygon(g) => on(nearest_on_rings(from, g.0.iter().flat_map(rings))),
        _ => None,
    }
}

/// Great-circle distance in metres on the sphere of geo's `Haversine` from
/// `from` to the same nearest point [`distance_m`] measures to
/// ([`sphere_nearest`]); 0 when the point lies on or inside it. Within
/// 0.5 % of [`distance_m`], and many times cheaper: for measures that are a
/// rule of thumb (how near a possible duplicate is), not a query's answer.
pub fn sphere_distance_m(geometry: &Geometry<f64>, from: Point<f64>) -> f64 {
    sphere_nearest(geometry, from).map_or(f64::INFINITY, |p| Haversine.distance(p, from))
}
