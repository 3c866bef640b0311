//! Open311 GeoReport v2: services, service definitions and service
//! requests, in JSON and XML by the path's extension.

use serde_json::{Map, Value, json};

use super::op::{Op, path_param, query_params};
use crate::http::extract::Endpoint;
use crate::http::open311::{JurisdictionOnly, POST_FIELDS, RequestsQuery};

fn media(json_schema: Value) -> Vec<(&'static str, Value)> {
    vec![
        ("application/json", json_schema),
        ("text/xml", json!({"type": "string"})),
    ]
}

pub fn add(paths: &mut Map<String, Value>) {
    let list = json!({"type": "array", "items": {"type": "object"}});
    let object = json!({"type": "object"});
    let simple = || query_params(JurisdictionOnly::PARAMS);
    for ext in ["json", "xml"] {
        // The extension decides the one media type answered.
        let one = |schema: &Value| -> Vec<(&'static str, Value)> {
            match ext {
                "json" => vec![("application/json", schema.clone())],
                _ => vec![("text/xml", json!({"type": "string"}))],
            }
        };
        let (content, lists) = (one(&object), one(&list));
        paths.insert(
            format!("/open311/v2/discovery.{ext}"),
            json!({"get": Op::new("Open311 discovery: the GeoReport v2 endpoint and its formats")
                .params(simple()).ok("200", "The discovery document", &content).done()}),
        );
        paths.insert(
            format!("/open311/v2/services.{ext}"),
            json!({"get": Op::new("Open311 services: the categories")
                .params(simple()).ok("200", "The services", &lists).done()}),
        );
        let mut fields = Map::new();
        for f in POST_FIELDS {
            fields.insert(f.into(), json!({"type": "string"}));
        }
        paths.insert(
            format!("/open311/v2/requests.{ext}"),
            json!({
                "get": Op::new("Open311 service requests: priorities, most recent first (90 days by default)")
                    .params(query_params(RequestsQuery::PARAMS))
                    .ok("200", "The requests", &lists)
                    .done(),
                "post": Op::new("Open311: create a service request, a proposed priority; `api_key` is a token (a spokesperson's for its council)")
                    .body(json!({"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {
                        "type": "object",
                        "required": ["api_key", "service_code", "lat", "long", "description"],
                        "properties": fields,
                    }}}}))
                    .ok("201", "Created", &lists)
                    .errors(&[
                        ("401", "No api_key, or not a valid token"),
                        ("403", "The token's role or scope does not allow this"),
                        ("413", "The body is larger than the configured limit"),
                        ("415", "The body is not a form (application/x-www-form-urlencoded)"),
                        ("422", "A member is invalid"),
                        ("507", "The database's disk is full: nothing was written"),
                    ])
                    .done(),
            }),
        );
    }
    let named = |name: &str, description: &str| {
        path_param(
            name,
            description,
            json!({"type": "string", "pattern": "^[^/]+\\.(json|xml)$"}),
        )
    };
    paths.insert(
        "/open311/v2/services/{service}".into(),
        json!({"get": Op::new("Open311 service definition: the attributes a request may carry")
            .params([vec![named("service", "A service code with the format's extension, e.g. water.json")], simple()].concat())
            .ok("200", "The definition", &media(object))
            .errors(&[("404", "No such service, or an extension other than .json or .xml")])
            .done()}),
    );
    paths.insert(
        "/open311/v2/requests/{request}".into(),
        json!({"get": Op::new("Open311: one service request (a list of one)")
            .params([vec![named("request", "A service request id with the format's extension")], simple()].concat())
            .ok("200", "The request", &media(list))
            .errors(&[("404", "No such request, or an extension other than .json or .xml")])
            .done()}),
    );
}
