//! The boxes a circle query looks in.

use geo::Point;
use rstar::AABB;

use crate::domain::query::Near;
use crate::index::priorities::tree::EARTH_RADIUS_M;

/// Boxes (in degrees) that hold every point within `near.radius_m` metres of
/// the centre: one box, or two when the circle crosses the antimeridian.
///
/// A metre radius is not a fixed number of degrees: a degree of longitude
/// shrinks with latitude, so the box widens by the spherical bound
/// `asin(sin δ / cos φ)` where δ is the radius as an angle.
pub fn radius_envelopes(near: &Near) -> Vec<AABB<[f64; 2]>> {
    let Point(center) = near.center;
    let delta = near.radius_m / EARTH_RADIUS_M;
    let dlat = delta.to_degrees() * (1.0 + 1e-9) + 1e-9;
    let min_lat = (center.y - dlat).max(-90.0);
    let max_lat = (center.y + dlat).min(90.0);
    let phi = center.y.to_radians();
    let reaches_pole = max_lat >= 90.0 || min_lat <= -90.0;
    let dlon = if reaches_pole || delta.sin() >= phi.cos() {
        180.0
    } else {
        (delta.sin() / phi.cos()).asin().to_degrees() * (1.0 + 1e-9) + 1e-9
    };
    if dlon >= 180.0 {
        return vec![AABB::from_corners([-180.0, min_lat], [180.0, max_lat])];
    }
    let (west, east) = (center.x - dlon, center.x + dlon);
    let mut boxes = vec![AABB::from_corners(
        [west.max(-180.0), min_lat],
        [east.min(180.0), max_lat],
    )];
    if west < -180.0 {
        boxes.push(AABB::from_corners(
            [west + 360.0, min_lat],
            [180.0, max_lat],
        ));
    }
    if east > 180.0 {
        boxes.push(AABB::from_corners(
            [-180.0, min_lat],
            [east - 360.0, max_lat],
        ));
    }
    boxes
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Distance, Haversine};

    #[test]
    fn radius_boxes_hold_every_point_of_the_circle() {
        for (lon, lat, r) in [
            (-66.9, 10.5, 100_000.0),
            (179.9, 60.0, 50_000.0),
            (0.0, 89.5, 80_000.0),
        ] {
            let near = Near {
                center: Point::new(lon, lat),
                radius_m: r,
            };
            let boxes = radius_envelopes(&near);
            for bearing in 0..360 {
                let p = geo::Destination::destination(
                    &Haversine,
                    near.center,
                    bearing as f64,
                    r * 0.999_999,
                );
                let d = Haversine.distance(p, near.center);
                assert!(d <= r);
                let inside = boxes.iter().any(|b| {
                    let (lo, hi) = (b.lower(), b.upper());
                    p.x() >= lo[0] && p.x() <= hi[0] && p.y() >= lo[1] && p.y() <= hi[1]
                });
                assert!(
                    inside,
                    "({lon},{lat}) r={r} bearing {bearing}: {p:?} outside {boxes:?}"
                );
            }
        }
    }
}
