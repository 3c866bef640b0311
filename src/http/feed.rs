//! `GET /collections/priorities/feed.atom`: an Atom feed (RFC 4287) of the
//! priorities that changed last among those an items filter selects — a
//! parish, a municipality, a council, a box, a status… — newest first, for
//! feed readers and alerts by area.
//!
//! Each entry is a priority at its latest change: its id and version make
//! the entry's id (a new version is a new entry), its `updated_at` the
//! entry's time, and its link the priority's GeoJSON. Deleted priorities
//! leave the feed (the change feed, `/collections/priorities/changes`,
//! reports deletions).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use quick_xml::escape::escape;
use serde_json::Value;

use super::AppState;
use super::extract::{Base, Endpoint, Query};
use super::params::ParamSpec;
use super::priorities::{BBOX, priority_filters};
use super::priority_filter::parse_filter;
use super::problem::ApiError;
use crate::domain::query::Page;
use crate::domain::queryables::priority::UPDATED_AT;
use crate::domain::sort::SortKey;
use crate::domain::time;

/// The feed's path.
pub const FEED_PATH: &str = "/collections/priorities/feed.atom";
/// Entries in a feed unless `limit` says otherwise.
const DEFAULT_ENTRIES: usize = 50;
/// Most entries in a feed.
const MAX_ENTRIES: usize = 500;

/// The feed's parameters: the items' filters and `limit`.
pub struct Feed;
impl Endpoint for Feed {
    const PARAMS: &'static [ParamSpec] = priority_filters![[BBOX], [FEED_LIMIT]];
}

/// `limit=`: entries in the feed.
const FEED_LIMIT: ParamSpec = ParamSpec {
    name: "limit",
    description: "Entries in the feed, 1 to 500 (default 50): the priorities that changed last.",
    schema: r#"{"type": "integer", "minimum": 1, "maximum": 500, "default": 50}"#,
    example: "20",
};

/// The text of an element, escaped.
fn el(out: &mut String, name: &str, text: &str) {
    out.push_str(&format!("<{name}>{}</{name}>", escape(text)));
}

/// `GET /collections/priorities/feed.atom`.
pub async fn feed(
    State(state): State<AppState>,
    Base(base): Base,
    params: Query<Feed>,
) -> Result<Response, ApiError> {
    let limit = params
        .parsed("limit", |s| match s.parse::<usize>() {
            Ok(n) if (1..=MAX_ENTRIES).contains(&n) => Ok(n),
            _ => Err(format!("limit is 1 to {MAX_ENTRIES}; got {s:?}")),
        })?
        .unwrap_or(DEFAULT_ENTRIES);
    let query = params.canonical();
    let self_href = match query.is_empty() {
        true => format!("{base}{FEED_PATH}"),
        false => format!("{base}{FEED_PATH}?{query}"),
    };
    let entries: Vec<(String, Value)> = {
        let index = state.service.index().read();
        let filter = parse_filter(&params, &index.catalog)?;
        let newest = [SortKey {
            position: UPDATED_AT,
            descending: true,
        }];
        index
            .priorities
            .query_sorted(&filter, &newest, Page { limit, offset: 0 })
            .items
            .iter()
            .map(|(e, _)| {
                (
                    e.id.to_string(),
                    serde_json::from_str(&e.feature).unwrap_or_default(),
                )
            })
            .collect()
    };
    let updated = entries
        .first()
        .and_then(|(_, f)| f["properties"]["updated_at"].as_str().map(str::to_owned))
        .unwrap_or_else(|| time::format(0));
    let mut out = String::with_capacity(1024 + entries.len() * 768);
    out.push_str(r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="es">"#);
    el(&mut out, "id", &self_href);
    el(&mut out, "title", &feed_title(&params));
    el(&mut out, "updated", &updated);
    out.push_str("<author><name>prioridades</name></author>");
    out.push_str(&format!(
        r#"<link rel="self" type="application/atom+xml" href="{}"/>"#,
        escape(self_href.as_str())
    ));
    out.push_str(r#"<generator>prioridades</generator>"#);
    for (id, feature) in &entries {
        entry(&mut out, &base, id, feature);
    }
    out.push_str("</feed>");
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        out,
    )
        .into_response())
}

/// The feed's title: what its filters select.
fn feed_title(params: &super::params::Params) -> String {
    let query = params.canonical();
    if query.is_empty() {
        "Prioridades: cambios recientes".to_owned()
    } else {
        format!(
            "Prioridades: cambios recientes ({})",
            query.replace('&', ", ").replace("%2C", ",")
        )
    }
}

/// One entry: a priority at its latest version.
fn entry(out: &mut String, base: &str, id: &str, feature: &Value) {
    let p = &feature["properties"];
    let text = |key: &str| p[key].as_str().unwrap_or("").to_owned();
    let href = format!("{base}/collections/priorities/items/{id}");
    out.push_str("<entry>");
    el(
        out,
        "id",
        &format!("{href}#v{}", p["version"].as_i64().unwrap_or(0)),
    );
    el(out, "title", &text("title"));
    el(out, "updated", &text("updated_at"));
    el(out, "published", &text("created_at"));
    out.push_str(&format!(
        r#"<link rel="alternate" type="application/geo+json" href="{}"/>"#,
        escape(href.as_str())
    ));
    out.push_str(&format!(
        r#"<category term="{}"/>"#,
        escape(text("category").as_str())
    ));
    out.push_str("<author><name>");
    out.push_str(&escape(text("council").as_str()));
    out.push_str("</name></author>");
    let mut summary = format!(
        "Estado: {} · categoría: {} · consejo comunal: {} · parroquia: {}",
        text("status"),
        text("category"),
        text("council"),
        text("parish")
    );
    let description = text("description");
    if !description.is_empty() {
        summary.push_str("\n\n");
        summary.push_str(&description);
    }
    out.push_str(r#"<summary type="text">"#);
    out.push_str(&escape(summary.as_str()));
    out.push_str("</summary></entry>");
}
