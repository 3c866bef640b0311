//! RFC 7946 geometries: validation of incoming GeoJSON, conversion to `geo`
//! types, and the two exact spatial predicates the index refines with.
//!
//! One concern a file: `parse` (a body's geometry, validated), `stored` (a
//! stored geometry decoded and checked again), `write` (GeoJSON text),
//! `measure` (representative points, the predicates, distances),
//! `geodesic` (distances on the WGS84 ellipsoid), `nearest` (a line's or
//! polygon's point nearest on the sphere, as PostGIS finds it),
//! `short_line` (geodesics, fast, for lines of up to 110 km); simplification is
//! `domain::topology`'s.
//!
//! # Units
//! Positions are `[longitude, latitude]` in WGS84 degrees; distances are metres.

mod geodesic;
mod measure;
mod nearest;
mod parse;
mod short_line;
mod stored;
#[cfg(test)]
mod tests;
mod write;

pub use geodesic::{ELLIPSOID_OVER_SPHERE, SPHERE_RADIUS_M, point_distance_m};
pub use measure::{
    any_vertex, distance_m, intersects_rect, representative_point, sphere_distance_m,
    sphere_nearest,
};
pub use parse::{parse_geometry, parse_geometry_limited};
pub use short_line::{SHORT_LINE_MAX_M, ShortLines, short_line_error_m};
pub use stored::parse_stored_geometry;
pub use write::{to_geojson, write_geojson};

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
