//! `OPTIONS` on the priorities' items and on one priority: `Allow` lists
//! the methods the caller may use, as the write path decides them. QGIS's
//! OAPIF provider enables adding, changing (with PATCH when listed) and
//! deleting features from these two answers.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use super::params::Path;

/// `OPTIONS` on the items: `Allow` lists what the caller may do (QGIS
/// enables adding features from it).
pub async fn items_options(State(state): State<AppState>, caller: Caller) -> Response {
    let p = state.service.permitted(caller.0.as_ref(), None);
    allow(if p.create {
        "GET, HEAD, POST, OPTIONS"
    } else {
        "GET, HEAD, OPTIONS"
    })
}

/// `OPTIONS` on one priority: `Allow` lists what the caller may do to it
/// (QGIS enables changing and deleting from it, and edits with PATCH when
/// listed).
pub async fn item_options(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    let id = Uuid::parse_str(&id).ok();
    let p = state.service.permitted(caller.0.as_ref(), Some(id));
    let mut methods = vec!["GET", "HEAD"];
    if p.edit {
        methods.extend(["PUT", "PATCH"]);
    }
    if p.delete {
        methods.push("DELETE");
    }
    methods.push("OPTIONS");
    allow(&methods.join(", "))
}

fn allow(methods: &str) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(value) = HeaderValue::from_str(methods) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}
