//! `/collections/priorities`: query, read, create, replace, patch, delete and
//! bulk-import priorities.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use uuid::Uuid;

use super::allow;
use super::auth::{Admin, Who};
use super::bodies::{NoteRequest, Transition};
use super::duplicates::with_possible_duplicates;
use super::extract::{
    Base, Endpoint, FormatOnly, IfMatch, JsonBody, NoParams, Paged, PriorityId, Query,
};
use super::ogc;
use super::params::{self, FORMAT, FORMAT_PAGE, IMPORT_TYPES, LIMIT, OFFSET, ParamSpec};
use super::priority_filter::parse_filter;
use super::problem::ApiError;
use super::queryables::extra_properties;
use super::{
    AppState, GEOJSON, JSON, collection_head, etag, feature_collection, link, links_text,
    streamed_collection, typed,
};
use crate::domain::auth::Actor;
use crate::domain::crs::Crs;
use crate::domain::priority::PriorityDraft;
use crate::domain::queryables::PRIORITIES as PRIORITY_QUERYABLES;
use crate::import::InputError;
use crate::representation::append_member;
use crate::service::{QueueOrder, ServiceError, Written};
use serde_json::Value;
use std::sync::Arc;

pub const ITEMS_PATH: &str = "/collections/priorities/items";

/// `category=`'s schema: the categories of [`Category::ALL`] (a unit test
/// holds the two equal).
pub const CATEGORY_SCHEMA: &str = r#"{"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["water", "electricity", "roads", "health", "education", "security", "housing", "environment", "gas", "transport", "telecom", "food", "culture_sport", "other"]}}"#;

/// `status=`'s schema: the statuses of [`Status::ALL`] (a unit test holds
/// the two equal).
pub const STATUS_SCHEMA: &str = r#"{"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["proposed", "approved", "in_progress", "done", "rejected", "duplicate"]}}"#;

/// `bbox=`.
pub const BBOX: ParamSpec = ParamSpec {
    name: "bbox",
    description: "The box features' geometries must intersect, in `bbox-crs`: minLon,minLat,maxLon,maxLat in CRS84 (the default), minLat,minLon,maxLat,maxLon in EPSG:4326, minX,minY,maxX,maxY metres in EPSG:3857.",
    schema: r#"{"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}"#,
    example: r#"[-66.95, 10.45, -66.85, 10.55]"#,
};

/// `datetime=`.
pub const DATETIME: ParamSpec = ParamSpec {
    name: "datetime",
    description: "Creation time: an RFC 3339 instant or date, or an interval start/end with `..` for an open end.",
    schema: r#"{"type": "string"}"#,
    example: r#""2026-01-01T00:00:00Z/..""#,
};

/// `parish=` (its example lists two).
pub const PARISHES: ParamSpec = ParamSpec {
    name: "parish",
    description: "Parish codes (6 digits), comma separated.",
    schema: r#"{"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[0-9]{6}$"}}"#,
    example: r#"["010101", "010102"]"#,
};

/// `council=`.
pub const COUNCIL: ParamSpec = ParamSpec {
    name: "council",
    description: "Council codes, comma separated.",
    schema: r#"{"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,40}$"}}"#,
    example: r#"["CC-010101-01"]"#,
};

/// `category=`.
pub const CATEGORY: ParamSpec = ParamSpec {
    name: "category",
    description: "Categories, comma separated: water, electricity, roads, health, education, security, housing, environment, gas, transport, telecom, food, culture_sport, other.",
    schema: CATEGORY_SCHEMA,
    example: r#"["water", "electricity"]"#,
};

/// `status=`.
pub const STATUS: ParamSpec = ParamSpec {
    name: "status",
    description: "Statuses, comma separated: proposed, approved, in_progress, done, rejected.",
    schema: STATUS_SCHEMA,
    example: r#"["proposed"]"#,
};

