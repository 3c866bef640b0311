//! Errors as RFC 9457 `application/problem+json`, for every failing path:
//! handlers, extractors, the 404 and 405 fallbacks and caught panics, and
//! the answers the server writes below the router (a connection over the
//! bound, a request head that timed out or that hyper could not parse).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::domain::FieldError;
use crate::service::ServiceError;
use crate::store::StoreError;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Carried in a 5xx response's extensions so the logging middleware can
/// record the cause without it reaching the client.
#[derive(Debug, Clone)]
pub struct InternalCause(pub String);

/// An error response: status, a problem type and the member at fault.
/// Boxed so that `Result<_, ApiError>` stays one pointer wide on the happy path.
#[derive(Debug, Clone)]
pub struct ApiError(Box<Problem>);

#[derive(Debug, Clone)]
struct Problem {
    status: StatusCode,
    /// Last segment of the problem type URI, e.g. `invalid-parameter`.
    kind: &'static str,
    title: &'static str,
    detail: String,
    /// Extra members: `parameter`, `pointer`, `header`, ...
    members: Map<String, Value>,
    etag: Option<String>,
    internal: Option<String>,
    /// Send `WWW-Authenticate: Bearer` (401s).
    authenticate: bool,
    /// Send `Connection: close`: the rest of the connection cannot be read.
    close: bool,
    /// Send `Retry-After` with this many seconds (503s).
    retry_after: Option<u32>,
}

impl ApiError {
    fn new(
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        ApiError(Box::new(Problem {
            status,
            kind,
            title,
            detail: detail.into(),
            members: Map::new(),
            etag: None,
            internal: None,
            authenticate: false,
            close: false,
            retry_after: None,
        }))
    }

    fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.0.members.insert(name.into(), value.into());
        self
    }

    /// 400: a query parameter has an invalid value.
    pub fn parameter(name: &str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
            "Invalid query parameter",
            detail,
        )
        .with("parameter", name)
    }

    /// 400: a query parameter this endpoint does not define (OGC API – Features
    /// requires rejecting them, so typos do not silently widen a query).
    pub fn unknown_parameter(name: &str, known: &[&str]) -> Self {
        let detail = if known.is_empty() {
            format!("unknown query parameter {name:?}; this endpoint takes none")
        } else {
            format!(
                "unknown query parameter {name:?}; expected one of {}",
                known.join(", ")
            )
        };
        Self::new(
            StatusCode::BAD_REQUEST,
            "unknown-parameter",
            "Unknown query parameter",
            detail,
        )
        .with("parameter", name)
    }

    /// 400: a request header has an invalid value.
    pub fn header(name: &str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid-header",
            "Invalid request header",
            detail,
        )
        .with("header", name)
    }

    /// 400: the body is not valid JSON.
    pub fn malformed_body(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed-body",
            "Malformed JSON body",
            detail,
        )
        .with("pointer", "")
    }

    /// 400: the body is JSON, but not the document this endpoint takes.
    pub fn wrong_document(pointer: &str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "wrong-document",
            "Unexpected document type",
            detail,
        )
        .with("pointer", pointer)
    }

    /// 422: a member of the body is invalid.
    pub fn invalid_field(e: FieldError) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            "Invalid member in body",
            e.detail,
        )
        .with("pointer", e.pointer)
    }

    /// 422: a file refused as a whole, with every problem by feature.
    pub fn invalid_file(errors: &[crate::service::ImportError]) -> Self {
        let first = errors.first();
        let detail = match errors.len() {
            1 => "1 feature is invalid; nothing was changed".to_string(),
            n => format!("{n} features are invalid; nothing was changed"),
        };
        let detail = match first {
            Some(e) => format!("{detail}. First: {}", e.reason),
            None => detail,
        };
        // A pointer into the request body: the first invalid feature's member.
        let pointer = first
            .map(|e| {
                format!(
                    "/features/{}{}",
                    e.index,
                    e.pointer.as_deref().unwrap_or("")
                )
            })
            .unwrap_or_default();
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-file",
            "Invalid file",
            detail,
        )
        .with("pointer", pointer)
        .with("errors", serde_json::to_value(errors).unwrap_or_default())
    }

    /// 400: a path segment is not valid (percent-encoded bytes that are
    /// not UTF-8).
    pub fn path(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid-path",
            "Invalid path",
            detail,
        )
    }

    /// 400: the request is not valid HTTP/1.1 (request line or a header
    /// malformed); hyper refuses it before any handler runs.
    pub fn malformed_request() -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "malformed-request",
            "Malformed request",
            "the request is not valid HTTP/1.1: its request line or a header is malformed \
             (for example, a header value holding control characters)",
        );
        e.0.close = true;
        e
    }

    /// 408: the request head or body did not arrive in time; the connection
    /// is closed.
    pub fn request_timeout(detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "request-timeout",
            "Request timeout",
            detail,
        );
        e.0.close = true;
        e
    }

    /// 414: the request target is longer than the server reads.
    pub fn uri_too_long(limit: usize) -> Self {
        let mut e = Self::new(
            StatusCode::URI_TOO_LONG,
            "uri-too-long",
            "URI too long",
            format!("the request target exceeds the limit of {limit} bytes"),
        );
        e.0.close = true;
        e
    }

    /// 431: the request head is larger than the server reads.
    pub fn headers_too_large(limit: usize, count: usize) -> Self {
        let mut e = Self::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers-too-large",
            "Request header fields too large",
            format!(
                "the request head exceeds the limit of {limit} bytes (request line included) \
                 or of {count} header fields"
            ),
        );
        e.0.close = true;
        e
    }

    /// 503: the server holds as many connections as it is allowed; retry
    /// in a second.
    pub fn overloaded(limit: usize) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "Too many connections",
            format!("the server already holds its limit of {limit} connections; retry shortly"),
        );
        e.0.close = true;
        e.0.retry_after = Some(1);
        e
    }

    /// 401: no valid credentials; says how to authenticate.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            detail,
        )
        .with("header", "Authorization");
        e.0.authenticate = true;
        e
    }

    /// 403: authenticated, but the role or scope does not allow it.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    /// 409: the workflow does not allow the move; names the allowed ones.
    pub fn workflow(
        pointer: &str,
        from: crate::domain::priority::Status,
        to: crate::domain::priority::Status,
        detail: String,
    ) -> Self {
        let allowed: Vec<&str> = crate::domain::workflow::allowed_moves(from)
            .iter()
            .map(|s| s.as_str())
            .collect();
        Self::new(
            StatusCode::CONFLICT,
            "invalid-transition",
            "Transition not allowed",
            detail,
        )
        .with("pointer", pointer)
        .with("from", from.as_str())
        .with("to", to.as_str())
        .with("allowed", allowed)
    }

    /// 404: a path segment names nothing there (a tile outside its
    /// matrix, an unknown tile matrix set); `segment` is the path
    /// parameter's name in the OpenAPI document.
    pub fn no_such(segment: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
            .with("parameter", segment)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    /// 405.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            "this resource does not support that method",
        )
    }

    /// 409: the record exists already.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
    }

    /// 412: `If-Match` does not name the current version.
    pub fn precondition_failed(current: i64) -> Self {
        let mut e = Self::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition-failed",
            "Precondition failed",
            format!(
                "the priority changed: its current version is {current}; fetch it again and retry"
            ),
        )
        .with("header", "If-Match");
        e.0.etag = Some(super::etag(current));
        e
    }

    /// 413: the body is larger than the configured limit.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Request body too large",
            format!("the body exceeds the limit of {limit} bytes"),
        )
        .with("pointer", "")
    }

    /// 415: a body of a media type this endpoint does not read.
    pub fn unsupported_media_type(got: &str, accepted: &[&str]) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            format!(
                "Content-Type {got:?} is not accepted; send one of {}",
                accepted.join(", ")
            ),
        )
        .with("header", "Content-Type")
    }

    /// 500: the cause is logged, never sent.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal server error",
            "the server failed to handle the request; it has been logged",
        );
        e.0.internal = Some(cause.to_string());
        e
    }

    /// 507: the store has no space left; nothing was written. The cause is
    /// logged (a 5xx), and the write may be sent again once there is space.
    pub fn insufficient_storage(cause: impl std::fmt::Display) -> Self {
        let mut e = Self::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "insufficient-storage",
            "Insufficient storage",
            "the database has no space left: nothing was written; send the request again \
             once an operator has freed space",
        );
        e.0.internal = Some(cause.to_string());
        e
    }

    /// 503: the database cannot be reached. The cause is logged.
    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database-unavailable",
            "Database unavailable",
            "the database cannot be reached; try again shortly",
        );
        e.0.internal = Some(cause.to_string());
        e
    }

    /// 503: this process should get no traffic now (`/health/ready`);
    /// `checks` says why.
    pub fn not_ready(detail: String, checks: Value) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-ready",
            "Not ready",
            detail.clone(),
        )
        .with("checks", checks);
        e.0.internal = Some(detail);
        e
    }

    /// The response's HTTP status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The problem's `detail`.
    pub fn detail(&self) -> &str {
        &self.0.detail
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::WrongShape { pointer, detail } => {
                ApiError::wrong_document(&pointer, detail)
            }
            ServiceError::Invalid(f) => ApiError::invalid_field(f),
            ServiceError::NotFound(s) => ApiError::not_found(s),
            ServiceError::PreconditionFailed { current } => ApiError::precondition_failed(current),
            ServiceError::Conflict(s) => ApiError::conflict(s),
            ServiceError::InvalidFile(errors) => ApiError::invalid_file(&errors),
            ServiceError::Forbidden(s) => ApiError::forbidden(s),
            ServiceError::Workflow {
                pointer,
                from,
                to,
                detail,
            } => ApiError::workflow(pointer, from, to, detail),
            ServiceError::Store(s @ StoreError::StorageFull(_)) => {
                ApiError::insufficient_storage(s)
            }
            ServiceError::Store(s @ StoreError::Unavailable(_)) => ApiError::unavailable(s),
            ServiceError::Store(s) => ApiError::internal(s),
        }
    }
}

