//! `GET /collections/priorities/changes`: the change feed.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

use super::extract::{Base, Endpoint, Query};
use super::params::{LIMIT, ParamSpec};
use super::problem::ApiError;
use super::{AppState, JSON, link, links_text, typed};
use crate::domain::time;

pub const CHANGES_PATH: &str = "/collections/priorities/changes";

/// The parameters of the change feed.
pub struct Changes;
impl Endpoint for Changes {
    const PARAMS: &'static [ParamSpec] = &[
        ParamSpec {
            name: "since",
            description: "The client's sync point: list what changed after this change number (default 0: everything). Pass the `next` of the last page of the previous sync, or the `Change-Sequence` header of an earlier response.",
            schema: r#"{"type": "integer", "minimum": 0, "default": 0}"#,
            example: r#"0"#,
        },
        ParamSpec {
            name: "after",
            description: "Paging cursor: list changes numbered after this one (default: `since`; at least `since`). The `next` link sets it; `since` stays the client's sync point, which decides whether a priority counts as created or updated.",
            schema: r#"{"type": "integer", "minimum": 0}"#,
            example: r#"0"#,
        },
        LIMIT,
    ];
}

pub fn router() -> Router<AppState> {
    Router::new().route(CHANGES_PATH, get(changes))
}

fn parse_change_number(s: &str) -> Result<i64, String> {
    s.parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| format!("a change number is an integer ≥ 0; got {s:?}"))
}

/// The priorities created, updated or deleted after `since`, each once at
/// its latest change, in change order, with the Feature as it is now.
async fn changes(
    State(state): State<AppState>,
    Base(base): Base,
    params: Query<Changes>,
) -> Result<Response, ApiError> {
    let since = params.parsed("since", parse_change_number)?.unwrap_or(0);
    let after = params
        .parsed("after", parse_change_number)?
        .unwrap_or(since);
    if after < since {
        return Err(ApiError::parameter(
            "after",
            format!("after ({after}) cannot be before since ({since})"),
        ));
    }
    // The same page sizes as the items: default 100, clamped to 10,000.
    let limit = params.page()?.limit;
    let page = state.service.changes(since, after, limit).await?;
    let next = page.entries.last().map_or(after, |e| e.seq);
    let href =
        |after: i64| format!("{base}{CHANGES_PATH}?since={since}&after={after}&limit={limit}");
    let mut links = vec![link(href(after), "self", JSON, Some("this page"))];
    // A full page may have more behind it; a short one reached the end.
    if page.entries.len() == limit {
        links.push(link(href(next), "next", JSON, Some("next page")));
    }
    let mut body = String::with_capacity(256 + page.entries.len() * 1024);
    body.push_str(&format!(
        "{{\"since\":{since},\"after\":{after},\"next\":{next},\"latest\":{},\"links\":{},\"changes\":[",
        page.latest,
        links_text(&links)
    ));
    for (i, entry) in page.entries.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        let head = json!({
            "seq": entry.seq,
            "action": entry.action.as_str(),
            "id": entry.id,
            "version": entry.version,
            "at": time::format(entry.at),
        })
        .to_string();
        match &entry.feature {
            // The Feature is already JSON text: splice it in as the last member.
            Some(feature) => {
                body.push_str(&head[..head.len() - 1]);
                body.push_str(",\"feature\":");
                body.push_str(feature);
                body.push('}');
            }
            None => body.push_str(&head),
        }
    }
    body.push_str("]}");
    Ok(typed(StatusCode::OK, JSON, body))
}
