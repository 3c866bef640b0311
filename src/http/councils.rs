//! `/collections/councils`: list, read and create communal councils, as
//! Features located where they meet (or with a null geometry).

use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::auth::Caller;
use super::params::{
    FORMAT, LIMIT, MUNICIPALITY, OFFSET, PARISH, ParamSpec, Params, Path, STATE, within,
};
use super::problem::ApiError;
use super::{
    AppState, GEOJSON, base_url, created, feature_collection, list_response, read_json, typed,
};

use crate::domain::FieldError;
use crate::domain::auth::Actor;
use crate::domain::codes::{CouncilCode, Level};
use crate::domain::geometry::to_geojson;
use crate::domain::query;
use crate::domain::query::Page;
use crate::domain::territory::{Commune, Council};
use crate::domain::workflow;
use crate::service::ServiceError;
use axum::http::StatusCode;

/// The parameters of `GET /collections/councils/items`.
pub const ITEM_PARAMS: &[ParamSpec] =
    &[LIMIT, OFFSET, STATE, MUNICIPALITY, PARISH, COMMUNE, FORMAT];

const COMMUNE: ParamSpec = ParamSpec {
    name: "commune",
    description: "Commune codes, comma separated.",
    schema: r#"{"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,40}$"}}"#,
    example: r#"["COM-0101-01"]"#,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/collections/councils/items",
            get(list_councils).post(create_council),
        )
        .route(
            "/collections/councils/items/{code}",
            get(get_council).patch(patch_council),
        )
        .route(
            "/collections/communes/items",
            get(list_communes).post(create_commune),
        )
        .route("/collections/communes/items/{code}", get(get_commune))
        .route(
            "/collections/councils/items/{code}/agenda",
            get(get_agenda).put(put_agenda),
        )
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
    props["commune"] = c.commune.as_ref().map(|m| m.to_string()).into();
    props["spokespeople"] = c.spokespeople.into();
    json!({"type": "Feature", "id": c.code.as_str(), "geometry": geometry, "properties": props})
        .to_string()
}

async fn list_councils(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), ITEM_PARAMS)?;
    let features: Vec<String> = {
        let index = state.service.index().read();
        let within = within(&params, &index.catalog)?;
        let communes: Option<Vec<CouncilCode>> =
            params.parsed("commune", |s| query::parse_list(s, |c| c.parse()))?;
        if let Some(unknown) = communes
            .iter()
            .flatten()
            .find(|c| index.catalog.commune(c).is_none())
        {
            return Err(ApiError::parameter(
                "commune",
                format!("unknown commune {unknown}"),
            ));
        }
        index
            .catalog
            .councils(&within)
            .into_iter()
            .filter(|c| {
                communes
                    .as_ref()
                    .is_none_or(|list| c.commune.as_ref().is_some_and(|m| list.contains(m)))
            })
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
    caller: Caller,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    Params::parse(q.as_deref(), &[])?;
    let who = caller.required()?;
    let value = read_json(&state, &headers, body).await?;
    let council = Council::from_feature(&value).map_err(ServiceError::from)?;
    let feature = council_feature(&council);
    let path = format!("/collections/councils/items/{}", council.code);
    state
        .service
        .create_council(Actor::Caller(&who), council)
        .await?;
    Ok(created(&base_url(&state.config, &headers), path, feature))
}

/// A council's agenda: its open priorities, ranked ones first by rank, then
/// the unranked by creation.
fn agenda_body(
    state: &AppState,
    base: &str,
    council: &CouncilCode,
    page: Page,
) -> Result<String, ApiError> {
    let index = state.service.index().read();
    if index.catalog.council(council).is_none() {
        return Err(ApiError::not_found(format!(
            "no council with code {council}"
        )));
    }
    let mut open: Vec<&crate::index::Entry> = index
        .priorities
        .of_council(council)
        .filter(|e| workflow::is_open(e.status))
        .collect();
    open.sort_by_key(|e| (e.rank.is_none(), e.rank, e.pk));
    let path = format!("/collections/councils/items/{council}/agenda");
    let features = open
        .iter()
        .skip(page.offset)
        .take(page.limit)
        .map(|e| (&*e.feature, None))
        .collect::<Vec<_>>();
    Ok(feature_collection(
        base,
        &path,
        &[],
        page,
        open.len(),
        features.into_iter(),
    ))
}

