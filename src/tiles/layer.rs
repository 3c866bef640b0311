//! Features written into an MVT layer with the `mvt` crate, which keeps each
//! layer's keys and values once.

use mvt::{GeomData, GeomEncoder, GeomType, Layer};

use super::clip::Xy;

/// A feature's attribute value.
#[derive(Debug, Clone, Copy)]
pub enum Tag<'a> {
    /// A text.
    Str(&'a str),
    /// A count or other whole number.
    UInt(u64),
    /// A flag.
    Bool(bool),
}

/// Adds a feature with `geometry`, an optional id and `tags` to `layer`.
pub fn add(layer: Layer, geometry: GeomData, id: Option<u64>, tags: &[(&str, Tag<'_>)]) -> Layer {
    let mut feature = layer.into_feature(geometry);
    if let Some(id) = id {
        feature.set_id(id);
    }
    for (key, value) in tags {
        match *value {
            Tag::Str(s) => feature.add_tag_string(key, s),
            Tag::UInt(n) => feature.add_tag_uint(key, n),
            Tag::Bool(b) => feature.add_tag_bool(key, b),
        }
    }
    feature.into_layer()
}

/// A point geometry at `xy` (tile units, rounded).
pub fn point(xy: Xy) -> Option<GeomData> {
    GeomEncoder::new(GeomType::Point)
        .point(xy.0.round(), xy.1.round())
        .ok()?
        .encode()
        .ok()
}
