//! The discovery documents of OGC API – Features: landing page, conformance,
//! OpenAPI definition, and collection descriptions.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::extract::{Base, FormatOnly, HtmlOrJson, Query};
use super::params::Path;
use super::problem::ApiError;
use super::queryables::{SCHEMA_JSON, document};
use super::{AppState, GEOJSON, JSON, link, typed};
use crate::domain::codes::Level;
use crate::domain::cql::Queryables;
use crate::domain::crs::Crs;
use crate::domain::queryables;
use crate::domain::time;
use crate::index::Index;
use geo::{BoundingRect, Rect};

/// The OpenAPI 3.0 media type.
pub const OPENAPI_JSON: &str = "application/vnd.oai.openapi+json;version=3.0";

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// Conformance classes this service implements.
pub const CONFORMANCE: [&str; 19] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/arithmetic",
];

/// Conformance classes of Part 4 (writes), after the reading ones.
/// OGC API – Tiles 1.0 and the tile matrix set standard: tiles of the
/// priorities and of each territory level, as Mapbox Vector Tiles.
pub const CONFORMANCE_TILES: [&str; 7] = [
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
];
pub const CONFORMANCE_WRITES: [&str; 2] = [
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
];

/// The queryables of collection `id`.
pub fn queryables_of(id: &str) -> Option<&'static Queryables> {
    Some(match id {
        "priorities" => &queryables::PRIORITIES,
        "councils" => &queryables::COUNCILS,
        "communes" => &queryables::COMMUNES,
        "states" => queryables::territories(Level::State),
        "municipalities" => queryables::territories(Level::Municipality),
        "parishes" => queryables::territories(Level::Parish),
        _ => return None,
    })
}

/// The collections served, with their titles and descriptions.
pub const COLLECTIONS: [(&str, &str, &str); 6] = [
    (
        "priorities",
        "Priorities of the communal councils",
        "Collective priorities defined by communal councils in their action agendas (Agendas Concretas de Acción), each located by a point, line or area.",
    ),
    (
        "councils",
        "Communal councils",
        "Consejos comunales, with the parish they belong to and where they meet.",
    ),
    (
        "communes",
        "Communes",
        "Comunas: councils grouped to plan together.",
    ),
    ("states", "States", "Estados, with 2-digit INE-style codes."),
    (
        "municipalities",
        "Municipalities",
        "Municipios, with 4-digit INE-style codes prefixed by their state's.",
    ),
    (
        "parishes",
        "Parishes",
        "Parroquias, with 6-digit INE-style codes prefixed by their municipality's.",
    ),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/conformance", get(conformance))
        .route("/api", get(api))
        .route("/collections", get(collections))
        .route("/collections/{collection}", get(collection))
        .route(
            "/collections/{collection}/queryables",
            get(schema_resource::<false>),
        )
        .route(
            "/collections/{collection}/schema",
            get(schema_resource::<true>),
        )
}

async fn landing(Base(base): Base, _: Query<HtmlOrJson>) -> Result<Response, ApiError> {
    let body = json!({
        "title": "prioridades",
        "description": "Geolocated priorities of Venezuela's communal councils, served as GeoJSON through OGC API – Features.",
        "links": [
            link(format!("{base}/"), "self", JSON, Some("this document")),
            link(format!("{base}/api"), "service-desc", OPENAPI_JSON, Some("the API definition")),
            link(format!("{base}/conformance"), "conformance", JSON, Some("conformance classes implemented")),
            link(format!("{base}/collections"), "data", JSON, Some("the collections")),
            link(
                format!("{base}/tileMatrixSets"),
                "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
                JSON,
                Some("the tile matrix sets of the vector tiles")
            ),
            link(
                format!("{base}/statistics"),
                "related",
                JSON,
                Some("priority counts by territory (JSON or CSV)")
            ),
        ]
    });
    Ok(typed(StatusCode::OK, JSON, body.to_string()))
}

async fn conformance(_: Query<HtmlOrJson>) -> Result<Response, ApiError> {
    Ok(typed(
        StatusCode::OK,
        JSON,
        json!({ "conformsTo": CONFORMANCE.iter().chain(&CONFORMANCE_TILES).chain(&CONFORMANCE_WRITES).collect::<Vec<_>>() })
            .to_string(),
    ))
}

async fn api(Base(base): Base, _: Query<FormatOnly>) -> Result<Response, ApiError> {
    let doc = super::openapi::document(&base);
    Ok(typed(StatusCode::OK, OPENAPI_JSON, doc.to_string()))
}

