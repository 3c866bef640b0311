//! Cross-origin requests. tower-http's CORS layer answers every `OPTIONS`
//! request itself, as a preflight (an empty 200); it is given only the
//! preflights (`OPTIONS` with `Access-Control-Request-Method`), so that any
//! other `OPTIONS` reaches the router, whose handlers answer 204 with
//! `Allow` (QGIS reads from it what the caller may edit).

use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, Response, header};
use futures_util::future::Either;
use tower::{Layer, Service};
use tower_http::cors::{AllowOrigin, Any, Cors, CorsLayer};

use super::CHANGE_SEQUENCE;

/// `inner` behind CORS for `origins` (`*` for any).
pub(super) fn with_cors<S: Clone>(inner: S, origins: &[String]) -> PreflightsToCors<S> {
    PreflightsToCors {
        cors: cors_layer(origins).layer(inner.clone()),
        plain: inner,
    }
}

fn cors_layer(origins: &[String]) -> CorsLayer {
    let allow_origin = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers(Any)
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            HeaderName::from_static(CHANGE_SEQUENCE),
        ])
        .max_age(Duration::from_secs(3600))
}

/// A service sending every request through CORS except an `OPTIONS` that
/// is not a preflight, which goes to the service itself.
#[derive(Clone)]
pub(super) struct PreflightsToCors<S> {
    cors: Cors<S>,
    plain: S,
}

impl<S, B> Service<Request> for PreflightsToCors<S>
where
    S: Service<Request, Response = Response<B>> + Clone,
    B: Default,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = Either<<Cors<S> as Service<Request>>::Future, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        match self.cors.poll_ready(cx) {
            Poll::Ready(Ok(())) => self.plain.poll_ready(cx),
            other => other,
        }
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let preflight = request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if request.method() == Method::OPTIONS && !preflight {
            Either::Right(self.plain.call(request))
        } else {
            Either::Left(self.cors.call(request))
        }
    }
}
