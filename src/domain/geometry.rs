//! RFC 7946 geometries: validation of incoming GeoJSON, conversion to `geo`
//! types, and the two exact spatial predicates the index refines with.
//!
//! # Units
//! Positions are `[longitude, latitude]` in WGS84 degrees; distances are metres.

use geo::{
    Closest, Coord, CoordsIter, Geometry, HaversineClosestPoint, InteriorPoint, Intersects,
    LineString, Point, Polygon, Rect,
};
use geo::{
    Distance, Haversine, MultiLineString, MultiPoint, MultiPolygon, SimplifyVwPreserve, Validation,
};
use serde_json::Value;

use super::FieldError;

/// Most vertices a single geometry may have.
pub const MAX_VERTICES: usize = 10_000;

/// The geometry types a priority may have.
pub const ALLOWED_TYPES: [&str; 6] = [
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
];

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

/// The GeoJSON text of a geometry (RFC 7946 member order: type, coordinates).
pub fn to_geojson(geometry: &Geometry<f64>) -> String {
    let mut out = Vec::with_capacity(64);
    write_geojson(&mut out, geometry);
    // Only JSON, hence UTF-8, is ever written.
    String::from_utf8(out).unwrap_or_default()
}

/// [`to_geojson`] written at the end of `out`, coordinates straight from
/// geo's (the `geojson` crate would first copy every position into a `Vec`).
/// Numbers are serde_json's, so the text is the one `geojson` writes.
pub fn write_geojson(out: &mut Vec<u8>, geometry: &Geometry<f64>) {
    let open = |out: &mut Vec<u8>, kind: &str| {
        out.extend_from_slice(br#"{"type":""#);
        out.extend_from_slice(kind.as_bytes());
        out.extend_from_slice(br#"","coordinates":"#);
    };
    match geometry {
        Geometry::Point(p) => {
            open(out, "Point");
            write_position(out, p.0);
        }
        Geometry::MultiPoint(mp) => {
            open(out, "MultiPoint");
            write_list(out, &mp.0, |out, p| write_position(out, p.0));
        }
        Geometry::LineString(line) => {
            open(out, "LineString");
            write_line(out, line);
        }
        Geometry::MultiLineString(ml) => {
            open(out, "MultiLineString");
            write_list(out, &ml.0, write_line);
        }
        Geometry::Polygon(polygon) => {
            open(out, "Polygon");
            write_polygon(out, polygon);
        }
        Geometry::MultiPolygon(mp) => {
            open(out, "MultiPolygon");
            write_list(out, &mp.0, write_polygon);
        }
        // Never validated in, but written as `geojson` converts them.
        other => {
            let value = geojson::Geometry::new(geojson::GeometryValue::from(other));
            let _ = serde_json::to_writer(out, &value);
            return;
        }
    }
    out.push(b'}');
}

fn write_list<T>(out: &mut Vec<u8>, items: &[T], write: impl Fn(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
}

fn write_position(out: &mut Vec<u8>, c: Coord<f64>) {
    out.push(b'[');
    // Writing a number into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &c.x);
    out.push(b',');
    let _ = serde_json::to_writer(&mut *out, &c.y);
    out.push(b']');
}

fn write_line(out: &mut Vec<u8>, line: &LineString<f64>) {
    write_list(out, &line.0, |out, c| write_position(out, *c));
}

fn write_polygon(out: &mut Vec<u8>, polygon: &Polygon<f64>) {
    out.push(b'[');
    write_line(out, polygon.exterior());
    for ring in polygon.interiors() {
        out.push(b',');
        write_line(out, ring);
    }
    out.push(b']');
}

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

/// A boundary simplified for drawing: vertices whose removal moves the
/// outline by less than about `tolerance` degrees are dropped
/// (Visvalingam–Whyatt). Each polygon must come out valid: geo's
/// topology-preserving variant checks each ring against itself but can push
/// a hole outside its shell, so an invalid result is retried with a quarter
/// of the tolerance, and after three tries the polygon keeps its full detail.
/// Holes left with fewer than 4 positions are dropped.
pub fn simplify_boundary(boundary: &MultiPolygon<f64>, tolerance: f64) -> MultiPolygon<f64> {
    if tolerance <= 0.0 {
        return boundary.clone();
    }
    let simplify = |polygon: &Polygon<f64>| -> Polygon<f64> {
        let mut t = tolerance;
        for _ in 0..3 {
            let (exterior, holes) = polygon.simplify_vw_preserve(t * t).into_inner();
            let holes = holes.into_iter().filter(|h| h.0.len() >= 4).collect();
            let candidate = Polygon::new(exterior, holes);
            if candidate.exterior().0.len() >= 4 && candidate.is_valid() {
                return candidate;
            }
            t /= 4.0;
        }
        polygon.clone()
    };
    MultiPolygon(boundary.0.iter().map(simplify).collect())
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

/// Great-circle distance in metres from `from` to the nearest point of
/// `geometry`; 0 when the point lies on or inside it.
///
/// Uses the haversine formula on a sphere of the mean Earth radius, which is
/// within 0.5% of the ellipsoidal distance; edges are followed as great-circle
/// arcs, which for edges of a few kilometres differ from straight lon/lat
/// segments by centimetres.
pub fn distance_m(geometry: &Geometry<f64>, from: Point<f64>) -> f64 {
    match geometry {
        Geometry::Point(p) => Haversine.distance(*p, from),
        Geometry::MultiPoint(mp) => mp
            .iter()
            .map(|p| Haversine.distance(*p, from))
            .fold(f64::INFINITY, f64::min),
        // A point inside an area is at distance 0, which the closest-point
        // search on the boundary alone would not say.
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) if geometry.intersects(&from) => 0.0,
        _ => match geometry.haversine_closest_point(&from) {
            Closest::Intersection(_) => 0.0,
            Closest::SinglePoint(p) => Haversine.distance(p, from),
            // Only for empty geometries, which validation never lets in.
            Closest::Indeterminate => f64::INFINITY,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(v: Value) -> FieldError {
        parse_geometry(&v, "/geometry").unwrap_err()
    }

    #[test]
    fn every_allowed_type_parses() {
        let cases = [
            json!({"type": "Point", "coordinates": [-66.9, 10.5]}),
            json!({"type": "MultiPoint", "coordinates": [[-66.9, 10.5], [-66.8, 10.4]]}),
            json!({"type": "LineString", "coordinates": [[-66.9, 10.5], [-66.8, 10.4]]}),
            json!({"type": "MultiLineString", "coordinates": [[[-66.9, 10.5], [-66.8, 10.4]]]}),
            json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}),
            json!({"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]]]}),
        ];
        for case in cases {
            let g = parse_geometry(&case, "/geometry").unwrap();
            let back: Value = serde_json::from_str(&to_geojson(&g)).unwrap();
            assert_eq!(back["type"], case["type"]);
        }
    }

    /// `any_vertex` visits every position geo's `coords_iter` yields, in
    /// the same order, and stops at the first that passes.
    #[test]
    fn any_vertex_visits_what_coords_iter_yields() {
        let ring =
            |x: f64| LineString::from(vec![(x, 0.0), (x + 1.0, 0.0), (x + 1.0, 1.0), (x, 0.0)]);
        let polygon = Polygon::new(ring(0.0), vec![ring(0.2), ring(0.4)]);
        let geometries = [
            Geometry::Point(Point::new(1.0, 2.0)),
            Geometry::MultiPoint(MultiPoint::from(vec![(1.0, 2.0), (3.0, 4.0)])),
            Geometry::LineString(ring(5.0)),
            Geometry::MultiLineString(MultiLineString(vec![ring(1.0), ring(2.0)])),
            Geometry::Polygon(polygon.clone()),
            Geometry::MultiPolygon(MultiPolygon(vec![polygon, Polygon::new(ring(9.0), vec![])])),
            Geometry::Rect(Rect::new((0.0, 0.0), (1.0, 1.0))),
        ];
        for g in geometries {
            let expected: Vec<Coord<f64>> = g.coords_iter().collect();
            let mut visited = Vec::new();
            assert!(!any_vertex(&g, |c| {
                visited.push(c);
                false
            }));
            assert_eq!(visited, expected, "{g:?}");
            for (i, wanted) in expected.iter().enumerate() {
                let mut seen = 0;
                assert!(any_vertex(&g, |c| {
                    seen += 1;
                    c == *wanted
                }));
                // Stops at the first position equal to the one wanted.
                let first = expected.iter().position(|c| c == wanted).unwrap();
                assert_eq!(seen, first + 1, "{g:?} position {i}");
            }
        }
    }

    #[test]
    fn bad_geometries_name_the_offending_position() {
        let e = err(json!({"type": "GeometryCollection", "geometries": []}));
        assert_eq!(e.pointer, "/geometry/type");
        let e = err(json!({"type": "Point", "coordinates": [-200.0, 10.0]}));
        assert_eq!(e.pointer, "/geometry/coordinates/0");
        let e = err(json!({"type": "LineString", "coordinates": [[0, 0], [0, 91]]}));
        assert_eq!(e.pointer, "/geometry/coordinates/1/1");
        let e = err(json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}));
        assert_eq!(e.pointer, "/geometry/coordinates/0");
        assert!(e.detail.contains("not closed"));
        let e = err(json!({"type": "Point", "coordinates": [1, 2, 3]}));
        assert_eq!(e.pointer, "/geometry/coordinates");
        let e = err(json!({"type": "Point", "coordinates": ["1", 2]}));
        assert_eq!(e.pointer, "/geometry/coordinates/0");
        let e = err(json!({"type": "MultiPoint", "coordinates": []}));
        assert_eq!(e.pointer, "/geometry/coordinates");
        let ring = json!([[0, 0], [1, 0], [1, 1], [0, 0]]);
        let bad_ring = json!([[0, 0], [1, 0], [1, -95], [0, 0]]);
        let e = err(json!({"type": "MultiPolygon", "coordinates": [[ring], [ring, bad_ring]]}));
        assert_eq!(e.pointer, "/geometry/coordinates/1/1/2/1");
        assert!(e.detail.contains("latitude -95"), "{}", e.detail);
    }

    /// The text `geojson` writes, byte for byte, for every type and for
    /// numbers of every shape (integral, negative zero, tiny, huge).
    #[test]
    fn geometries_are_written_as_the_geojson_crate_writes_them() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let specials = [
            0.0,
            -0.0,
            1.0,
            -180.0,
            90.0,
            1e-7,
            123.456_789_012_345,
            5e-324,
        ];
        let number = |rng: &mut rand_chacha::ChaCha8Rng| match rng.random_range(0..4) {
            0 => specials[rng.random_range(0..specials.len())],
            1 => f64::from(rng.random_range(-180..=180)),
            2 => (rng.random_range(-180.0..180.0) * 1e6_f64).round() / 1e6,
            _ => rng.random_range(-180.0..180.0),
        };
        let coord = |rng: &mut rand_chacha::ChaCha8Rng| Coord {
            x: number(rng),
            y: number(rng),
        };
        for _ in 0..2_000 {
            let line = |rng: &mut rand_chacha::ChaCha8Rng| {
                LineString((0..rng.random_range(2..6)).map(|_| coord(rng)).collect())
            };
            let polygon = Polygon::new(line(&mut rng), vec![line(&mut rng), line(&mut rng)]);
            let geometries = [
                Geometry::Point(Point(coord(&mut rng))),
                Geometry::MultiPoint(MultiPoint(vec![Point(coord(&mut rng)); 3])),
                Geometry::LineString(line(&mut rng)),
                Geometry::MultiLineString(MultiLineString(vec![line(&mut rng), line(&mut rng)])),
                Geometry::Polygon(Polygon::new(line(&mut rng), vec![])),
                Geometry::MultiPolygon(MultiPolygon(vec![polygon.clone(), polygon])),
            ];
            for g in geometries {
                let expected = serde_json::to_string(&geojson::Geometry::new(
                    geojson::GeometryValue::from(&g),
                ))
                .unwrap();
                assert_eq!(to_geojson(&g), expected);
            }
        }
    }

    /// Start-up's decoder accepts exactly what validation accepts, and gives
    /// the same geometry: random geometries of every type, a third of them
    /// broken in one of the ways validation names.
    #[test]
    fn stored_geometries_decode_as_validation_parses_them() {
        use rand::{RngExt, SeedableRng};
        type Rng = rand_chacha::ChaCha8Rng;
        let mut rng = Rng::seed_from_u64(5);
        // One in `BREAK` of every part is broken.
        const BREAK: u32 = 40;
        fn position(rng: &mut Rng) -> Value {
            let (x, y) = (
                rng.random_range(-180.0..180.0),
                rng.random_range(-90.0..90.0),
            );
            match rng.random_range(0..BREAK * 2) {
                0 => json!([x, 95.0]),
                1 => json!([-180.5, y]),
                2 => json!([x]),
                3 => json!([x, y, 3.0]),
                4 => json!([x, "10"]),
                5 => json!({"x": x}),
                _ => json!([x, y]),
            }
        }
        fn line(rng: &mut Rng, ring: bool) -> Value {
            let n = rng.random_range(if ring { 3..7 } else { 1..6 });
            let mut positions: Vec<Value> = (0..n).map(|_| position(rng)).collect();
            if ring && rng.random_range(0..BREAK) != 0 {
                positions.push(positions[0].clone());
            }
            Value::Array(positions)
        }
        fn many(rng: &mut Rng, each: impl Fn(&mut Rng) -> Value) -> Value {
            let n = if rng.random_range(0..BREAK) == 0 {
                0
            } else {
                rng.random_range(1..4)
            };
            Value::Array((0..n).map(|_| each(&mut *rng)).collect())
        }
        let polygon = |rng: &mut Rng| many(rng, |rng| line(rng, true));
        let (mut accepted, mut rejected) = (0, 0);
        for _ in 0..6_000 {
            let (kind, coordinates) = match rng.random_range(0..7) {
                0 => ("Point", position(&mut rng)),
                1 => ("MultiPoint", many(&mut rng, position)),
                2 => ("LineString", line(&mut rng, false)),
                3 => ("MultiLineString", many(&mut rng, |rng| line(rng, false))),
                4 => ("Polygon", polygon(&mut rng)),
                5 => ("MultiPolygon", many(&mut rng, polygon)),
                _ => ("GeometryCollection", json!([])),
            };
            let value = json!({"type": kind, "coordinates": coordinates});
            let stored = parse_stored_geometry(&value.to_string());
            match parse_geometry(&value, "") {
                Ok(expected) => {
                    accepted += 1;
                    assert_eq!(stored, Ok(expected), "{value}");
                }
                Err(_) => {
                    rejected += 1;
                    assert!(stored.is_err(), "accepted {value}");
                }
            }
        }
        assert!(
            accepted > 2_000 && rejected > 1_000,
            "{accepted} {rejected}"
        );
        let too_many: Vec<[f64; 2]> = (0..=MAX_VERTICES).map(|i| [i as f64 * 1e-5, 0.0]).collect();
        let text = json!({"type": "MultiPoint", "coordinates": too_many}).to_string();
        assert!(parse_stored_geometry(&text).is_err());
        let geometry = parse_stored_geometry(r#"{"coordinates":[1.5,2],"type":"Point"}"#);
        assert_eq!(geometry, Ok(Geometry::Point(Point::new(1.5, 2.0))));
    }

    #[test]
    fn more_than_the_vertex_limit_is_rejected() {
        let coords: Vec<[f64; 2]> = (0..=MAX_VERTICES).map(|i| [i as f64 * 1e-5, 0.0]).collect();
        let e = err(json!({"type": "LineString", "coordinates": coords}));
        assert!(e.detail.contains("more than"));
        let coords: Vec<[f64; 2]> = (0..MAX_VERTICES).map(|i| [i as f64 * 1e-5, 0.0]).collect();
        assert!(parse_geometry(&json!({"type": "LineString", "coordinates": coords}), "").is_ok());
    }

    #[test]
    fn distance_is_zero_inside_a_polygon_and_positive_outside() {
        let square = parse_geometry(
            &json!({"type": "Polygon", "coordinates": [[[0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01], [0, 0]]]}),
            "",
        )
        .unwrap();
        assert_eq!(distance_m(&square, Point::new(0.005, 0.005)), 0.0);
        // 0.01 degrees of latitude is about 1,112 m.
        let d = distance_m(&square, Point::new(0.005, 0.02));
        assert!((d - 1111.95).abs() < 1.0, "{d}");
    }
}
