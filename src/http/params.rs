//! Reading requests: path segments, query strings checked against each
//! endpoint's declared parameters, bodies read within the size limit,
//! `If-Match` headers.

use std::collections::BTreeMap;

use axum::body::{Body, Bytes};
use axum::extract::FromRequestParts;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::http::{HeaderMap, header};
use serde_json::Value;

use super::problem::ApiError;
use crate::domain::codes::{Level, TerritoryCode};
use crate::domain::query::{self, Page, parse_limit, parse_offset};
use crate::index::Catalog;

/// Path segments, as axum's `Path` reads them, refused with our problem
/// document: axum's own rejection is plain text (`Invalid URL: Invalid
/// UTF-8 in ...` for a segment such as `%ff%fe`).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
                ErrorKind::InvalidUtf8InPathParam { key } => ApiError::path(format!(
                    "the path segment {{{key}}} is not UTF-8 once percent-decoded"
                )),
                _ => ApiError::path(e.body_text()),
            },
            // A route and its handler disagree: our fault, not the client's.
            other => ApiError::internal(other.body_text()),
        }
    }
}

/// One query parameter an endpoint accepts, as the OpenAPI document shows it.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// Its name in the query string.
    pub name: &'static str,
    /// What it does, for the OpenAPI document.
    pub description: &'static str,
    /// The value's JSON schema, as JSON text: types, bounds, enums and
    /// defaults exactly as [`Params`] and the endpoint check them. A list
    /// is an array (sent comma separated: `style: form`, `explode: false`).
    pub schema: &'static str,
    /// An example value, as JSON text of the schema's type.
    pub example: &'static str,
}

/// `limit=`: the page size.
pub const LIMIT: ParamSpec = ParamSpec {
    name: "limit",
    description: "Page size, 1 to 10000 (default 100); larger values are clamped to 10000.",
    schema: r#"{"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}"#,
    example: r#"100"#,
};

/// `limit=` of a territory level's items: by default the whole level.
pub const LEVEL_LIMIT: ParamSpec = ParamSpec {
    name: "limit",
    description: "Page size, 1 to 10000 (default 10000, so that a page without `limit` holds every territory of the level, as a choropleth needs); larger values are clamped to 10000. Past 10000 matches, follow the `next` link.",
    schema: r#"{"type": "integer", "minimum": 1, "maximum": 10000, "default": 10000}"#,
    example: r#"10000"#,
};

/// `offset=`: matches to skip.
pub const OFFSET: ParamSpec = ParamSpec {
    name: "offset",
    description: "Number of matches to skip (default 0). Follow the `next` link to page.",
    schema: r#"{"type": "integer", "minimum": 0, "default": 0}"#,
    example: r#"0"#,
};

/// `f=json`: accepted for clients that always send a format; JSON is the only one.
pub const FORMAT: ParamSpec = ParamSpec {
    name: "f",
    description: "Response format; only `json` (GeoJSON for features) is served.",
    schema: r#"{"type": "string", "enum": ["json", "geojson"], "default": "json"}"#,
    example: r#""json""#,
};

/// `f=json|html`, for the resources that have an HTML view (`http::html`).
pub const FORMAT_PAGE: ParamSpec = ParamSpec {
    name: "f",
    description: "Response format: `json` (GeoJSON for features; the default) or `html`, a page for browsers. Without `f`, an `Accept` header that prefers `text/html` to JSON also selects the page.",
    schema: r#"{"type": "string", "enum": ["json", "geojson", "html"], "default": "json"}"#,
    example: r#""html""#,
};

/// `f=json|csv`, for tables.
pub const FORMAT_TABLE: ParamSpec = ParamSpec {
    name: "f",
    description: "Response format: `json` (default) or `csv`; `Accept: text/csv` also selects CSV.",
    schema: r#"{"type": "string", "enum": ["json", "geojson", "csv"], "default": "json"}"#,
    example: r#""csv""#,
};

