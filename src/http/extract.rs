//! Extractors for what every handler reads the same way: the query
//! parameters an endpoint declares, the links' base URL, a priority's id in
//! the path, `If-Match`, and JSON bodies within the size limit. Each
//! rejects with the same problem document the handlers used to build, and
//! axum runs them in argument order, so a handler lists them in the order
//! its checks are made: query (400), caller (401, `auth::Who`), path (404),
//! `If-Match` (400), body.

use std::marker::PhantomData;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde_json::Value;
use uuid::Uuid;

use super::AppState;
use super::params::{self, FORMAT, FORMAT_PAGE, LIMIT, OFFSET, ParamSpec, Params, Path};
use super::problem::ApiError;
use crate::domain::query::Page;

/// An endpoint's query parameters, declared once: [`Query`] checks
/// requests against them and the OpenAPI document lists them.
pub trait Endpoint {
    /// Every parameter the endpoint takes, in the order the document and
    /// the unknown-parameter message list them.
    const PARAMS: &'static [ParamSpec];
}

/// An endpoint that takes no query parameter (every write).
pub struct NoParams;
impl Endpoint for NoParams {
    const PARAMS: &'static [ParamSpec] = &[];
}

/// An endpoint that takes only `f=json`.
pub struct FormatOnly;
impl Endpoint for FormatOnly {
    const PARAMS: &'static [ParamSpec] = &[FORMAT];
}

/// A resource with an HTML view (`http::html`): `f=json` or `f=html`.
pub struct HtmlOrJson;
impl Endpoint for HtmlOrJson {
    const PARAMS: &'static [ParamSpec] = &[FORMAT_PAGE];
}

/// A plain paged list: `limit`, `offset` and `f`.
pub struct Paging;
impl Endpoint for Paging {
    const PARAMS: &'static [ParamSpec] = &[LIMIT, OFFSET, FORMAT];
}

/// The query parameters of a request to endpoint `E`: each declared in
/// `E::PARAMS` and given at most once (400 otherwise).
pub struct Query<E>(pub Params, PhantomData<fn() -> E>);

impl<E> std::ops::Deref for Query<E> {
    type Target = Params;
    fn deref(&self) -> &Params {
        &self.0
    }
}

impl<E: Endpoint, S: Send + Sync> FromRequestParts<S> for Query<E> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Params::parse(parts.uri.query(), E::PARAMS).map(|p| Query(p, PhantomData))
    }
}

/// [`Query`] with its page (`limit`, `offset`) read at once, for
/// endpoints that check the page before anything else.
pub struct Paged<E> {
    pub params: Params,
    pub page: Page,
    endpoint: PhantomData<fn() -> E>,
}

impl<E: Endpoint, S: Send + Sync> FromRequestParts<S> for Paged<E> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(params, _) = Query::<E>::from_request_parts(parts, state).await?;
        let page = params.page()?;
        Ok(Paged {
            params,
            page,
            endpoint: PhantomData,
        })
    }
}

/// The URL links are built from (`--public-url`, or the `Host` header),
/// without a trailing slash.
pub struct Base(pub String);

impl FromRequestParts<AppState> for Base {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Base(super::base_url(&state.config, &parts.headers)))
    }
}

/// The priority named by the path's `{id}`: a UUID, or 404 (anything else
/// names no priority).
pub struct PriorityId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PriorityId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state).await?;
        Uuid::parse_str(&id)
            .map(PriorityId)
            .map_err(|_| ApiError::not_found(format!("no priority with id {id:?}")))
    }
}

/// `If-Match`: `None` when absent or `*`, otherwise the versions it names
/// (see [`params::if_match`]); a malformed header is a 400.
pub struct IfMatch(pub Option<Vec<i64>>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        params::if_match(&parts.headers).map(IfMatch)
    }
}

/// What a JSON request body is read into.
pub trait FromBody: Sized {
    /// The body's document as `Self`; errors name the member at fault.
    fn from_body(document: Value) -> Result<Self, ApiError>;
}

/// Open documents: GeoJSON Features and merge patches, read by the domain.
impl FromBody for Value {
    fn from_body(document: Value) -> Result<Self, ApiError> {
        Ok(document)
    }
}

/// A JSON body of at most `--max-body-bytes`, of a JSON media type when one
/// is named (413, 415, 408 otherwise), that parses (400) into a `T`.
pub struct JsonBody<T>(pub T);

impl<T: FromBody> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let bytes = params::read_body(
            &parts.headers,
            body,
            state.config.max_body_bytes,
            &params::JSON_TYPES,
        )
        .await?;
        T::from_body(params::parse_json(&bytes)?).map(JsonBody)
    }
}
