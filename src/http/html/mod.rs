//! HTML views of the API's resources (OGC API – Features, conformance class
//! HTML): the landing page, conformance, the collections, a collection, the
//! priorities' items and one priority, for browsers.
//!
//! A request asks for HTML with `f=html`, or, without `f`, with an `Accept`
//! header that prefers `text/html` to JSON by its q-values (what browsers
//! send). The [`super::edge`] middleware then strips `f=html`, lets the
//! JSON handler answer exactly as it answers any client, and renders its
//! document as a page ([`View::render`]). Every other request goes on
//! untouched: the JSON paths pay one look at the query and the `Accept`
//! header. Errors stay problem documents. Every text is escaped by maud.

mod negotiate;
mod pages;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde_json::Value;
use uuid::Uuid;

use super::AppState;
use super::assets::{HTML, secure};
use super::meta::COLLECTIONS;
use super::problem::ApiError;

pub use negotiate::prefers_html;

/// The resources that have an HTML view.
#[derive(Debug, Clone, PartialEq)]
pub enum View {
    /// `/`.
    Landing,
    /// `/conformance`.
    Conformance,
    /// `/collections`.
    Collections,
    /// `/collections/{id}`.
    Collection,
    /// `/collections/priorities/items`.
    Items,
    /// `/collections/priorities/items/{id}`.
    Item(Uuid),
}

impl View {
    /// The view of `path`, if it has one.
    fn of_path(path: &str) -> Option<View> {
        Some(match path {
            "/" => View::Landing,
            "/conformance" => View::Conformance,
            "/collections" => View::Collections,
            "/collections/priorities/items" => View::Items,
            _ => {
                let rest = path.strip_prefix("/collections/")?;
                if COLLECTIONS.iter().any(|(id, _, _)| *id == rest) {
                    View::Collection
                } else {
                    let id = rest.strip_prefix("priorities/items/")?;
                    View::Item(Uuid::parse_str(id).ok()?)
                }
            }
        })
    }

    /// The view `request` asks for, if any; then its `f=html` is removed
    /// and its `Accept` set to JSON, so the JSON handler answers it.
    pub fn wanted(request: &mut Request) -> Option<View> {
        if !matches!(*request.method(), Method::GET | Method::HEAD) {
            return None;
        }
        let (wants, rest) = negotiate::wants_html(request.uri().query(), request.headers())?;
        if !wants {
            return None;
        }
        let view = View::of_path(request.uri().path())?;
        let target = match rest {
            Some(query) if !query.is_empty() => format!("{}?{query}", request.uri().path()),
            _ => request.uri().path().to_owned(),
        };
        *request.uri_mut() = target.parse().ok()?;
        request
            .headers_mut()
            .insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        Some(view)
    }

    /// The page of the JSON `response` the handler gave; a response that
    /// is not a 200 is returned as it is.
    pub async fn render(self, state: &AppState, response: Response) -> Response {
        if response.status() != StatusCode::OK {
            return response;
        }
        let (mut parts, body) = response.into_parts();
        let document: Value = match body.collect().await {
            Ok(bytes) => match serde_json::from_slice(&bytes.to_bytes()) {
                Ok(value) => value,
                Err(e) => return ApiError::internal(format!("html view: {e}")).into_response(),
            },
            Err(e) => return ApiError::internal(format!("html view: {e}")).into_response(),
        };
        let markup = match &self {
            View::Landing => pages::landing(&document),
            View::Conformance => pages::conformance(&document),
            View::Collections => pages::collections(&document),
            View::Collection => pages::collection(&document),
            View::Items => pages::items(&document),
            View::Item(id) => match state.service.history(*id).await {
                Ok(entries) => {
                    let history: Vec<Value> = entries.iter().map(|e| e.to_json()).collect();
                    pages::item(&document, &history)
                }
                Err(e) => return ApiError::from(e).into_response(),
            },
        };
        // A page is another representation: the handler's strong tag (a
        // priority's version) does not name it. The edge tags it by change
        // number, except a priority's page: the history it shows gains
        // notes without a new change number, so it is tagged by its bytes.
        parts.headers.remove(header::ETAG);
        let markup = markup.into_string();
        if matches!(self, View::Item(_)) {
            parts.headers.insert(
                header::ETAG,
                super::conditional::content_tag(markup.as_bytes()),
            );
        }
        parts.headers.remove(header::CONTENT_LENGTH);
        parts
            .headers
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(HTML));
        let mut response = Response::from_parts(parts, Body::from(markup));
        secure(&mut response);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_are_found_by_path_and_nothing_else_is() {
        assert_eq!(View::of_path("/"), Some(View::Landing));
        assert_eq!(
            View::of_path("/collections/parishes"),
            Some(View::Collection)
        );
        assert_eq!(View::of_path("/collections/rivers"), None);
        assert_eq!(
            View::of_path("/collections/priorities/items"),
            Some(View::Items)
        );
        let id = "0b7e6c1a-3f2d-4c5e-8a9b-1c2d3e4f5a6b";
        assert_eq!(
            View::of_path(&format!("/collections/priorities/items/{id}")),
            Some(View::Item(Uuid::parse_str(id).unwrap()))
        );
        assert_eq!(View::of_path("/collections/priorities/items/x"), None);
        assert_eq!(View::of_path("/collections/parishes/items"), None);
        assert_eq!(View::of_path("/api"), None);
    }
}
