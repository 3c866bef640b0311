//! The discovery documents and the health endpoints.

use serde_json::{Map, Value, json};

use super::op::{Op, path_param, query_params, schema};
use crate::http::extract::{Endpoint, FormatOnly};
use crate::http::meta::{COLLECTIONS, OPENAPI_JSON};

pub fn add(paths: &mut Map<String, Value>) {
    let object = json!({"type": "object"});
    let simple = |summary: &str, media: &str| {
        json!({"get": Op::new(summary)
            .params(query_params(FormatOnly::PARAMS))
            .ok("200", summary, &[(media, object.clone())])
            .done()})
    };
    paths.insert("/".into(), simple("Landing page", "application/json"));
    paths.insert(
        "/conformance".into(),
        simple("Conformance classes", "application/json"),
    );
    paths.insert(
        "/api".into(),
        simple("This OpenAPI definition", OPENAPI_JSON),
    );
    paths.insert(
        "/collections".into(),
        simple("The collections", "application/json"),
    );
    let ids: Vec<&str> = COLLECTIONS.iter().map(|(id, _, _)| *id).collect();
    let mut params = vec![path_param(
        "collectionId",
        "The collection",
        json!({"type": "string", "enum": ids}),
    )];
    params.extend(query_params(FormatOnly::PARAMS));
    paths.insert(
        "/collections/{collectionId}".into(),
        json!({"get": Op::new("A collection's description (priorities with its spatial and temporal extent)")
            .params(params)
            .ok("200", "The collection", &[("application/json", object.clone())])
            .errors(&[("404", "No such collection")])
            .done()}),
    );
    let ready = || {
        Op::new("Readiness for load balancers: the database answers and the index is caught up (docs/deployment.md); no token needed")
            .params(query_params(FormatOnly::PARAMS))
            .ok("200", "Ready; `status` is `warn` when the last write found the disk full", &[("application/json", schema("Health"))])
            .errors(&[("503", "Not ready (`not-ready`, with the `checks`), or the server holds its maximum of connections")])
            .done()
    };
    paths.insert("/health".into(), json!({"get": ready()}));
    paths.insert("/health/ready".into(), json!({"get": ready()}));
    paths.insert(
        "/health/live".into(),
        json!({"get": Op::new("Liveness: the process answers; no token needed")
            .params(query_params(FormatOnly::PARAMS))
            .ok("200", "Live", &[("application/json", json!({"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["pass"]}}}))])
            .done()}),
    );
}
