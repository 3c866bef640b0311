//! `/collections/councils`: list, read and create communal councils, as
//! Features located where they meet (or with a null geometry).

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use geo::Intersects;
use serde_json::{Value, json};

use super::auth::Who;
use super::bodies::AgendaOrder;
use super::extract::{Base, Endpoint, FormatOnly, JsonBody, NoParams, Paging, Query};
use super::params::{LIMIT, MUNICIPALITY, OFFSET, PARISH, ParamSpec, Params, Path, STATE, within};
use super::problem::ApiError;
use super::{AppState, GEOJSON, created, feature_collection, list_response, typed};

use super::ogc;
use crate::domain::auth::{Actor, Principal};
use crate::domain::codes::{CouncilCode, Level};
use crate::domain::geometry::to_geojson;
use crate::domain::query;
use crate::domain::query::{Bbox, Interval, Page};
use crate::domain::queryables;
use crate::domain::territory::{Commune, Council};
use crate::domain::time::{self, Micros};
use crate::domain::workflow;
use crate::service::ServiceError;
use axum::http::StatusCode;

/// The parameters of `GET /collections/councils/items`.
pub struct Items;
impl Endpoint for Items {
    const PARAMS: &'static [ParamSpec] = ogc::collection_params![@ ogc::DATETIME_REGISTERED; LIMIT, OFFSET, BBOX, STATE, MUNICIPALITY, PARISH, COMMUNE,];
}

/// The parameters of `GET /collections/communes/items`.
pub struct CommuneItems;
impl Endpoint for CommuneItems {
    const PARAMS: &'static [ParamSpec] =
        ogc::collection_params![@ ogc::DATETIME_REGISTERED; LIMIT, OFFSET, COMMUNE_BBOX,];
}

const BBOX: ParamSpec = ParamSpec {
    name: "bbox",
    description: "minLon,minLat,maxLon,maxLat (in `bbox-crs`, CRS84 by default): councils that meet inside the box (edges included); councils without a location never match.",
    schema: r#"{"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}"#,
    example: r#"[-67.1, 10.4, -66.8, 10.6]"#,
};

const COMMUNE_BBOX: ParamSpec = ParamSpec {
    name: "bbox",
    description: "minLon,minLat,maxLon,maxLat (in `bbox-crs`, CRS84 by default): communes with a council that meets inside the box. A commune has no geometry of its own.",
    schema: r#"{"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}"#,
    example: r#"[-67.1, 10.4, -66.8, 10.6]"#,
};

/// Whether `council` meets inside `bbox` (none: every council).
fn meets_inside(council: &Council, bbox: Option<&Bbox>) -> bool {
    bbox.is_none_or(|b| council.location.is_some_and(|p| b.0.intersects(&p)))
}

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

/// `datetime=` as a test of a registration time: without it everything
/// passes; with it, only a known time inside the interval.
fn registered(params: &Params) -> Result<impl Fn(Option<Micros>) -> bool, ApiError> {
    let interval = params.parsed("datetime", |s| s.parse::<Interval>())?;
    Ok(move |t: Option<Micros>| interval.is_none_or(|i| t.is_some_and(|t| i.contains(t))))
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
    props["created_at"] = c.created_at.map(time::format).into();
    json!({"type": "Feature", "id": c.code.as_str(), "geometry": geometry, "properties": props})
        .to_string()
}

async fn list_councils(
    State(state): State<AppState>,
    Base(base): Base,
    params: Query<Items>,
) -> Result<Response, ApiError> {
    let bbox = ogc::bbox(&params)?;
    let registered = registered(&params)?;
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
                    && meets_inside(c, bbox.as_ref())
                    && registered(c.created_at)
            })
            .map(council_feature)
            .collect()
    };
    list_response(
        &base,
        "/collections/councils/items",
        &params,
        &queryables::COUNCILS,
        features,
        crate::domain::query::DEFAULT_LIMIT,
    )
}

async fn get_council(
    State(state): State<AppState>,
    _: Query<FormatOnly>,
    CouncilPath(code): CouncilPath,
) -> Result<Response, ApiError> {
    let index = state.service.index().read();
    let c = index
        .catalog
        .council(&code)
        .ok_or_else(|| no_council(code.as_str()))?;
    Ok(typed(StatusCode::OK, GEOJSON, council_feature(c)))
}

