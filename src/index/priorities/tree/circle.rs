//! A circle on the sphere, measured as haversine measures it, with bounds
//! that decide whole boxes of the tree at once: a radius query on the
//! ellipsoid ([`super::disc`]) is decided with two of them.

use geo::{Geometry, Intersects, Line, LinesIter, Point};
use rstar::AABB;

use super::leaf::{Spot, cos_of_latitude};
use super::walk::Reach;

/// A circle on the sphere of geo's `Haversine`, with what the walks need
/// precomputed.
///
/// Haversine's distance is `2R·asin(√a)` with `a = sin²(Δφ/2) + cos φ₁ ·
/// cos φ₂ · sin²(Δλ/2)`, which grows with the distance: nodes are compared
/// with the radius through bounds of `a` over their box, each of its three
/// factors bounded on its own, and a point through `a` unless it lies within
/// rounding of the edge, where the very distance a scan computes decides.
///
/// Sines and cosines were most of a large circle's time (four per node on
/// the edge, two per point; docs/benchmarks.md, "Figures behind the index's
/// comments"), so both tests
/// first bound `a` by polynomials (`y²·(1 − y²/3) ≤ sin² y ≤ y²`, and the
/// cosine of a latitude within `D` of the centre's within `cos φ·(1 − D²/2)
/// − |sin φ|·D … cos φ + |sin φ|·D`), which decide all but what lies within
/// a hair of the edge; only that is measured with the trigonometry.
pub struct Circle {
    center: Point<f64>,
    /// The cosine of the centre's latitude.
    cos_lat: f64,
    /// The absolute sine of the centre's latitude.
    sin_lat: f64,
    /// `a` at the radius.
    a_radius: f64,
}

/// Relative margin within which `a` is too close to call.
const A_MARGIN: f64 = 1e-9;

/// Relative margin for the rounding of the polynomial bounds: a few
/// operations, each off by half an ulp (1.1e-16).
const ROUNDING: f64 = 1e-12;

/// Lower and upper bounds of `sin²(radians / 2)`, without a sine:
/// `y − y³/6 ≤ sin y ≤ y` for `y ≥ 0` gives `y²·(1 − y²/3) ≤ sin² y ≤ y²`.
fn half_sin2_bounds(radians: f64) -> (f64, f64) {
    let y = radians / 2.0;
    let y2 = y * y;
    (y2 * (1.0 - y2 / 3.0).max(0.0), y2)
}

/// The offset of longitude `x` from `lon`, in [-180, 180) (both are within
/// [-180, 180]).
fn lon_offset(x: f64, lon: f64) -> f64 {
    match x - lon {
        d if d >= 180.0 => d - 360.0,
        d if d < -180.0 => d + 360.0,
        d => d,
    }
}

/// Ranges holding the lowest and the highest `a` of a box.
struct QuickBounds {
    low: (f64, f64),
    high: (f64, f64),
}

/// How a box lies from the centre, in degrees: the least and greatest
/// latitude and longitude offsets of its points, and its latitudes.
struct Offsets {
    lat_gap: f64,
    lat_span: f64,
    lon_gap: f64,
    lon_span: f64,
    south: f64,
    north: f64,
}

impl Circle {
    pub fn new(center: Point<f64>, radius_m: f64) -> Self {
        let half_angle = (radius_m / EARTH_RADIUS_M / 2.0).min(std::f64::consts::FRAC_PI_2);
        Circle {
            center,
            cos_lat: cos_of_latitude(center.y()),
            sin_lat: center.y().to_radians().sin().abs(),
            a_radius: half_angle.sin().powi(2),
        }
    }

    fn offsets(&self, rect: &AABB<[f64; 2]>) -> Offsets {
        let [west, south] = rect.lower();
        let [east, north] = rect.upper();
        let (lon, lat) = (self.center.x(), self.center.y());
        let offset = |x: f64| lon_offset(x, lon);
        let (to_west, width) = (offset(west), east - west);
        let lon_gap = if (west..=east).contains(&lon) {
            0.0
        } else {
            to_west.abs().min(offset(east).abs())
        };
        // The widest offset: half a turn when the box reaches round to the
        // centre's far side, else that of one of its sides.
        let lon_span = if to_west + width >= 180.0 {
            180.0
        } else {
            to_west.abs().max((to_west + width).abs())
        };
        Offsets {
            lat_gap: (south - lat).max(lat - north).max(0.0),
            lat_span: (north - lat).abs().max((lat - south).abs()),
            lon_gap,
            lon_span,
            south,
            north,
        }
    }

