//! OGC API – Tiles: Mapbox Vector Tiles of the priorities (clustered below
//! the cluster zoom) and of each territory level (simplified boundaries with
//! their filtered counts), the tileset and tile matrix set documents, and a
//! TileJSON document per tileset for MapLibre and Leaflet.
//!
//! Every filter of the items endpoint applies to tiles (the query string of
//! a tile is parsed as the items' is), and to a territory tile's counts.

mod cache;
mod clusters;
mod metadata;
mod territories;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub use cache::TileCache;
pub use territories::SimplifiedCache;

use super::AppState;
use super::extract::{Endpoint, Query};
use super::params::{ParamSpec, Path};
use super::priorities::{BBOX, priority_filters};
use super::priority_filter::parse_filter;
use super::problem::ApiError;
use crate::domain::codes::Level;
use crate::tiles::grid::TILE_MATRIX_SET;
use crate::tiles::{TileId, priorities};

/// The media type of a Mapbox Vector Tile.
pub const MVT: &str = "application/vnd.mapbox-vector-tile";

/// The clusters of the priorities' tiles, as GeoJSON.
pub const CLUSTERS_PATH: &str = "/collections/priorities/clusters";
pub use clusters::Clusters;

/// The collections served as tiles, and the level of each territory one.
pub const TILED: [(&str, Option<Level>); 4] = [
    ("priorities", None),
    ("states", Some(Level::State)),
    ("municipalities", Some(Level::Municipality)),
    ("parishes", Some(Level::Parish)),
];

/// A tile's parameters: the items' filters (a territory tile counts the
/// priorities that pass them).
pub struct TileParams;
impl Endpoint for TileParams {
    const PARAMS: &'static [ParamSpec] = priority_filters![[BBOX], []];
}

pub fn router() -> Router<AppState> {
    let tileset = "/collections/{collection}/tiles/{tileMatrixSetId}";
    Router::new()
        .route("/tileMatrixSets", get(metadata::matrix_sets))
        .route(
            "/tileMatrixSets/{tileMatrixSetId}",
            get(metadata::matrix_set),
        )
        .route("/collections/{collection}/tiles", get(metadata::tilesets))
        .route(tileset, get(metadata::tileset))
        .route(&format!("{tileset}/tilejson.json"), get(metadata::tilejson))
        .route(CLUSTERS_PATH, get(clusters::clusters))
        .route(
            &format!("{tileset}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"),
            get(tile),
        )
}

/// The tiled collection named `id`: `None` for priorities, else its level.
fn tiled(id: &str) -> Result<Option<Level>, ApiError> {
    TILED
        .iter()
        .find(|(c, _)| *c == id)
        .map(|(_, level)| *level)
        .ok_or_else(|| {
            ApiError::no_such(
                "collectionId",
                format!("no tiles of {id:?}; tiled collections: priorities, states, municipalities, parishes"),
            )
        })
}

/// Only WebMercatorQuad is offered.
fn matrix_set(id: &str) -> Result<(), ApiError> {
    if id == TILE_MATRIX_SET {
        Ok(())
    } else {
        Err(ApiError::no_such(
            "tileMatrixSetId",
            format!("no tile matrix set {id:?}; this service tiles in {TILE_MATRIX_SET}"),
        ))
    }
}

/// A tile segment: a whole number (a tile outside the grid is not there).
fn index_of(name: &'static str, text: &str) -> Result<u32, ApiError> {
    text.parse()
        .map_err(|_| ApiError::no_such(name, format!("{name} is a whole number; got {text:?}")))
}

/// `GET /collections/{collection}/tiles/WebMercatorQuad/{z}/{y}/{x}`: 200
/// with the tile, or 204 when nothing of the collection lies in it.
async fn tile(
    State(state): State<AppState>,
    Path((collection, set, z, y, x)): Path<(String, String, String, String, String)>,
    params: Query<TileParams>,
) -> Result<Response, ApiError> {
    let level = tiled(&collection)?;
    matrix_set(&set)?;
    let tile = TileId::new(
        index_of("tileMatrix", &z)?,
        index_of("tileRow", &y)?,
        index_of("tileCol", &x)?,
    )
    .map_err(|(segment, detail)| ApiError::no_such(segment, detail))?;
    let seq = state.service.applied_seq();
    let (filter, generation) = {
        let index = state.service.index().read();
        (
            parse_filter(&params, &index.catalog)?,
            index.catalog.boundary_generation(),
        )
    };
    // `overdue` compares with today's date: a new day is a new tile.
    let query = format!("{}|{}", params.canonical(), chrono::Utc::now().date_naive());
    let key = (collection, tile, query);
    let data_state = (seq, generation);
    let bytes = match state.tile_cache.get(data_state, &key) {
        Some(hit) => hit,
        None => {
            let built: Arc<[u8]> = match level {
                None => {
                    let index = state.service.index().read();
                    priorities::build(
                        &index.priorities,
                        &filter,
                        tile,
                        state.config.cluster_below_zoom,
                    )
                    .into()
                }
                Some(level) => territory_tile(&state, level, &filter, tile, generation)
                    .await?
                    .into(),
            };
            state.tile_cache.put(data_state, key, built.clone());
            built
        }
    };
    if bytes.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let mut response = (StatusCode::OK, bytes.to_vec()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
    Ok(response)
}

/// A territory level's tile: its boundaries simplified by their shared
/// borders for the zoom (made once per zoom, off the async workers, by the
/// service), the tile built under the index's lock.
async fn territory_tile(
    state: &AppState,
    level: Level,
    filter: &crate::domain::query::PriorityFilter,
    tile: TileId,
    generation: u64,
) -> Result<Vec<u8>, ApiError> {
    let shapes = state
        .simplified
        .get(&state.service, level, tile.z, generation)
        .await?;
    let index = state.service.index().read();
    let counts = index.priorities.counts(filter);
    Ok(territories::build(&index, level, &shapes, &counts, tile))
}
