//! The router as one connection's hyper service: it marks when the
//! connection has an answer in progress (for [`super::io::TimedIo`]) and
//! bounds the time a request's body may take to arrive.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::routing::future::RouteFuture;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper::{Request, Response};
use tokio::time::{Instant, Sleep};
use tower::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where a connection stands, shared by its service and its socket. All of
/// a connection runs on one task; the atomics only make it `Sync`.
#[derive(Debug, Default)]
pub(super) struct Phase {
    /// Answers in progress: from a head's arrival until the response body
    /// is finished (or dropped).
    busy: AtomicUsize,
    /// Requests handed to the router so far.
    calls: AtomicU64,
    /// Times the connection fell idle: no answer in progress.
    idles: AtomicU64,
}

impl Phase {
    /// No answer in progress: the connection waits for a request.
    pub(super) fn waiting(&self) -> bool {
        self.busy.load(Relaxed) == 0
    }

    pub(super) fn calls(&self) -> u64 {
        self.calls.load(Relaxed)
    }

    pub(super) fn idles(&self) -> u64 {
        self.idles.load(Relaxed)
    }

    fn begin(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Relaxed);
        self.calls.fetch_add(1, Relaxed);
        Busy(self.clone())
    }
}

/// An answer in progress; its drop may make the connection idle.
#[derive(Debug)]
struct Busy(Arc<Phase>);

impl Drop for Busy {
    fn drop(&mut self) {
        if self.0.busy.fetch_sub(1, Relaxed) == 1 {
            self.0.idles.fetch_add(1, Relaxed);
        }
    }
}

/// The router, serving one connection.
pub(super) struct PerConnection {
    router: Router,
    phase: Arc<Phase>,
    body_timeout: Duration,
}

impl PerConnection {
    pub(super) fn new(router: Router, phase: Arc<Phase>, body_timeout: Duration) -> Self {
        PerConnection {
            router,
            phase,
            body_timeout,
        }
    }
}

impl hyper::service::Service<Request<Incoming>> for PerConnection {
    type Response = Response<Answer>;
    type Error = Infallible;
    type Future = Answering;

    fn call(&self, request: Request<Incoming>) -> Answering {
        let busy = self.phase.begin();
        let timeout = self.body_timeout;
        let request = request.map(|inner| {
            Body::new(Deadline {
                inner,
                at: Instant::now() + timeout,
                timeout,
                sleep: None,
            })
        });
        // The router is always ready; it needs no `poll_ready`.
        Answering {
            inner: self.router.clone().call(request),
            busy: Some(busy),
        }
    }
}

/// The router's answer to come, keeping the connection busy.
pub(super) struct Answering {
    inner: RouteFuture<Infallible>,
    busy: Option<Busy>,
}

impl Future for Answering {
    type Output = Result<Response<Answer>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let response = match ready!(Pin::new(&mut self.inner).poll(cx)) {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let busy = self.busy.take();
        Poll::Ready(Ok(response.map(|inner| Answer { inner, _busy: busy })))
    }
}

/// A response body that keeps the connection busy until it is sent.
pub(super) struct Answer {
    inner: Body,
    _busy: Option<Busy>,
}

impl http_body::Body for Answer {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A request body that fails with [`BodyTimedOut`] once its deadline
/// passes; the handler reading it answers 408.
struct Deadline {
    inner: Incoming,
    at: Instant,
    timeout: Duration,
    /// Made on the first wait only: most bodies arrive with their head.
    sleep: Option<Pin<Box<Sleep>>>,
}

/// The body did not arrive within the body timeout.
#[derive(Debug, thiserror::Error)]
#[error("the body did not arrive within {} s", .0.as_secs_f64())]
pub struct BodyTimedOut(pub Duration);

impl http_body::Body for Deadline {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => Poll::Ready(frame.map(|f| f.map_err(Into::into))),
            Poll::Pending => {
                let at = this.at;
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(BodyTimedOut(this.timeout).into()))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
