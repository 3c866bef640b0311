//! Conditional reads: an `ETag` on every public read of the OGC resources
//! (landing page, conformance, API, collections, items pages, tiles,
//! TileJSON, tile matrix sets, statistics), `If-None-Match` answered `304`,
//! and a `Cache-Control` that lets browsers and shared caches keep a copy
//! and revalidate it.
//!
//! The tag is derived from what determines the bytes: the change sequence
//! the response reflects, the boundary generation, the request's path and
//! query, its `Accept` header and today's date (`overdue` compares with
//! it). Invalidation is therefore conservative: any committed change gives
//! every resource a new tag, never a stale one an old tag. A tag is weak
//! (`W/"…"`): the body may be compressed on the way, and feature
//! collections carry the time they were written.
//!
//! A single priority keeps its strong tag, its version (`If-Match` names
//! it); `If-None-Match` with it is answered 304 as well.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// What conditional reads need to know about a request.
#[derive(Debug)]
pub struct Validator {
    /// The tag the response will carry.
    tag: String,
    /// The request's `If-None-Match`, as given.
    if_none_match: Option<String>,
    /// `private` (reads need a token) or `public`.
    private: bool,
}

/// `Cache-Control` of public reads: any cache may keep them, and must ask
/// again (a 304 when unchanged) before reusing them.
const PUBLIC: HeaderValue = HeaderValue::from_static("public, max-age=0, must-revalidate");
/// `Cache-Control` under `--private-reads`: the browser's cache only.
const PRIVATE: HeaderValue = HeaderValue::from_static("private, max-age=0, must-revalidate");

/// Whether the resource at `path` is one whose reads are tagged.
fn tagged(path: &str) -> bool {
    matches!(path, "/" | "/conformance" | "/api" | "/statistics")
        || path.starts_with("/collections")
        || path.starts_with("/tileMatrixSets")
}

impl Validator {
    /// The validator of a read of a tagged resource; `None` for anything
    /// else. `seq` and `generation` are the state of the data the response
    /// will reflect (read before the handler runs, so a tag never claims
    /// more than its body holds).
    pub fn of(
        method: &Method,
        uri: &axum::http::Uri,
        headers: &HeaderMap,
        seq: i64,
        generation: u64,
        private: bool,
    ) -> Option<Self> {
        if !matches!(*method, Method::GET | Method::HEAD) || !tagged(uri.path()) {
            return None;
        }
        let accept = headers
            .get(header::ACCEPT)
            .map(HeaderValue::as_bytes)
            .unwrap_or_default();
        let mut hash = Sha256::new();
        hash.update(uri.path().as_bytes());
        hash.update(b"?");
        hash.update(uri.query().unwrap_or("").as_bytes());
        hash.update(b"\n");
        hash.update(accept);
        hash.update(b"\n");
        hash.update(chrono::Utc::now().date_naive().to_string().as_bytes());
        let digest = hash.finalize();
        let short: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Some(Validator {
            tag: format!("W/\"{seq}-{generation}-{short}\""),
            if_none_match: headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            private,
        })
    }

    /// A 304 for a request that already holds the current tag, without
    /// running the handler.
    pub fn not_modified_early(&self) -> Option<Response> {
        matches_any(self.if_none_match.as_deref()?, &self.tag).then(|| self.not_modified(&self.tag))
    }

    fn not_modified(&self, tag: &str) -> Response {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(value) = HeaderValue::from_str(tag) {
            response.headers_mut().insert(header::ETAG, value);
        }
        self.cache_control(&mut response);
        response
    }

    fn cache_control(&self, response: &mut Response) {
        let value = if self.private { PRIVATE } else { PUBLIC };
        response.headers_mut().insert(header::CACHE_CONTROL, value);
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("accept"));
    }

    /// Tags a successful response (keeping a tag the handler set) and turns
    /// it into a 304 when the request holds that tag.
    pub fn finish(self, mut response: Response) -> Response {
        if response.status() != StatusCode::OK {
            return response;
        }
        let tag = match response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
        {
            Some(own) => own.to_owned(),
            None => {
                if let Ok(value) = HeaderValue::from_str(&self.tag) {
                    response.headers_mut().insert(header::ETAG, value);
                }
                self.tag.clone()
            }
        };
        if self
            .if_none_match
            .as_deref()
            .is_some_and(|given| matches_any(given, &tag))
        {
            return self.not_modified(&tag);
        }
        self.cache_control(&mut response);
        response
    }
}

/// A weak tag of a body's bytes, for a response whose content can change
/// without a new change number (a priority's history gains notes): a
/// handler that sets it keeps it, and `If-None-Match` is compared with it.
pub fn content_tag(bytes: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(bytes);
    let short: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("W/\"c-{short}\""))
        .unwrap_or(HeaderValue::from_static("W/\"c\""))
}

/// Whether an `If-None-Match` value names `tag`, by the weak comparison RFC
/// 9110 prescribes for it (`W/` ignored), or is `*`.
fn matches_any(if_none_match: &str, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let wanted = opaque(tag);
    if_none_match
        .split(',')
        .any(|given| given.trim() == "*" || opaque(given) == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists_and_star() {
        assert!(matches_any("W/\"1-0-ab\"", "W/\"1-0-ab\""));
        assert!(matches_any("\"x\", W/\"1-0-ab\"", "W/\"1-0-ab\""));
        assert!(matches_any("\"1-0-ab\"", "W/\"1-0-ab\""));
        assert!(matches_any("*", "\"3\""));
        assert!(!matches_any("W/\"2-0-ab\"", "W/\"1-0-ab\""));
    }
}
