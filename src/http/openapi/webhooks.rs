//! Webhooks (admin only).

use serde_json::{Map, Value, json};

use super::op::{Op, json_body, path_param, query_params};
use crate::http::JSON;
use crate::http::extract::{Endpoint, FormatOnly, Paging};

const ADMINS: &str = "Only admins manage webhooks";

fn hook_schema(with_secret: bool) -> Value {
    let mut required = vec!["id", "url", "filter", "description", "created_at"];
    if with_secret {
        required.push("secret");
    }
    json!({"type": "object", "required": required, "properties": {
        "id": {"type": "string", "format": "uuid"},
        "url": {"type": "string"},
        "filter": {"type": "string"},
        "description": {"type": "string", "nullable": true},
        "created_at": {"type": "string", "format": "date-time"},
        "secret": {"type": "string", "description": "64 hex digits: the HMAC-SHA256 key of `X-Prioridades-Signature`. In the answer that creates the hook only."},
    }})
}

fn request_schema() -> Value {
    json!({"type": "object", "required": ["url"], "additionalProperties": false, "properties": {
        "url": {"type": "string", "description": "The receiver: an http:// URL with a host (https is not supported)"},
        "filter": {"type": "string", "description": "An items query string (the filters of /collections/priorities/items, e.g. `parish=010101&status=approved`); empty or absent: every priority"},
        "description": {"type": "string", "nullable": true, "maxLength": 500},
    }})
}

fn log_schema() -> Value {
    json!({"type": "object", "required": ["deliveries"], "properties": {"deliveries": {"type": "array", "items": {
    "type": "object",
    "required": ["id", "seq", "priority_id", "event", "status", "attempts", "last_status", "last_error", "next_attempt_at", "delivered_at"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "seq": {"type": "integer"},
        "priority_id": {"type": "string", "format": "uuid"},
        "event": {"type": "string", "enum": ["created", "updated", "deleted"]},
        "status": {"type": "string", "enum": ["pending", "delivered", "failed"]},
        "attempts": {"type": "integer"},
        "last_status": {"type": "integer", "nullable": true},
        "last_error": {"type": "string", "nullable": true},
        "next_attempt_at": {"type": "string", "format": "date-time", "nullable": true},
        "delivered_at": {"type": "string", "format": "date-time", "nullable": true},
    }}}}})
}

/// Adds `/webhooks` and its sub-resources to `paths`.
pub fn add(paths: &mut Map<String, Value>) {
    paths.insert(
        "/webhooks".into(),
        json!({
            "get": Op::new("List webhooks (admin); never their secrets")
                .params(query_params(FormatOnly::PARAMS))
                .ok("200", "The webhooks", &[(JSON, json!({"type": "object", "required": ["webhooks"],
                    "properties": {"webhooks": {"type": "array", "items": hook_schema(false)}}}))])
                .authenticated(ADMINS)
                .done(),
            "post": Op::new("Register a webhook (admin): each committed change of a priority matching `filter` is POSTed to `url`, signed with the hook's secret (in this response only)")
                .body(json_body(request_schema()))
                .ok("201", "The webhook with its secret", &[(JSON, hook_schema(true))])
                .write(ADMINS)
                .done(),
        }),
    );
    let id = || path_param("id", "The webhook's id", json!({"type": "string"}));
    let mut get_params = vec![id()];
    get_params.extend(query_params(FormatOnly::PARAMS));
    paths.insert(
        "/webhooks/{id}".into(),
        json!({
            "get": Op::new("One webhook (admin); never its secret")
                .params(get_params)
                .ok("200", "The webhook", &[(JSON, hook_schema(false))])
                .authenticated(ADMINS)
                .errors(&[("404", "No such webhook")])
                .done(),
            "delete": Op::new("Delete a webhook (admin) with its delivery log; nothing more is sent to it")
                .params(vec![id()])
                .empty("204", "Deleted")
                .authenticated(ADMINS)
                .errors(&[("404", "No such webhook")])
                .done(),
        }),
    );
    let mut log_params = vec![id()];
    log_params.extend(query_params(Paging::PARAMS));
    paths.insert(
        "/webhooks/{id}/deliveries".into(),
        json!({
            "get": Op::new("A webhook's delivery log (admin), newest change first")
                .params(log_params)
                .ok("200", "The deliveries", &[(JSON, log_schema())])
                .authenticated(ADMINS)
                .errors(&[("404", "No such webhook")])
                .done(),
        }),
    );
}
