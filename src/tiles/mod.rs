//! Mapbox Vector Tiles (MVT 2.1) in OGC's WebMercatorQuad tile matrix set:
//! the tile grid ([`grid`]), geometries projected and clipped into a tile
//! ([`clip`], [`shape`]), priorities gathered into clusters at low zooms
//! ([`cluster`]), the layers written with the `mvt` crate ([`layer`]), and
//! the `priorities` layer of a tile built from the index ([`priorities`]).
//!
//! Everything here is pure computation on values the index hands over; the
//! HTTP layer (`http/tiles/`) parses the request, caches the tiles and
//! answers.

pub mod clip;
pub mod cluster;
pub mod clustered;
pub mod grid;
pub mod layer;
pub mod priorities;
pub mod shape;

pub use grid::{EXTENT, TileId};