/// The parameters of one request, each present at most once.
#[derive(Debug, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Parses `query` and rejects parameters outside `allowed` and repeated ones.
    pub fn parse(query: Option<&str>, allowed: &[ParamSpec]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
            .map_err(|e| {
                ApiError::parameter("", format!("the query string cannot be decoded: {e}"))
            })?;
        let mut values = BTreeMap::new();
        for (name, value) in pairs {
            if !allowed.iter().any(|p| p.name == name) {
                let known: Vec<&str> = allowed.iter().map(|p| p.name).collect();
                return Err(ApiError::unknown_parameter(&name, &known));
            }
            if values.contains_key(&name) {
                return Err(ApiError::parameter(
                    &name,
                    format!("{name} is given more than once; use a comma list"),
                ));
            }
            values.insert(name, value);
        }
        let params = Params { values };
        let tables = allowed
            .iter()
            .any(|p| p.name == "f" && p.schema == FORMAT_TABLE.schema);
        let pages = allowed
            .iter()
            .any(|p| p.name == "f" && p.schema == FORMAT_PAGE.schema);
        if let Some(f) = params.get("f")
            && !(matches!(f, "json" | "geojson")
                || (tables && f == "csv")
                || (pages && f == "html"))
        {
            let served = if tables {
                "f=json or f=csv"
            } else if pages {
                "f=json or f=html"
            } else {
                "f=json"
            };
            return Err(ApiError::parameter(
                "f",
                format!("format {f:?} is not served; use {served}"),
            ));
        }
        Ok(params)
    }

    /// The value of parameter `name`, as given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Parses parameter `name` with `parse`, naming it in the error.
    pub fn parsed<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ApiError> {
        self.get(name)
            .map(|v| parse(v).map_err(|e| ApiError::parameter(name, e)))
            .transpose()
    }

    /// `limit` and `offset`.
    pub fn page(&self) -> Result<Page, ApiError> {
        self.page_or(Page::default().limit)
    }

    /// `limit` (`default_limit` when absent) and `offset`.
    pub fn page_or(&self, default_limit: usize) -> Result<Page, ApiError> {
        let default = Page::default();
        Ok(Page {
            limit: self.parsed("limit", parse_limit)?.unwrap_or(default_limit),
            offset: self
                .parsed("offset", parse_offset)?
                .unwrap_or(default.offset),
        })
    }

    /// The parameters in name order, URL-encoded: the same text for the
    /// same parameters however a client ordered them (a cache key).
    pub fn canonical(&self) -> String {
        serde_urlencoded::to_string(&self.values).unwrap_or_default()
    }

    /// The parameters as given, for building links; `offset` and `limit`
    /// are left out so the caller sets them.
    pub fn without_paging(&self) -> Vec<(&str, &str)> {
        self.values
            .iter()
            .filter(|(k, _)| k.as_str() != "offset" && k.as_str() != "limit")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

/// Media types accepted for GeoJSON bodies.
pub const JSON_TYPES: [&str; 3] = [
    "application/json",
    "application/geo+json",
    "application/merge-patch+json",
];

/// Media types accepted by the bulk import.
pub const IMPORT_TYPES: [&str; 5] = [
    "application/json",
    "application/geo+json",
    "application/x-ndjson",
    "application/geo+json-seq",
    "application/json-seq",
];

/// Reads a body of at most `limit` bytes whose `Content-Type` (when sent) is
/// one of `accepted`.
pub async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    accepted: &[&str],
) -> Result<Bytes, ApiError> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let text = ct.to_str().unwrap_or("");
        let essence = text
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !accepted.contains(&essence.as_str()) {
            return Err(ApiError::unsupported_media_type(text, accepted));
        }
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::too_large(limit));
    }
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        // Besides the limit and the body timeout, the only failure is a
        // broken connection, whose client will not read the answer anyway.
        if let Some(late) = cause::<crate::server::BodyTimedOut>(&e) {
            ApiError::request_timeout(format!("{late}; the connection is closed"))
        } else if cause::<http_body_util::LengthLimitError>(&e).is_some() {
            ApiError::too_large(limit)
        } else {
            ApiError::malformed_body(format!("the body could not be read: {e}"))
        }
    })
}

/// The first error of type `T` in `error`'s chain of sources.
fn cause<T: std::error::Error + 'static>(error: &axum::Error) -> Option<&T> {
    let mut next = std::error::Error::source(error);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}

/// Parses a JSON document, reporting syntax errors with line and column.
pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed_body(
            "the body is empty; send a GeoJSON Feature",
        ));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::malformed_body(format!("the body is not valid JSON: {e}")))
}

/// `If-Match`: `None` when absent or `*`; otherwise the versions it names.
/// Weak tags never match (RFC 9110 compares `If-Match` strongly) and tags of
/// other formats name no version of ours, so both leave the list shorter.
pub fn if_match(headers: &HeaderMap) -> Result<Option<Vec<i64>>, ApiError> {
    let mut versions = Vec::new();
    let mut any = false;
    let mut present = false;
    for value in headers.get_all(header::IF_MATCH) {
        present = true;
        let text = value
            .to_str()
            .map_err(|_| ApiError::header("If-Match", "If-Match must be ASCII"))?;
        for tag in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if tag == "*" {
                any = true;
            } else if let Some(rest) = tag.strip_prefix("W/") {
                if !is_quoted(rest) {
                    return Err(ApiError::header(
                        "If-Match",
                        format!("{tag:?} is not an entity tag"),
                    ));
                }
            } else if is_quoted(tag) {
                if let Ok(v) = tag[1..tag.len() - 1].parse::<i64>() {
                    versions.push(v);
                }
            } else {
                return Err(ApiError::header(
                    "If-Match",
                    format!("{tag:?} is not an entity tag; quote it, as in \"3\""),
                ));
            }
        }
    }
    Ok(if !present || any {
        None
    } else {
        Some(versions)
    })
}

fn is_quoted(tag: &str) -> bool {
    tag.len() >= 2 && tag.starts_with('"') && tag.ends_with('"')
}

/// `state=`: state codes.
pub const STATE: ParamSpec = ParamSpec {
    name: "state",
    description: "State codes (2 digits), comma separated.",
    schema: r#"{"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[0-9]{2}$"}}"#,
    example: r#"["01"]"#,
};
/// `municipality=`: municipality codes.
pub const MUNICIPALITY: ParamSpec = ParamSpec {
    name: "municipality",
    description: "Municipality codes (4 digits), comma separated.",
    schema: r#"{"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[0-9]{4}$"}}"#,
    example: r#"["0101"]"#,
};
/// `parish=`: parish codes.
pub const PARISH: ParamSpec = ParamSpec {
    name: "parish",
    description: "Parish codes (6 digits), comma separated.",
    schema: r#"{"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[0-9]{6}$"}}"#,
    example: r#"["010101"]"#,
};

/// The `state`, `municipality` and `parish` parameters present: one list per
/// parameter, any code of a list matching (OR), every list holding (AND).
/// Codes that name no territory are refused, as on the priorities endpoint.
pub fn within(params: &Params, catalog: &Catalog) -> Result<Vec<Vec<TerritoryCode>>, ApiError> {
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
