//! Bearer tokens on requests: who is calling, and the token endpoints.

use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use serde_json::Value;

use super::bodies::{self, TokenRequest};
use super::extract::{Base, FormatOnly, JsonBody, NoParams, Query};
use super::params::Path;
use super::problem::ApiError;
use super::{AppState, JSON, typed};
use crate::domain::FieldError;
use crate::domain::auth::{Actor, Principal, Role, StoredToken};
use crate::domain::time;

/// The caller, if the request carries a valid bearer token. A request with
/// an `Authorization` header that is not a valid token is refused (401)
/// before it reaches a handler, so handlers never act on a bad credential.
pub struct Caller(pub Option<Principal>);

impl Caller {
    /// The caller, for a request that needs one (every write).
    pub fn required(self) -> Result<Principal, ApiError> {
        self.0.ok_or_else(|| {
            ApiError::unauthorized(
                "this request needs a bearer token: Authorization: Bearer <token>",
            )
        })
    }
}

/// The caller of a request that needs one (every write, and the reads of
/// tokens and the review queue): 401 without a bearer token.
pub struct Who(pub Principal);

impl FromRequestParts<AppState> for Who {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Caller::from_request_parts(parts, state)
            .await?
            .required()
            .map(Who)
    }
}

/// An admin caller: 401 without a token, 403 for another role. Checked
/// before the body is read, so a large import is refused unread.
pub struct Admin(pub Principal);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Who(who) = Who::from_request_parts(parts, state).await?;
        who.role.may_administer().map_err(ApiError::forbidden)?;
        Ok(Admin(who))
    }
}

/// The token in an `Authorization: Bearer` header, if any. Several
/// `Authorization` headers are refused (400) rather than one picked: a proxy
/// and the server could pick different ones.
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::header(
            "Authorization",
            "send one Authorization header, not several",
        ));
    }
    let text = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not ASCII"))?;
    match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(ApiError::unauthorized(
            "the Authorization header must be \"Bearer <token>\"",
        )),
    }
}

/// Resolves the caller of a request.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, ApiError> {
    let Some(secret) = bearer(headers)? else {
        return Ok(None);
    };
    match state.service.authenticate(secret).await? {
        Some(p) => Ok(Some(p)),
        None => Err(ApiError::unauthorized(
            "the bearer token is unknown or revoked",
        )),
    }
}

/// The caller as [`guard`] resolved it, kept in the request's extensions.
#[derive(Clone)]
struct Authenticated(Option<Principal>);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Authenticated>() {
            Some(Authenticated(who)) => Ok(Caller(who.clone())),
            None => caller(state, &parts.headers).await.map(Caller),
        }
    }
}

