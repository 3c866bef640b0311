//! Nearby duplicates: `GET /collections/priorities/items/{id}/duplicates`,
//! and the `possible_duplicates` member written into a proposal's response
//! and the review queue's features.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use uuid::Uuid;

use super::extract::{Base, Endpoint, PriorityId, Query};
use super::params::ParamSpec;
use super::priorities::ITEMS_PATH;
use super::problem::ApiError;
use super::{AppState, GEOJSON, feature_collection, typed};
use crate::domain::duplicates::{MAX_DUPLICATE_DISTANCE_M, MAX_POSSIBLE_DUPLICATES};
use crate::domain::query::Page;
use crate::representation::append_member;
use crate::service::Service;

/// `distance=` of the duplicates of a priority.
pub const DISTANCE: ParamSpec = ParamSpec {
    name: "distance",
    description: "Metres, 1 to 5000, between the nearest parts of the geometries; the server's `--duplicate-distance` (100 by default) when absent.",
    schema: r#"{"type": "number", "minimum": 1, "maximum": 5000}"#,
    example: r#"250"#,
};

/// The parameters of `GET /collections/priorities/items/{id}/duplicates`.
pub struct Duplicates;
impl Endpoint for Duplicates {
    const PARAMS: &'static [ParamSpec] = &[DISTANCE];
}

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/collections/priorities/items/{id}/duplicates",
        get(duplicates),
    )
}

/// `distance=`: metres from 1 to [`MAX_DUPLICATE_DISTANCE_M`].
fn parse_distance(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(m) if (1.0..=MAX_DUPLICATE_DISTANCE_M).contains(&m) => Ok(m),
        _ => Err(format!(
            "expected metres from 1 to {MAX_DUPLICATE_DISTANCE_M}; got {s:?}"
        )),
    }
}

/// `GET /collections/priorities/items/{id}/duplicates`: the possible
/// duplicates of a priority, nearest first, each with `distance_m`.
async fn duplicates(
    State(state): State<AppState>,
    Base(base): Base,
    params: Query<Duplicates>,
    PriorityId(id): PriorityId,
) -> Result<Response, ApiError> {
    let within = params.parsed("distance", parse_distance)?;
    let path = format!("{ITEMS_PATH}/{id}/duplicates");
    let page = Page {
        limit: MAX_POSSIBLE_DUPLICATES,
        offset: 0,
    };
    let body = state.service.with_duplicates(id, within, |near| {
        feature_collection(
            &base,
            &path,
            &params.without_paging(),
            page,
            near.len(),
            near.iter().map(|(e, d)| (&*e.feature, Some(*d))),
        )
    })?;
    Ok(typed(StatusCode::OK, GEOJSON, body))
}

/// `feature` (the Feature text of the priority `id`) with its
/// `possible_duplicates` member (empty should the priority be gone since).
pub fn with_possible_duplicates(
    service: &Service,
    id: Uuid,
    feature: &str,
) -> Result<String, ApiError> {
    let found = service.possible_duplicates(id).unwrap_or_default();
    let json = serde_json::to_string(&found).map_err(ApiError::internal)?;
    Ok(append_member(feature, 1, "possible_duplicates", &json))
}
