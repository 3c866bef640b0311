//! `/collections/{states,municipalities,parishes,councils}`: list, read and
//! create territories and councils. They are Features too (territories with
//! a null geometry, councils with their location), so map clients read them
//! like any other collection.

use std::borrow::Cow;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::params::{self, FORMAT, JSON_TYPES, LIMIT, OFFSET, ParamSpec, Params};
use super::problem::ApiError;
use super::{AppState, GEOJSON, base_url, feature_collection, typed};
use crate::domain::codes::{Level, TerritoryCode};
use crate::domain::geometry::to_geojson;
use crate::domain::query;
use crate::domain::territory::{Council, Territory};
use crate::index::Catalog;
use crate::service::ServiceError;

const STATE: ParamSpec = ParamSpec {
    name: "state",
    description: "State codes (2 digits), comma separated.",
    schema: "string",
    example: "01",
};
const MUNICIPALITY: ParamSpec = ParamSpec {
    name: "municipality",
    description: "Municipality codes (4 digits), comma separated.",
    schema: "string",
    example: "0101",
};
const PARISH: ParamSpec = ParamSpec {
    name: "parish",
    description: "Parish codes (6 digits), comma separated.",
    schema: "string",
    example: "010101",
};

/// The parameters of each catalog collection's items endpoint.
pub fn item_params(collection: &str) -> &'static [ParamSpec] {
    match collection {
        "states" => &[LIMIT, OFFSET, FORMAT],
        "municipalities" => &[LIMIT, OFFSET, STATE, FORMAT],
        "parishes" => &[LIMIT, OFFSET, STATE, MUNICIPALITY, FORMAT],
        _ => &[LIMIT, OFFSET, STATE, MUNICIPALITY, PARISH, FORMAT],
    }
}

pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for level in Level::ALL {
        let items = format!("/collections/{}/items", level.collection());
        router = router
            .route(
                &items,
                get(move |s, h, q| list_territories(level, s, h, q))
                    .post(move |s, h, q, b| create_territory(level, s, h, q, b)),
            )
            .route(
                &format!("{items}/{{code}}"),
                get(move |s, h, p, q| get_territory(level, s, h, p, q)),
            );
    }
    router
        .route(
            "/collections/councils/items",
            get(list_councils).post(create_council),
        )
        .route("/collections/councils/items/{code}", get(get_council))
}

/// The `state`, `municipality` and `parish` parameters present: one list per
/// parameter, any code of a list matching (OR), every list holding (AND).
/// Codes that name no territory are refused, as on the priorities endpoint.
fn within(params: &Params, catalog: &Catalog) -> Result<Vec<Vec<TerritoryCode>>, ApiError> {
    let mut lists = Vec::new();
    for level in Level::ALL {
        let name = level.as_str();
        if let Some(codes) = params.parsed(name, |s| query::parse_codes(s, level))? {
            if let Some(unknown) = codes.iter().find(|c| catalog.territory(**c).is_none()) {
                return Err(ApiError::parameter(
                    name,
                    format!("unknown {name} {unknown}"),
                ));
            }
            lists.push(codes);
        }
    }
    Ok(lists)
}

fn territory_feature(t: &Territory) -> String {
    let mut props = json!({"code": t.code.to_string(), "name": t.name});
    for level in Level::ALL.into_iter().filter(|l| *l < t.code.level()) {
        if let Some(ancestor) = t.code.at_level(level) {
            props[level.as_str()] = ancestor.to_string().into();
        }
    }
    json!({"type": "Feature", "id": t.code.to_string(), "geometry": null, "properties": props})
        .to_string()
}

fn council_feature(c: &Council) -> String {
    let geometry: Value = c
        .location
        .map(|p| serde_json::from_str(&to_geojson(&geo::Geometry::Point(p))).unwrap_or(Value::Null))
        .unwrap_or(Value::Null);
    let mut props = json!({"code": c.code.as_str(), "name": c.name});
    for level in Level::ALL {
        if let Some(code) = c.parish.at_level(level) {
            props[level.as_str()] = code.to_string().into();
        }
    }
    json!({"type": "Feature", "id": c.code.as_str(), "geometry": geometry, "properties": props})
        .to_string()
}

