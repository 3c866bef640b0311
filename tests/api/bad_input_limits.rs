//! Body size limits: a priority or an import over its limit is a 413
//! problem whether or not it declares its length, and stores nothing; the
//! same body under the limit is accepted.

use prioridades::config::ServeArgs;
use reqwest::StatusCode;
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{
    GEOJSON, IMPORT, ITEMS, TestApp, assert_problem, database_url, priority, problem_type,
    spawn_app_in,
};

/// An app whose write and import body limits are both `bytes`, with the minimal catalog.
async fn small_limit_app(max_body_bytes: usize, max_import_bytes: usize) -> TestApp {
    let dir = TempDir::new().expect("temp dir");
    let mut args = ServeArgs::for_database(database_url(&dir));
    args.max_body_bytes = max_body_bytes;
    args.max_import_bytes = max_import_bytes;
    let app = spawn_app_in(dir, args).await;
    app.seed_minimal_catalog().await;
    app
}

/// The valid priority padded (through its description) to at least `bytes` bytes.
fn priority_of_size(bytes: usize) -> String {
    let base = priority().to_string().len();
    let padding = bytes.saturating_sub(base) + 32;
    assert!(padding <= 4000, "the padding fits a valid description");
    let mut p = priority();
    p["properties"]["description"] = "d".repeat(padding).into();
    p.to_string()
}

#[tokio::test]
async fn a_4_kb_priority_over_a_2_kb_limit_is_a_413() {
    let app = small_limit_app(2048, 256 * 1024 * 1024).await;
    let body = priority_of_size(4096);
    assert!(body.len() >= 4096);
    let response = app.post_raw(ITEMS, GEOJSON, body).await;
    let p = assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, ("pointer", "")).await;
    assert_eq!(p["type"], problem_type("body-too-large"));
    assert_eq!(app.priority_count().await, 0);
}

#[tokio::test]
async fn the_same_priority_under_the_limit_is_accepted() {
    // Control for the 413 test: the body was refused for its size alone.
    let app = small_limit_app(8192, 256 * 1024 * 1024).await;
    let response = app.post_raw(ITEMS, GEOJSON, priority_of_size(4096)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(app.priority_count().await, 1);
}

/// Sends a chunked request (no Content-Length) over a raw connection and
/// returns the status code, the response head and the body text.
async fn send_chunked(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, String, String) {
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.admin_token
    )
    .into_bytes();
    for chunk in body.chunks(1024) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    // The server may answer and close before reading everything; a failed
    // write is fine as long as the answer arrives.
    let _ = stream.write_all(&request).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    (status, head.to_ascii_lowercase(), rest.to_owned())
}

#[tokio::test]
async fn a_4_kb_chunked_priority_without_content_length_over_a_2_kb_limit_is_a_413() {
    let app = small_limit_app(2048, 256 * 1024 * 1024).await;
    let body = priority_of_size(4096);
    let (status, head, rest) =
        send_chunked(&app, ITEMS, "application/geo+json", body.as_bytes()).await;
    assert_eq!(status, 413, "{head}\n{rest}");
    assert!(
        head.contains("content-type: application/problem+json"),
        "{head}"
    );
    assert!(rest.contains("body-too-large"), "{rest}");
    assert_eq!(app.priority_count().await, 0);
}

#[tokio::test]
async fn a_4_kb_import_over_a_2_kb_import_limit_is_a_413() {
    let app = small_limit_app(1024 * 1024, 2048).await;
    let line = priority().to_string();
    let mut body = String::new();
    while body.len() < 4096 {
        body.push_str(&line);
        body.push('\n');
    }
    let response = app.post_raw(IMPORT, "application/x-ndjson", body).await;
    let p = assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, ("pointer", "")).await;
    assert_eq!(p["type"], problem_type("body-too-large"));
    assert_eq!(app.priority_count().await, 0);
}
