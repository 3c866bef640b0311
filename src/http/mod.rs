//! HTTP: routing, request parsing and response assembly for an OGC API –
//! Features (Part 1 Core, GeoJSON, OpenAPI 3.0; Part 4 writes) service.

mod allow;
pub mod assets;
mod auth;
pub use auth::token_json;
pub mod basemap;
mod bodies;
mod changes;
mod collection;
mod conditional;
mod cors;
mod councils;
pub(crate) mod duplicates;
mod extract;
mod feed;
mod health;
pub mod html;
mod meta;
pub mod ogc;
mod open311;
mod openapi;
pub mod params;
mod priorities;
mod priority_filter;
pub mod problem;
pub mod queryables;
mod statistics;
mod statistics_times;
mod territories;
mod tiles;
pub mod webhooks;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use tower::{Layer, ServiceBuilder};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::TraceLayer;

use self::collection::{collection_head, feature_collection, list_response, streamed_collection};
use self::problem::{ApiError, InternalCause};
use crate::service::Service;

/// `application/geo+json`, for features and feature collections.
pub const GEOJSON: &str = "application/geo+json";
/// `application/json`, for every other document.
pub const JSON: &str = "application/json";

/// Settings the HTTP layer needs.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Largest body accepted by single-feature writes, in bytes.
    pub max_body_bytes: usize,
    /// Largest body accepted by the bulk import, in bytes.
    pub max_import_bytes: usize,
    /// Origins allowed to call the API from a browser; `*` for any.
    pub cors_origins: Vec<String>,
    /// Base URL for links (`https://example.org/prioridades`); from `Host` when unset.
    pub public_url: Option<String>,
    /// Reads need a token too (by default they are public).
    pub private_reads: bool,
    /// Most changes the index may lag behind the store and still be ready.
    pub ready_max_lag: i64,
    /// Tiles of priorities below this zoom hold clusters, not priorities.
    pub cluster_below_zoom: u8,
    /// The raster basemap drawn under the web map, if any.
    pub basemap: Option<basemap::Basemap>,
}

/// What every handler can reach, behind one pointer: axum clones the state
/// for each request into every middleware and handler, and under load the
/// reference counts of three fields, shared by both cores, showed in the
/// profile (figures: docs/benchmarks.md).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The contents of an [`AppState`].
pub struct Shared {
    /// The write path, and the index reads are answered from.
    pub service: Arc<Service>,
    /// What the HTTP layer is configured with.
    pub config: HttpConfig,
    /// Simplified boundaries, shared by every request.
    pub boundary_cache: territories::BoundaryCache,
    /// Built vector tiles, while the data is unchanged.
    pub tile_cache: tiles::TileCache,
    /// Boundaries simplified for each zoom's tiles.
    pub simplified: tiles::SimplifiedCache,
}

