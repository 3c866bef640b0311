//! The WebMercatorQuad grid: which tiles exist, where each lies, and the
//! projection of WGS84 positions into a tile's own coordinates.
//!
//! The grid is `tile-grid`'s registry entry for OGC's WebMercatorQuad (the
//! tile matrix set document this service serves comes from it too).

use std::sync::LazyLock;

use geo::Rect;
use tile_grid::{Tms, Xyz};

use crate::domain::crs::{Crs, MERCATOR_MAX_LAT};

/// The tile matrix set's identifier.
pub const TILE_MATRIX_SET: &str = "WebMercatorQuad";
/// Its URI, as tileset documents name it.
pub const TILE_MATRIX_SET_URI: &str =
    "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
/// Tile coordinates run from 0 to this on each axis (MVT's usual extent).
pub const EXTENT: u32 = 4096;
/// Geometries are kept this far (in tile units) outside the tile's edges, so
/// that lines, polygons and symbols drawn across an edge join seamlessly.
pub const BUFFER: f64 = 64.0;
/// The deepest zoom served.
pub const MAX_ZOOM: u8 = 24;

/// The registry's WebMercatorQuad, loaded once.
pub static WEB_MERCATOR_QUAD: LazyLock<Tms> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    tile_grid::tms()
        .lookup(TILE_MATRIX_SET)
        .expect("tile-grid's registry holds WebMercatorQuad")
});

/// A tile of the grid: zoom, column (from the west) and row (from the north).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    /// Zoom level, the tile matrix's identifier.
    pub z: u8,
    /// Column, 0 at 180° W.
    pub x: u32,
    /// Row, 0 at the grid's northern edge (85.05° N).
    pub y: u32,
}

impl TileId {
    /// A tile, if it exists in the grid: `z` up to [`MAX_ZOOM`], `x` and `y`
    /// below `2^z`. The error names the path segment at fault.
    pub fn new(z: u32, y: u32, x: u32) -> Result<Self, (&'static str, String)> {
        let z = u8::try_from(z)
            .ok()
            .filter(|z| *z <= MAX_ZOOM)
            .ok_or_else(|| {
                (
                    "tileMatrix",
                    format!("tileMatrix (the zoom) is 0 to {MAX_ZOOM}; got {z}"),
                )
            })?;
        let size = 1u64 << z;
        if u64::from(y) >= size {
            return Err((
                "tileRow",
                format!("tileRow is 0 to {} at zoom {z}; got {y}", size - 1),
            ));
        }
        if u64::from(x) >= size {
            return Err((
                "tileCol",
                format!("tileCol is 0 to {} at zoom {z}; got {x}", size - 1),
            ));
        }
        Ok(TileId { z, x, y })
    }

    /// The tile of zoom `z` (at most [`MAX_ZOOM`]) holding a WGS84
    /// position; latitudes beyond Web Mercator's fall in the edge rows.
    pub fn containing(lon: f64, lat: f64, z: u8) -> TileId {
        let (x, y) = Crs::Epsg3857.from_lon_lat(lon, lat);
        let tile = WEB_MERCATOR_QUAD.xy_tile(x, y, z);
        let last = (1u64 << z) - 1;
        // Both at most 2^24 − 1: they fit a u32.
        TileId {
            z,
            x: tile.x.min(last) as u32,
            y: tile.y.min(last) as u32,
        }
    }

    fn xyz(self) -> Xyz {
        Xyz::new(u64::from(self.x), u64::from(self.y), self.z)
    }

    /// The tile's edges in Web Mercator metres: west, south, east, north.
    pub fn mercator_bounds(self) -> [f64; 4] {
        let b = WEB_MERCATOR_QUAD.xy_bounds(&self.xyz());
        [b.left, b.bottom, b.right, b.top]
    }

    /// The tile's edges in WGS84 degrees.
    pub fn bounds(self) -> Rect<f64> {
        self.rect_within(0.0)
    }

    /// The box of WGS84 degrees that holds the tile and its buffer: what a
    /// tile's features are looked up in.
    pub fn buffered_bounds(self) -> Rect<f64> {
        self.rect_within(BUFFER)
    }

