//! The discovery documents of OGC API – Features: landing page, conformance,
//! OpenAPI definition, and collection descriptions.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::extract::{Base, FormatOnly, Query};
use super::params::Path;
use super::problem::ApiError;
use super::{AppState, GEOJSON, JSON, link, typed};
use crate::domain::time;

/// The OpenAPI 3.0 media type.
pub const OPENAPI_JSON: &str = "application/vnd.oai.openapi+json;version=3.0";

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// Conformance classes this service implements.
pub const CONFORMANCE: [&str; 6] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
];

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
}

async fn landing(Base(base): Base, _: Query<FormatOnly>) -> Result<Response, ApiError> {
    let body = json!({
        "title": "prioridades",
        "description": "Geolocated priorities of Venezuela's communal councils, served as GeoJSON through OGC API – Features.",
        "links": [
            link(format!("{base}/"), "self", JSON, Some("this document")),
            link(format!("{base}/api"), "service-desc", OPENAPI_JSON, Some("the API definition")),
            link(format!("{base}/conformance"), "conformance", JSON, Some("conformance classes implemented")),
            link(format!("{base}/collections"), "data", JSON, Some("the collections")),
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

async fn conformance(_: Query<FormatOnly>) -> Result<Response, ApiError> {
    Ok(typed(
        StatusCode::OK,
        JSON,
        json!({ "conformsTo": CONFORMANCE }).to_string(),
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
        "crs": [CRS84],
        "links": [
            link(format!("{base}/collections/{id}"), "self", JSON, Some(title)),
            link(format!("{base}/collections/{id}/items"), "items", GEOJSON, Some(title)),
        ],
    });
    if id == "priorities" {
        let index = state.service.index().read();
        let mut extent = json!({});
        if let Some(bbox) = index.priorities.extent() {
            extent["spatial"] = json!({"bbox": [bbox], "crs": CRS84});
        }
        if let Some((first, last)) = index.priorities.time_extent() {
            extent["temporal"] = json!({
                "interval": [[time::format(first), time::format(last)]],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            });
        }
        c["extent"] = extent;
    }
    c
}

async fn collections(
    State(state): State<AppState>,
    Base(base): Base,
    _: Query<FormatOnly>,
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
    _: Query<FormatOnly>,
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