    /// The lowest and highest `a` of any point of a box, by its offsets.
    fn a_bounds(&self, o: &Offsets) -> (f64, f64) {
        let (cos_south, cos_north) = (o.south.to_radians().cos(), o.north.to_radians().cos());
        let cos_low = cos_south.min(cos_north).max(0.0);
        let cos_high = if o.south <= 0.0 && o.north >= 0.0 {
            1.0
        } else {
            cos_south.max(cos_north)
        };
        let half_sin2 = |degrees: f64| (degrees.to_radians() / 2.0).sin().powi(2);
        let low = half_sin2(o.lat_gap) + self.cos_lat * cos_low * half_sin2(o.lon_gap);
        let high = half_sin2(o.lat_span) + self.cos_lat * cos_high * half_sin2(o.lon_span);
        (low, high)
    }

    /// Looser bounds of the same `a`, by polynomials alone: the lowest `a`
    /// of the box lies in `low`, the highest in `high`. The upper end of
    /// `low` and the lower end of `high` also bound what [`Self::a_bounds`]
    /// would say, so they tell when its sines would not decide either.
    fn a_bounds_quick(&self, o: &Offsets) -> QuickBounds {
        let reach = o.lat_span.to_radians();
        let cos_low = (self.cos_lat * (1.0 - reach * reach / 2.0) - self.sin_lat * reach).max(0.0);
        let cos_high = (self.cos_lat + self.sin_lat * reach).min(1.0);
        let lat_gap = half_sin2_bounds(o.lat_gap.to_radians());
        let lon_gap = half_sin2_bounds(o.lon_gap.to_radians());
        let lat_span = half_sin2_bounds(o.lat_span.to_radians());
        let lon_span = half_sin2_bounds(o.lon_span.to_radians());
        QuickBounds {
            low: (
                (lat_gap.0 + self.cos_lat * cos_low * lon_gap.0) * (1.0 - ROUNDING),
                (lat_gap.1 + self.cos_lat * cos_high * lon_gap.1) * (1.0 + ROUNDING),
            ),
            high: (
                (lat_span.0 + self.cos_lat * cos_low * lon_span.0) * (1.0 - ROUNDING),
                (lat_span.1 + self.cos_lat * cos_high * lon_span.1) * (1.0 + ROUNDING),
            ),
        }
    }

    /// Whether `rect` lies wholly outside the circle, wholly inside, or
    /// across its edge. The polynomial bounds decide; the sines are spent
    /// only when they might decide what the polynomials could not.
    pub fn reach(&self, rect: &AABB<[f64; 2]>) -> Reach {
        let offsets = self.offsets(rect);
        let quick = self.a_bounds_quick(&offsets);
        match self.classify((quick.low.0, quick.high.1)) {
            Reach::Partly
                if quick.low.1 > self.a_radius * (1.0 + A_MARGIN)
                    || quick.high.0 < self.a_radius * (1.0 - A_MARGIN) =>
            {
                self.classify(self.a_bounds(&offsets))
            }
            decided => decided,
        }
    }

    /// How `rect` lies against this circle and `inner`, a smaller one about
    /// the same centre: `Outside` this one, `Inside` the inner one, else
    /// `Partly`. What [`Self::reach`] of each would say, with the bounds of
    /// `a` over the box computed once (they depend on the centre alone).
    pub fn reach_between(&self, inner: &Circle, rect: &AABB<[f64; 2]>) -> Reach {
        debug_assert!(self.center == inner.center && self.a_radius >= inner.a_radius);
        let (outside, inside) = (
            self.a_radius * (1.0 + A_MARGIN),
            inner.a_radius * (1.0 - A_MARGIN),
        );
        let decide = |(low, high): (f64, f64)| {
            if low > outside {
                Reach::Outside
            } else if high < inside {
                Reach::Inside
            } else {
                Reach::Partly
            }
        };
        let offsets = self.offsets(rect);
        let quick = self.a_bounds_quick(&offsets);
        match decide((quick.low.0, quick.high.1)) {
            Reach::Partly if quick.low.1 > outside || quick.high.0 < inside => {
                decide(self.a_bounds(&offsets))
            }
            decided => decided,
        }
    }

    fn classify(&self, (low, high): (f64, f64)) -> Reach {
        if low > self.a_radius * (1.0 + A_MARGIN) {
            Reach::Outside
        } else if high < self.a_radius * (1.0 - A_MARGIN) {
            Reach::Inside
        } else {
            Reach::Partly
        }
    }

