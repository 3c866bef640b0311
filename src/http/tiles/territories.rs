//! The layer of a territory level in a tile: each territory's boundary,
//! simplified for the tile's zoom and clipped to the tile, with the counts of
//! the priorities inside it that match the tile's filters — what a
//! choropleth colours by.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use geo::{BoundingRect, Intersects, Rect};
use mvt::Tile;

use crate::domain::codes::{Level, TerritoryCode};
use crate::index::Index;
use crate::index::priorities::Counts;
use crate::service::{Service, ServiceError, SimplifiedLevel};
use crate::tiles::grid::zoom_tolerance;
use crate::tiles::layer::{Tag, add};
use crate::tiles::{EXTENT, TileId, shape};

use crate::tiles::priorities::{CATEGORY_KEYS, STATUS_KEYS, finish};

/// A level's boundaries simplified for one zoom (by their shared borders,
/// [`crate::service::Service::simplified`]), with each one's box.
#[derive(Debug)]
pub struct Simplified {
    shapes: Arc<SimplifiedLevel>,
    boxes: Vec<(TerritoryCode, Rect<f64>)>,
}

impl Simplified {
    fn new(shapes: Arc<SimplifiedLevel>) -> Self {
        let mut boxes: Vec<(TerritoryCode, Rect<f64>)> = shapes
            .iter()
            .filter_map(|(code, shape)| Some((*code, shape.bounding_rect()?)))
            .collect();
        // Tiles list territories in code order whatever the map's.
        boxes.sort_unstable_by_key(|(code, _)| *code);
        Simplified { shapes, boxes }
    }
}

/// Simplified boundaries with their boxes, per (level, zoom, boundary
/// generation); the service keeps the shapes themselves.
#[derive(Debug, Default)]
pub struct SimplifiedCache(Mutex<HashMap<(Level, u8, u64), Arc<Simplified>>>);

impl SimplifiedCache {
    /// The boundaries of `level` for zoom `z` at boundary `generation`.
    pub async fn get(
        &self,
        service: &Service,
        level: Level,
        z: u8,
        generation: u64,
    ) -> Result<Arc<Simplified>, ServiceError> {
        let key = (level, z, generation);
        if let Some(hit) = self.lock().get(&key) {
            return Ok(hit.clone());
        }
        let shapes = service.simplified(level, zoom_tolerance(z)).await?;
        let made = Arc::new(Simplified::new(shapes));
        let mut map = self.lock();
        map.retain(|(_, _, g), _| *g == generation);
        map.insert(key, made.clone());
        Ok(made)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Level, u8, u64), Arc<Simplified>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The tile's bytes for the territories of `level` (empty when none meets
/// the tile).
pub fn build(
    index: &Index,
    level: Level,
    shapes: &Simplified,
    counts: &Counts,
    tile: TileId,
) -> Vec<u8> {
    let area = tile.buffered_bounds();
    let projector = tile.projector();
    let mut layer = Tile::new(EXTENT).create_layer(level.collection());
    for (code, rect) in &shapes.boxes {
        if !rect.intersects(&area) {
            continue;
        }
        let Some(shape) = shapes.shapes.get(code) else {
            continue;
        };
        let Some(geometry) = shape::encode_polygons(shape, &projector) else {
            continue;
        };
        let Some(territory) = index.catalog.territory(*code) else {
            continue;
        };
        let tally = index.priorities.tally_under(counts, *code);
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