fn list_response(
    base: &str,
    path: &str,
    params: &Params,
    features: Vec<String>,
) -> Result<Response, ApiError> {
    let page = params.page()?;
    let matched = features.len();
    let page_items: Vec<Cow<str>> = features
        .into_iter()
        .skip(page.offset)
        .take(page.limit)
        .map(Cow::Owned)
        .collect();
    let body = feature_collection(
        base,
        path,
        &params.without_paging(),
        page,
        matched,
        page_items.into_iter(),
    );
    Ok(typed(StatusCode::OK, GEOJSON, body))
}

async fn list_territories(
    level: Level,
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), item_params(level.collection()))?;
    let features: Vec<String> = {
        let index = state.service.index().read();
        let within = within(&params, &index.catalog)?;
        index
            .catalog
            .territories(level, &within)
            .into_iter()
            .map(territory_feature)
            .collect()
    };
    let path = format!("/collections/{}/items", level.collection());
    list_response(&base_url(&state.config, &headers), &path, &params, features)
}

async fn get_territory(
    level: Level,
    State(state): State<AppState>,
    _headers: HeaderMap,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(q.as_deref(), &[FORMAT])?;
    let not_found = || ApiError::not_found(format!("no {} with code {code:?}", level.as_str()));
    let code = TerritoryCode::parse(level, &code).map_err(|_| not_found())?;
    let index = state.service.index().read();
    let t = index.catalog.territory(code).ok_or_else(not_found)?;
    Ok(typed(StatusCode::OK, GEOJSON, territory_feature(t)))
}

fn created(base: &str, path: String, feature: String) -> Response {
    let mut response = typed(StatusCode::CREATED, GEOJSON, feature);
    if let Ok(location) = HeaderValue::from_str(&format!("{base}{path}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

async fn read_json(state: &AppState, headers: &HeaderMap, body: Body) -> Result<Value, ApiError> {
    let bytes = params::read_body(headers, body, state.config.max_body_bytes, &JSON_TYPES).await?;
    params::parse_json(&bytes)
}

async fn create_territory(
    level: Level,
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    Params::parse(q.as_deref(), &[])?;
    let value = read_json(&state, &headers, body).await?;
    let territory = Territory::from_feature(&value, level).map_err(ServiceError::from)?;
    let feature = territory_feature(&territory);
    let path = format!(
        "/collections/{}/items/{}",
        level.collection(),
        territory.code
    );
    state.service.create_territory(territory).await?;
    Ok(created(&base_url(&state.config, &headers), path, feature))
}

async fn list_councils(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), item_params("councils"))?;
    let features: Vec<String> = {
        let index = state.service.index().read();
        let within = within(&params, &index.catalog)?;
        index
            .catalog
            .councils(&within)
            .into_iter()
            .map(council_feature)
            .collect()
    };
    list_response(
        &base_url(&state.config, &headers),
        "/collections/councils/items",
        &params,
        features,
    )
}

async fn get_council(
    State(state): State<AppState>,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(q.as_deref(), &[FORMAT])?;
    let not_found = || ApiError::not_found(format!("no council with code {code:?}"));
    let parsed = code.parse().map_err(|_| not_found())?;
    let index = state.service.index().read();
    let c = index.catalog.council(&parsed).ok_or_else(not_found)?;
    Ok(typed(StatusCode::OK, GEOJSON, council_feature(c)))
}

async fn create_council(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    Params::parse(q.as_deref(), &[])?;
    let value = read_json(&state, &headers, body).await?;
    let council = Council::from_feature(&value).map_err(ServiceError::from)?;
    let feature = council_feature(&council);
    let path = format!("/collections/councils/items/{}", council.code);
    state.service.create_council(council).await?;
    Ok(created(&base_url(&state.config, &headers), path, feature))
}