    /// A distance in metres no larger than that of any point of `rect`, nor
    /// of any arc between vertices in it: great-circle edges bow out of the
    /// box of their vertices by at most Δλ²/16 radians for a longitude span
    /// Δλ (no more than the box's own), and the bound is lowered by four
    /// times that. `a`'s lower bound is the polynomials': a best-first page
    /// computes this for every node it queues, and the sines' bound, barely
    /// tighter, made pages slower (docs/benchmarks.md, "Figures behind the
    /// index's comments").
    pub fn nearest_m(&self, rect: &AABB<[f64; 2]>) -> f64 {
        let low = self.a_bounds_quick(&self.offsets(rect)).low.0;
        let d = 2.0 * EARTH_RADIUS_M * low.min(1.0).sqrt().asin();
        let span = (rect.upper()[0] - rect.lower()[0]).to_radians();
        let bow = EARTH_RADIUS_M * span * span / 4.0;
        (d * (1.0 - 1e-9) - 1e-6 - bow).max(0.0)
    }

    /// Haversine's `a` for a point: the very operations of geo's
    /// `Haversine::distance` (the cosines' product commutes exactly), so
    /// distances from it equal `distance_m`'s to the last bit.
    pub(super) fn a_of(&self, spot: Spot) -> f64 {
        let half_sin2 = |radians: f64| (radians / 2.0).sin().powi(2);
        half_sin2((spot.point.y() - self.center.y()).to_radians())
            + self.cos_lat
                * spot.cos_lat
                * half_sin2((spot.point.x() - self.center.x()).to_radians())
    }

    /// Where a point surely lies by the polynomial bounds of its `a`:
    /// `Inside` and `Outside` are what [`Self::a_of`] would say beyond the
    /// margin, `Partly` that it takes the sines to tell.
    pub(super) fn quick(&self, spot: Spot) -> Reach {
        let (lat_low, lat_high) = half_sin2_bounds((spot.point.y() - self.center.y()).to_radians());
        // sin²(Δλ/2) has a period of a whole turn, so the shorter way round
        // gives the same `a` and keeps the polynomials' angle small.
        let lon = lon_offset(spot.point.x(), self.center.x());
        let (lon_low, lon_high) = half_sin2_bounds(lon.to_radians());
        let cosines = self.cos_lat * spot.cos_lat;
        let low = (lat_low + cosines * lon_low) * (1.0 - ROUNDING);
        let high = (lat_high + cosines * lon_high) * (1.0 + ROUNDING);
        self.classify((low, high))
    }

    /// Haversine's distance for its `a`, as geo computes it.
    pub(super) fn metres(a: f64) -> f64 {
        EARTH_RADIUS_M * (2.0 * a.sqrt().asin())
    }

    /// Whether a point lies inside the circle by more than rounding: the
    /// box of the point alone, so that its latitude's cosine is bounded
    /// rather than computed (a line's vertices have none precomputed).
    pub fn surely_holds(&self, point: Point<f64>) -> bool {
        let at = [point.x(), point.y()];
        matches!(self.reach(&AABB::from_corners(at, at)), Reach::Inside)
    }

    /// Whether no part of a line or polygon comes within the radius: no area
    /// of it holds the centre, and the box of every edge, widened for the
    /// arc's bow, lies outside. `false` when that is not sure.
    pub fn surely_misses(&self, geometry: &Geometry<f64>) -> bool {
        match geometry {
            Geometry::Polygon(_) | Geometry::MultiPolygon(_)
                if geometry.intersects(&self.center) =>
            {
                false
            }
            Geometry::LineString(g) => g.lines_iter().all(|line| self.edge_misses(line)),
            Geometry::MultiLineString(g) => g.lines_iter().all(|line| self.edge_misses(line)),
            Geometry::Polygon(g) => g.lines_iter().all(|line| self.edge_misses(line)),
            Geometry::MultiPolygon(g) => g.lines_iter().all(|line| self.edge_misses(line)),
            _ => false,
        }
    }

    /// Whether the box of an edge, widened for the arc's bow, lies outside.
    /// (The distance to an edge is measured to a point of its great circle,
    /// as PostGIS does, so the arc is all there is to bound.)
    fn edge_misses(&self, line: Line<f64>) -> bool {
        let (a, b) = (line.start, line.end);
        let span = (a.x - b.x).abs().to_radians();
        let bow = (span * span / 4.0).to_degrees() + 1e-9;
        let rect = AABB::from_corners(
            [a.x.min(b.x), a.y.min(b.y) - bow],
            [a.x.max(b.x), a.y.max(b.y) + bow],
        );
        matches!(self.reach(&rect), Reach::Outside)
    }
}

/// The radius of the sphere geo's `Haversine` measures on, in metres.
pub const EARTH_RADIUS_M: f64 = crate::domain::geometry::SPHERE_RADIUS_M;

#[cfg(test)]
mod tests;
