//! The `priorities` layer of a tile: every matching priority with its
//! geometry clipped to the tile, or, at low zooms and in crowded tiles,
//! clusters of them.

use std::sync::LazyLock;

use mvt::{Layer, Tile};

use super::cluster::Cell;
use super::clustered::{Cluster, from_found, from_pyramid};
use super::layer::{Tag, add, point};
use super::{EXTENT, TileId, shape};
use crate::domain::priority::{Category, Status};
use crate::domain::query::PriorityFilter;
use crate::index::PriorityIndex;
use crate::index::priorities::{Entry, Found};

/// The layer's name.
pub const LAYER: &str = "priorities";

/// A tile at a zoom of at least the cluster zoom draws its priorities one by
/// one, unless more than this many match in it: then it is clustered too,
/// so that no tile of the national map grows without bound.
pub const MAX_FEATURES: usize = 4_000;

/// `status_<status>` for each status, in [`Status::ALL`]'s order.
pub static STATUS_KEYS: LazyLock<Vec<String>> =
    LazyLock::new(|| Status::ALL.iter().map(|s| format!("status_{s}")).collect());
/// `category_<category>` for each category, in [`Category::ALL`]'s order.
pub static CATEGORY_KEYS: LazyLock<Vec<String>> = LazyLock::new(|| {
    Category::ALL
        .iter()
        .map(|c| format!("category_{c}"))
        .collect()
});

/// The tile's bytes (an empty vector when nothing matches in it).
/// `cluster_below`: the zoom from which priorities are drawn one by one.
pub fn build(
    index: &PriorityIndex,
    filter: &PriorityFilter,
    tile: TileId,
    cluster_below: u8,
) -> Vec<u8> {
    if tile.z < cluster_below
        && let Some(clusters) = from_pyramid(index, filter, tile)
    {
        let layer = Tile::new(EXTENT).create_layer(LAYER);
        return finish(write_clusters(layer, &clusters));
    }
    let mut found: Vec<Found<'_>> = Vec::new();
    index.for_each_in(filter, tile.buffered_bounds(), |f| found.push(f));
    if found.is_empty() {
        return Vec::new();
    }
    // The same order whatever the R-tree's shape.
    found.sort_unstable_by_key(|f| f.pk);
    let layer = Tile::new(EXTENT).create_layer(LAYER);
    let layer = if tile.z < cluster_below || found.len() > MAX_FEATURES {
        write_clusters(layer, &from_found(index, tile, &found))
    } else {
        features(layer, tile, &found)
    };
    finish(layer)
}

/// The tile of one layer, as bytes; an empty layer is an empty tile.
pub fn finish(layer: Layer) -> Vec<u8> {
    if layer.num_features() == 0 {
        return Vec::new();
    }
    let mut tile = Tile::new(EXTENT);
    // A layer made by a tile of the same extent, added once: it fits.
    match tile.add_layer(layer) {
        Ok(()) => tile.to_bytes().unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// Every priority drawn with its own geometry and attributes.
fn features(mut layer: Layer, tile: TileId, found: &[Found<'_>]) -> Layer {
    let projector = tile.projector();
    for f in found {
        let entry = f.entry();
        if let Some(geometry) = shape::encode(&entry.geometry, &projector) {
            layer = add_priority(layer, geometry, entry);
        }
    }
    layer
}

/// A priority drawn with `geometry`, its row key as its id.
fn add_priority(layer: Layer, geometry: mvt::GeomData, entry: &Entry) -> Layer {
    let parish = entry.parish.to_string();
    add(
        layer,
        geometry,
        Some(entry.pk as u64),
        &priority_tags(entry, &parish),
    )
}

/// A priority's attributes in a tile: enough to style and filter it on the
/// map; the rest is one request away by its `id`.
pub fn priority_tags<'a>(entry: &'a Entry, parish: &'a str) -> Vec<(&'static str, Tag<'a>)> {
    let mut tags = vec![
        ("cluster", Tag::Bool(false)),
        ("id", Tag::Str(entry_id(entry))),
        ("category", Tag::Str(entry.category.as_str())),
        ("status", Tag::Str(entry.status.as_str())),
        ("council", Tag::Str(entry.council.as_str())),
        ("parish", Tag::Str(parish)),
        ("placement", Tag::Str(entry.placement.as_str())),
    ];
    if entry.families > 0 {
        tags.push(("families", Tag::UInt(u64::from(entry.families))));
    }
    tags
}

/// The priority's id as its Feature text writes it (`"id":"<uuid>"`), so no
/// string is made per feature.
fn entry_id(entry: &Entry) -> &str {
    let text = &*entry.feature;
    text.find(r#""id":""#)
        .and_then(|at| {
            let start = at + 6;
            text.get(start..start + 36)
        })
        .unwrap_or("")
}

/// One point per cell of the cluster grid: a lone priority as itself, more
/// as a cluster with their counts.
fn write_clusters(mut layer: Layer, clusters: &[Cluster<'_>]) -> Layer {
    for cluster in clusters {
        match cluster {
            Cluster::One { entry, xy } => {
                if let Some(geometry) = point(*xy) {
                    layer = add_priority(layer, geometry, entry);
                }
            }
            Cluster::Many(cell) => {
                if let Some(geometry) = point(cell.position()) {
                    layer = add(layer, geometry, None, &cluster_tags(cell));
                }
            }
        }
    }
    layer
}

/// A cluster's attributes: `cluster` true, `point_count` (the names
/// supercluster gives them, which map styles expect), and the counts per
/// status and per category.
pub fn cluster_tags(cell: &Cell) -> Vec<(&'static str, Tag<'static>)> {
    let mut tags = vec![
        ("cluster", Tag::Bool(true)),
        ("point_count", Tag::UInt(u64::from(cell.count))),
    ];
    for (key, n) in STATUS_KEYS.iter().zip(cell.by_status) {
        tags.push((key.as_str(), Tag::UInt(u64::from(n))));
    }
    for (key, n) in CATEGORY_KEYS.iter().zip(cell.by_category) {
        tags.push((key.as_str(), Tag::UInt(u64::from(n))));
    }
    tags
}