/// `point=`.
pub const POINT: ParamSpec = ParamSpec {
    name: "point",
    description: "lon,lat centre of a radius query (needs `radius`, and `radius` needs it); results come nearest first with `distance_m`.",
    schema: r#"{"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number", "minimum": -180, "maximum": 180}}"#,
    example: r#"[-66.9146, 10.5061]"#,
};

/// `radius=`.
pub const RADIUS: ParamSpec = ParamSpec {
    name: "radius",
    description: "Radius in metres around `point`, 0 to 100000: the WGS84 geodesic to the point of each geometry nearest on the sphere, as PostGIS measures `geography` with the spheroid.",
    schema: r#"{"type": "number", "minimum": 0, "maximum": 100000}"#,
    example: r#"1000"#,
};

/// `placement=`.
pub const PLACEMENT: ParamSpec = ParamSpec {
    name: "placement",
    description: "How priorities were placed, comma separated: by_council (no parish boundaries loaded), inside_council_parish, outside_council_parish (located in another parish than its council's: data to review), outside_every_parish.",
    schema: r#"{"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["by_council", "inside_council_parish", "outside_council_parish", "outside_every_parish"]}}"#,
    example: r#"["outside_council_parish"]"#,
};

/// `overdue=`.
pub const OVERDUE: ParamSpec = ParamSpec {
    name: "overdue",
    description: "true: only approved or in-progress priorities whose plan's target date has passed; false: all others.",
    schema: r#"{"type": "boolean"}"#,
    example: r#"true"#,
};

/// `duplicate_of=`.
pub const DUPLICATE_OF: ParamSpec = ParamSpec {
    name: "duplicate_of",
    description: "Priority ids, comma separated: only the priorities marked duplicates of any of them (status duplicate).",
    schema: r#"{"type": "array", "minItems": 1, "items": {"type": "string", "format": "uuid"}}"#,
    example: r#"["0192f0c1-7a3e-7cc1-9d2b-5f0c4e6a1b2c"]"#,
};

/// `has_duplicates=`.
pub const HAS_DUPLICATES: ParamSpec = ParamSpec {
    name: "has_duplicates",
    description: "true: only priorities that others are marked duplicates of; false: all others.",
    schema: r#"{"type": "boolean"}"#,
    example: r#"true"#,
};

/// Every parameter of `GET /collections/priorities/items`.
pub struct Items;
impl Endpoint for Items {
    const PARAMS: &'static [ParamSpec] = priority_filters![
        [BBOX, LIMIT, OFFSET],
        [ogc::SORTBY, ogc::PROPERTIES, ogc::CRS, FORMAT_PAGE]
    ];
}

/// The parameters that select priorities (every items parameter but
/// `bbox`, which endpoints list first, the page, the order and the shape of
/// features), between those an endpoint lists before and after them: the
/// items and `/statistics` take the same filters.
macro_rules! priority_filters {
    ([$($before:expr),*], [$($after:expr),*]) => {
        &[
            $($before,)*
            $crate::http::priorities::DATETIME,
            $crate::http::params::STATE,
            $crate::http::params::MUNICIPALITY,
            $crate::http::priorities::PARISHES,
            $crate::http::priorities::COUNCIL,
            $crate::http::priorities::CATEGORY,
            $crate::http::priorities::STATUS,
            $crate::http::priorities::POINT,
            $crate::http::priorities::RADIUS,
            $crate::http::priorities::PLACEMENT,
            $crate::http::priorities::OVERDUE,
            $crate::http::priorities::DUPLICATE_OF,
            $crate::http::priorities::HAS_DUPLICATES,
            $crate::http::priorities::GEOMETRY_TYPE,
            $crate::http::ogc::FILTER,
            $crate::http::ogc::FILTER_LANG,
            $crate::http::ogc::FILTER_CRS,
            $crate::http::ogc::BBOX_CRS,
            $($after,)*
        ]
    };
}
pub(crate) use priority_filters;

