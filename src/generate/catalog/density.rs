//! Where the generated priorities are expected: clusters around the cities
//! and a uniform rest, integrated over lon/lat rectangles.
//!
//! # Units
//! Coordinates are WGS84 degrees; distances and cluster widths kilometres.

use geo::{Point, Rect};

use super::super::country::{CITIES, STATES};

/// Share of the priorities clustered around cities; the rest is uniform over the territory.
pub(crate) const CLUSTERED: f64 = 0.9;
/// Share of a city's priorities in its core; the rest spread 2.5 times wider.
pub(crate) const CORE: f64 = 0.7;
pub(crate) const SPREAD: f64 = 2.5;

/// Kilometres per degree of latitude, and of longitude at `lat`.
pub(crate) const KM_PER_DEG_LAT: f64 = 110.574;
pub(crate) fn km_per_deg_lon(lat: f64) -> f64 {
    111.320 * lat.to_radians().cos()
}

/// Where a city's priorities cluster: a mixture of two round Gaussians.
#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    pub lon: f64,
    pub lat: f64,
    /// Its share of the clustered priorities.
    pub weight: f64,
    /// Standard deviation of the core, km.
    pub sigma_km: f64,
}

/// The clusters of [`CITIES`], weighted by population; a city's core is
/// wider the larger it is (2.8 km for 100,000 people, 7.2 km for 2 million).
pub(super) fn clusters() -> Vec<Cluster> {
    let total: f64 = CITIES.iter().map(|c| c.thousands).sum();
    CITIES
        .iter()
        .map(|c| Cluster {
            lon: c.lon,
            lat: c.lat,
            weight: c.thousands / total,
            sigma_km: 1.5 + 4.0 * (c.thousands / 1000.0).sqrt(),
        })
        .collect()
}

/// The error function (Abramowitz and Stegun 7.1.26, error below 1.5e-7).
pub(super) fn erf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let y = 1.0 - poly * (-x * x).exp();
    if x < 0.0 { -y } else { y }
}

/// Probability that a round Gaussian (centre `c`, `sigma` km) falls in `r`.
pub(super) fn gaussian_mass(r: &Rect<f64>, c: &Cluster, sigma: f64) -> f64 {
    let kx = km_per_deg_lon(c.lat);
    let cdf = |d_km: f64| 0.5 * (1.0 + erf(d_km / (sigma * std::f64::consts::SQRT_2)));
    let px = cdf((r.max().x - c.lon) * kx) - cdf((r.min().x - c.lon) * kx);
    let py = cdf((r.max().y - c.lat) * KM_PER_DEG_LAT) - cdf((r.min().y - c.lat) * KM_PER_DEG_LAT);
    px * py
}

/// Area of a lon/lat rectangle, km² (planar at its centre latitude).
pub(super) fn area_km2(r: &Rect<f64>) -> f64 {
    r.width() * km_per_deg_lon(r.center().y) * r.height() * KM_PER_DEG_LAT
}

/// The state (position in [`STATES`]) with the reference point nearest `p`.
pub(super) fn nearest_state(p: Point<f64>) -> u32 {
    let kx = km_per_deg_lon(p.y());
    let mut best = (f64::INFINITY, 0);
    for (s, state) in STATES.iter().enumerate() {
        for &(lon, lat) in state.anchors {
            let d = ((lon - p.x()) * kx).hypot((lat - p.y()) * KM_PER_DEG_LAT);
            if d < best.0 {
                best = (d, s as u32);
            }
        }
    }
    best.1
}
