//! Bearer tokens (admin only).

use serde_json::{Map, Value, json};

use super::op::{Op, json_body, path_param, query_params, schema};
use crate::http::JSON;
use crate::http::extract::{Endpoint, FormatOnly};

const ADMINS: &str = "Only admins manage tokens";

pub fn add(paths: &mut Map<String, Value>) {
    paths.insert(
        "/tokens".into(),
        json!({
            "get": Op::new("List tokens (admin); never their secrets")
                .params(query_params(FormatOnly::PARAMS))
                .ok("200", "The tokens", &[(JSON, json!({"type": "object"}))])
                .authenticated(ADMINS)
                .done(),
            "post": Op::new("Create a token (admin): role spokesperson (scope a council), cabinet (scope a state, municipality or parish), planner or admin; the secret is in this response only")
                .body(json_body(schema("TokenRequest")))
                .ok("201", "The token with its secret (`token`)", &[(JSON, json!({"type": "object", "required": ["token"]}))])
                .write(ADMINS)
                .done(),
        }),
    );
    paths.insert(
        "/tokens/self".into(),
        json!({
            "get": Op::new("The caller's own token: its id, role and scope (any valid token); how a page learns what it may offer")
                .params(query_params(FormatOnly::PARAMS))
                .ok("200", "The token's id, role and scope", &[(JSON, json!({"type": "object", "required": ["id", "role", "scope"],
                    "properties": {"id": {"type": "string"}, "role": {"type": "string", "enum": ["spokesperson", "cabinet", "planner", "admin"]},
                                   "scope": {"type": "string", "nullable": true}}}))])
                .authenticated("Never: any valid token may read itself")
                .done(),
        }),
    );
    let id = || path_param("id", "The token's id", json!({"type": "string"}));
    let mut get_params = vec![id()];
    get_params.extend(query_params(FormatOnly::PARAMS));
    paths.insert(
        "/tokens/{id}".into(),
        json!({
            "get": Op::new("One token (admin); never its secret")
                .params(get_params)
                .ok("200", "The token", &[(JSON, json!({"type": "object"}))])
                .authenticated(ADMINS)
                .errors(&[("404", "No such token")])
                .done(),
            "delete": Op::new("Revoke a token (admin); it stops working at once")
                .params(vec![id()])
                .empty("204", "Revoked")
                .authenticated(ADMINS)
                .errors(&[("404", "No such token")])
                .done(),
        }),
    );
}