impl AppState {
    /// The state of a router over `service`.
    pub fn new(service: Arc<Service>, config: HttpConfig) -> Self {
        AppState(Arc::new(Shared {
            service,
            config,
            boundary_cache: territories::BoundaryCache::default(),
            tile_cache: tiles::TileCache::default(),
            simplified: tiles::SimplifiedCache::default(),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The whole API with its middleware.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(meta::router())
        .merge(priorities::router())
        .merge(duplicates::router())
        .merge(territories::router())
        .merge(councils::router())
        .merge(statistics::router())
        .merge(tiles::router())
        .merge(open311::router())
        .merge(auth::router())
        .merge(changes::router())
        .merge(webhooks::router())
        .merge(health::router())
        .merge(assets::router())
        .fallback(|| async { ApiError::not_found("no resource at this path; start at /") })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .with_state(state.clone());
    with_middleware(routes, state)
}

/// `routes` inside the API's middleware: CORS, compression, [`edge`], and
/// the trace layer when `debug` logging is on.
fn with_middleware(routes: Router, state: AppState) -> Router {
    // The middleware wraps the whole router once. `Router::layer` wraps each
    // route instead, and a wrapped route clones a boxed service and boxes a
    // future for every request it passes on, a cost measured per layer
    // (docs/benchmarks.md).
    let origins = state.config.cors_origins.clone();
    let app = ServiceBuilder::new()
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(COMPRESSION_LEVEL)))
        .layer(middleware::from_fn_with_state(state, edge))
        .service(routes);
    let app = cors::with_cors(app, &origins);
    // A span and a response line per request are logged at `debug` only:
    // at the default `info` the layer made spans nobody records, at a cost
    // measured in docs/benchmarks.md.
    if tracing::enabled!(target: "tower_http::trace", tracing::Level::DEBUG) {
        Router::new().fallback_service(
            TraceLayer::new_for_http()
                .on_failure(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::DEBUG),
                )
                .layer(app),
        )
    } else {
        Router::new().fallback_service(app)
    }
}

/// A caught panic as a 500 problem, its message kept for the log.
fn panic_response(panic: Box<dyn std::any::Any + Send>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".into());
    ApiError::internal(format!("handler panicked: {message}")).into_response()
}

/// The response header naming the change number the response reflects.
pub const CHANGE_SEQUENCE: &str = "change-sequence";

/// The service's own work around every request, in one middleware: each of
/// the three `from_fn` layers it replaces, and tower-http's panic catcher,
/// cost a measurable share of a small answer's throughput (a layer clones
/// its inner service and boxes a future per request; docs/benchmarks.md).
///
/// - Who is calling, from the bearer token ([`auth::guard`]).
/// - A handler's panic becomes a 500 problem.
/// - The `Change-Sequence` header says which change number the response
///   reflects: every change up to it (on any replica) is in the answer.
///   Reads take the number before they run, so it never overstates; writes
///   after, so it includes the write itself.
/// - Each 5xx is logged once, with its cause (inside the request's trace
///   span when `debug` logging adds one).
async fn edge(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let uri = request.uri().clone();
    let before = state.service.applied_seq();
    let validator = conditional::Validator::of(
        &method,
        &uri,
        request.headers(),
        before,
        state.service.index().read().catalog.boundary_generation(),
        state.config.private_reads,
    );
    // Under `--private-reads` the token is checked before anything is said,
    // even that a copy is still current.
    let early = validator
        .as_ref()
        .filter(|_| !state.config.private_reads)
        .and_then(|v| v.not_modified_early());
    let mut request = request;
    let view = html::View::wanted(&mut request);
    let caught = if let Some(not_modified) = early {
        Ok(not_modified)
    } else if runs_to_completion(&method, &uri) {
        // A write runs in a task of its own, so a client that goes away
        // does not cancel it between its commit and the index's update
        // (the write gate would then count a write the index never got).
        let state = state.clone();
        tokio::spawn(async move {
            AssertUnwindSafe(auth::guard(&state, request, next))
                .catch_unwind()
                .await
        })
        .await
        .unwrap_or_else(|e| {
            Ok(ApiError::internal(format!("write task failed: {e}")).into_response())
        })
    } else {
        AssertUnwindSafe(auth::guard(&state, request, next))
            .catch_unwind()
            .await
    };
    let mut response = caught.unwrap_or_else(panic_response);
    if let Some(view) = view {
        response = view.render(&state, response).await;
    }
    if let Some(validator) = validator {
        response = validator.finish(response);
    }
    let seq = if matches!(method, Method::GET | Method::HEAD) {
        before
    } else {
        state.service.applied_seq()
    };
    response.headers_mut().insert(
        HeaderName::from_static(CHANGE_SEQUENCE),
        HeaderValue::from(seq),
    );
    if response.status().is_server_error() {
        let cause = response
            .extensions()
            .get::<InternalCause>()
            .map(|c| c.0.as_str())
            .unwrap_or("unknown");
        tracing::error!(%method, %uri, status = response.status().as_u16(), cause, "request failed");
    }
    response
}

/// Whether a request runs to completion even if its client goes away: every
/// write but the bulk imports, which commit batch by batch and stop at the
/// batch in flight when their client leaves (their index updates are
/// recorded with each batch, so a cancelled one is caught up with).
fn runs_to_completion(method: &Method, uri: &axum::http::Uri) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        && !uri.path().ends_with("/import")
}

