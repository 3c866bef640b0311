//! The `priorities` layer of a tile: every matching priority with its
//! geometry clipped to the tile, or, at low zooms and in crowded tiles,
//! clusters of them.

use std::sync::LazyLock;

use mvt::{Layer, Tile};

use super::cluster::{Cell, Grid};
use super::layer::{Tag, add, point};
use super::{EXTENT, TileId, shape};
use crate::domain::priority::{Category, Status};
use crate::domain::query::PriorityFilter;
use crate::index::PriorityIndex;
use crate::index::priorities::{Entry, Found, pyramid};

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
    if tile.z <= pyramid::MAX_ZOOM && tile.z < cluster_below && by_kind_only(filter) {
        let layer = Tile::new(EXTENT).create_layer(LAYER);
        return finish(pyramid_clusters(index, filter, layer, tile));
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
        clusters(index, layer, tile, &found)
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
fn priority_tags<'a>(entry: &'a Entry, parish: &'a str) -> Vec<(&'static str, Tag<'a>)> {
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
fn clusters(index: &PriorityIndex, mut layer: Layer, tile: TileId, found: &[Found<'_>]) -> Layer {
    let projector = tile.projector();
    let mut grid = Grid::default();
    for f in found {
        let xy = projector.project(f.position.x(), f.position.y());
        grid.add(xy, f.pk, f.status, f.category);
    }
    for cell in grid.cells() {
        let Some(geometry) = point(cell.position()) else {
            continue;
        };
        if cell.count == 1
            && let Some(entry) = index.entry(cell.first)
        {
            layer = add_priority(layer, geometry, entry);
        } else {
            layer = add(layer, geometry, None, &cluster_tags(cell));
        }
    }
    layer
}

/// A cluster's attributes: `cluster` true, `point_count` (the names
/// supercluster gives them, which map styles expect), and the counts per
/// status and per category.
fn cluster_tags(cell: &Cell) -> Vec<(&'static str, Tag<'static>)> {
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

/// Whether `filter` selects by category and status alone (or not at all):
/// what the pyramid's counts can answer.
fn by_kind_only(filter: &PriorityFilter) -> bool {
    let PriorityFilter {
        categories,
        statuses,
        ..
    } = filter;
    *filter
        == PriorityFilter {
            categories: categories.clone(),
            statuses: statuses.clone(),
            ..PriorityFilter::default()
        }
}

/// The clusters of a low-zoom tile from the pyramid's cells: each cell's
/// matching counts, at its members' mean position, added to the cluster
/// cell that holds it. A cluster of one is drawn as the priority itself,
/// found in that cluster cell's area.
fn pyramid_clusters(
    index: &PriorityIndex,
    filter: &PriorityFilter,
    mut layer: Layer,
    tile: TileId,
) -> Layer {
    let span = f64::from(1u32 << (pyramid::BASE - tile.z));
    let scale = f64::from(EXTENT) / span;
    let (x0, y0) = (f64::from(tile.x) * span, f64::from(tile.y) * span);
    let statuses: &[Status] = if filter.statuses.is_empty() {
        Status::ALL
    } else {
        &filter.statuses
    };
    let categories: &[Category] = if filter.categories.is_empty() {
        Category::ALL
    } else {
        &filter.categories
    };
    let mut grid = Grid::default();
    for (_, cell) in index.pyramid().under(tile.z, tile.x, tile.y) {
        let mut by_status = [0u32; Status::ALL.len()];
        let mut by_category = [0u32; Category::ALL.len()];
        let mut count = 0;
        for s in statuses {
            for c in categories {
                let n = cell.by_kind[*s as usize * Category::ALL.len() + *c as usize];
                by_status[*s as usize] += n;
                by_category[*c as usize] += n;
                count += n;
            }
        }
        if count == 0 {
            continue;
        }
        let n = f64::from(cell.count);
        let xy = ((cell.sum.0 / n - x0) * scale, (cell.sum.1 / n - y0) * scale);
        grid.add_group(xy, count, &by_status, &by_category);
    }
    let projector = tile.projector();
    for (i, cell) in grid.indexed_cells() {
        let lone = match cell.count {
            1 => lone_priority(index, filter, tile, i),
            _ => None,
        };
        match lone {
            Some(f) => {
                let xy = projector.project(f.position.x(), f.position.y());
                if let Some(geometry) = point(xy) {
                    layer = add_priority(layer, geometry, f.entry());
                }
            }
            None => {
                if let Some(geometry) = point(cell.position()) {
                    layer = add(layer, geometry, None, &cluster_tags(cell));
                }
            }
        }
    }
    layer
}

/// The one priority of `filter` whose position lies in cluster cell `i` of
/// `tile` (the cell is itself a tile four zooms deeper).
fn lone_priority<'a>(
    index: &'a PriorityIndex,
    filter: &PriorityFilter,
    tile: TileId,
    i: usize,
) -> Option<Found<'a>> {
    let cells = crate::tiles::cluster::CELLS;
    let (row, col) = (i as u32 / cells, i as u32 % cells);
    let deeper = TileId::new(
        u32::from(tile.z) + 4,
        tile.y * cells + row,
        tile.x * cells + col,
    )
    .ok()?;
    let projector = tile.projector();
    let mut lone: Option<Found<'a>> = None;
    index.for_each_in(filter, deeper.bounds(), |f| {
        let xy = projector.project(f.position.x(), f.position.y());
        if crate::tiles::cluster::cell_of(xy) == Some(i) && lone.is_none_or(|l| f.pk < l.pk) {
            lone = Some(f);
        }
    });
    lone
}
