//! The documents around the tiles: the tile matrix sets (OGC Two Dimensional
//! Tile Matrix Set 2.0, JSON), each collection's tilesets list and tileset
//! metadata (OGC API – Tiles), and TileJSON 3.0.0 for web map libraries.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::super::extract::{Base, FormatOnly, Query};
use super::super::meta::spatial_extent;
use super::super::params::Path;
use super::super::problem::ApiError;
use super::super::{AppState, JSON, link, typed};
use super::{MVT, TileParams, matrix_set as check_set, tiled};
use crate::domain::codes::Level;
use crate::tiles::grid::{MAX_ZOOM, TILE_MATRIX_SET, TILE_MATRIX_SET_URI, WEB_MERCATOR_QUAD};
use crate::tiles::priorities::{CATEGORY_KEYS, STATUS_KEYS};

const TILING_SCHEME: &str = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";
const MERCATOR: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";

/// `GET /tileMatrixSets`.
pub async fn matrix_sets(Base(base): Base, _: Query<FormatOnly>) -> Result<Response, ApiError> {
    let body = json!({
        "links": [link(format!("{base}/tileMatrixSets"), "self", JSON, Some("the tile matrix sets"))],
        "tileMatrixSets": [{
            "id": TILE_MATRIX_SET,
            "title": "Google Maps Compatible for the World",
            "uri": TILE_MATRIX_SET_URI,
            "crs": MERCATOR,
            "links": [link(format!("{base}/tileMatrixSets/{TILE_MATRIX_SET}"), "self", JSON, Some(TILE_MATRIX_SET))],
        }],
    });
    Ok(typed(StatusCode::OK, JSON, body.to_string()))
}

/// `GET /tileMatrixSets/WebMercatorQuad`: the definition, as `tile-grid`
/// registers it.
pub async fn matrix_set(
    Path(id): Path<String>,
    _: Query<FormatOnly>,
) -> Result<Response, ApiError> {
    check_set(&id)?;
    let body = serde_json::to_string(&WEB_MERCATOR_QUAD.tms).map_err(ApiError::internal)?;
    Ok(typed(StatusCode::OK, JSON, body))
}

/// The links every tileset description carries.
fn tileset_links(base: &str, collection: &str) -> Vec<super::super::Link> {
    let set = format!("{base}/collections/{collection}/tiles/{TILE_MATRIX_SET}");
    vec![
        link(set.clone(), "self", JSON, Some("this tileset")),
        link(
            format!("{base}/tileMatrixSets/{TILE_MATRIX_SET}"),
            TILING_SCHEME,
            JSON,
            Some(TILE_MATRIX_SET),
        ),
        link(
            format!("{set}/tilejson.json"),
            "alternate",
            JSON,
            Some("TileJSON 3.0.0"),
        ),
        link(
            format!("{base}/collections/{collection}"),
            "collection",
            JSON,
            Some(collection),
        ),
    ]
}

/// `GET /collections/{collection}/tiles`.
pub async fn tilesets(
    Base(base): Base,
    Path(collection): Path<String>,
    _: Query<FormatOnly>,
) -> Result<Response, ApiError> {
    tiled(&collection)?;
    let body = json!({
        "links": [link(format!("{base}/collections/{collection}/tiles"), "self", JSON, Some("its tilesets"))],
        "tilesets": [{
            "title": format!("{collection} ({TILE_MATRIX_SET})"),
            "dataType": "vector",
            "crs": MERCATOR,
            "tileMatrixSetURI": TILE_MATRIX_SET_URI,
            "links": tileset_links(&base, &collection),
        }],
    });
    Ok(typed(StatusCode::OK, JSON, body.to_string()))
}

/// The attributes of a tileset's layer, with their types, as both the OGC
/// tileset (`propertiesSchema`) and TileJSON (`fields`) list them.
fn fields(level: Option<Level>) -> Vec<(String, &'static str, &'static str)> {
    let counts = STATUS_KEYS
        .iter()
        .chain(CATEGORY_KEYS.iter())
        .map(|k| (k.clone(), "integer", "Number"));
    let mut out: Vec<(String, &'static str, &'static str)> = match level {
        None => [
            ("cluster", "boolean", "Boolean"),
            ("point_count", "integer", "Number"),
            ("id", "string", "String"),
            ("category", "string", "String"),
            ("status", "string", "String"),
            ("council", "string", "String"),
            ("parish", "string", "String"),
            ("placement", "string", "String"),
            ("families", "integer", "Number"),
        ]
        .into_iter()
        .map(|(n, t, j)| (n.to_string(), t, j))
        .collect(),
        Some(level) => {
            let mut f: Vec<(String, &'static str, &'static str)> = vec![
                ("code".into(), "string", "String"),
                ("name".into(), "string", "String"),
            ];
            f.extend(
                Level::ALL
                    .into_iter()
                    .filter(|l| *l < level)
                    .map(|l| (l.as_str().to_string(), "string", "String")),
            );
            f.extend(
                ["councils", "priorities", "families"]
                    .map(|n| (n.to_string(), "integer", "Number")),
            );
            f
        }
    };
    out.extend(counts);
    out
}

