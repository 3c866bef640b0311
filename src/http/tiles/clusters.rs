//! `GET /collections/priorities/clusters?zoom=&bbox=`: the clusters of the
//! vector tiles as GeoJSON, for clients without vector tiles — every tile
//! of the zoom that meets the box, clustered exactly as its vector tile is.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::super::extract::{Endpoint, Query};
use super::super::params::ParamSpec;
use super::super::priorities::priority_filters;
use super::super::priority_filter::parse_filter;
use super::super::problem::ApiError;
use super::super::{AppState, GEOJSON, ogc, typed};
use crate::tiles::TileId;
use crate::tiles::clustered::{Cluster, clusters_of};
use crate::tiles::grid::MAX_ZOOM;
use crate::tiles::layer::Tag;
use crate::tiles::priorities::{cluster_tags, priority_tags};

/// Most tiles one request may cluster (16 × 16).
const MAX_TILES: u64 = 256;

/// `zoom=`: the zoom whose tiles are clustered.
const ZOOM: ParamSpec = ParamSpec {
    name: "zoom",
    description: "The zoom (0 to 24) whose vector tiles' clusters are returned.",
    schema: r#"{"type": "integer", "minimum": 0, "maximum": 24}"#,
    example: "8",
};
/// `bbox=`: the area, whose tiles are clustered whole.
const AREA: ParamSpec = ParamSpec {
    name: "bbox",
    description: "minLon,minLat,maxLon,maxLat: every tile of `zoom` meeting the box is clustered whole (at most 256 tiles). Required.",
    schema: r#"{"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}"#,
    example: "[-67.1, 10.3, -66.7, 10.6]",
};

/// The endpoint's parameters: `zoom`, `bbox` and the items' filters.
pub struct Clusters;
impl Endpoint for Clusters {
    const PARAMS: &'static [ParamSpec] = priority_filters![[ZOOM, AREA], []];
}

/// Attributes as GeoJSON properties.
fn properties(tags: &[(&str, Tag<'_>)]) -> Map<String, Value> {
    tags.iter()
        .map(|(k, v)| {
            let value = match v {
                Tag::Str(s) => json!(s),
                Tag::UInt(n) => json!(n),
                Tag::Bool(b) => json!(b),
            };
            (k.to_string(), value)
        })
        .collect()
}

/// `GET /collections/priorities/clusters`.
pub async fn clusters(
    State(state): State<AppState>,
    params: Query<Clusters>,
) -> Result<Response, ApiError> {
    let zoom = params
        .parsed("zoom", |s| match s.parse::<u8>() {
            Ok(z) if z <= MAX_ZOOM => Ok(z),
            _ => Err(format!(
                "zoom is a whole number from 0 to {MAX_ZOOM}; got {s:?}"
            )),
        })?
        .ok_or_else(|| ApiError::parameter("zoom", "zoom is required"))?;
    let area =
        ogc::bbox(&params)?.ok_or_else(|| ApiError::parameter("bbox", "bbox is required"))?;
    let (min, max) = (area.0.min(), area.0.max());
    // The tiles at the box's north-west and south-east corners.
    let (first, last) = (
        TileId::containing(min.x, max.y, zoom),
        TileId::containing(max.x, min.y, zoom),
    );
    let (cols, rows) = (first.x..=last.x, first.y..=last.y);
    let tiles = u64::from(cols.end() - cols.start() + 1) * u64::from(rows.end() - rows.start() + 1);
    if tiles > MAX_TILES {
        return Err(ApiError::parameter(
            "bbox",
            format!(
                "the box meets {tiles} tiles at zoom {zoom}; at most {MAX_TILES}: narrow it or zoom out"
            ),
        ));
    }
    let index = state.service.index().read();
    let mut filter = parse_filter(&params, &index.catalog)?;
    // The box chooses tiles; it does not filter their priorities.
    filter.bbox = None;
    let mut features = Vec::new();
    let mut matched: u64 = 0;
    for y in rows {
        for x in cols.clone() {
            let Ok(tile) = TileId::new(u32::from(zoom), y, x) else {
                continue;
            };
            let projector = tile.projector();
            for cluster in clusters_of(&index.priorities, &filter, tile) {
                let (xy, props) = match &cluster {
                    Cluster::One { entry, xy } => {
                        let parish = entry.parish.to_string();
                        let mut p = properties(&priority_tags(entry, &parish));
                        p.insert("point_count".into(), json!(1));
                        (*xy, p)
                    }
                    Cluster::Many(cell) => (cell.position(), properties(&cluster_tags(cell))),
                };
                matched += props["point_count"].as_u64().unwrap_or(0);
                let (lon, lat) = projector.unproject(xy.0, xy.1);
                let round = |v: f64| (v * 1e7).round() / 1e7;
                features.push(json!({
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(lon), round(lat)]},
                    "properties": props,
                }));
            }
        }
    }
    let body = json!({
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": features.len(),
        "features": features,
    });
    Ok(typed(StatusCode::OK, GEOJSON, body.to_string()))
}
