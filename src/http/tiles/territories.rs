//! The layer of a territory level in a tile: each territory's boundary,
//! simplified for the tile's zoom and clipped to the tile, with the counts of
//! the priorities inside it that match the tile's filters — what a
//! choropleth colours by.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use geo::{BoundingRect, Intersects, MultiPolygon, Rect};
use mvt::Tile;

use crate::domain::codes::{Level, TerritoryCode};
use crate::domain::geometry::simplify_boundary;
use crate::domain::query::{Page, PriorityFilter};
use crate::index::Index;
use crate::index::priorities::Tally;
use crate::tiles::layer::{Tag, add};
use crate::tiles::{EXTENT, TileId, shape};

use crate::tiles::priorities::{CATEGORY_KEYS, STATUS_KEYS, finish};

/// A level's boundaries simplified for one zoom, with their boxes.
pub type Simplified = Vec<(TerritoryCode, Rect<f64>, MultiPolygon<f64>)>;

/// The tolerance in degrees a zoom's tiles are simplified with: half a pixel
/// of a 256-pixel tile (a tile spans 360° / 2^z at the equator).
pub fn zoom_tolerance(z: u8) -> f64 {
    360.0 / (256.0 * f64::from(1u32 << z)) / 2.0
}

/// Simplified boundaries per (level, zoom, boundary generation).
#[derive(Debug, Default)]
pub struct SimplifiedCache(Mutex<HashMap<(Level, u8, u64), Arc<Simplified>>>);

impl SimplifiedCache {
    /// The boundaries of `level` simplified for zoom `z` (computed on a miss
    /// from `boundaries`, the level's boundaries at `generation`).
    pub fn get_or_make(
        &self,
        level: Level,
        z: u8,
        generation: u64,
        boundaries: impl FnOnce() -> Vec<(TerritoryCode, MultiPolygon<f64>)>,
    ) -> Arc<Simplified> {
        let key = (level, z, generation);
        if let Some(hit) = self.lock().get(&key) {
            return hit.clone();
        }
        let tolerance = zoom_tolerance(z);
        let made: Simplified = boundaries()
            .into_iter()
            .filter_map(|(code, boundary)| {
                let rect = boundary.bounding_rect()?;
                Some((code, rect, simplify_boundary(&boundary, tolerance)))
            })
            .collect();
        let made = Arc::new(made);
        let mut map = self.lock();
        map.retain(|(_, _, g), _| *g == generation);
        map.insert(key, made.clone());
        made
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Level, u8, u64), Arc<Simplified>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Counts per parish of the priorities matching `filter`, or `None` when it
/// holds no filter (the index keeps those counts).
pub fn filtered_tallies(
    index: &Index,
    filter: &PriorityFilter,
) -> Option<BTreeMap<TerritoryCode, Tally>> {
    if *filter == PriorityFilter::default() {
        return None;
    }
    let everything = Page {
        limit: usize::MAX,
        offset: 0,
    };
    let mut tallies: BTreeMap<TerritoryCode, Tally> = BTreeMap::new();
    for (entry, _) in index.priorities.query(filter, everything).items {
        tallies.entry(entry.parish).or_default().add(entry);
    }
    Some(tallies)
}

/// A territory's counts: from the filtered counts per parish when given.
fn tally_of(
    index: &Index,
    code: TerritoryCode,
    filtered: Option<&BTreeMap<TerritoryCode, Tally>>,
) -> Tally {
    match filtered {
        None => index.priorities.tally(code),
        Some(per_parish) => {
            let (first, last) = code.parish_range();
            let mut tally = Tally::default();
            per_parish
                .range(first..=last)
                .for_each(|(_, t)| tally.merge(t));
            tally
        }
    }
}

/// The tile's bytes for the territories of `level` (empty when none meets
/// the tile).
pub fn build(
    index: &Index,
    level: Level,
    shapes: &Simplified,
    filtered: Option<&BTreeMap<TerritoryCode, Tally>>,
    tile: TileId,
) -> Vec<u8> {
    let area = tile.buffered_bounds();
    let projector = tile.projector();
    let mut layer = Tile::new(EXTENT).create_layer(level.collection());
    for (code, rect, shape) in shapes {
        if !rect.intersects(&area) {
            continue;
        }
        let Some(geometry) = shape::encode_polygons(shape, &projector) else {
            continue;
        };
        let Some(territory) = index.catalog.territory(*code) else {
            continue;
        };
        let tally = tally_of(index, *code, filtered);
        let code_text = code.to_string();
        let ancestors: Vec<(&'static str, String)> = Level::ALL
            .into_iter()
            .filter(|l| *l < level)
            .filter_map(|l| Some((l.as_str(), code.at_level(l)?.to_string())))
            .collect();
        let mut tags: Vec<(&str, Tag<'_>)> = vec![
            ("code", Tag::Str(&code_text)),
            ("name", Tag::Str(&territory.name)),
            ("councils", Tag::UInt(index.catalog.council_count(*code))),
            ("priorities", Tag::UInt(tally.priorities)),
            ("families", Tag::UInt(tally.families)),
        ];
        tags.extend(ancestors.iter().map(|(k, v)| (*k, Tag::Str(v))));
        tags.extend(
            STATUS_KEYS
                .iter()
                .zip(tally.by_status)
                .map(|(k, n)| (k.as_str(), Tag::UInt(n))),
        );
        tags.extend(
            CATEGORY_KEYS
                .iter()
                .zip(tally.by_category)
                .map(|(k, n)| (k.as_str(), Tag::UInt(n))),
        );
        layer = add(layer, geometry, code_text.parse().ok(), &tags);
    }
    finish(layer)
}