async fn create_council(
    State(state): State<AppState>,
    Base(base): Base,
    _: Query<NoParams>,
    Who(who): Who,
    JsonBody(value): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let council = Council::from_feature(&value).map_err(ServiceError::from)?;
    let path = format!("/collections/councils/items/{}", council.code);
    let stored = state
        .service
        .create_council(Actor::Caller(&who), council)
        .await?;
    Ok(created(&base, path, council_feature(&stored)))
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

/// 404: no council with this code.
fn no_council(code: &str) -> ApiError {
    ApiError::not_found(format!("no council with code {code:?}"))
}

/// The council named by the path's `{code}`; one that cannot be a code
/// names no council (404).
struct CouncilPath(CouncilCode);

impl<S: Send + Sync> FromRequestParts<S> for CouncilPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(code) = Path::<String>::from_request_parts(parts, state).await?;
        code.parse().map(CouncilPath).map_err(|_| no_council(&code))
    }
}

/// A caller who may order the agenda of the council in the path: 401
/// without a token, 404 for no such council code, 403 for another
/// council's spokesperson — all before the body is read.
struct AgendaEditor {
    who: Principal,
    council: CouncilCode,
}

impl FromRequestParts<AppState> for AgendaEditor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Who(who) = Who::from_request_parts(parts, state).await?;
        let CouncilPath(council) = CouncilPath::from_request_parts(parts, state).await?;
        who.role
            .may_order_agenda(&council)
            .map_err(ApiError::forbidden)?;
        Ok(AgendaEditor { who, council })
    }
}

async fn get_agenda(
    State(state): State<AppState>,
    Base(base): Base,
    params: Query<Paging>,
    CouncilPath(council): CouncilPath,
) -> Result<Response, ApiError> {
    let body = agenda_body(&state, &base, &council, params.page()?)?;
    Ok(typed(StatusCode::OK, GEOJSON, body))
}

/// `PUT .../agenda` with `{"order": [id, ...]}`: ranks 1, 2, … in that order.
async fn put_agenda(
    State(state): State<AppState>,
    Base(base): Base,
    _: Query<NoParams>,
    AgendaEditor { who, council }: AgendaEditor,
    JsonBody(AgendaOrder(order)): JsonBody<AgendaOrder>,
) -> Result<Response, ApiError> {
    state.service.order_agenda(&who, &council, &order).await?;
    let body = agenda_body(&state, &base, &council, Page::default())?;
    Ok(typed(StatusCode::OK, GEOJSON, body))
}

async fn patch_council(
    State(state): State<AppState>,
    _: Query<NoParams>,
    Who(who): Who,
    CouncilPath(code): CouncilPath,
    JsonBody(patch): JsonBody<Value>,
) -> Result<Response, ApiError> {
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
           "properties": {"code": c.code.as_str(), "name": c.name, "councils": councils,
                          "created_at": c.created_at.map(time::format)}})
    .to_string()
}

async fn list_communes(
    State(state): State<AppState>,
    Base(base): Base,
    params: Query<CommuneItems>,
) -> Result<Response, ApiError> {
    let bbox = ogc::bbox(&params)?;
    let registered = registered(&params)?;
    let features: Vec<String> = {
        let index = state.service.index().read();
        // The communes with a council inside the box.
        let inside: Option<std::collections::HashSet<&CouncilCode>> = bbox.as_ref().map(|b| {
            index
                .catalog
                .councils(&[])
                .into_iter()
                .filter(|c| meets_inside(c, Some(b)))
                .filter_map(|c| c.commune.as_ref())
                .collect()
        });
        index
            .catalog
            .communes()
            .filter(|c| inside.as_ref().is_none_or(|set| set.contains(&c.code)))
            .filter(|c| registered(c.created_at))
            .map(|c| commune_feature(&index, c))
            .collect()
    };
    list_response(
        &base,
        "/collections/communes/items",
        &params,
        &queryables::COMMUNES,
        features,
        crate::domain::query::DEFAULT_LIMIT,
    )
}

async fn get_commune(
    State(state): State<AppState>,
    Path(code): Path<String>,
    _: Query<FormatOnly>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::not_found(format!("no commune with code {code:?}"));
    let parsed: CouncilCode = code.parse().map_err(|_| not_found())?;
    let index = state.service.index().read();
    let c = index.catalog.commune(&parsed).ok_or_else(not_found)?;
    Ok(typed(StatusCode::OK, GEOJSON, commune_feature(&index, c)))
}

async fn create_commune(
    State(state): State<AppState>,
    Base(base): Base,
    _: Query<NoParams>,
    Who(who): Who,
    JsonBody(value): JsonBody<Value>,
) -> Result<Response, ApiError> {
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
    Ok(created(&base, path, feature))
}