/// The description of one collection, with its extent.
fn describe(state: &AppState, base: &str, id: &str, title: &str, description: &str) -> Value {
    let mut c = json!({
        "id": id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": Crs::ALL.map(Crs::uri),
        "storageCrs": CRS84,
        "links": [
            link(format!("{base}/collections/{id}"), "self", JSON, Some(title)),
            link(format!("{base}/collections/{id}/items"), "items", GEOJSON, Some(title)),
            link(
                format!("{base}/collections/{id}/queryables"),
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                SCHEMA_JSON,
                Some("the properties a filter and sortby may name")
            ),
            // The draft's spelling, which GDAL 3.6 follows to the queryables.
            link(format!("{base}/collections/{id}/queryables"), "queryables", JSON, Some("its queryables")),
            link(format!("{base}/collections/{id}/schema"), "describedby", SCHEMA_JSON, Some("the schema of its features")),
            // GDAL 3.6 looks for this spelling only.
            link(format!("{base}/collections/{id}/schema"), "describedBy", SCHEMA_JSON, Some("the schema of its features")),
        ],
    });
    if super::tiles::TILED.iter().any(|(c, _)| *c == id)
        && let Some(links) = c["links"].as_array_mut()
    {
        let tiles = link(
            format!("{base}/collections/{id}/tiles"),
            "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
            JSON,
            Some("its vector tilesets"),
        );
        links.push(serde_json::to_value(tiles).unwrap_or_default());
    }
    let index = state.service.index().read();
    let mut extent = json!({});
    if let Some(bbox) = spatial_extent(&index, id) {
        extent["spatial"] = json!({"bbox": [bbox], "crs": CRS84});
    }
    let times = match id {
        "priorities" => index.priorities.time_extent(),
        "councils" => span(index.catalog.councils(&[]).iter().map(|c| c.created_at)),
        "communes" => span(index.catalog.communes().map(|c| c.created_at)),
        _ => None,
    };
    if let Some((first, last)) = times {
        extent["temporal"] = json!({
            "interval": [[time::format(first), time::format(last)]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        });
    }
    // An empty collection has no extent, rather than an empty one.
    if extent.as_object().is_some_and(|e| !e.is_empty()) {
        c["extent"] = extent;
    }
    c
}

/// The earliest and latest of the known times.
fn span(times: impl Iterator<Item = Option<time::Micros>>) -> Option<(time::Micros, time::Micros)> {
    times.flatten().fold(None, |span, t| {
        Some(span.map_or((t, t), |(a, b): (i64, i64)| (a.min(t), b.max(t))))
    })
}

async fn collections(
    State(state): State<AppState>,
    Base(base): Base,
    _: Query<HtmlOrJson>,
) -> Result<Response, ApiError> {
    let list: Vec<Value> = COLLECTIONS
        .iter()
        .map(|(id, title, description)| describe(&state, &base, id, title, description))
        .collect();
    let body = json!({
        "links": [link(format!("{base}/collections"), "self", JSON, Some("the collections"))],
        "collections": list,
    });
    Ok(typed(StatusCode::OK, JSON, body.to_string()))
}

async fn collection(
    State(state): State<AppState>,
    Base(base): Base,
    Path(id): Path<String>,
    _: Query<HtmlOrJson>,
) -> Result<Response, ApiError> {
    let (id, title, description) = COLLECTIONS
        .iter()
        .find(|(c, _, _)| *c == id)
        .ok_or_else(|| ApiError::not_found(format!("no collection {id:?}")))?;
    Ok(typed(
        StatusCode::OK,
        JSON,
        describe(&state, &base, id, title, description).to_string(),
    ))
}

/// The box around a collection's features, `[minLon, minLat, maxLon, maxLat]`:
/// the priorities', the territories' boundaries, the councils' meeting
/// places (a commune's are its councils'). Computed from the index, so
/// every write and import is reflected at once.
pub(super) fn spatial_extent(index: &Index, id: &str) -> Option<[f64; 4]> {
    let level = match id {
        "priorities" => return index.priorities.extent(),
        "councils" | "communes" => {
            let points = index
                .catalog
                .councils(&[])
                .into_iter()
                .filter(|c| id == "councils" || c.commune.is_some())
                .filter_map(|c| c.location);
            return hull(points.map(|p| Rect::new(p.0, p.0)));
        }
        "states" => Level::State,
        "municipalities" => Level::Municipality,
        _ => Level::Parish,
    };
    let boxes = index
        .catalog
        .territories(level, &[])
        .into_iter()
        .filter_map(|t| t.boundary.as_ref()?.bounding_rect());
    hull(boxes)
}

/// The smallest box holding every box of `boxes`.
fn hull(boxes: impl Iterator<Item = Rect<f64>>) -> Option<[f64; 4]> {
    boxes
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        .reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        })
}

/// The collection named in the path, with its title, or 404.
fn named(id: &str) -> Result<(&'static str, &'static Queryables), ApiError> {
    let (_, title, _) = COLLECTIONS
        .iter()
        .find(|(c, _, _)| *c == id)
        .ok_or_else(|| ApiError::not_found(format!("no collection {id:?}")))?;
    let q =
        queryables_of(id).ok_or_else(|| ApiError::not_found(format!("no collection {id:?}")))?;
    Ok((title, q))
}

/// The media type a schema document is served as: `application/schema+json`,
/// or `application/json` to a client that accepts only that (GDAL 3.6
/// refuses the queryables otherwise).
fn schema_media_type(headers: &HeaderMap) -> &'static str {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.contains(JSON) && !accept.contains(SCHEMA_JSON) && !accept.contains("*/*") {
        JSON
    } else {
        SCHEMA_JSON
    }
}

/// `/collections/{id}/queryables` (`SCHEMA` false) or
/// `/collections/{id}/schema` (`SCHEMA` true).
async fn schema_resource<const SCHEMA: bool>(
    Base(base): Base,
    headers: HeaderMap,
    _: Query<FormatOnly>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (title, q) = named(&id)?;
    let resource = if SCHEMA { "schema" } else { "queryables" };
    let url = format!("{base}/collections/{id}/{resource}");
    let doc = document(q, &id, title, &url, SCHEMA);
    Ok(typed(
        StatusCode::OK,
        schema_media_type(&headers),
        doc.to_string(),
    ))
}
