//! A stored geometry decoded from its text and checked again.

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

use super::MAX_VERTICES;
#[cfg(doc)]
use super::{parse_geometry, to_geojson};

/// A stored geometry back from its text.
///
/// The store holds only geometries [`parse_geometry`] accepted, in the text
/// [`to_geojson`] wrote, so start-up decodes positions straight into typed
/// arrays instead of a `serde_json::Value` tree per geometry, then checks the
/// same rules again on the numbers: a damaged row is reported, not served.
pub fn parse_stored_geometry(text: &str) -> Result<Geometry<f64>, String> {
    #[derive(serde::Deserialize)]
    struct Stored<'a> {
        #[serde(rename = "type", borrow)]
        kind: std::borrow::Cow<'a, str>,
        #[serde(borrow)]
        coordinates: &'a serde_json::value::RawValue,
    }
    let stored: Stored = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let coordinates = stored.coordinates.get();
    let mut check = StoredCheck { vertices: 0 };
    let geometry = match &*stored.kind {
        "Point" => Geometry::Point(Point(check.coord(decode(coordinates)?)?)),
        "LineString" => Geometry::LineString(check.line(decode(coordinates)?, 2)?),
        "Polygon" => Geometry::Polygon(check.polygon(decode(coordinates)?)?),
        "MultiPoint" => Geometry::MultiPoint(MultiPoint(
            check.many(decode(coordinates)?, |check, position| {
                check.coord(position).map(Point)
            })?,
        )),
        "MultiLineString" => Geometry::MultiLineString(MultiLineString(
            check.many(decode(coordinates)?, |check, line| check.line(line, 2))?,
        )),
        "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon(
            check.many(decode(coordinates)?, StoredCheck::polygon)?,
        )),
        other => return Err(format!("geometry type {other:?} is not accepted")),
    };
    Ok(geometry)
}

/// `[longitude, latitude]`: serde takes exactly two numbers for it.
type Position = [f64; 2];

fn decode<T: serde::de::DeserializeOwned>(coordinates: &str) -> Result<T, String> {
    serde_json::from_str(coordinates).map_err(|e| format!("coordinates: {e}"))
}

/// [`parse_geometry`]'s rules, applied to positions already decoded.
struct StoredCheck {
    vertices: usize,
}

impl StoredCheck {
    fn coord(&mut self, [x, y]: Position) -> Result<Coord<f64>, String> {
        self.vertices += 1;
        if self.vertices > MAX_VERTICES {
            return Err(format!("more than {MAX_VERTICES} vertices"));
        }
        // Written this way, NaN fails both ranges.
        if !((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y)) {
            return Err(format!("position [{x}, {y}] is outside the globe"));
        }
        Ok(Coord { x, y })
    }

    fn line(&mut self, positions: Vec<Position>, min: usize) -> Result<LineString<f64>, String> {
        if positions.len() < min {
            return Err(format!(
                "{} positions where {min} are needed",
                positions.len()
            ));
        }
        let coords = positions
            .into_iter()
            .map(|position| self.coord(position))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LineString(coords))
    }

    fn polygon(&mut self, rings: Vec<Vec<Position>>) -> Result<Polygon<f64>, String> {
        let mut rings = rings.into_iter();
        let exterior = rings.next().ok_or("a polygon without rings")?;
        let mut ring = |positions: Vec<Position>| {
            // Checked before geo's constructor, which would close it.
            if positions.first() != positions.last() {
                return Err("a ring that is not closed".to_string());
            }
            self.line(positions, 4)
        };
        let exterior = ring(exterior)?;
        let interiors = rings.map(ring).collect::<Result<Vec<_>, _>>()?;
        Ok(Polygon::new(exterior, interiors))
    }

    fn many<I, T>(
        &mut self,
        members: Vec<I>,
        mut each: impl FnMut(&mut Self, I) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        if members.is_empty() {
            return Err("a multi-geometry without members".into());
        }
        members.into_iter().map(|m| each(self, m)).collect()
    }
}