/// `GET /collections/priorities/items/{id}`.
pub struct Item;
impl Endpoint for Item {
    const PARAMS: &'static [ParamSpec] = &[ogc::PROPERTIES, ogc::CRS, FORMAT_PAGE];
}

/// `geometry_type=`.
pub const GEOMETRY_TYPE: ParamSpec = ParamSpec {
    name: "geometry_type",
    description: "Geometry families to return: point (Point, MultiPoint), line (LineString, MultiLineString), polygon (Polygon, MultiPolygon); comma separated. The same as the `geometry_type` queryable in `filter`: one typed layer per family in QGIS.",
    schema: r#"{"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["point", "line", "polygon"]}}"#,
    example: r#"["polygon"]"#,
};

/// The names a priority Feature's `properties` may be narrowed to.
pub fn property_names() -> Vec<&'static str> {
    PRIORITY_QUERYABLES
        .0
        .iter()
        .map(|q| q.name)
        .filter(|n| !matches!(*n, "geometry" | "geometry_type" | "id"))
        .chain(extra_properties("priorities").iter().map(|(n, _)| *n))
        .chain(["placement"])
        .collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            ITEMS_PATH,
            get(list_items)
                .post(create_item)
                .options(allow::items_options),
        )
        .route(
            "/collections/priorities/items/{id}",
            get(get_item)
                .put(replace_item)
                .patch(patch_item)
                .delete(delete_item)
                .options(allow::item_options),
        )
        .route("/collections/priorities/import", post(import))
        .route(
            "/collections/priorities/items/{id}/transitions",
            post(transition),
        )
        .route("/collections/priorities/items/{id}/notes", post(annotate))
        .route("/collections/priorities/items/{id}/history", get(history))
        .route("/review-queue", get(review_queue))
        .route(super::feed::FEED_PATH, get(super::feed::feed))
}

/// Pages of more features than this are streamed rather than assembled.
const STREAM_FROM: usize = 500;

async fn list_items(
    State(state): State<AppState>,
    Base(base): Base,
    Paged { params, page, .. }: Paged<Items>,
) -> Result<Response, ApiError> {
    let body = {
        let index = state.service.index().read();
        let filter = parse_filter(&params, &index.catalog)?;
        let keys = ogc::sortby(&params, &PRIORITY_QUERYABLES)?;
        let reshape = ogc::reshape(&params, &property_names())?;
        let result = index.priorities.query_sorted(&filter, &keys, page);
        if !reshape.is_identity() {
            let features: Vec<(Arc<str>, Option<f64>)> = result
                .items
                .iter()
                .map(|(entry, distance)| (Arc::from(reshape.apply(&entry.feature)), *distance))
                .collect();
            let matched = result.matched;
            drop(index);
            let body = feature_collection(
                &base,
                ITEMS_PATH,
                &params.without_paging(),
                page,
                matched,
                features.iter().map(|(f, d)| (&**f, *d)),
            );
            let mut response = typed(StatusCode::OK, GEOJSON, body);
            response
                .headers_mut()
                .insert(super::CONTENT_CRS, ogc::content_crs(reshape.crs));
            return Ok(response);
        }
        if result.items.len() > STREAM_FROM {
            // A large page is streamed: the lock is released once the page's
            // texts are shared, and the body is written a chunk at a time.
            let head = collection_head(
                &base,
                ITEMS_PATH,
                &params.without_paging(),
                page,
                result.matched,
                result.items.len(),
            );
            let features: Vec<_> = result
                .items
                .iter()
                .map(|(entry, distance)| (entry.feature.clone(), *distance))
                .collect();
            drop(index);
            let mut response = Response::new(streamed_collection(head, features));
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON));
            response
                .headers_mut()
                .insert(super::CONTENT_CRS, ogc::content_crs(Crs::Crs84));
            return Ok(response);
        }
        let features = result
            .items
            .iter()
            .map(|(entry, distance)| (&*entry.feature, *distance));
        feature_collection(
            &base,
            ITEMS_PATH,
            &params.without_paging(),
            page,
            result.matched,
            features,
        )
    };
    Ok(typed(StatusCode::OK, GEOJSON, body))
}

