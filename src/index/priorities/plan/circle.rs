//! A circle query: the boxes it looks in, and the circle as the tree's
//! walks read it.

use geo::Point;
use rstar::{AABB, Envelope, RTreeObject};

use crate::domain::geometry::{ELLIPSOID_OVER_SPHERE, any_vertex, sphere_nearest};
use crate::domain::query::Near;
use crate::index::priorities::entries::Entries;
use crate::index::priorities::tree::{
    Disc, EARTH_RADIUS_M, Extent, Found, Leaf, LeafKey, Metres, Reach, Region,
};

/// Priorities within a radius on the ellipsoid, keyed by their geodesic
/// distance: points measured from their leaves, lines and polygons (by
/// their point nearest on the sphere, as PostGIS) from their entries unless
/// their box, or one of their vertices well inside, decides. A point is
/// measured only when it is near the edge or on the page, by the
/// short-line formula; Karney's geodesic settles the doubt where it matters
/// (see [`Disc`] and [`CircleRegion::settle`]).
pub struct CircleRegion<'i> {
    entries: &'i Entries,
    near: Near,
    circle: Disc,
    /// What lies outside these boxes lies outside the circle.
    boxes: Vec<AABB<[f64; 2]>>,
}

impl<'i> CircleRegion<'i> {
    pub fn new(entries: &'i Entries, near: &Near) -> Self {
        CircleRegion {
            entries,
            near: *near,
            circle: Disc::new(near.center, near.radius_m),
            boxes: radius_envelopes(near),
        }
    }

    #[inline]
    fn in_boxes(&self, rect: &AABB<[f64; 2]>) -> bool {
        self.boxes.iter().any(|b| b.intersects(rect))
    }

    #[inline]
    fn reach_of(&self, rect: &AABB<[f64; 2]>) -> Reach {
        match self.in_boxes(rect) {
            true => self.circle.reach(rect),
            false => Reach::Outside,
        }
    }

    /// Whether a line or polygon whose box lies across the edge comes within
    /// the radius.
    fn shape_within(&self, leaf: &Leaf) -> bool {
        let geometry = &self.entries.at(leaf.slot).geometry;
        if any_vertex(geometry, |c| self.circle.surely_holds(Point(c))) {
            true
        } else if self.circle.surely_misses(geometry) {
            false
        } else {
            self.shape_distance(leaf).is_some()
        }
    }

    /// A line's or polygon's distance when it lies within the radius: that
    /// of its point nearest on the sphere, by the short-line formula unless
    /// Karney's must decide (within [`Disc::slack_m`] of the geodesic).
    fn shape_distance(&self, leaf: &Leaf) -> Option<f64> {
        let geometry = &self.entries.at(leaf.slot).geometry;
        self.circle
            .within(sphere_nearest(geometry, self.near.center)?)
    }
}

