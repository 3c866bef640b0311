//! A geometry's GeoJSON text.

use geo::{Coord, Geometry, LineString, Polygon};

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