/// A council code from a path; one that cannot be a code names no council.
fn council_code(code: &str) -> Result<CouncilCode, ApiError> {
    code.parse()
        .map_err(|_| ApiError::not_found(format!("no council with code {code:?}")))
}

async fn get_agenda(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), &[LIMIT, OFFSET, FORMAT])?;
    let council = council_code(&code)?;
    let body = agenda_body(
        &state,
        &base_url(&state.config, &headers),
        &council,
        params.page()?,
    )?;
    Ok(typed(StatusCode::OK, GEOJSON, body))
}

/// `PUT .../agenda` with `{"order": [id, ...]}`: ranks 1, 2, … in that order.
async fn put_agenda(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    Params::parse(q.as_deref(), &[])?;
    let who = caller.required()?;
    let council = council_code(&code)?;
    who.role
        .may_order_agenda(&council)
        .map_err(ApiError::forbidden)?;
    let value = read_json(&state, &headers, body).await?;
    let list = value
        .get("order")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ApiError::invalid_field(FieldError::new(
                "/order",
                "required: the ids of the agenda, first rank first",
            ))
        })?;
    let order = list
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_str()
                .and_then(|s| uuid::Uuid::parse_str(s).ok())
                .ok_or_else(|| {
                    ApiError::invalid_field(FieldError::new(
                        format!("/order/{i}"),
                        "must be a priority id (UUID)",
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    state.service.order_agenda(&who, &council, &order).await?;
    let body = agenda_body(
        &state,
        &base_url(&state.config, &headers),
        &council,
        Page::default(),
    )?;
    Ok(typed(StatusCode::OK, GEOJSON, body))
}

async fn patch_council(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    Params::parse(q.as_deref(), &[])?;
    let who = caller.required()?;
    let code = council_code(&code)?;
    let patch = read_json(&state, &headers, body).await?;
    let council = state
        .service
        .update_council(Actor::Caller(&who), &code, &patch)
        .await?;
    Ok(typed(StatusCode::OK, GEOJSON, council_feature(&council)))
}

/// A commune as a Feature: null geometry, its code, name and councils count.
fn commune_feature(index: &crate::index::Index, c: &Commune) -> String {
    let councils = index
        .catalog
        .councils(&[])
        .into_iter()
        .filter(|k| k.commune.as_ref() == Some(&c.code))
        .count();
    json!({"type": "Feature", "id": c.code.as_str(), "geometry": null,
           "properties": {"code": c.code.as_str(), "name": c.name, "councils": councils}})
    .to_string()
}

async fn list_communes(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), &[LIMIT, OFFSET, FORMAT])?;
    let features: Vec<String> = {
        let index = state.service.index().read();
        index
            .catalog
            .communes()
            .map(|c| commune_feature(&index, c))
            .collect()
    };
    list_response(
        &base_url(&state.config, &headers),
        "/collections/communes/items",
        &params,
        features,
    )
}

async fn get_commune(
    State(state): State<AppState>,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(q.as_deref(), &[FORMAT])?;
    let not_found = || ApiError::not_found(format!("no commune with code {code:?}"));
    let parsed: CouncilCode = code.parse().map_err(|_| not_found())?;
    let index = state.service.index().read();
    let c = index.catalog.commune(&parsed).ok_or_else(not_found)?;
    Ok(typed(StatusCode::OK, GEOJSON, commune_feature(&index, c)))
}

async fn create_commune(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    Params::parse(q.as_deref(), &[])?;
    let who = caller.required()?;
    let value = read_json(&state, &headers, body).await?;
    let commune = Commune::from_feature(&value).map_err(ServiceError::from)?;
    let path = format!("/collections/communes/items/{}", commune.code);
    let code = commune.code.clone();
    state
        .service
        .create_commune(Actor::Caller(&who), commune)
        .await?;
    let feature = {
        let index = state.service.index().read();
        let c = index
            .catalog
            .commune(&code)
            .ok_or_else(|| ApiError::internal("created commune missing"))?;
        commune_feature(&index, c)
    };
    Ok(created(&base_url(&state.config, &headers), path, feature))
}
