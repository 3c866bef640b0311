//! The discovery documents and the health endpoints.

use serde_json::{Map, Value, json};

use super::op::{Op, html_page, path_param, query_params, schema};
use crate::http::extract::{Endpoint, FormatOnly, HtmlOrJson};
use crate::http::meta::{COLLECTIONS, OPENAPI_JSON, queryables_of};
use crate::http::queryables::{SCHEMA_JSON, document};

pub fn add(paths: &mut Map<String, Value>) {
    let object = json!({"type": "object"});
    let simple = |summary: &str, media: &str| {
        json!({"get": Op::new(summary)
            .params(query_params(FormatOnly::PARAMS))
            .ok("200", summary, &[(media, object.clone())])
            .done()})
    };
    let viewed = |summary: &str| {
        json!({"get": Op::new(summary)
            .params(query_params(HtmlOrJson::PARAMS))
            .ok("200", summary, &[("application/json", object.clone()), html_page()])
            .done()})
    };
    paths.insert("/".into(), viewed("Landing page"));
    paths.insert("/conformance".into(), viewed("Conformance classes"));
    paths.insert(
        "/api".into(),
        simple("This OpenAPI definition", OPENAPI_JSON),
    );
    paths.insert(
        "/collections".into(),
        json!({"get": Op::new("The collections")
            .params(query_params(HtmlOrJson::PARAMS))
            .ok("200", "The collections", &[("application/json", schema("Collections")), html_page()])
            .done()}),
    );
    let ids: Vec<&str> = COLLECTIONS.iter().map(|(id, _, _)| *id).collect();
    let mut params = vec![path_param(
        "collectionId",
        "The collection",
        json!({"type": "string", "enum": ids}),
    )];
    params.extend(query_params(HtmlOrJson::PARAMS));
    paths.insert(
        "/collections/{collectionId}".into(),
        json!({"get": Op::new("A collection's description (priorities with its spatial and temporal extent)")
            .params(params)
            .ok("200", "The collection", &[("application/json", schema("Collection")), html_page()])
            .errors(&[("404", "No such collection")])
            .done()}),
    );
    schemas(paths);
    health(paths);
}

fn health(paths: &mut Map<String, Value>) {
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

/// Each collection's queryables (OGC API – Features Part 3) and the schema
/// of its features (Part 5), as literal paths, each response's schema
/// requiring the very properties the collection has.
fn schemas(paths: &mut Map<String, Value>) {
    for (id, title, _) in COLLECTIONS {
        let Some(q) = queryables_of(id) else { continue };
        let names = |doc: &Value| -> Vec<String> {
            doc.as_object()
                .map_or_else(Vec::new, |m| m.keys().cloned().collect())
        };
        let queryables = document(q, id, title, "", false);
        paths.insert(
            format!("/collections/{id}/queryables"),
            json!({"get": Op::new(&format!("The queryables of {id}: the properties `filter` and `sortby` may name, as a JSON Schema"))
                .params(query_params(FormatOnly::PARAMS))
                .ok("200", "The queryables", &[(SCHEMA_JSON, queryables_schema(names(&queryables["properties"])))])
                .done()}),
        );
        let features = document(q, id, title, "", true);
        paths.insert(
            format!("/collections/{id}/schema"),
            json!({"get": Op::new(&format!("The schema of the features of {id}: a GeoJSON Feature with its properties, as a JSON Schema (`describedby`)"))
                .params(query_params(FormatOnly::PARAMS))
                .ok("200", "The schema", &[(SCHEMA_JSON, feature_schema(names(&features["properties"]["properties"]["properties"])))])
                .done()}),
        );
    }
}

/// The members every JSON Schema document served opens with.
fn schema_head() -> Value {
    json!({
        "$schema": {"type": "string", "enum": ["https://json-schema.org/draft/2020-12/schema"]},
        "$id": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "type": {"type": "string", "enum": ["object"]},
    })
}

/// A queryables document: an object schema whose `properties` are
/// `names`, each a JSON Schema, and no others.
fn queryables_schema(names: Vec<String>) -> Value {
    let mut members = schema_head();
    members["properties"] = json!({"type": "object", "required": names,
        "additionalProperties": {"type": "object"}});
    members["additionalProperties"] = json!({"type": "boolean", "enum": [false]});
    json!({"type": "object", "properties": members,
        "required": ["$schema", "$id", "title", "type", "properties", "additionalProperties"]})
}

/// A feature schema document: a GeoJSON Feature whose `properties` has the
/// properties `names`.
fn feature_schema(names: Vec<String>) -> Value {
    let feature_properties = json!({"type": "object", "required": ["type", "properties"], "properties": {
        "properties": {"type": "object", "required": names, "additionalProperties": {"type": "object"}},
    }});
    let mut members = schema_head();
    members["required"] = json!({"type": "array", "items": {"type": "string"}});
    members["properties"] = json!({"type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {"properties": feature_properties},
        "additionalProperties": {"type": "object"}});
    json!({"type": "object", "properties": members,
        "required": ["$schema", "$id", "title", "type", "required", "properties"]})
}
