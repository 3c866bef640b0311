//! The circle of a radius query on the WGS84 ellipsoid, decided with two
//! circles of the sphere around it and the geodesic only between them.

use geo::{Geometry, Point};
use rstar::AABB;

use crate::domain::geometry::{
    ELLIPSOID_OVER_SPHERE, SHORT_LINE_MAX_M, ShortLines, point_distance_m, short_line_error_m,
};

use super::circle::Circle;
use super::leaf::Spot;
use super::walk::Reach;

/// The points within `radius_m` of a centre by the geodesic on WGS84.
///
/// A geodesic distance is between [`ELLIPSOID_OVER_SPHERE`]'s `LOW` and
/// `HIGH` times the haversine distance of the same two points, so a point
/// within `radius / HIGH` on the sphere (the `inner` circle) lies within the
/// radius, and one beyond `radius / LOW` (the `outer` circle) beyond it. The
/// spherical [`Circle`]s decide nodes and most points as fast as before.
/// Points between the two (a ring about 1 % of the radius wide) and the
/// distances a page shows are measured by the short-line formula
/// ([`ShortLines`]), within [`Disc::slack_m`] of Karney's geodesic; Karney's
/// is computed only where that doubt matters: a point within the slack of
/// the radius, points within it of each other on a page (their order), and a
/// distance within it of a half millimetre (its rounding).
pub struct Disc {
    center: Point<f64>,
    radius_m: f64,
    inner: Circle,
    outer: Circle,
    /// The short-line formula, for radii it bounds (all the API allows).
    short: Option<ShortLines>,
    slack_m: f64,
}

/// Relative margin on the spherical distance, far above its rounding.
const MARGIN: f64 = 1e-9;

impl Disc {
    pub fn new(center: Point<f64>, radius_m: f64) -> Self {
        let (low, high) = ELLIPSOID_OVER_SPHERE;
        let short = (radius_m / low <= SHORT_LINE_MAX_M).then(|| ShortLines::new(center));
        Disc {
            center,
            radius_m,
            inner: Circle::new(center, radius_m / high),
            outer: Circle::new(center, radius_m / low),
            // The short-line bound at the farthest a point is measured.
            slack_m: short.map_or(0.0, |_| short_line_error_m(radius_m / low)),
            short,
        }
    }

    /// How far, in metres, a point's distance from [`Disc::fast_m`] may be
    /// from Karney's geodesic (the short-line bound at the outer circle).
    pub fn slack_m(&self) -> f64 {
        self.slack_m
    }

    /// A point's distance by the short-line formula, within
    /// [`Disc::slack_m`] of the geodesic for points within the outer circle
    /// (Karney's geodesic for radii beyond the formula's reach).
    pub fn fast_m(&self, point: Point<f64>) -> f64 {
        match &self.short {
            Some(short) => short.distance_m(point),
            None => self.exact_m(point),
        }
    }

    /// A point's distance when it lies within the radius, `None` when not,
    /// the short-line distance deciding unless it is within the slack of the
    /// radius (then Karney's decides and is the distance). Also a line's or
    /// polygon's, given its point nearest on the sphere (what PostGIS
    /// measures it by). Points however far are refused soundly: the formula
    /// is never below the chord, and is bounded where it could decide, near
    /// the radius.
    pub fn within(&self, point: Point<f64>) -> Option<f64> {
        let d = self.fast_m(point);
        if d + self.slack_m < self.radius_m {
            Some(d)
        } else if d - self.slack_m > self.radius_m {
            None
        } else {
            let exact = self.exact_m(point);
            (exact <= self.radius_m).then_some(exact)
        }
    }

    /// Whether `rect` lies wholly outside the circle, wholly inside, or
    /// across its edge (or so near it that the sphere cannot tell).
    pub fn reach(&self, rect: &AABB<[f64; 2]>) -> Reach {
        self.outer.reach_between(&self.inner, rect)
    }

    /// A point's haversine distance when it is not surely beyond the
    /// radius; `None` when it is.
    fn sphere_m(&self, spot: Spot) -> Option<f64> {
        if matches!(self.outer.quick(spot), Reach::Outside) {
            return None;
        }
        let d = Circle::metres(self.outer.a_of(spot));
        (d * ELLIPSOID_OVER_SPHERE.0 <= self.radius_m * (1.0 + MARGIN)).then_some(d)
    }

    /// Whether a point lies within the radius.
    pub fn holds(&self, spot: Spot) -> bool {
        if matches!(self.inner.quick(spot), Reach::Inside) {
            return true;
        }
        match self.sphere_m(spot) {
            None => false,
            Some(d) if d * ELLIPSOID_OVER_SPHERE.1 < self.radius_m * (1.0 - MARGIN) => true,
            Some(_) => self.within(spot.point).is_some(),
        }
    }

    /// A distance no larger than a point's geodesic distance, nor than its
    /// short-line distance, when it may lie within the radius; `None` when
    /// it surely does not.
    pub fn at_least_m(&self, spot: Spot) -> Option<f64> {
        self.sphere_m(spot)
            .map(|d| (d * ELLIPSOID_OVER_SPHERE.0 * (1.0 - MARGIN) - self.slack_m).max(0.0))
    }

    /// A point's distance when it lies within the radius: the short-line
    /// distance (within [`Disc::slack_m`] of the geodesic), or the geodesic
    /// when the point is that near the edge. Only the outer circle's
    /// polynomial bounds screen it first: the short-line formula decides
    /// the rest, and a haversine on top would be spent twice on the points
    /// a page walks to (their bound in the walk's queue has one already).
    pub fn distance_within(&self, spot: Spot) -> Option<f64> {
        if matches!(self.outer.quick(spot), Reach::Outside) {
            return None;
        }
        self.within(spot.point)
    }

    /// The geodesic distance of a point from the centre.
    pub fn exact_m(&self, point: Point<f64>) -> f64 {
        point_distance_m(point, self.center)
    }

    /// A distance in metres no larger than that of any point of `rect` (by
    /// the geodesic or the short-line formula), nor of any edge between
    /// vertices in it (measured to a point of the edge's great circle): the
    /// sphere's bound (which allows for a great circle's bow) by `LOW`, less
    /// the slack.
    pub fn nearest_m(&self, rect: &AABB<[f64; 2]>) -> f64 {
        let sphere = self.outer.nearest_m(rect);
        (sphere * ELLIPSOID_OVER_SPHERE.0 * (1.0 - MARGIN) - self.slack_m).max(0.0)
    }

    /// Whether a point lies within the radius by more than the sphere's
    /// doubt.
    pub fn surely_holds(&self, point: Point<f64>) -> bool {
        self.inner.surely_holds(point)
    }

    /// Whether no part of a line or polygon comes within the radius, by the
    /// outer circle; `false` when that is not sure.
    pub fn surely_misses(&self, geometry: &Geometry<f64>) -> bool {
        self.outer.surely_misses(geometry)
    }
}

#[cfg(test)]
mod tests;