impl Problem {
    /// The problem document.
    fn body(&mut self) -> String {
        let mut body = json!({
            "type": format!("urn:prioridades:problem:{}", self.kind),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if let Value::Object(map) = &mut body {
            map.extend(std::mem::take(&mut self.members));
        }
        body.to_string()
    }
}

impl ApiError {
    /// The whole HTTP/1.1 response, bytes for the socket, for answers the
    /// server writes itself where no router runs (see `crate::server`).
    /// Always `Connection: close`: whatever the client sent next is not read.
    pub fn to_http1(self) -> Vec<u8> {
        let mut problem = *self.0;
        let body = problem.body();
        let mut out = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: {PROBLEM_JSON}\r\ncontent-length: {}\r\n\
             connection: close\r\n",
            problem.status.as_u16(),
            problem.status.canonical_reason().unwrap_or(""),
            body.len(),
        );
        if let Some(seconds) = problem.retry_after {
            out.push_str(&format!("retry-after: {seconds}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(&body);
        out.into_bytes()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut problem = *self.0;
        let body = problem.body();
        let mut response = (problem.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if problem.close {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if let Some(seconds) = problem.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(etag) = problem.etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
            headers.insert(header::ETAG, etag);
        }
        if problem.authenticate {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(cause) = problem.internal {
            response.extensions_mut().insert(InternalCause(cause));
        }
        response
    }
}
