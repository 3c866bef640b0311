//! Feature collections as responses: the head of a page with its counts
//! and links, a page assembled or streamed a chunk at a time, and the small
//! collections' pages filtered, sorted and reshaped by the OGC parameters.

use std::sync::Arc;

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;

use super::params::Params;
use super::problem::ApiError;
use super::{CONTENT_CRS, GEOJSON, link, links_text, ogc, typed};
use crate::representation::{push_metres, push_with_member};

/// The start of a paged FeatureCollection, up to the opening of its
/// `features` array: counts, time stamp and `self`/`next`/`prev` links.
///
/// `path` is the collection's items path; `params` the request's parameters
/// without paging, repeated in the links.
pub(super) fn collection_head(
    base: &str,
    path: &str,
    params: &[(&str, &str)],
    page: crate::domain::query::Page,
    matched: usize,
    returned: usize,
) -> String {
    let href = |offset: usize| {
        let mut pairs: Vec<(&str, String)> =
            params.iter().map(|(k, v)| (*k, v.to_string())).collect();
        pairs.push(("limit", page.limit.to_string()));
        pairs.push(("offset", offset.to_string()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{base}{path}?{query}")
    };
    let mut links = vec![link(href(page.offset), "self", GEOJSON, Some("this page"))];
    if page.offset + returned < matched {
        links.push(link(
            href(page.offset + returned),
            "next",
            GEOJSON,
            Some("next page"),
        ));
    }
    if page.offset > 0 {
        links.push(link(
            href(page.offset.saturating_sub(page.limit)),
            "prev",
            GEOJSON,
            Some("previous page"),
        ));
    }
    let mut out = String::with_capacity(512);
    out.push_str(r#"{"type":"FeatureCollection","numberMatched":"#);
    out.push_str(&matched.to_string());
    out.push_str(r#","numberReturned":"#);
    out.push_str(&returned.to_string());
    out.push_str(r#","timeStamp":""#);
    out.push_str(&Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    out.push_str(r#"","links":"#);
    out.push_str(&links_text(&links));
    out.push_str(r#","features":["#);
    out
}

/// A paged FeatureCollection assembled from pre-serialized features.
pub(super) fn feature_collection<'a>(
    base: &str,
    path: &str,
    params: &[(&str, &str)],
    page: crate::domain::query::Page,
    matched: usize,
    features: impl ExactSizeIterator<Item = (&'a str, Option<f64>)>,
) -> String {
    let mut out = collection_head(base, path, params, page, matched, features.len());
    out.reserve(features.len() * 1024);
    for (i, (feature, distance)) in features.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_feature(&mut out, feature, distance);
    }
    out.push_str("]}");
    out
}

/// Writes a feature's text, with `distance_m` among its properties when a
/// radius query measured one.
pub(super) fn push_feature(out: &mut String, feature: &str, distance: Option<f64>) {
    match distance {
        Some(d) => push_with_member(out, feature, 2, "distance_m", |out| push_metres(out, d)),
        None => out.push_str(feature),
    }
}

/// Features sent per chunk of a streamed collection.
const STREAM_CHUNK: usize = 128;

/// A FeatureCollection body sent in chunks: `head` (see
/// [`collection_head`]), then the features — shared texts, each with its
/// `distance_m` when given — then the closing brackets. A large page is held
/// as pointers to texts the index already keeps, not as one string, so
/// memory stays flat however many such responses are in flight.
pub(super) fn streamed_collection(head: String, features: Vec<(Arc<str>, Option<f64>)>) -> Body {
    let chunks = features.chunks(STREAM_CHUNK).count();
    let body = (0..chunks).map(move |c| {
        let part = &features[c * STREAM_CHUNK..((c + 1) * STREAM_CHUNK).min(features.len())];
        let mut text = String::with_capacity(part.len() * 1024);
        for (i, (feature, distance)) in part.iter().enumerate() {
            if c > 0 || i > 0 {
                text.push(',');
            }
            push_feature(&mut text, feature, *distance);
        }
        Ok::<_, std::convert::Infallible>(bytes::Bytes::from(text))
    });
    let stream = std::iter::once(Ok(bytes::Bytes::from(head)))
        .chain(body)
        .chain(std::iter::once(Ok(bytes::Bytes::from_static(b"]}"))));
    Body::from_stream(futures_util::stream::iter(stream))
}

/// A page of pre-built features as a FeatureCollection response.
pub(super) fn list_response(
    base: &str,
    path: &str,
    params: &Params,
    queryables: &crate::domain::cql::Queryables,
    features: Vec<String>,
    default_limit: usize,
) -> Result<Response, ApiError> {
    let page = params.page_or(default_limit)?;
    let (features, reshape) = ogc::select(params, queryables, features)?;
    let matched = features.len();
    let page_items: Vec<std::borrow::Cow<'_, str>> = features
        .iter()
        .skip(page.offset)
        .take(page.limit)
        .map(|f| reshape.apply(f))
        .collect();
    let body = feature_collection(
        base,
        path,
        &params.without_paging(),
        page,
        matched,
        page_items.iter().map(|f| (f.as_ref(), None)),
    );
    let mut response = typed(StatusCode::OK, GEOJSON, body);
    response
        .headers_mut()
        .insert(CONTENT_CRS, ogc::content_crs(reshape.crs));
    Ok(response)
}
