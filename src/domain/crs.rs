//! Coordinate reference systems a client may ask for (OGC API – Features
//! Part 2): WGS84 longitude/latitude (CRS84, the storage CRS), WGS84
//! latitude/longitude (EPSG:4326, whose axis order is latitude first) and
//! Web Mercator (EPSG:3857, metres). Each is a closed-form transform of
//! CRS84, so no projection library is needed.

use std::f64::consts::PI;
use std::str::FromStr;

/// The WGS84 semi-major axis, in metres: Web Mercator's sphere.
const EARTH_RADIUS_M: f64 = 6_378_137.0;
/// Web Mercator's latitude limit, in degrees (where the map is square).
pub const MERCATOR_MAX_LAT: f64 = 85.051_128_779_806_59;

/// A supported CRS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Crs {
    /// WGS84 longitude, latitude in degrees: GeoJSON's and the storage CRS.
    #[default]
    Crs84,
    /// WGS84 latitude, longitude in degrees (EPSG's axis order).
    Epsg4326,
    /// Web Mercator x, y in metres.
    Epsg3857,
}

impl Crs {
    /// Every supported CRS, the storage CRS first.
    pub const ALL: [Crs; 3] = [Crs::Crs84, Crs::Epsg4326, Crs::Epsg3857];

    /// The CRS's URI, as collections list it and `Content-Crs` names it.
    pub const fn uri(self) -> &'static str {
        match self {
            Crs::Crs84 => "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            Crs::Epsg4326 => "http://www.opengis.net/def/crs/EPSG/0/4326",
            Crs::Epsg3857 => "http://www.opengis.net/def/crs/EPSG/0/3857",
        }
    }

    /// A point given in this CRS, as WGS84 (longitude, latitude) degrees.
    pub fn to_lon_lat(self, x: f64, y: f64) -> (f64, f64) {
        match self {
            Crs::Crs84 => (x, y),
            Crs::Epsg4326 => (y, x),
            Crs::Epsg3857 => (
                (x / EARTH_RADIUS_M).to_degrees(),
                (2.0 * (y / EARTH_RADIUS_M).exp().atan() - PI / 2.0).to_degrees(),
            ),
        }
    }

    /// A WGS84 (longitude, latitude) point in this CRS; Web Mercator clamps
    /// latitudes to ±[`MERCATOR_MAX_LAT`].
    pub fn from_lon_lat(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Crs84 => (lon, lat),
            Crs::Epsg4326 => (lat, lon),
            Crs::Epsg3857 => {
                let lat = lat.clamp(-MERCATOR_MAX_LAT, MERCATOR_MAX_LAT).to_radians();
                (
                    EARTH_RADIUS_M * lon.to_radians(),
                    EARTH_RADIUS_M * (PI / 4.0 + lat / 2.0).tan().ln(),
                )
            }
        }
    }
}

impl FromStr for Crs {
    type Err = String;

    /// A CRS URI (`http://www.opengis.net/def/crs/EPSG/0/4326`, `https` too)
    /// or safe CURIE (`[EPSG:4326]`, `[OGC:CRS84]`).
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let path = t
            .strip_prefix("http://www.opengis.net/def/crs/")
            .or_else(|| t.strip_prefix("https://www.opengis.net/def/crs/"));
        let curie = t.strip_prefix('[').and_then(|c| c.strip_suffix(']'));
        let found = match (path, curie) {
            (Some("OGC/1.3/CRS84" | "OGC/0/CRS84"), _) | (_, Some("OGC:CRS84")) => Some(Crs::Crs84),
            (Some("EPSG/0/4326"), _) | (_, Some("EPSG:4326")) => Some(Crs::Epsg4326),
            (Some("EPSG/0/3857"), _) | (_, Some("EPSG:3857")) => Some(Crs::Epsg3857),
            _ => None,
        };
        found.ok_or_else(|| {
            format!(
                "unsupported CRS {s:?}; supported: {}",
                Crs::ALL.map(Crs::uri).join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_curies_name_the_same_crs_and_others_are_refused() {
        for crs in Crs::ALL {
            assert_eq!(crs.uri().parse::<Crs>(), Ok(crs));
            assert_eq!(crs.uri().replace("http:", "https:").parse::<Crs>(), Ok(crs));
        }
        assert_eq!("[EPSG:4326]".parse::<Crs>(), Ok(Crs::Epsg4326));
        assert_eq!("[OGC:CRS84]".parse::<Crs>(), Ok(Crs::Crs84));
        let error = "http://www.opengis.net/def/crs/EPSG/0/32619"
            .parse::<Crs>()
            .unwrap_err();
        assert!(error.starts_with("unsupported CRS"), "{error}");
    }

    #[test]
    fn epsg_4326_swaps_the_axes() {
        assert_eq!(Crs::Epsg4326.from_lon_lat(-66.9, 10.5), (10.5, -66.9));
        assert_eq!(Crs::Epsg4326.to_lon_lat(10.5, -66.9), (-66.9, 10.5));
    }

    #[test]
    fn web_mercator_matches_known_values_and_round_trips() {
        // The WebMercatorQuad grid's corner is at ±20,037,508.342789244 m.
        let (x, y) = Crs::Epsg3857.from_lon_lat(180.0, MERCATOR_MAX_LAT);
        assert!((x - 20_037_508.342_789_244).abs() < 1e-6, "{x}");
        assert!((y - 20_037_508.342_789_244).abs() < 1e-3, "{y}");
        let (x, y) = Crs::Epsg3857.from_lon_lat(0.0, 0.0);
        assert!(x.abs() < 1e-6 && y.abs() < 1e-6, "{x} {y}");
        for (lon, lat) in [(-66.9036, 10.4806), (-71.64, 10.65), (-60.5, 0.7)] {
            let (x, y) = Crs::Epsg3857.from_lon_lat(lon, lat);
            let (lon2, lat2) = Crs::Epsg3857.to_lon_lat(x, y);
            assert!((lon - lon2).abs() < 1e-9 && (lat - lat2).abs() < 1e-9);
        }
    }
}
