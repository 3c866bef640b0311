//! `/webhooks`: an admin registers a receiver's URL with a filter (the
//! items endpoint's query parameters) and reads each hook's delivery log.
//! The dispatcher (`service::webhooks`) does the delivering.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::auth::Admin;
use super::bodies::typed_body;
use super::extract::{Base, Endpoint, FormatOnly, FromBody, JsonBody, NoParams, Paging, Query};
use super::params::{ParamSpec, Params, Path};
use super::priorities::{BBOX, priority_filters};
use super::priority_filter::parse_filter;
use super::problem::ApiError;
use super::{AppState, JSON, typed};
use crate::domain::FieldError;
use crate::domain::auth::Actor;
use crate::domain::query::PriorityFilter;
use crate::domain::time;
use crate::domain::webhook::{Delivery, DeliveryStatus, Webhook, check_url};
use crate::index::Catalog;
use crate::service::FilterParser;

/// The parameters a hook's `filter` may hold: the items endpoint's
/// filters (not its paging, order or output options).
pub struct HookFilter;
impl Endpoint for HookFilter {
    const PARAMS: &'static [ParamSpec] = priority_filters![[BBOX], []];
}

/// Reads a hook's filter exactly as the items endpoint reads its query
/// string (a leading `?` is allowed; `""` selects every priority).
pub fn parse_hook_filter(filter: &str, catalog: &Catalog) -> Result<PriorityFilter, ApiError> {
    let query = filter.strip_prefix('?').unwrap_or(filter);
    let params = Params::parse(Some(query), HookFilter::PARAMS)?;
    parse_filter(&params, catalog)
}

/// [`parse_hook_filter`] as the dispatcher takes it.
pub fn filter_parser() -> FilterParser {
    Arc::new(|filter, catalog| parse_hook_filter(filter, catalog).map_err(|e| e.detail().into()))
}

/// The routes of `/webhooks`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks", get(list).post(create))
        .route("/webhooks/{id}", get(get_one).delete(delete))
        .route("/webhooks/{id}/deliveries", get(deliveries))
}

/// `POST /webhooks`'s body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HookRequest {
    url: Option<String>,
    filter: Option<String>,
    description: Option<String>,
}

impl FromBody for HookRequest {
    fn from_body(document: Value) -> Result<Self, ApiError> {
        typed_body(&document, || {
            ApiError::invalid_field(FieldError::new(
                "/url",
                "required: the receiver's http:// URL",
            ))
        })
    }
}

/// A hook as shown to admins: its secret only in the answer that creates it.
#[derive(Serialize)]
struct HookView<'a> {
    id: Uuid,
    url: &'a str,
    filter: &'a str,
    description: Option<&'a str>,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
}

impl<'a> HookView<'a> {
    fn of(h: &'a Webhook) -> Self {
        HookView {
            id: h.id,
            url: &h.url,
            filter: &h.filter,
            description: h.description.as_deref(),
            created_at: time::format(h.created_at),
            secret: None,
        }
    }
}

/// One line of the delivery log.
#[derive(Serialize)]
struct DeliveryView<'a> {
    id: Uuid,
    seq: i64,
    priority_id: Uuid,
    event: &'a str,
    status: &'static str,
    attempts: i64,
    last_status: Option<i64>,
    last_error: Option<&'a str>,
    next_attempt_at: Option<String>,
    delivered_at: Option<String>,
}

impl<'a> DeliveryView<'a> {
    fn of(d: &'a Delivery) -> Self {
        DeliveryView {
            id: d.id,
            seq: d.seq,
            priority_id: d.priority_id,
            event: &d.event,
            status: d.status.as_str(),
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error.as_deref(),
            next_attempt_at: (d.status == DeliveryStatus::Pending)
                .then(|| time::format(d.next_attempt_at)),
            delivered_at: d.delivered_at.map(time::format),
        }
    }
}

fn json_response(status: StatusCode, value: &impl Serialize) -> Result<Response, ApiError> {
    let text = serde_json::to_string(value).map_err(ApiError::internal)?;
    let mut response = typed(status, JSON, text);
    // Hooks are an admin's business: no shared cache keeps them.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// The hook id in the path, or 404.
fn hook_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::not_found(format!("no webhook with id {id:?}")))
}

async fn create(
    State(state): State<AppState>,
    Base(base): Base,
    _: Query<NoParams>,
    Admin(who): Admin,
    JsonBody(request): JsonBody<HookRequest>,
) -> Result<Response, ApiError> {
    let field =
        |pointer: &str, detail: String| ApiError::invalid_field(FieldError::new(pointer, detail));
    let url = request
        .url
        .ok_or_else(|| field("/url", "required: the receiver's http:// URL".into()))?;
    let url = check_url(&url).map_err(|e| field("/url", e))?;
    let filter = request.filter.unwrap_or_default();
    {
        let index = state.service.index().read();
        parse_hook_filter(&filter, &index.catalog)
            .map_err(|e| field("/filter", format!("not an items query: {}", e.detail())))?;
    }
    if let Some(d) = &request.description
        && d.chars().count() > 500
    {
        return Err(field("/description", "at most 500 characters".into()));
    }
    let hook = state
        .service
        .create_webhook(Actor::Caller(&who), url, filter, request.description)
        .await?;
    let view = HookView {
        secret: Some(&hook.secret),
        ..HookView::of(&hook)
    };
    let mut response = json_response(StatusCode::CREATED, &view)?;
    if let Ok(location) = format!("{base}/webhooks/{}", hook.id).parse() {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn list(
    State(state): State<AppState>,
    _: Query<FormatOnly>,
    Admin(who): Admin,
) -> Result<Response, ApiError> {
    let hooks = state.service.webhooks(Actor::Caller(&who)).await?;
    #[derive(Serialize)]
    struct List<'a> {
        webhooks: Vec<HookView<'a>>,
    }
    let list = List {
        webhooks: hooks.iter().map(HookView::of).collect(),
    };
    json_response(StatusCode::OK, &list)
}

async fn get_one(
    State(state): State<AppState>,
    _: Query<FormatOnly>,
    Admin(who): Admin,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let hook = state
        .service
        .webhook(Actor::Caller(&who), hook_id(&id)?)
        .await?;
    json_response(StatusCode::OK, &HookView::of(&hook))
}

async fn delete(
    State(state): State<AppState>,
    _: Query<NoParams>,
    Admin(who): Admin,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    state
        .service
        .delete_webhook(Actor::Caller(&who), hook_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The delivery log, newest change first.
async fn deliveries(
    State(state): State<AppState>,
    params: Query<Paging>,
    Admin(who): Admin,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let page = params.page()?;
    let list = state
        .service
        .webhook_deliveries(Actor::Caller(&who), hook_id(&id)?, page.limit, page.offset)
        .await?;
    #[derive(Serialize)]
    struct Log<'a> {
        deliveries: Vec<DeliveryView<'a>>,
    }
    let log = Log {
        deliveries: list.iter().map(DeliveryView::of).collect(),
    };
    json_response(StatusCode::OK, &log)
}
