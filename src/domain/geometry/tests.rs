//! The geometry module's tests.

use super::*;
use geo::{
    Coord, CoordsIter, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point,
    Polygon, Rect,
};
use serde_json::Value;

use crate::domain::FieldError;
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
    let ring = |x: f64| LineString::from(vec![(x, 0.0), (x + 1.0, 0.0), (x + 1.0, 1.0), (x, 0.0)]);
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
            let expected =
                serde_json::to_string(&geojson::Geometry::new(geojson::GeometryValue::from(&g)))
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
    // 0.01 degrees of latitude at the equator is the meridian's radius of
    // curvature there, a (1 − e²) = 6,335,439.3 m, times 0.01° in radians:
    // 1,105.75 m on the ellipsoid (1,111.95 m on the sphere).
    let d = distance_m(&square, Point::new(0.005, 0.02));
    let expected = 6_335_439.327 * 0.01_f64.to_radians();
    assert!((d - expected).abs() < 0.01, "{d} vs {expected}");
}
