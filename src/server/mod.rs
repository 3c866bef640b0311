//! The accept loop: HTTP/1.1 connections served by hyper, at most
//! `max_connections` at a time, each under the timeouts of
//! [`ConnectionLimits`], and a graceful stop.
//!
//! axum's `serve` has no bound and no timeouts: sockets that never finish
//! their headers, trickle a body or sit idle were held forever, and past the
//! file-descriptor limit `accept` failed and the server stopped answering.

mod io;
mod service;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use bytes::Bytes;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::http::problem::ApiError;

pub use service::BodyTimedOut;

/// What a connection may cost the server, in time and number.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time to send a request's head: from the connection's opening, or
    /// from the first byte after an idle wait. Late: 408, then closed.
    pub header_timeout: Duration,
    /// Time to send a request's body, from the end of its head. Late: 408,
    /// then closed.
    pub body_timeout: Duration,
    /// Time a kept-alive connection may wait for its next request; then it
    /// is closed, without an answer (clients retry on a new connection).
    pub idle_timeout: Duration,
    /// Connections served at once; one more is answered 503 and closed.
    pub max_connections: usize,
}

/// The longest request target hyper reads (its own constant, `u16::MAX - 1`):
/// a longer one is 414.
pub const MAX_URI_BYTES: usize = u16::MAX as usize - 1;
/// The largest request head read (request line included): larger is 431.
/// Room for the longest target and as much again in headers.
pub const MAX_HEAD_BYTES: usize = 128 * 1024;
/// The most header fields hyper reads (its default): more is 431.
pub const MAX_HEADERS: usize = 100;

/// Connections over the bound whose 503 is delivered patiently at once;
/// past this, one more gets its 503 written without waiting and is closed.
/// Each holds a socket for at most [`SHED_GRACE`].
const SHEDDERS: usize = 64;
/// How long a refused connection is kept to deliver its 503: time for the
/// client's request to arrive and be read, so closing does not reset it.
const SHED_GRACE: Duration = Duration::from_millis(250);
/// Pause after `accept` fails for a reason other than one connection's
/// (out of file descriptors, say), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// At most one warning per this interval while connections are refused.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `shutdown` completes; then stops
/// accepting, lets requests in flight finish (idle connections close at
/// once) and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let shedders = Arc::new(Semaphore::new(SHEDDERS));
    let refusal = Bytes::from(ApiError::overloaded(limits.max_connections).to_http1());
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    // The head's timeouts are kept by `io::TimedIo`, which tells an idle
    // wait from a slow head; hyper's own timer runs from the idle start.
    // Header names go out title-cased (`Location`, `Allow`): HTTP/1.1 makes
    // them case-insensitive, but QGIS 3.40's OAPIF provider reads a created
    // feature's `Location` only when spelled so.
    http.header_read_timeout(None)
        .max_header_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS)
        .title_case_headers(true);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut warned: Option<Instant> = None;
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    if !is_per_connection(&error) {
                        tracing::warn!(%error, "accept failed; pausing");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Streamed pages go out in several writes; with Nagle's algorithm a
        // small write after another waits for the peer's delayed ACK, which
        // showed as a tail on one-connection pages (figures: docs/benchmarks.md).
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY on a connection");
        }
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            if warned.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
                warned = Some(Instant::now());
                tracing::warn!(
                    limit = limits.max_connections,
                    "connection limit reached: refusing connections with 503"
                );
            }
            shed(stream, &shedders, refusal.clone());
            continue;
        };
        let phase = Arc::new(service::Phase::default());
        let io = TokioIo::new(io::TimedIo::new(stream, phase.clone(), limits));
        let service = service::PerConnection::new(router.clone(), phase, limits.body_timeout);
        let connection = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection closed on an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// An `accept` error that concerns one connection only (the peer gave up
/// before it was accepted), after which the next `accept` may succeed.
fn is_per_connection(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    )
}

/// Answers a connection over the bound with `refusal` (a 503 problem) and
/// closes it, off the accept loop. Failing `accept` instead would leave the
/// client waiting in the backlog with no answer at all.
fn shed(stream: TcpStream, shedders: &Arc<Semaphore>, refusal: Bytes) {
    let Ok(permit) = shedders.clone().try_acquire_owned() else {
        // Flooded: whatever of the request has come is read, the answer
        // written if the socket takes it at once, and the socket closed.
        let mut sink = [0u8; 4096];
        while matches!(stream.try_read(&mut sink), Ok(n) if n > 0) {}
        let _ = stream.try_write(&refusal);
        return;
    };
    tokio::spawn(async move {
        let _ = tokio::time::timeout(SHED_GRACE, refuse(stream, &refusal)).await;
        drop(permit);
    });
}

/// Writes `refusal`, ends the sending side and reads until the client
/// closes: closing a socket with unread bytes resets it, and a reset can
/// discard the answer before the client reads it.
async fn refuse(mut stream: TcpStream, refusal: &[u8]) -> std::io::Result<()> {
    stream.write_all(refusal).await?;
    stream.shutdown().await?;
    let mut sink = [0u8; 4096];
    while stream.read(&mut sink).await? > 0 {}
    Ok(())
}