/// The strong entity tag of a priority version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The URL links are built from, without a trailing slash.
fn base_url(config: &HttpConfig, headers: &HeaderMap) -> String {
    if let Some(url) = &config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    // Only a syntactically plain host[:port] is echoed back, so a forged Host
    // header cannot inject markup or another scheme into links.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// A link object of a document (`href`, `rel`, `type`, optional `title`).
#[derive(Debug, Clone, serde::Serialize)]
struct Link {
    href: String,
    rel: &'static str,
    #[serde(rename = "type")]
    media_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    /// The `href` is a URI template (OGC API – Tiles' tile links).
    #[serde(skip_serializing_if = "Option::is_none")]
    templated: Option<bool>,
}

/// A [`Link`].
fn link(href: String, rel: &'static str, media_type: &'static str, title: Option<&str>) -> Link {
    Link {
        href,
        rel,
        media_type,
        title: title.map(str::to_owned),
        templated: None,
    }
}

/// Links as a JSON array's text.
fn links_text(links: &[Link]) -> String {
    // Strings cannot fail to serialize.
    serde_json::to_string(links).unwrap_or_default()
}

/// A response with a body of the given media type.
///
/// GeoJSON names its CRS in `Content-Crs` (OGC API – Features Part 2):
/// CRS84 unless the handler replaces it for a `crs=` request.
fn typed(status: StatusCode, media_type: &'static str, body: String) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, media_type)], body).into_response();
    if media_type == GEOJSON {
        response
            .headers_mut()
            .insert(CONTENT_CRS, CONTENT_CRS84.clone());
    }
    response
}

/// The `Content-Crs` header's name.
pub const CONTENT_CRS: header::HeaderName = header::HeaderName::from_static("content-crs");

/// `Content-Crs` of CRS84 responses.
static CONTENT_CRS84: HeaderValue =
    HeaderValue::from_static("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");

/// A 201 with `Location` and the created Feature.
fn created(base: &str, path: String, feature: String) -> Response {
    let mut response = typed(StatusCode::CREATED, GEOJSON, feature);
    if let Ok(location) = HeaderValue::from_str(&format!("{base}{path}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// The gzip and brotli level: 4 on both scales, where a large page
/// compresses nearly as small as at gzip's default of 6 in about half the
/// time (figures: docs/benchmarks.md).
const COMPRESSION_LEVEL: i32 = 4;

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::Mutex;

    use axum::body::Body;
    use axum::routing::get;
    use serde_json::Value;
    use tower::ServiceExt;

    use super::*;
    use crate::index::SharedIndex;
    use crate::store::Store;

    /// Log lines, kept for the test to read.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
        }
    }

    /// The API's middleware, as `router` wraps the API, around two handlers
    /// of its own: one answers, one panics.
    async fn edged_router(dir: &tempfile::TempDir) -> Router {
        let url = format!("sqlite://{}", dir.path().join("edge.db").display());
        let store = Store::connect(&url).await.unwrap();
        let applied = store.change_state().await.unwrap();
        let service = Service::new(store, SharedIndex::default(), applied);
        let state = AppState::new(
            Arc::new(service),
            HttpConfig {
                max_body_bytes: 1 << 20,
                max_import_bytes: 1 << 20,
                cors_origins: vec!["*".into()],
                public_url: None,
                private_reads: false,
                ready_max_lag: crate::config::READY_MAX_LAG,
                cluster_below_zoom: crate::config::CLUSTER_BELOW_ZOOM,
                basemap: None,
            },
        );
        let routes = Router::new()
            .route("/fine", get(|| async { "fine" }))
            .route(
                "/boom",
                get(|| async {
                    if true {
                        panic!("the test handler panics");
                    }
                    "never"
                }),
            )
            .with_state(state.clone());
        with_middleware(routes, state)
    }

    async fn call(router: &Router, path: &str, authorization: Option<&str>) -> Response {
        let mut request = Request::builder().uri(path);
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn the_edge_turns_a_panic_into_a_logged_500_problem_and_numbers_every_answer() {
        let log = Captured::default();
        let writer = log.clone();
        let _subscriber = tracing::subscriber::set_default(
            tracing_subscriber::fmt()
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .finish(),
        );
        let dir = tempfile::TempDir::new().unwrap();
        let router = edged_router(&dir).await;

        let fine = call(&router, "/fine", None).await;
        assert_eq!(fine.status(), StatusCode::OK);
        assert_eq!(fine.headers()[CHANGE_SEQUENCE], "0");
        assert!(log.text().is_empty(), "{}", log.text());

        let boom = call(&router, "/boom?x=1", None).await;
        assert_eq!(boom.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            boom.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        assert_eq!(boom.headers()[CHANGE_SEQUENCE], "0");
        let body = axum::body::to_bytes(boom.into_body(), 1 << 16)
            .await
            .unwrap();
        let problem: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["status"], 500);
        // The client is told nothing of the cause; the log is, once.
        assert!(!body.windows(6).any(|w| w == b"panics"), "{problem}");
        let logged = log.text();
        assert_eq!(logged.matches("request failed").count(), 1, "{logged}");
        assert!(logged.contains("/boom?x=1"), "{logged}");
        assert!(
            logged.contains("handler panicked: the test handler panics"),
            "{logged}"
        );

        // A bad token is refused before the handler, numbered too.
        let refused = call(&router, "/fine", Some("Bearer nonsense")).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(refused.headers()[CHANGE_SEQUENCE], "0");
    }
}
