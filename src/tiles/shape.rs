//! A WGS84 geometry as an MVT geometry of one tile: projected into the
//! tile's coordinates, clipped to the tile and its buffer, rounded to whole
//! units, and wound as MVT 2.1 requires (exterior rings clockwise on screen,
//! holes counter-clockwise).

use geo::{Geometry, LineString, Polygon};
use mvt::{GeomData, GeomEncoder, GeomType};

use super::clip::{Xy, clip_line, clip_ring, doubled_area};
use super::grid::{BUFFER, EXTENT, Projector};

/// The square geometries are clipped to: the tile and its buffer.
const LO: f64 = -BUFFER;
const HI: f64 = EXTENT as f64 + BUFFER;

/// `geometry` in the tile `projector` projects into; `None` when nothing of
/// it is left there (outside, or smaller than a unit).
pub fn encode(geometry: &Geometry<f64>, projector: &Projector) -> Option<GeomData> {
    match geometry {
        Geometry::Point(p) => points([p.0], projector),
        Geometry::MultiPoint(mp) => points(mp.0.iter().map(|p| p.0), projector),
        Geometry::LineString(l) => lines([l], projector),
        Geometry::MultiLineString(ml) => lines(&ml.0, projector),
        Geometry::Polygon(p) => polygons([p], projector),
        Geometry::MultiPolygon(mp) => polygons(&mp.0, projector),
        _ => None,
    }
}

/// Whether a projected position lies in the tile or its buffer.
pub fn in_buffer((x, y): Xy) -> bool {
    (LO..=HI).contains(&x) && (LO..=HI).contains(&y)
}

fn points(
    coords: impl IntoIterator<Item = geo::Coord<f64>>,
    projector: &Projector,
) -> Option<GeomData> {
    let mut encoder = GeomEncoder::new(GeomType::Point);
    let mut any = false;
    for c in coords {
        let xy = projector.project(c.x, c.y);
        if in_buffer(xy) {
            encoder.add_point(xy.0.round(), xy.1.round()).ok()?;
            any = true;
        }
    }
    if any { encoder.encode().ok() } else { None }
}

fn project(line: &LineString<f64>, projector: &Projector) -> Vec<Xy> {
    line.0.iter().map(|c| projector.project(c.x, c.y)).collect()
}

/// Positions rounded to whole units, without repeats in a row.
fn rounded(points: &[Xy]) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(points.len());
    for &(x, y) in points {
        // Clipped positions lie within the buffer: they fit an i32.
        let p = (x.round() as i32, y.round() as i32);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}

fn lines<'a>(
    lines: impl IntoIterator<Item = &'a LineString<f64>>,
    projector: &Projector,
) -> Option<GeomData> {
    let mut encoder = GeomEncoder::new(GeomType::Linestring);
    let mut any = false;
    for line in lines {
        for part in clip_line(&project(line, projector), LO, HI) {
            let part = rounded(&part);
            if part.len() < 2 {
                continue;
            }
            for (x, y) in part {
                encoder.add_point(f64::from(x), f64::from(y)).ok()?;
            }
            encoder.complete_geom().ok()?;
            any = true;
        }
    }
    if any { encoder.encode().ok() } else { None }
}

/// A ring clipped and rounded, wound clockwise on screen when `exterior`
/// (counter-clockwise otherwise); `None` when it has no area left.
fn ring(line: &LineString<f64>, projector: &Projector, exterior: bool) -> Option<Vec<(i32, i32)>> {
    let mut ring = rounded(&clip_ring(&project(line, projector), LO, HI));
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    let area = doubled_area(&ring);
    if ring.len() < 3 || area == 0 {
        return None;
    }
    if (area > 0) != exterior {
        ring.reverse();
    }
    Some(ring)
}

/// A multipolygon in the tile (see [`encode`]), without wrapping it in a
/// [`Geometry`] first.
pub fn encode_polygons(
    polygons: &geo::MultiPolygon<f64>,
    projector: &Projector,
) -> Option<GeomData> {
    self::polygons(&polygons.0, projector)
}

fn polygons<'a>(
    polygons: impl IntoIterator<Item = &'a Polygon<f64>>,
    projector: &Projector,
) -> Option<GeomData> {
    let mut encoder = GeomEncoder::new(GeomType::Polygon);
    let mut any = false;
    for polygon in polygons {
        // Holes are kept only under an exterior that is.
        let Some(exterior) = ring(polygon.exterior(), projector, true) else {
            continue;
        };
        let holes = polygon
            .interiors()
            .iter()
            .filter_map(|h| ring(h, projector, false));
        for r in std::iter::once(exterior).chain(holes) {
            for (x, y) in r {
                encoder.add_point(f64::from(x), f64::from(y)).ok()?;
            }
            encoder.complete_geom().ok()?;
        }
        any = true;
    }
    if any { encoder.encode().ok() } else { None }
}