/// A single priority's Feature with its links, `ETag` and media type.
fn feature_response(
    status: StatusCode,
    base: &str,
    id: Uuid,
    version: i64,
    feature: &str,
) -> Response {
    let links = links_text(&[
        link(
            format!("{base}{ITEMS_PATH}/{id}"),
            "self",
            GEOJSON,
            Some("this priority"),
        ),
        link(
            format!("{base}/collections/priorities"),
            "collection",
            JSON,
            Some("priorities"),
        ),
    ]);
    let body = append_member(feature, 1, "links", &links);
    let mut response = typed(status, GEOJSON, body);
    if let Ok(tag) = HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

async fn get_item(
    State(state): State<AppState>,
    Base(base): Base,
    headers: HeaderMap,
    params: Query<Item>,
    PriorityId(id): PriorityId,
) -> Result<Response, ApiError> {
    let reshape = ogc::reshape(&params, &property_names())?;
    let index = state.service.index().read();
    let entry = index
        .priorities
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("no priority with id {id}")))?;
    let current = etag(entry.version);
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == current || t.trim() == "*")
        });
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, current)]).into_response());
    }
    let mut response = feature_response(
        StatusCode::OK,
        &base,
        id,
        entry.version,
        &reshape.apply(&entry.feature),
    );
    response
        .headers_mut()
        .insert(super::CONTENT_CRS, ogc::content_crs(reshape.crs));
    Ok(response)
}