/// Resolves the caller before the handler runs. With `--private-reads`,
/// every request needs a valid token; otherwise only a present but invalid
/// token is refused here (writes check for one). Run by the HTTP layer's
/// one middleware, [`super::edge`].
pub(super) async fn guard(state: &AppState, mut request: Request, next: Next) -> Response {
    // Health is for load balancers: no token needed, and none looked up
    // (it must answer while the database that holds tokens does not).
    if request.uri().path().starts_with("/health") {
        return next.run(request).await;
    }
    let needs_token = state.config.private_reads && request.method() != Method::OPTIONS;
    match caller(state, request.headers()).await {
        Err(e) => e.into_response(),
        Ok(None) if needs_token => {
            ApiError::unauthorized("this server's data is private: send a bearer token")
                .into_response()
        }
        // Without a token there is nothing to keep: `Caller` finds no
        // header again, at no cost, where inserting would allocate the
        // request's extension map on every anonymous read.
        Ok(None) => next.run(request).await,
        Ok(Some(who)) => {
            // Handlers read the caller from here: one token lookup per request.
            request.extensions_mut().insert(Authenticated(Some(who)));
            next.run(request).await
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tokens", get(list).post(create))
        .route("/tokens/self", get(own))
        .route("/tokens/{id}", get(get_one).delete(revoke))
}

/// The caller's own token as the service sees it: how a page learns the
/// role and scope of the token it was given. Any valid token may read it.
#[derive(Serialize)]
struct OwnToken<'a> {
    id: &'a str,
    role: &'static str,
    scope: Option<String>,
}

async fn own(_: Query<FormatOnly>, Who(who): Who) -> Result<Response, ApiError> {
    let body = OwnToken {
        id: &who.token_id,
        role: who.role.name(),
        scope: who.role.scope(),
    };
    let text = serde_json::to_string(&body).map_err(ApiError::internal)?;
    let mut response = typed(StatusCode::OK, JSON, text);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// A token as shown to admins: never its hash, and its secret only in
/// the answer that creates it.
#[derive(Serialize)]
struct TokenView<'a> {
    id: &'a str,
    role: &'static str,
    scope: Option<String>,
    label: Option<&'a str>,
    created_at: String,
    revoked_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
}

impl<'a> TokenView<'a> {
    fn of(t: &'a StoredToken) -> Self {
        TokenView {
            id: &t.id,
            role: t.role.name(),
            scope: t.role.scope(),
            label: t.label.as_deref(),
            created_at: time::format(t.created_at),
            revoked_at: t.revoked_at.map(time::format),
            token: None,
        }
    }

    /// The view as JSON text.
    fn text(&self) -> String {
        // Strings and options cannot fail to serialize.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A token as shown to admins (and by `prioridades token list`): never its
/// secret or hash.
pub fn token_json(t: &StoredToken) -> Value {
    serde_json::to_value(TokenView::of(t)).unwrap_or_default()
}

async fn list(
    State(state): State<AppState>,
    _: Query<FormatOnly>,
    Who(who): Who,
) -> Result<Response, ApiError> {
    let tokens = state.service.tokens(Actor::Caller(&who)).await?;
    #[derive(Serialize)]
    struct List<'a> {
        tokens: Vec<TokenView<'a>>,
    }
    let list = List {
        tokens: tokens.iter().map(TokenView::of).collect(),
    };
    let body = serde_json::to_string(&list).map_err(ApiError::internal)?;
    Ok(typed(StatusCode::OK, JSON, body))
}

async fn create(
    State(state): State<AppState>,
    Base(base): Base,
    _: Query<NoParams>,
    Admin(who): Admin,
    JsonBody(request): JsonBody<TokenRequest>,
) -> Result<Response, ApiError> {
    let role_name = request
        .role
        .as_deref()
        .ok_or_else(|| ApiError::invalid_field(FieldError::new("/role", bodies::ROLE_REQUIRED)))?;
    let pointer = if matches!(role_name, "spokesperson" | "cabinet" | "planner" | "admin") {
        "/scope"
    } else {
        "/role"
    };
    let role = Role::parse(role_name, request.scope.as_deref())
        .map_err(|e| ApiError::invalid_field(FieldError::new(pointer, e)))?;
    check_scope(&state, &role)?;
    let (token, secret) = state
        .service
        .create_token(Actor::Caller(&who), role, request.label)
        .await?;
    let body = TokenView {
        token: Some(&secret),
        ..TokenView::of(&token)
    };
    let mut response = typed(StatusCode::CREATED, JSON, body.text());
    if let Ok(location) = format!("{base}/tokens/{}", token.id).parse() {
        response.headers_mut().insert(header::LOCATION, location);
    }
    // The secret is in this body only: keep it out of every cache.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// A scope must name something that exists (422 at `/scope`).
fn check_scope(state: &AppState, role: &Role) -> Result<(), ApiError> {
    let index = state.service.index().read();
    let missing = match role {
        Role::Spokesperson(c) => index
            .catalog
            .council(c)
            .is_none()
            .then(|| format!("council {c} does not exist")),
        Role::Cabinet(t) => index
            .catalog
            .territory(*t)
            .is_none()
            .then(|| format!("{} {t} does not exist", t.level().as_str())),
        Role::Planner | Role::Admin => None,
    };
    match missing {
        Some(detail) => Err(ApiError::invalid_field(FieldError::new("/scope", detail))),
        None => Ok(()),
    }
}

async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _: Query<NoParams>,
    Who(who): Who,
) -> Result<Response, ApiError> {
    state.service.revoke_token(Actor::Caller(&who), &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _: Query<FormatOnly>,
    Who(who): Who,
) -> Result<Response, ApiError> {
    let tokens = state.service.tokens(Actor::Caller(&who)).await?;
    let token = tokens
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found(format!("no token with id {id:?}")))?;
    Ok(typed(StatusCode::OK, JSON, TokenView::of(token).text()))
}