/// The layer a collection's tiles hold, and its geometry's dimension.
fn layer_name(collection: &str, level: Option<Level>) -> (&str, u8) {
    match level {
        None => (collection, 0),
        Some(l) => (l.collection(), 2),
    }
}

/// `GET /collections/{collection}/tiles/WebMercatorQuad`: the tileset.
pub async fn tileset(
    State(state): State<AppState>,
    Base(base): Base,
    Path((collection, set)): Path<(String, String)>,
    _: Query<FormatOnly>,
) -> Result<Response, ApiError> {
    let level = tiled(&collection)?;
    check_set(&set)?;
    let (layer, dimension) = layer_name(&collection, level);
    let properties: Map<String, Value> = fields(level)
        .into_iter()
        .map(|(name, t, _)| (name, json!({"type": t})))
        .collect();
    let mut links = tileset_links(&base, &collection);
    let mut template = link(
        format!(
            "{base}/collections/{collection}/tiles/{TILE_MATRIX_SET}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"
        ),
        "item",
        MVT,
        Some("a tile"),
    );
    template.templated = Some(true);
    links.push(template);
    let mut body = json!({
        "title": format!("{collection} ({TILE_MATRIX_SET})"),
        "dataType": "vector",
        "crs": MERCATOR,
        "tileMatrixSetURI": TILE_MATRIX_SET_URI,
        "links": links,
        "layers": [{
            "id": layer,
            "dataType": "vector",
            "geometryDimension": dimension,
            "minTileMatrix": "0",
            "maxTileMatrix": MAX_ZOOM.to_string(),
            "propertiesSchema": {"type": "object", "properties": properties},
        }],
    });
    let bbox = spatial_extent(&state.service.index().read(), &collection);
    if let Some([w, s, e, n]) = bbox {
        body["boundingBox"] = json!({
            "lowerLeft": [w, s],
            "upperRight": [e, n],
            "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        });
    }
    Ok(typed(StatusCode::OK, JSON, body.to_string()))
}

/// `GET /collections/{collection}/tiles/WebMercatorQuad/tilejson.json`:
/// TileJSON 3.0.0. The filters given to it are carried into the tile URL
/// template, so a map of `?status=proposed` asks for filtered tiles.
pub async fn tilejson(
    State(state): State<AppState>,
    Base(base): Base,
    Path((collection, set)): Path<(String, String)>,
    params: Query<TileParams>,
) -> Result<Response, ApiError> {
    let level = tiled(&collection)?;
    check_set(&set)?;
    let bbox = {
        let index = state.service.index().read();
        // The filters are checked as a tile would check them.
        super::parse_filter(&params, &index.catalog)?;
        spatial_extent(&index, &collection)
    };
    let query = params.canonical();
    let mut url =
        format!("{base}/collections/{collection}/tiles/{TILE_MATRIX_SET}/{{z}}/{{y}}/{{x}}");
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }
    let (layer, _) = layer_name(&collection, level);
    let fields: Map<String, Value> = fields(level)
        .into_iter()
        .map(|(name, _, kind)| (name, Value::from(kind)))
        .collect();
    let [w, s, e, n] = bbox.unwrap_or([-180.0, -85.051_128_78, 180.0, 85.051_128_78]);
    let body = json!({
        "tilejson": "3.0.0",
        "name": collection,
        "scheme": "xyz",
        "tiles": [url],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": [w, s, e, n],
        "center": [(w + e) / 2.0, (s + n) / 2.0, 5],
        "vector_layers": [{
            "id": layer,
            "fields": fields,
            "minzoom": 0,
            "maxzoom": MAX_ZOOM,
        }],
    });
    Ok(typed(StatusCode::OK, JSON, body.to_string()))
}
