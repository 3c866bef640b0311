//! A request body's GeoJSON geometry, parsed and validated.

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde_json::Value;

use super::{ALLOWED_TYPES, MAX_VERTICES};
use crate::domain::FieldError;

/// Parses and validates a GeoJSON geometry object found at `pointer` in a body.
///
/// Rejects: other types (GeometryCollection included), positions that are not
/// exactly two finite numbers, longitudes outside [-180, 180], latitudes
/// outside [-90, 90], line strings with fewer than 2 positions, polygon rings
/// with fewer than 4 positions or not closed, empty multi-geometries, and more
/// than [`MAX_VERTICES`] positions in all.
pub fn parse_geometry(value: &Value, pointer: &str) -> Result<Geometry<f64>, FieldError> {
    parse_geometry_limited(value, pointer, MAX_VERTICES)
}

/// [`parse_geometry`] with another vertex limit (territorial boundaries are
/// far more detailed than a priority's location).
pub fn parse_geometry_limited(
    value: &Value,
    pointer: &str,
    max_vertices: usize,
) -> Result<Geometry<f64>, FieldError> {
    let obj = value.as_object().ok_or_else(|| {
        FieldError::new(pointer, "the geometry must be a GeoJSON geometry object")
    })?;
    let kind = obj.get("type").and_then(Value::as_str).ok_or_else(|| {
        FieldError::new(format!("{pointer}/type"), "the geometry needs a \"type\"")
    })?;
    if !ALLOWED_TYPES.contains(&kind) {
        return Err(FieldError::new(
            format!("{pointer}/type"),
            format!(
                "geometry type {kind:?} is not accepted; use one of {}",
                ALLOWED_TYPES.join(", ")
            ),
        ));
    }
    let coords = obj.get("coordinates").ok_or_else(|| {
        FieldError::new(
            format!("{pointer}/coordinates"),
            "the geometry needs \"coordinates\"",
        )
    })?;
    let mut parser = Parser {
        vertices: 0,
        max_vertices,
    };
    let at = At::Member(&At::Root(pointer), "coordinates");
    Ok(match kind {
        "Point" => Geometry::Point(parser.point(coords, &at)?),
        "LineString" => Geometry::LineString(parser.line_string(coords, &at)?),
        "Polygon" => Geometry::Polygon(parser.polygon(coords, &at)?),
        "MultiPoint" => {
            Geometry::MultiPoint(MultiPoint(parser.many(coords, &at, Parser::point)?))
        }
        "MultiLineString" => Geometry::MultiLineString(MultiLineString(parser.many(
            coords,
            &at,
            Parser::line_string,
        )?)),
        _ => Geometry::MultiPolygon(MultiPolygon(parser.many(coords, &at, Parser::polygon)?)),
    })
}

/// Where a value sits in the body, written out as a JSON pointer only when
/// an error names it: a geometry of many positions is parsed without a
/// string per position (start-up parses every stored geometry).
#[derive(Clone, Copy)]
enum At<'a> {
    Root(&'a str),
    Member(&'a At<'a>, &'static str),
    Index(&'a At<'a>, usize),
}

impl std::fmt::Display for At<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            At::Root(pointer) => f.write_str(pointer),
            At::Member(parent, name) => write!(f, "{parent}/{name}"),
            At::Index(parent, i) => write!(f, "{parent}/{i}"),
        }
    }
}

struct Parser {
    vertices: usize,
    max_vertices: usize,
}

impl Parser {
    fn array<'v>(value: &'v Value, at: &At, what: &str) -> Result<&'v Vec<Value>, FieldError> {
        value
            .as_array()
            .ok_or_else(|| FieldError::new(at.to_string(), format!("expected {what}, an array")))
    }

    fn coord(&mut self, value: &Value, at: &At) -> Result<Coord<f64>, FieldError> {
        self.vertices += 1;
        if self.vertices > self.max_vertices {
            return Err(FieldError::new(
                at.to_string(),
                format!("the geometry has more than {} vertices", self.max_vertices),
            ));
        }
        let items = Self::array(value, at, "a position [longitude, latitude]")?;
        if items.len() != 2 {
            return Err(FieldError::new(
                at.to_string(),
                format!(
                    "a position is exactly [longitude, latitude]; got {} numbers",
                    items.len()
                ),
            ));
        }
        let number = |i: usize, name: &str, bound: f64| -> Result<f64, FieldError> {
            let at = || At::Index(at, i).to_string();
            let x = items[i]
                .as_f64()
                .ok_or_else(|| FieldError::new(at(), format!("{name} must be a number")))?;
            if !x.is_finite() || !(-bound..=bound).contains(&x) {
                return Err(FieldError::new(
                    at(),
                    format!("{name} {x} is outside [-{bound}, {bound}]"),
                ));
            }
            Ok(x)
        };
        Ok(Coord {
            x: number(0, "longitude", 180.0)?,
            y: number(1, "latitude", 90.0)?,
        })
    }

    fn point(&mut self, value: &Value, at: &At) -> Result<Point<f64>, FieldError> {
        self.coord(value, at).map(Point)
    }

    fn coords(
        &mut self,
        value: &Value,
        at: &At,
        min: usize,
        what: &str,
    ) -> Result<Vec<Coord<f64>>, FieldError> {
        let items = Self::array(value, at, what)?;
        if items.len() < min {
            return Err(FieldError::new(
                at.to_string(),
                format!("{what} needs at least {min} positions; got {}", items.len()),
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, v)| self.coord(v, &At::Index(at, i)))
            .collect()
    }

    fn line_string(&mut self, value: &Value, at: &At) -> Result<LineString<f64>, FieldError> {
        self.coords(value, at, 2, "a line string").map(LineString)
    }

    fn polygon(&mut self, value: &Value, at: &At) -> Result<Polygon<f64>, FieldError> {
        let rings = Self::array(value, at, "a list of linear rings")?;
        if rings.is_empty() {
            return Err(FieldError::new(
                at.to_string(),
                "a polygon needs at least one ring",
            ));
        }
        let mut parsed = Vec::with_capacity(rings.len());
        for (i, ring) in rings.iter().enumerate() {
            let ring_at = At::Index(at, i);
            let coords = self.coords(ring, &ring_at, 4, "a linear ring")?;
            if coords.first() != coords.last() {
                return Err(FieldError::new(
                    ring_at.to_string(),
                    "the ring is not closed: its last position must equal its first",
                ));
            }
            parsed.push(LineString(coords));
        }
        let exterior = parsed.remove(0);
        Ok(Polygon::new(exterior, parsed))
    }

    fn many<T>(
        &mut self,
        value: &Value,
        at: &At,
        each: fn(&mut Self, &Value, &At) -> Result<T, FieldError>,
    ) -> Result<Vec<T>, FieldError> {
        let items = Self::array(value, at, "a list of members")?;
        if items.is_empty() {
            return Err(FieldError::new(
                at.to_string(),
                "a multi-geometry needs at least one member",
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, v)| each(self, v, &At::Index(at, i)))
            .collect()
    }
}
