//! Health for load balancers: `/health/live` (the process answers) and
//! `/health/ready`, also at `/health` (the store answers and the index is
//! caught up with its change sequence). See docs/deployment.md.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::extract::{FormatOnly, Query};
use super::problem::ApiError;
use super::{AppState, JSON, typed};
use crate::service::Health;
use crate::store::Engine;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(ready))
        .route("/health/ready", get(ready))
        .route("/health/live", get(live))
}

/// 200 while the process serves requests: nothing else is checked, so a
/// slow or unreachable database never gets a live process restarted.
async fn live(_: Query<FormatOnly>) -> Result<Response, ApiError> {
    Ok(typed(
        StatusCode::OK,
        JSON,
        json!({"status": "pass"}).to_string(),
    ))
}

/// 200 when ready for traffic, 503 (problem+json) when not; both with the
/// checks behind the answer.
async fn ready(State(state): State<AppState>, _: Query<FormatOnly>) -> Result<Response, ApiError> {
    let max_lag = state.config.ready_max_lag;
    let health = state.service.health().await;
    let engine = state.service.store().engine();
    let checks = checks(&health, engine, max_lag);
    if !health.ready(max_lag) {
        let detail = match (&health.store, health.lag()) {
            (Err(e), _) => format!("the database does not answer: {e}"),
            (Ok(_), Some(lag)) => format!(
                "the index is {lag} changes behind the database (at most {max_lag} allowed)"
            ),
            (Ok(_), None) => "the database's change sequence is unknown".into(),
        };
        return Err(ApiError::not_ready(detail, checks));
    }
    let status = if health.storage_full { "warn" } else { "pass" };
    let body = json!({"status": status, "checks": checks});
    Ok(typed(StatusCode::OK, JSON, body.to_string()))
}

/// The checks, by component.
fn checks(health: &Health, engine: Engine, max_lag: i64) -> Value {
    let engine = match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgresql",
    };
    json!({
        "store": {
            "engine": engine,
            "reachable": health.store.is_ok(),
            "latency_ms": health.store.as_ref().ok().map(|d| d.as_secs_f64() * 1000.0),
            "error": health.store.as_ref().err(),
        },
        "index": {
            "applied_seq": health.applied_seq,
            "store_seq": health.store_seq,
            "lag": health.lag(),
            "max_lag": max_lag,
        },
        "storage": {
            "full": health.storage_full,
        },
    })
}
