//! The web map's files, embedded in the binary: our own page, script and
//! style sheets from `web/`, and MapLibre GL JS's `dist/` files, which
//! `build.rs` took from the npm registry's pinned tarball. Served at `/map`
//! and under `/assets/`, each with its media type, a strong `ETag` (a digest
//! of its bytes), `Cache-Control: no-cache` (revalidate, a 304 when the
//! binary has not changed) and the page headers of [`secure`]. With a
//! basemap configured, the page names its template in `data-basemap` and
//! the policy admits its origin ([`map_csp`]).

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use super::AppState;
use super::basemap::Basemap;
use super::problem::ApiError;

/// `text/javascript`, for classic scripts and modules alike.
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
/// `text/css`.
const CSS: &str = "text/css; charset=utf-8";
/// `text/html`.
pub const HTML: &str = "text/html; charset=utf-8";

/// The Content-Security-Policy of every page: nothing inline, nothing from
/// another origin. MapLibre runs its worker from its own module file (a
/// `blob:` URL in some browsers), draws into canvases and may load images
/// from `data:` and `blob:` URLs.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data: blob:; worker-src 'self' blob:; child-src 'self' blob:; \
    connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// The policy of the map page and its files: [`CSP`], and with a basemap
/// its origin in `img-src` and `connect-src` (MapLibre fetches raster
/// tiles and decodes them as images).
pub fn map_csp(basemap: Option<&Basemap>) -> HeaderValue {
    let Some(basemap) = basemap else {
        return HeaderValue::from_static(CSP);
    };
    let origin = basemap.origin();
    let policy = CSP
        .replace(
            "img-src 'self' data: blob:;",
            &format!("img-src 'self' data: blob: {origin};"),
        )
        .replace(
            "connect-src 'self';",
            &format!("connect-src 'self' {origin};"),
        );
    // Basemap::parse admits only characters a header value may hold.
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static(CSP))
}

/// Whether MapLibre GL JS could not be had when the binary was built.
pub const MAPLIBRE_MISSING: bool = cfg!(maplibre_missing);

/// One embedded file.
struct Asset {
    /// Its path under `/assets/`.
    path: &'static str,
    /// Its media type.
    media_type: &'static str,
    /// Its bytes.
    bytes: &'static [u8],
}

macro_rules! own {
    ($path:literal, $media:expr) => {
        Asset {
            path: $path,
            media_type: $media,
            bytes: include_bytes!(concat!("../../web/", $path)),
        }
    };
}

macro_rules! maplibre {
    ($file:literal, $media:expr) => {
        Asset {
            path: concat!("maplibre/", $file),
            media_type: $media,
            bytes: include_bytes!(concat!(env!("OUT_DIR"), "/maplibre/", $file)),
        }
    };
}

/// Every file served under `/assets/`; `map.html` is served at `/map`.
static ASSETS: [Asset; 19] = [
    own!("map.html", HTML),
    own!("map.js", JAVASCRIPT),
    own!("map-layers.js", JAVASCRIPT),
    own!("map-panels.js", JAVASCRIPT),
    own!("map-actions.js", JAVASCRIPT),
    own!("map-propose.js", JAVASCRIPT),
    own!("map-agenda.js", JAVASCRIPT),
    own!("map-stats.js", JAVASCRIPT),
    own!("map-card.js", JAVASCRIPT),
    own!("map-duplicates.js", JAVASCRIPT),
    own!("api.js", JAVASCRIPT),
    own!("i18n.js", JAVASCRIPT),
    own!("map.css", CSS),
    own!("views.css", CSS),
    own!("views.js", JAVASCRIPT),
    maplibre!("maplibre-gl.mjs", JAVASCRIPT),
    maplibre!("maplibre-gl-worker.mjs", JAVASCRIPT),
    maplibre!("maplibre-gl-shared.mjs", JAVASCRIPT),
    maplibre!("maplibre-gl.css", CSS),
];

/// Each asset by path, with its strong tag.
static BY_PATH: LazyLock<HashMap<&'static str, (&'static Asset, String)>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| (asset.path, (asset, digest_tag(asset.bytes))))
        .collect()
});

/// The routes of the map and its files.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/map", get(map_page))
        .route("/assets/{*path}", get(asset))
}

async fn map_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let basemap = state.config.basemap.as_ref();
    let Some(basemap) = basemap else {
        return serve("map.html", &headers, None).unwrap_or_else(IntoResponse::into_response);
    };
    // The page names the template; its tag is a digest of what is served.
    let page = String::from_utf8_lossy(ASSETS[0].bytes).replacen(
        "data-basemap=\"\"",
        &format!("data-basemap=\"{}\"", escape_attribute(basemap.template())),
        1,
    );
    let tag = digest_tag(page.as_bytes());
    respond(page.into_bytes(), HTML, &tag, &headers, Some(basemap))
}

async fn asset(
    State(state): State<AppState>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    // The page itself is served at /map only.
    if path == "map.html" {
        return ApiError::not_found("the map is at /map").into_response();
    }
    serve(&path, &headers, state.config.basemap.as_ref())
        .unwrap_or_else(IntoResponse::into_response)
}

/// The file at `path`, or a 304 when `headers` hold its tag; a 404 for an
/// unknown path and for MapLibre's files when the build could not get them.
fn serve(path: &str, headers: &HeaderMap, basemap: Option<&Basemap>) -> Result<Response, ApiError> {
    let (asset, tag) = BY_PATH
        .get(path)
        .filter(|(asset, _)| !asset.bytes.is_empty())
        .ok_or_else(|| ApiError::not_found(format!("no asset {path}")))?;
    Ok(respond(
        asset.bytes,
        asset.media_type,
        tag,
        headers,
        basemap,
    ))
}

/// `bytes` as `media_type` tagged `tag`, or a 304 when `headers` hold the
/// tag; with the page headers and the map's policy.
fn respond(
    bytes: impl Into<axum::body::Body>,
    media_type: &'static str,
    tag: &str,
    headers: &HeaderMap,
    basemap: Option<&Basemap>,
) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|given| given.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, media_type)], bytes.into()).into_response()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(tag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    secure(&mut response);
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, map_csp(basemap));
    response
}

/// `text` for a double-quoted HTML attribute.
fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A strong tag: the first 12 bytes of the SHA-256 of `bytes`, in hex.
fn digest_tag(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let short: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{short}\"")
}

/// The headers every page and page asset carries: the [`CSP`], no media
/// type sniffing, no referrer beyond this origin.
pub fn secure(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_path_is_unique_and_typed() {
        assert_eq!(BY_PATH.len(), ASSETS.len());
        for asset in &ASSETS {
            let by_extension = match asset.path.rsplit('.').next() {
                Some("js" | "mjs") => JAVASCRIPT,
                Some("css") => CSS,
                Some("html") => HTML,
                other => panic!("an asset of unknown kind: {other:?}"),
            };
            assert_eq!(asset.media_type, by_extension, "{}", asset.path);
        }
    }

    #[test]
    fn maplibre_is_embedded_unless_the_build_said_it_is_missing() {
        let library = &BY_PATH["maplibre/maplibre-gl.mjs"].0;
        assert_eq!(library.bytes.is_empty(), MAPLIBRE_MISSING);
    }
}
