//! A connection's socket, watched: it closes a connection whose request
//! head is late or whose idle wait runs out, and it turns the few answers
//! hyper writes on its own (a head it cannot parse) into problem documents.
//!
//! The socket is where both can be seen. hyper's `header_read_timeout`
//! starts when a connection falls idle, so it cannot tell a client that
//! waits between requests from one that trickles its headers; and hyper
//! answers a malformed, too long or too large head itself, with an empty
//! body, before any service runs.

use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

use super::service::Phase;
use super::{ConnectionLimits, MAX_HEAD_BYTES, MAX_HEADERS, MAX_URI_BYTES};
use crate::http::problem::ApiError;

/// What the connection waits for while no answer is in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    /// Its first request, nothing of it come yet: the header timeout runs
    /// from the opening; running out closes it without an answer.
    Opened,
    /// The next request after an answer: the idle timeout runs.
    Idle,
    /// The rest of a head that has begun: the header timeout runs;
    /// running out is answered 408.
    Head,
}

/// A TCP stream that keeps the timeouts of the waits between requests and
/// rewrites hyper's own error answers.
pub(super) struct TimedIo {
    stream: TcpStream,
    phase: Arc<Phase>,
    limits: ConnectionLimits,
    wait: Wait,
    /// The idle count last seen: a new one starts an idle wait.
    idles: u64,
    deadline: Pin<Box<Sleep>>,
    /// Every byte written has been flushed: a write now begins an answer.
    flushed: bool,
    /// Requests the router had been given at the last write.
    calls_written: u64,
    /// The problem sent instead of hyper's answer, and how much of it is sent.
    rewrite: Option<(Vec<u8>, usize)>,
}

impl TimedIo {
    pub(super) fn new(stream: TcpStream, phase: Arc<Phase>, limits: ConnectionLimits) -> Self {
        TimedIo {
            stream,
            phase,
            limits,
            wait: Wait::Opened,
            idles: 0,
            deadline: Box::pin(tokio::time::sleep(limits.header_timeout)),
            flushed: true,
            calls_written: 0,
            rewrite: None,
        }
    }

    /// The wait ran out: the error that closes the connection. A head
    /// begun is answered 408 first, when nothing else is being written.
    fn timed_out(&mut self) -> io::Error {
        if self.wait == Wait::Head && self.flushed && self.rewrite.is_none() {
            let answer = ApiError::request_timeout(format!(
                "the request head did not arrive within {} s; the connection is closed",
                self.limits.header_timeout.as_secs_f64()
            ))
            .to_http1();
            // The socket is idle and the answer small: one write will do.
            let _ = self.stream.try_write(&answer);
        }
        let what = match self.wait {
            Wait::Idle => "idle connection timed out",
            Wait::Opened | Wait::Head => "request head timed out",
        };
        io::Error::new(io::ErrorKind::TimedOut, what)
    }

    /// Whether `first` (the first bytes of a write) starts an answer hyper
    /// wrote on its own: a status line written when no request reached the
    /// router since the last answer, and no answer is in progress.
    fn hyper_answer(&self, first: &[u8]) -> Option<Vec<u8>> {
        if !self.flushed
            || self.rewrite.is_some()
            || !self.phase.waiting()
            || self.phase.calls() != self.calls_written
            || !first.starts_with(b"HTTP/1.")
        {
            return None;
        }
        let problem = match first.get(9..13)? {
            b"400 " => ApiError::malformed_request(),
            b"414 " => ApiError::uri_too_long(MAX_URI_BYTES),
            b"431 " => ApiError::headers_too_large(MAX_HEAD_BYTES, MAX_HEADERS),
            _ => return None,
        };
        Some(problem.to_http1())
    }

    /// Sends the rest of the rewritten answer; hyper's `len` bytes count as
    /// written once it is all out.
    fn poll_rewrite(&mut self, cx: &mut Context<'_>, len: usize) -> Poll<io::Result<usize>> {
        if let Some((answer, sent)) = &mut self.rewrite {
            while *sent < answer.len() {
                match ready!(Pin::new(&mut self.stream).poll_write(cx, &answer[*sent..]))? {
                    0 => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                    n => *sent += n,
                }
            }
        }
        Poll::Ready(Ok(len))
    }

    fn begin_write(&mut self, first: &[u8]) {
        if let Some(answer) = self.hyper_answer(first) {
            self.rewrite = Some((answer, 0));
        }
        self.flushed = false;
        self.calls_written = self.phase.calls();
    }
}

impl AsyncRead for TimedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        // While an answer is in progress, reads are hyper's (the body, or
        // watching for the client to leave): no wait of ours runs.
        let waiting = this.phase.waiting();
        if waiting && this.phase.idles() != this.idles {
            this.idles = this.phase.idles();
            this.wait = Wait::Idle;
            let at = Instant::now() + this.limits.idle_timeout;
            this.deadline.as_mut().reset(at);
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if waiting && this.wait != Wait::Head && buf.filled().len() > before {
                    if this.wait == Wait::Idle {
                        let at = Instant::now() + this.limits.header_timeout;
                        this.deadline.as_mut().reset(at);
                    }
                    this.wait = Wait::Head;
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending if waiting && this.deadline.as_mut().poll(cx).is_ready() => {
                Poll::Ready(Err(this.timed_out()))
            }
            other => other,
        }
    }
}

impl AsyncWrite for TimedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.flushed {
            this.begin_write(buf);
        }
        if this.rewrite.is_some() {
            return this.poll_rewrite(cx, buf.len());
        }
        Pin::new(&mut this.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.flushed {
            let first = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| b);
            this.begin_write(first);
        }
        if this.rewrite.is_some() {
            let len = bufs.iter().map(|b| b.len()).sum();
            return this.poll_rewrite(cx, len);
        }
        Pin::new(&mut this.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(Pin::new(&mut self.stream).poll_flush(cx))?;
        self.flushed = true;
        // An answer just ended. hyper reads again only when the socket
        // wakes it, so the idle wait's timer would never be set: wake it.
        if self.phase.waiting() && self.phase.idles() != self.idles {
            cx.waker().wake_by_ref();
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
