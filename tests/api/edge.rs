//! The server's edge, over raw sockets: slow and idle clients are closed
//! within the configured times while others are served, connections past
//! the bound get a fast 503, and every answer the router never sees (a
//! head hyper cannot parse, too long or too large) is a problem document.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use prioridades::config::{ConnectionArgs, ServeArgs};
use reqwest::StatusCode;
use serde_json::Value;
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, database_url, problem_type, spawn_app, spawn_app_in};

/// The timeouts the slow-client tests configure.
const TIMEOUT: Duration = Duration::from_secs(1);
/// How much later than its timeout a socket may be closed: generous, for a
/// loaded machine; a socket held to the end of the test fails by far.
const MARGIN: Duration = Duration::from_secs(2);
/// How long any one exchange in these tests may take before it fails.
const BOUND: Duration = Duration::from_secs(15);

/// An app with its connection settings changed by `change`.
async fn app_with(change: impl FnOnce(&mut ConnectionArgs)) -> TestApp {
    let dir = TempDir::new().expect("temp dir");
    let mut args = ServeArgs::for_database(database_url(&dir));
    change(&mut args.connections);
    spawn_app_in(dir, args).await
}

fn address(app: &TestApp) -> SocketAddr {
    app.base
        .trim_start_matches("http://")
        .parse()
        .expect("an address")
}

/// Reads until the server closes the connection (or fails on [`BOUND`]).
async fn read_to_close(socket: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    tokio::time::timeout(BOUND, async {
        let mut buf = [0u8; 8192];
        loop {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("the server closes the connection in time");
    out
}

/// Sends `request` on a new connection and reads the answer to the close.
async fn exchange(app: &TestApp, request: &[u8]) -> Vec<u8> {
    let mut socket = TcpStream::connect(address(app)).await.expect("connect");
    // A refused head may close the socket before all of it is written.
    let _ = socket.write_all(request).await;
    read_to_close(&mut socket).await
}

/// One answer read from `socket`: status, head and body (by
/// `Content-Length`; none for a HEAD request).
async fn read_answer(socket: &mut TcpStream, head_request: bool) -> (u16, String, Vec<u8>) {
    tokio::time::timeout(BOUND, async {
        let mut bytes = Vec::new();
        let mut buf = [0u8; 8192];
        let end = loop {
            if let Some(i) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = socket.read(&mut buf).await.expect("a read");
            assert!(
                n > 0,
                "closed mid-answer: {:?}",
                String::from_utf8_lossy(&bytes)
            );
            bytes.extend_from_slice(&buf[..n]);
        };
        let head = String::from_utf8(bytes[..end].to_vec()).expect("an ASCII head");
        let length = if head_request {
            0
        } else {
            head.lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.trim().parse::<usize>().expect("a length"))
                })
                .expect("a Content-Length")
        };
        let mut body = bytes[end..].to_vec();
        while body.len() < length {
            let n = socket.read(&mut buf).await.expect("a read");
            assert!(n > 0, "closed mid-body");
            body.extend_from_slice(&buf[..n]);
        }
        let status = head[9..12].parse().expect("a status");
        (status, head, body)
    })
    .await
    .expect("an answer in time")
}

/// The status and problem document of a whole answer, checking it is
/// `application/problem+json` and says the same status.
fn problem(answer: &[u8]) -> (u16, Value) {
    let text = String::from_utf8_lossy(answer);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("an HTTP answer: {text:?}"));
    let status: u16 = head[9..12].parse().expect("a status");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{head}"
    );
    let document: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"));
    assert_eq!(document["status"], status, "{document}");
    (status, document)
}

/// How a slow socket behaves.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slow {
    /// Connects and sends nothing.
    Silent,
    /// Sends a head a byte at a time, never finishing it.
    Head,
    /// Sends a whole write's head, then its body a byte at a time.
    Body,
    /// Makes one request, then keeps the connection open, idle.
    Idle,
}

