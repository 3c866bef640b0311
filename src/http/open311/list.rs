//! `GET requests` and `GET requests/{id}`: priorities as service requests,
//! most recent first, with GeoReport's filters and its paging extension.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::super::AppState;
use super::super::extract::{Endpoint, Query};
use super::super::params::{ParamSpec, Params, Path};
use super::super::problem::ApiError;
use super::request::service_request;
use super::{Format, JURISDICTION, JurisdictionOnly, respond, split_format};
use crate::domain::priority::{Category, Status};
use crate::domain::query::{Interval, Page, PriorityFilter, parse_list};
use crate::domain::time::{self, Micros};
use crate::index::priorities::Entry;

/// Longest span of `start_date` to `end_date`, and the default span.
const SPAN_DAYS: i64 = 90;
/// Most requests on one page, and the default.
const MAX_PAGE_SIZE: usize = 1_000;

/// `GET requests`' parameters.
pub struct RequestsQuery;
impl Endpoint for RequestsQuery {
    const PARAMS: &'static [ParamSpec] = &[
        JURISDICTION,
        ParamSpec {
            name: "service_request_id",
            description: "Requests by id, comma separated; the other filters are then ignored (GeoReport v2).",
            schema: r#"{"type": "array", "minItems": 1, "items": {"type": "string", "format": "uuid"}}"#,
            example: r#"["0192f1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"]"#,
        },
        ParamSpec {
            name: "service_code",
            description: "Services (categories), comma separated.",
            schema: r#"{"type": "array", "minItems": 1, "items": {"type": "string"}}"#,
            example: r#"["water"]"#,
        },
        ParamSpec {
            name: "start_date",
            description: "Earliest requested_datetime (RFC 3339). Without dates, the last 90 days; a span is at most 90 days.",
            schema: r#"{"type": "string", "format": "date-time"}"#,
            example: r#""2026-01-01T00:00:00Z""#,
        },
        ParamSpec {
            name: "end_date",
            description: "Latest requested_datetime (RFC 3339).",
            schema: r#"{"type": "string", "format": "date-time"}"#,
            example: r#""2026-03-01T00:00:00Z""#,
        },
        ParamSpec {
            name: "status",
            description: "open (proposed, approved, in progress) or closed (done, rejected), comma separated.",
            schema: r#"{"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["open", "closed"]}}"#,
            example: r#"["open"]"#,
        },
        ParamSpec {
            name: "page",
            description: "Page number, from 1 (the paging extension).",
            schema: r#"{"type": "integer", "minimum": 1, "default": 1}"#,
            example: "1",
        },
        ParamSpec {
            name: "page_size",
            description: "Requests per page, 1 to 1000 (default 1000).",
            schema: r#"{"type": "integer", "minimum": 1, "maximum": 1000, "default": 1000}"#,
            example: "100",
        },
    ];
}

/// The statuses an Open311 status stands for.
fn statuses(open311: &str) -> Result<&'static [Status], String> {
    match open311 {
        "open" => Ok(&[Status::Proposed, Status::Approved, Status::InProgress]),
        "closed" => Ok(&[Status::Done, Status::Rejected, Status::Duplicate]),
        other => Err(format!("status is open or closed; got {other:?}")),
    }
}

/// `start_date` and `end_date` as an interval of at most 90 days, ending
/// now when neither is given.
fn dates(params: &Params) -> Result<Interval, ApiError> {
    let start = params.parsed("start_date", time::parse_datetime)?;
    let end = params.parsed("end_date", time::parse_datetime)?;
    let span: Micros = SPAN_DAYS * 86_400_000_000;
    let (start, end) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, s.saturating_add(span)),
        (None, Some(e)) => (e.saturating_sub(span), e),
        (None, None) => {
            let now = time::now();
            (now - span, now)
        }
    };
    if end < start {
        return Err(ApiError::parameter(
            "end_date",
            "end_date is before start_date",
        ));
    }
    if end - start > span {
        return Err(ApiError::parameter(
            "end_date",
            format!("start_date to end_date spans more than {SPAN_DAYS} days"),
        ));
    }
    Ok(Interval {
        start: Some(start),
        end: Some(end),
    })
}

/// The filter of a listing: dates, services and statuses.
fn filter(params: &Params) -> Result<PriorityFilter, ApiError> {
    let categories: Vec<Category> = params
        .parsed("service_code", |s| parse_list(s, |c| c.parse()))?
        .unwrap_or_default();
    let statuses: Vec<Status> = params
        .parsed("status", |s| {
            parse_list(s, statuses).map(|lists| lists.concat())
        })?
        .unwrap_or_default();
    Ok(PriorityFilter {
        datetime: Some(dates(params)?),
        categories,
        statuses,
        ..PriorityFilter::default()
    })
}

/// `page` and `page_size` as a page.
fn page(params: &Params) -> Result<Page, ApiError> {
    let number = params
        .parsed("page", |s| match s.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(format!("page is a whole number from 1; got {s:?}")),
        })?
        .unwrap_or(1);
    let size = params
        .parsed("page_size", |s| match s.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
            _ => Err(format!("page_size is 1 to {MAX_PAGE_SIZE}; got {s:?}")),
        })?
        .unwrap_or(MAX_PAGE_SIZE);
    Ok(Page {
        limit: size,
        offset: (number - 1).saturating_mul(size),
    })
}

/// `GET requests.{json,xml}`.
pub async fn requests<const JSON: bool>(
    State(state): State<AppState>,
    params: Query<RequestsQuery>,
) -> Result<Response, ApiError> {
    let ids: Option<Vec<Uuid>> = params.parsed("service_request_id", |s| {
        parse_list(s, |id| {
            Uuid::parse_str(id).map_err(|_| format!("{id:?} is not a service request id"))
        })
    })?;
    let (filter, page) = match ids {
        Some(_) => (
            PriorityFilter::default(),
            Page {
                limit: MAX_PAGE_SIZE,
                offset: 0,
            },
        ),
        None => (filter(&params)?, page(&params)?),
    };
    let index = state.service.index().read();
    let mut found: Vec<&Entry> = match &ids {
        Some(ids) => ids
            .iter()
            .filter_map(|id| index.priorities.get(id))
            .collect(),
        None => {
            let everything = Page {
                limit: usize::MAX,
                offset: 0,
            };
            index
                .priorities
                .query(&filter, everything)
                .items
                .into_iter()
                .map(|(e, _)| e)
                .collect()
        }
    };
    // Most recent first (GeoReport's order).
    found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.pk.cmp(&a.pk)));
    let records: Vec<_> = found
        .into_iter()
        .skip(page.offset)
        .take(page.limit)
        .map(|e| service_request(&index, e))
        .collect();
    let format = if JSON { Format::Json } else { Format::Xml };
    Ok(respond(
        StatusCode::OK,
        format,
        "service_requests",
        "request",
        &records,
    ))
}

/// `GET requests/{id}.{json,xml}`: a list of one, as GeoReport has it.
pub async fn one(
    State(state): State<AppState>,
    Path(request): Path<String>,
    _: Query<JurisdictionOnly>,
) -> Result<Response, ApiError> {
    let (id, format) = split_format(&request, "service_request_id")?;
    let not_found =
        || ApiError::no_such("service_request_id", format!("no service request {id:?}"));
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    let index = state.service.index().read();
    let entry = index.priorities.get(&id).ok_or_else(not_found)?;
    let record = service_request(&index, entry);
    Ok(respond(
        StatusCode::OK,
        format,
        "service_requests",
        "request",
        &[record],
    ))
}
