//! One delivery attempt: the signed POST over plain HTTP (hyper-util's
//! client; `https://` URLs are refused when a hook is registered).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::domain::webhook::{Delivery, Webhook, signature};

/// The client every attempt goes through (connections kept for reuse).
pub(super) type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// A client that gives up connecting after `timeout`.
pub(super) fn client(timeout: Duration) -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(timeout));
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .build(connector)
}

/// POSTs delivery `d` to `hook`: the answer's status, or why none came
/// within `timeout` (connecting, sending and the answer's head).
pub(super) async fn post(
    client: &HttpClient,
    hook: &Webhook,
    d: &Delivery,
    timeout: Duration,
) -> Result<u16, String> {
    let request = hyper::Request::post(hook.url.as_str())
        .header(header::CONTENT_TYPE, "application/json")
        .header(
            header::USER_AGENT,
            concat!("prioridades/", env!("CARGO_PKG_VERSION")),
        )
        .header(
            "x-prioridades-signature",
            signature(&hook.secret, d.payload.as_bytes()),
        )
        .header("x-prioridades-delivery", d.id.to_string())
        .body(Full::new(Bytes::from(d.payload.clone())))
        .map_err(|e| format!("cannot build the request: {e}"))?;
    match tokio::time::timeout(timeout, client.request(request)).await {
        // The answer's body is not read: dropping it closes the connection.
        Ok(Ok(response)) => Ok(response.status().as_u16()),
        Ok(Err(e)) => Err(chain(&e)),
        Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
    }
}

/// An error with its causes, `: `-separated.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
