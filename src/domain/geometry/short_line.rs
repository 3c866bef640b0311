//! Geodesic distances on WGS84 for lines of up to [`SHORT_LINE_MAX_M`],
//! from one centre to many points, in about a twentieth of the time of
//! Karney's algorithm and within [`short_line_error_m`] of it.
//!
//! The geodesic is a curve in space, and its length `s` follows from its
//! chord `c` (the straight line through the Earth between the two points,
//! in Earth-centred coordinates) and its curvature `κ`: for a curve whose
//! curvature is `κ` at the middle of the arc, `s = c + κ² c³ / 24 +
//! 3 κ⁴ c⁵ / 640 + …`, the terms odd in the arc dropping out by symmetry
//! about the middle (the series of a circle, `c = 2 sin(κ s / 2) / κ`,
//! inverted). A geodesic's curvature is the normal curvature of the
//! ellipsoid in its direction, `κ = cos² α / M + sin² α / N` (`M`, `N` the
//! meridian's and the prime vertical's radii of curvature at the middle's
//! latitude, `α` the azimuth there); the middle is taken as the chord's
//! middle and the azimuth as the chord's direction there, both off the
//! geodesic's by far less than the terms need. What is left — the change of
//! `κ` along the line, its torsion, the series' next term — grows as `c⁵`
//! and is `e²`-small: about 0.27 µm at 100 km, measured against Karney's
//! algorithm over random lines everywhere (the tests).
//!
//! # Units
//! Positions are `[longitude, latitude]` in WGS84 degrees; distances are
//! metres.

use geo::Point;

/// WGS84's semi-major axis, in metres.
const A: f64 = 6_378_137.0;
/// WGS84's first eccentricity squared, `f (2 − f)`.
const E2: f64 = (2.0 - 1.0 / 298.257_223_563) / 298.257_223_563;

/// The longest line, in metres, whose error [`short_line_error_m`] bounds.
pub const SHORT_LINE_MAX_M: f64 = 110_000.0;

/// A bound of the difference in metres between [`ShortLines::distance_m`]
/// and Karney's geodesic distance (`geographiclib`) for a line of `d`
/// metres (either measure), up to [`SHORT_LINE_MAX_M`]: `2e-8 + 1e-6 ·
/// (d / 100 km)⁵`. The largest differences measured over millions of random
/// lines (the tests) are 4.3 nm at short lines, rounding of Earth-centred
/// coordinates of millions of metres, and `2.6e-7 · (d / 100 km)⁵` beyond;
/// the bound is over four and three times those.
pub fn short_line_error_m(d: f64) -> f64 {
    let scaled = d / 100_000.0;
    2e-8 + 1e-6 * scaled.powi(5)
}

/// Distances from one centre, whose Earth-centred position is kept.
#[derive(Debug, Clone, Copy)]
pub struct ShortLines {
    center: [f64; 3],
}

impl ShortLines {
    /// Distances from `center`.
    pub fn new(center: Point<f64>) -> Self {
        ShortLines {
            center: earth_centred(center),
        }
    }

    /// The geodesic distance in metres from the centre to `p`, within
    /// [`short_line_error_m`] of Karney's for lines of up to
    /// [`SHORT_LINE_MAX_M`] (longer ones are measured, but not bounded).
    pub fn distance_m(&self, p: Point<f64>) -> f64 {
        let (c, q) = (self.center, earth_centred(p));
        let d = [q[0] - c[0], q[1] - c[1], q[2] - c[2]];
        let chord2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        if chord2 == 0.0 {
            return 0.0;
        }
        let m = [
            (q[0] + c[0]) / 2.0,
            (q[1] + c[1]) / 2.0,
            (q[2] + c[2]) / 2.0,
        ];
        let kappa = curvature(m, d);
        let k2c2 = kappa * kappa * chord2;
        chord2.sqrt() * (1.0 + k2c2 / 24.0 + 3.0 * k2c2 * k2c2 / 640.0)
    }
}

/// The ellipsoid's normal curvature, in 1/m, below the point `m` (near the
/// surface) in the direction of `d` as seen in the tangent plane there.
fn curvature(m: [f64; 3], d: [f64; 3]) -> f64 {
    let rho2 = m[0] * m[0] + m[1] * m[1];
    // The normal through a point of the surface meets the axis where
    // `z / (1 − e²)` does: `(ρ, z')` points along it.
    let z = m[2] / (1.0 - E2);
    let h2 = rho2 + z * z;
    let w2 = 1.0 - E2 * z * z / h2;
    let w = w2.sqrt();
    let (meridian, prime) = (A * (1.0 - E2) / (w2 * w), A / w);
    let rho = rho2.sqrt();
    // On the axis (a pole) both radii agree and the direction is moot.
    if rho < 1e-3 {
        return 1.0 / prime;
    }
    let east = (m[0] * d[1] - m[1] * d[0]) / rho;
    let north = (rho * d[2] - z * (m[0] * d[0] + m[1] * d[1]) / rho) / h2.sqrt();
    let (n2, e2) = (north * north, east * east);
    if n2 + e2 == 0.0 {
        return 1.0 / prime;
    }
    (n2 / meridian + e2 / prime) / (n2 + e2)
}

/// Earth-centred, Earth-fixed coordinates in metres of a point on WGS84.
fn earth_centred(p: Point<f64>) -> [f64; 3] {
    let (sin_lat, cos_lat) = p.y().to_radians().sin_cos();
    let (sin_lon, cos_lon) = p.x().to_radians().sin_cos();
    let n = A / (1.0 - E2 * sin_lat * sin_lat).sqrt();
    [
        n * cos_lat * cos_lon,
        n * cos_lat * sin_lon,
        n * (1.0 - E2) * sin_lat,
    ]
}

#[cfg(test)]
mod tests;