fn written(status: StatusCode, base: &str, w: Written) -> Response {
    let mut response = feature_response(status, base, w.id, w.version, &w.feature);
    if status == StatusCode::CREATED
        && let Ok(location) = HeaderValue::from_str(&format!("{base}{ITEMS_PATH}/{}", w.id))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

async fn create_item(
    State(state): State<AppState>,
    Base(base): Base,
    _: Query<NoParams>,
    Who(who): Who,
    JsonBody(value): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let draft = PriorityDraft::from_feature(&value, "").map_err(ServiceError::from)?;
    let w = state.service.create_priority(&who, draft).await?;
    let feature = with_possible_duplicates(&state.service, w.id, &w.feature)?;
    let w = Written {
        feature: feature.into(),
        ..w
    };
    Ok(written(StatusCode::CREATED, &base, w))
}

async fn replace_item(
    State(state): State<AppState>,
    Base(base): Base,
    _: Query<NoParams>,
    Who(who): Who,
    PriorityId(id): PriorityId,
    IfMatch(if_match): IfMatch,
    JsonBody(value): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let draft = PriorityDraft::from_feature(&value, "").map_err(ServiceError::from)?;
    let w = state
        .service
        .replace_priority(&who, id, if_match.as_deref(), draft)
        .await?;
    Ok(written(StatusCode::OK, &base, w))
}

async fn patch_item(
    State(state): State<AppState>,
    Base(base): Base,
    _: Query<NoParams>,
    Who(who): Who,
    PriorityId(id): PriorityId,
    IfMatch(if_match): IfMatch,
    JsonBody(patch): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let w = state
        .service
        .patch_priority(&who, id, if_match.as_deref(), &patch)
        .await?;
    Ok(written(StatusCode::OK, &base, w))
}

async fn delete_item(
    State(state): State<AppState>,
    _: Query<NoParams>,
    Who(who): Who,
    PriorityId(id): PriorityId,
    IfMatch(if_match): IfMatch,
) -> Result<Response, ApiError> {
    state
        .service
        .delete_priority(&who, id, if_match.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: Query<NoParams>,
    Admin(who): Admin,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes =
        params::read_body(&headers, body, state.config.max_import_bytes, &IMPORT_TYPES).await?;
    let features = crate::import::parse_features(&bytes).map_err(|e| match e {
        InputError::NotJson(detail) => ApiError::malformed_body(detail),
        InputError::WrongDocument(detail) => ApiError::wrong_document("/type", detail),
    })?;
    let mut report = state.service.import(Actor::Caller(&who), features).await?;
    report.possible_duplicates = Some(state.service.imported_duplicates(&report.created_ids));
    let body = serde_json::to_string(&report).map_err(ApiError::internal)?;
    Ok(typed(StatusCode::OK, JSON, body))
}

/// `POST /collections/priorities/items/{id}/transitions`: `{"status": ...,
/// "note": ..., "plan": {...}}`.
async fn transition(
    State(state): State<AppState>,
    Base(base): Base,
    _: Query<NoParams>,
    Who(who): Who,
    PriorityId(id): PriorityId,
    IfMatch(if_match): IfMatch,
    JsonBody(t): JsonBody<Transition>,
) -> Result<Response, ApiError> {
    let w = state
        .service
        .transition(
            &who,
            id,
            if_match.as_deref(),
            crate::service::Move {
                to: t.to,
                plan: t.plan,
                note: t.note,
                duplicate_of: t.duplicate_of,
            },
        )
        .await?;
    Ok(written(StatusCode::OK, &base, w))
}

/// `POST /collections/priorities/items/{id}/notes`: `{"note": ...}`, recorded in history.
async fn annotate(
    State(state): State<AppState>,
    _: Query<NoParams>,
    Who(who): Who,
    PriorityId(id): PriorityId,
    JsonBody(NoteRequest(note)): JsonBody<NoteRequest>,
) -> Result<Response, ApiError> {
    state.service.annotate(&who, id, note).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /collections/priorities/items/{id}/history`.
async fn history(
    State(state): State<AppState>,
    _: Query<FormatOnly>,
    PriorityId(id): PriorityId,
) -> Result<Response, ApiError> {
    let entries = state.service.history(id).await?;
    let body = serde_json::json!({
        "id": id.to_string(),
        "entries": entries.iter().map(|e| e.to_json()).collect::<Vec<_>>(),
    })
    .to_string();
    // Notes change a history without a new change number: tagged by its
    // bytes, not by the change sequence.
    let tag = super::conditional::content_tag(body.as_bytes());
    let mut response = typed(StatusCode::OK, JSON, body);
    response.headers_mut().insert(header::ETAG, tag);
    Ok(response)
}

/// The parameters of `GET /review-queue`.
pub struct Queue;
impl Endpoint for Queue {
    const PARAMS: &'static [ParamSpec] = &[
        ParamSpec {
            name: "order",
            description: "oldest (default): the longest waiting first; rank: highest-ranked on their council's agenda first, then oldest.",
            schema: r#"{"type": "string", "enum": ["oldest", "rank"], "default": "oldest"}"#,
            example: r#""rank""#,
        },
        LIMIT,
        OFFSET,
        FORMAT,
    ];
}

/// `GET /review-queue`: the proposed priorities a cabinet has to review —
/// those located in its territory (every one, for an admin).
async fn review_queue(
    State(state): State<AppState>,
    Base(base): Base,
    Paged { params, page, .. }: Paged<Queue>,
    Who(who): Who,
) -> Result<Response, ApiError> {
    let order = params
        .parsed("order", str::parse::<QueueOrder>)?
        .unwrap_or_default();
    let queue = state.service.review_queue(&who, order, page)?;
    let features = queue
        .ids
        .iter()
        .zip(&queue.features)
        .map(|(id, f)| with_possible_duplicates(&state.service, *id, f))
        .collect::<Result<Vec<_>, _>>()?;
    let body = feature_collection(
        &base,
        "/review-queue",
        &params.without_paging(),
        page,
        queue.matched,
        features.iter().map(|f| (f.as_str(), None)),
    );
    Ok(typed(StatusCode::OK, GEOJSON, body))
}