    /// The tile grown by `margin` tile units on every side, in degrees; the
    /// grid's northern and southern rows reach the poles, where Web Mercator
    /// stops but features may still lie.
    fn rect_within(self, margin: f64) -> Rect<f64> {
        let [w, s, e, n] = self.mercator_bounds();
        let grow = margin * (e - w) / f64::from(EXTENT);
        let (west, mut south) = Crs::Epsg3857.to_lon_lat(w - grow, s - grow);
        let (east, mut north) = Crs::Epsg3857.to_lon_lat(e + grow, n + grow);
        if north >= MERCATOR_MAX_LAT - 1e-9 {
            north = 90.0;
        }
        if south <= -MERCATOR_MAX_LAT + 1e-9 {
            south = -90.0;
        }
        Rect::new((west.max(-180.0), south), (east.min(180.0), north))
    }

    /// The projection of WGS84 positions into this tile's coordinates.
    pub fn projector(self) -> Projector {
        let [w, _, e, n] = self.mercator_bounds();
        Projector {
            west: w,
            north: n,
            scale: f64::from(EXTENT) / (e - w),
        }
    }
}

/// The tolerance in degrees that simplifies for a web map at zoom `z`: half
/// a pixel of a 256-pixel tile (a tile spans 360° / 2^z at the equator).
pub fn zoom_tolerance(z: u8) -> f64 {
    360.0 / (256.0 * f64::from(1u32 << z)) / 2.0
}

/// WGS84 → a tile's coordinates: x east from its western edge, y south from
/// its northern edge, [`EXTENT`] units across.
#[derive(Debug, Clone, Copy)]
pub struct Projector {
    west: f64,
    north: f64,
    scale: f64,
}

impl Projector {
    /// Where `(lon, lat)` lies in the tile's coordinates (outside 0..EXTENT
    /// when it lies outside the tile).
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = Crs::Epsg3857.from_lon_lat(lon, lat);
        ((x - self.west) * self.scale, (self.north - y) * self.scale)
    }

    /// The WGS84 `(lon, lat)` of a position in the tile's coordinates.
    pub fn unproject(&self, x: f64, y: f64) -> (f64, f64) {
        Crs::Epsg3857.to_lon_lat(x / self.scale + self.west, self.north - y / self.scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_outside_the_grid_are_refused_by_the_segment_at_fault() {
        assert!(TileId::new(0, 0, 0).is_ok());
        assert_eq!(TileId::new(25, 0, 0).unwrap_err().0, "tileMatrix");
        assert_eq!(TileId::new(3, 8, 0).unwrap_err().0, "tileRow");
        assert_eq!(TileId::new(3, 0, 8).unwrap_err().0, "tileCol");
        assert!(TileId::new(24, (1 << 24) - 1, (1 << 24) - 1).is_ok());
    }

    /// Caracas at zoom 10 is tile 290/484 (checked against the slippy-map
    /// formulas: x = (lon + 180) / 360 · 2^z, y from the Mercator latitude),
    /// and projects inside its tile; the neighbours' edges meet.
    #[test]
    fn a_position_projects_into_the_tile_the_slippy_map_formula_names() {
        let (lon, lat) = (-66.9036_f64, 10.4806_f64);
        let z = 10;
        let n = f64::from(1u32 << z);
        let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
        let lat_r = lat.to_radians();
        let y = ((1.0 - (lat_r.tan() + 1.0 / lat_r.cos()).ln() / std::f64::consts::PI) / 2.0 * n)
            .floor() as u32;
        let tile = TileId::new(z, y, x).unwrap();
        assert_eq!(TileId::containing(lon, lat, z as u8), tile);
        let (px, py) = tile.projector().project(lon, lat);
        let (back_lon, back_lat) = tile.projector().unproject(px, py);
        assert!((back_lon - lon).abs() < 1e-9 && (back_lat - lat).abs() < 1e-9);
        assert!(
            (0.0..4096.0).contains(&px) && (0.0..4096.0).contains(&py),
            "{px} {py}"
        );
        let b = tile.bounds();
        assert!(b.min().x <= lon && lon <= b.max().x && b.min().y <= lat && lat <= b.max().y);
        let east = TileId::new(z, y, x + 1).unwrap().bounds();
        assert!((east.min().x - b.max().x).abs() < 1e-9);
    }
}
