//! Open311 GeoReport v2 (`/open311/v2/…`), the door existing civic-issue
//! apps already know: the categories as services, priorities as service
//! requests (JSON or XML, by the path's extension), and new requests
//! created as proposed priorities with a spokesperson's token as
//! `api_key`.
//!
//! Errors are this service's problem documents (`application/problem+json`,
//! naming the parameter at fault) rather than GeoReport's error arrays: one
//! error format for the whole API (docs/api.md says so).

mod list;
mod post;
mod request;
mod xml;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use serde_json::json;

use super::AppState;
use super::extract::{Endpoint, Query};
use super::params::{ParamSpec, Path};
use super::problem::ApiError;
use crate::domain::priority::Category;

pub use list::RequestsQuery;
pub use post::POST_FIELDS;

/// `jurisdiction_id`: accepted (GeoReport clients send it) and ignored:
/// this server is one jurisdiction.
pub const JURISDICTION: ParamSpec = ParamSpec {
    name: "jurisdiction_id",
    description: "Accepted and ignored: this server is one jurisdiction.",
    schema: r#"{"type": "string"}"#,
    example: r#""ve""#,
};

/// An endpoint taking only `jurisdiction_id`.
pub struct JurisdictionOnly;
impl Endpoint for JurisdictionOnly {
    const PARAMS: &'static [ParamSpec] = &[JURISDICTION];
}

/// JSON or XML, as the path's extension says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.json`
    Json,
    /// `.xml`
    Xml,
}

/// `name.json` or `name.xml` split into the name and its format; `segment`
/// names the path parameter in errors.
pub fn split_format<'a>(text: &'a str, segment: &str) -> Result<(&'a str, Format), ApiError> {
    match text.rsplit_once('.') {
        Some((name, "json")) => Ok((name, Format::Json)),
        Some((name, "xml")) => Ok((name, Format::Xml)),
        _ => Err(ApiError::no_such(
            segment,
            format!("{text:?} ends in neither .json nor .xml"),
        )),
    }
}

/// A response of `records` in `format`: a JSON array, or XML under `root`
/// with an `item` element per record.
pub fn respond<T: Serialize>(
    status: StatusCode,
    format: Format,
    root: &str,
    item: &str,
    records: &[T],
) -> Response {
    match format {
        Format::Json => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(records).unwrap_or_default(),
        )
            .into_response(),
        Format::Xml => (
            status,
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            xml::records(root, item, records),
        )
            .into_response(),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/discovery.json", get(discovery::<true>))
        .route("/open311/v2/discovery.xml", get(discovery::<false>))
        .route("/open311/v2/services.json", get(services::<true>))
        .route("/open311/v2/services.xml", get(services::<false>))
        .route("/open311/v2/services/{service}", get(definition))
        .route(
            "/open311/v2/requests.json",
            get(list::requests::<true>).post(post::create::<true>),
        )
        .route(
            "/open311/v2/requests.xml",
            get(list::requests::<false>).post(post::create::<false>),
        )
        .route("/open311/v2/requests/{request}", get(list::one))
}

fn format_of(json: bool) -> Format {
    if json { Format::Json } else { Format::Xml }
}

/// `GET discovery`: where the endpoint is and what it speaks.
async fn discovery<const JSON: bool>(
    super::extract::Base(base): super::extract::Base,
    _: Query<JurisdictionOnly>,
) -> Response {
    #[derive(Serialize)]
    struct Endpoint311 {
        specification: &'static str,
        url: String,
        changeset: &'static str,
        #[serde(rename = "type")]
        kind: &'static str,
        formats: Vec<&'static str>,
    }
    #[derive(Serialize)]
    struct Discovery {
        changeset: &'static str,
        contact: &'static str,
        key_service: &'static str,
        endpoints: Vec<Endpoint311>,
    }
    let doc = Discovery {
        changeset: "2026-12-05T00:00:00Z",
        contact: "See the service's documentation (docs/api.md, Open311)",
        key_service: "A spokesperson's bearer token, made by an administrator (POST /tokens)",
        endpoints: vec![Endpoint311 {
            specification: "http://wiki.open311.org/GeoReport_v2",
            url: format!("{base}/open311/v2"),
            changeset: "2026-12-05T00:00:00Z",
            kind: "production",
            formats: vec!["application/json", "text/xml"],
        }],
    };
    document(format_of(JSON), "discovery", &doc)
}

/// A single document in `format`: a JSON object, or XML under `root`.
fn document<T: Serialize>(format: Format, root: &str, doc: &T) -> Response {
    match format {
        Format::Json => (
            [(header::CONTENT_TYPE, "application/json")],
            json!(doc).to_string(),
        )
            .into_response(),
        Format::Xml => (
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            xml::document(root, doc),
        )
            .into_response(),
    }
}

/// `GET services`: every category.
async fn services<const JSON: bool>(_: Query<JurisdictionOnly>) -> Response {
    respond(
        StatusCode::OK,
        format_of(JSON),
        "services",
        "service",
        &request::services(),
    )
}

/// One attribute of a service definition.
#[derive(Debug, Serialize)]
struct Attribute {
    variable: bool,
    code: &'static str,
    datatype: &'static str,
    required: bool,
    datatype_description: &'static str,
    order: u32,
    description: &'static str,
    values: Vec<()>,
}

/// A service definition: what a new request may carry besides the
/// standard members.
#[derive(Debug, Serialize)]
struct Definition {
    service_code: &'static str,
    attributes: Vec<Attribute>,
}

/// `GET services/{code}.{format}`.
async fn definition(
    Path(service): Path<String>,
    _: Query<JurisdictionOnly>,
) -> Result<Response, ApiError> {
    let (code, format) = split_format(&service, "service_code")?;
    let category: Category = code
        .parse()
        .map_err(|e: String| ApiError::no_such("service_code", e))?;
    let doc = Definition {
        service_code: category.as_str(),
        attributes: vec![
            Attribute {
                variable: true,
                code: "council",
                datatype: "string",
                required: false,
                datatype_description: "A council code, e.g. CC-010101-001",
                order: 1,
                description: "The council the request is for; a spokesperson's api_key implies its own council",
                values: vec![],
            },
            Attribute {
                variable: true,
                code: "families",
                datatype: "number",
                required: false,
                datatype_description: "A whole number, 0 or more",
                order: 2,
                description: "How many families it benefits",
                values: vec![],
            },
        ],
    };
    Ok(document(format, "service_definition", &doc))
}