/// Runs one slow socket: what it received, and how long after its slow
/// part began the server closed it.
async fn slow_socket(address: SocketAddr, kind: Slow, token: String) -> (Slow, Vec<u8>, Duration) {
    let mut socket = TcpStream::connect(address).await.expect("connect");
    let mut received = Vec::new();
    match kind {
        Slow::Silent | Slow::Head | Slow::Body => {}
        Slow::Idle => {
            socket
                .write_all(b"GET /conformance HTTP/1.1\r\nHost: test\r\n\r\n")
                .await
                .expect("a request");
            let (status, _, _) = read_answer(&mut socket, false).await;
            assert_eq!(status, 200);
        }
    }
    if kind == Slow::Body {
        let head = format!(
            "POST /collections/priorities/items HTTP/1.1\r\nHost: test\r\n\
             Authorization: Bearer {token}\r\nContent-Type: application/geo+json\r\n\
             Content-Length: 1000\r\n\r\n"
        );
        socket.write_all(head.as_bytes()).await.expect("a head");
    }
    let started = Instant::now();
    let mut trickle = b"GET /conformance HTTP/1.1\r\nHost: test\r\nX-Slow: "
        .iter()
        .cycle();
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let mut buf = [0u8; 4096];
    let outcome = tokio::time::timeout(BOUND, async {
        loop {
            tokio::select! {
                read = socket.read(&mut buf) => match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => received.extend_from_slice(&buf[..n]),
                },
                _ = tick.tick(), if matches!(kind, Slow::Head | Slow::Body) => {
                    let byte = if kind == Slow::Head { *trickle.next().expect("a byte") } else { b' ' };
                    let _ = socket.write_all(&[byte]).await;
                }
            }
        }
    })
    .await;
    assert!(outcome.is_ok(), "a {kind:?} socket was held for {BOUND:?}");
    (kind, received, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_sockets_are_closed_in_time_while_other_clients_are_served() {
    let app = app_with(|c| {
        c.header_timeout = TIMEOUT;
        c.body_timeout = TIMEOUT;
        c.idle_timeout = TIMEOUT;
    })
    .await;
    let address = address(&app);
    let mut sockets = Vec::new();
    for kind in [Slow::Silent, Slow::Head, Slow::Body, Slow::Idle] {
        for _ in 0..25 {
            sockets.push(tokio::spawn(slow_socket(
                address,
                kind,
                app.admin_token.clone(),
            )));
        }
    }
    // Meanwhile another client is served, promptly, again and again.
    let started = Instant::now();
    let mut served = 0;
    while started.elapsed() < TIMEOUT + MARGIN {
        let asked = Instant::now();
        let r = app.get("/collections/priorities/items?limit=1").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            asked.elapsed() < TIMEOUT,
            "an answer took {:?}",
            asked.elapsed()
        );
        served += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served >= 10, "{served}");
    for socket in sockets {
        let (kind, received, held) = socket.await.expect("the socket's task");
        assert!(
            held >= TIMEOUT - Duration::from_millis(100) && held <= TIMEOUT + MARGIN,
            "a {kind:?} socket was closed after {held:?}, not about {TIMEOUT:?}"
        );
        match kind {
            // Nothing was asked: closed without an answer.
            Slow::Silent | Slow::Idle => assert!(
                received.is_empty(),
                "{kind:?}: {:?}",
                String::from_utf8_lossy(&received)
            ),
            Slow::Head | Slow::Body => {
                let (status, document) = problem(&received);
                assert_eq!(status, 408, "{kind:?}: {document}");
                assert_eq!(document["type"], problem_type("request-timeout"));
            }
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn connections_past_the_bound_get_a_fast_503_problem_until_one_closes() {
    let app = app_with(|c| c.max_connections = 4.try_into().expect("4 > 0")).await;
    let address = address(&app);
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(address).await.expect("connect"));
    }
    let asked = Instant::now();
    let answer = exchange(&app, b"GET /conformance HTTP/1.1\r\nHost: test\r\n\r\n").await;
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "{:?}",
        asked.elapsed()
    );
    let (status, document) = problem(&answer);
    assert_eq!(status, 503, "{document}");
    assert_eq!(document["type"], problem_type("overloaded"));
    let text = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(text.contains("retry-after: 1\r\n"), "{text}");

    // Room returns as soon as a held connection closes.
    drop(held.pop());
    let deadline = Instant::now() + BOUND;
    loop {
        let answer = exchange(
            &app,
            b"GET /conformance HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        )
        .await;
        if answer.starts_with(b"HTTP/1.1 200 ") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{}",
            String::from_utf8_lossy(&answer)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(held);
    app.stop().await;
}

#[tokio::test]
async fn a_path_segment_that_is_not_utf8_is_a_400_problem() {
    let app = spawn_app().await;
    let r = app.get("/collections/priorities/items/%ff%fe").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let document: Value = r.json().await.expect("a problem");
    assert_eq!(document["type"], problem_type("invalid-path"));
    assert!(
        document["detail"]
            .as_str()
            .expect("a detail")
            .contains("{id}"),
        "{document}"
    );
}

#[tokio::test]
async fn a_100_kb_path_is_a_414_problem() {
    let app = spawn_app().await;
    let path = "a".repeat(100_000);
    let answer = exchange(
        &app,
        format!("GET /{path} HTTP/1.1\r\nHost: test\r\n\r\n").as_bytes(),
    )
    .await;
    let (status, document) = problem(&answer);
    assert_eq!(status, 414, "{document}");
    assert_eq!(document["type"], problem_type("uri-too-long"));
}

#[tokio::test]
async fn a_1_mb_query_or_100000_repeated_values_is_a_431_problem() {
    let app = spawn_app().await;
    let long = format!("q={}", "a".repeat(1 << 20));
    let repeated = "category=water&".repeat(100_000);
    for query in [long, repeated] {
        let request =
            format!("GET /collections/priorities/items?{query} HTTP/1.1\r\nHost: test\r\n\r\n");
        let answer = exchange(&app, request.as_bytes()).await;
        let (status, document) = problem(&answer);
        assert_eq!(status, 431, "{document}");
        assert_eq!(document["type"], problem_type("headers-too-large"));
    }
}

#[tokio::test]
async fn a_header_value_with_control_bytes_is_a_400_problem() {
    let app = spawn_app().await;
    let answer = exchange(
        &app,
        b"POST /collections/priorities/items HTTP/1.1\r\nHost: test\r\nContent-Type: \x01json\r\n\r\n",
    )
    .await;
    let (status, document) = problem(&answer);
    assert_eq!(status, 400, "{document}");
    assert_eq!(document["type"], problem_type("malformed-request"));
}

#[tokio::test]
async fn two_authorization_headers_are_a_400_problem_not_the_first_taken() {
    let app = spawn_app().await;
    let mut headers = reqwest::header::HeaderMap::new();
    for token in [app.admin_token.as_str(), "nonsense"] {
        let value = format!("Bearer {token}").parse().expect("a header value");
        headers.append(reqwest::header::AUTHORIZATION, value);
    }
    let r = reqwest::Client::new()
        .get(app.url("/tokens"))
        .headers(headers)
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let document: Value = r.json().await.expect("a problem");
    assert_eq!(document["type"], problem_type("invalid-header"));
    assert_eq!(document["header"], "Authorization");
}

/// hyper's own answers are rewritten; the router's, whatever their status
/// and even without a body, pass unchanged on a connection kept alive.
#[tokio::test]
async fn the_routers_answers_pass_unchanged_on_a_kept_alive_connection() {
    let app = spawn_app().await;
    let mut socket = TcpStream::connect(address(&app)).await.expect("connect");
    for (request, head_request, expected) in [
        ("GET /conformance", false, 200),
        ("HEAD /collections/priorities/items?bbox=1", true, 400),
        ("GET /collections/priorities/items?bbox=1", false, 400),
        ("GET /nowhere", false, 404),
        ("HEAD /conformance", true, 200),
        ("GET /conformance", false, 200),
    ] {
        let raw = format!("{request} HTTP/1.1\r\nHost: test\r\n\r\n");
        socket.write_all(raw.as_bytes()).await.expect("a request");
        let (status, head, body) = read_answer(&mut socket, head_request).await;
        assert_eq!(status, expected, "{request}: {head}");
        assert!(
            !head.to_ascii_lowercase().contains("connection: close"),
            "{request}: {head}"
        );
        if head_request {
            assert!(body.is_empty(), "{request}");
        } else if status != 200 {
            let document: Value = serde_json::from_slice(&body).expect("a problem");
            assert_eq!(document["status"], expected);
        }
    }
    app.stop().await;
}