// The walks call these for every node and leaf they look at: inline, as
// the closures they replace were.
impl Region for CircleRegion<'_> {
    type Key = Metres;

    #[inline]
    fn cap(&self, wanted: usize) -> usize {
        // Collecting costs each match its distance: see docs/benchmarks.md,
        // "Collected or best-first".
        wanted.saturating_mul(2).max(512)
    }

    #[inline]
    fn reach(&self, extent: &Extent) -> Reach {
        self.reach_of(&extent.rect)
    }

    #[inline]
    fn holds(&self, leaf: &Leaf) -> bool {
        match leaf.spot() {
            Some(spot) => self.in_boxes(&leaf.envelope) && self.circle.holds(spot),
            None => match self.reach_of(&leaf.envelope) {
                Reach::Outside => false,
                Reach::Inside => true,
                Reach::Partly => self.shape_within(leaf),
            },
        }
    }

    #[inline]
    fn key(&self, leaf: &Leaf) -> Option<Metres> {
        let d = match leaf.spot() {
            Some(spot) if self.in_boxes(&leaf.envelope) => self.circle.distance_within(spot)?,
            None if !matches!(self.reach_of(&leaf.envelope), Reach::Outside) => {
                self.shape_distance(leaf)?
            }
            _ => return None,
        };
        (d <= self.near.radius_m).then_some(Metres(d))
    }

    #[inline]
    fn bound(&self, extent: &Extent) -> Option<Metres> {
        let d = self
            .in_boxes(&extent.rect)
            .then(|| self.circle.nearest_m(&extent.rect))?;
        (d <= self.near.radius_m).then_some(Metres(d))
    }

    /// A point's distance is bounded by the sphere's, a line's or polygon's
    /// by its box, until the walk gets that far.
    #[inline]
    fn known(&self, leaf: &Leaf) -> Option<LeafKey<Metres>> {
        match leaf.spot() {
            Some(spot) if self.in_boxes(&leaf.envelope) => {
                let d = self.circle.at_least_m(spot)?;
                Some(LeafKey::AtLeast(Metres(d)))
            }
            Some(_) => None,
            None => self.bound(&leaf.envelope()).map(LeafKey::AtLeast),
        }
    }

    /// A point's key may be off the geodesic by the slack either way, so a
    /// leaf up to twice the slack past another may belong before it.
    #[inline]
    fn tie_reach(&self, key: Metres) -> Option<Metres> {
        Some(Metres(key.0 + 2.0 * self.circle.slack_m()))
    }

    /// Leaves whose keys lie within twice the slack of each other (runs of
    /// them) are measured by Karney's geodesic and ordered by it, so the
    /// page's order is the geodesic's; a lone leaf whose distance, written
    /// to the millimetre, could round either way within the slack is
    /// measured too. Any two others are ordered alike by either measure, and
    /// written alike.
    fn settle(&self, found: &mut Found<'_, Metres>) {
        let slack = self.circle.slack_m();
        // A line's or polygon's key is its nearest point's, on the sphere.
        let exact = |leaf: &Leaf, d: f64| match leaf.spot() {
            Some(spot) => self.circle.exact_m(spot.point),
            None => sphere_nearest(&self.entries.at(leaf.slot).geometry, self.near.center)
                .map_or(d, |p| self.circle.exact_m(p)),
        };
        let mut i = 0;
        while i < found.len() {
            let mut j = i + 1;
            while j < found.len() && found[j].0.0 - found[j - 1].0.0 <= 2.0 * slack {
                j += 1;
            }
            if j - i > 1 {
                for (key, leaf) in &mut found[i..j] {
                    *key = Metres(exact(leaf, key.0));
                }
                found[i..j].sort_by_key(|(key, leaf)| (*key, leaf.pk));
            } else if rounding_in_doubt(found[i].0.0, slack) {
                found[i].0 = Metres(exact(found[i].1, found[i].0.0));
            }
            i = j;
        }
    }
}

/// Whether a distance of `d` metres, off by up to `slack`, might be written
/// to the millimetre otherwise: whether it lies within the slack (and a
/// nanometre for the arithmetic) of a half millimetre.
fn rounding_in_doubt(d: f64, slack: f64) -> bool {
    let scaled = d * 1000.0;
    ((scaled - scaled.floor()) - 0.5).abs() <= (slack + 1e-9) * 1000.0
}

/// Boxes (in degrees) that hold every point within `near.radius_m` metres of
/// the centre on the ellipsoid: one box, or two when the circle crosses the
/// antimeridian.
///
/// Such a point lies within `radius / LOW` on the sphere
/// ([`ELLIPSOID_OVER_SPHERE`]). A metre radius is not a fixed number of
/// degrees: a degree of longitude shrinks with latitude, so the box widens
/// by the spherical bound `asin(sin δ / cos φ)` where δ is that radius as an
/// angle.
pub fn radius_envelopes(near: &Near) -> Vec<AABB<[f64; 2]>> {
    let Point(center) = near.center;
    let delta = near.radius_m / ELLIPSOID_OVER_SPHERE.0 / EARTH_RADIUS_M;
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
    use crate::domain::geometry::point_distance_m;
    use geo::{Destination, Geodesic};

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
                let p = Geodesic.destination(near.center, bearing as f64, r * 0.999_999);
                let d = point_distance_m(p, near.center);
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
