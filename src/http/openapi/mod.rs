//! The OpenAPI 3.0 definition served at `/api`, assembled by resource.
//! Query parameters come from the same [`ParamSpec`] lists the handlers
//! validate against, with their exact schemas, so the document cannot
//! drift from what the endpoints accept; Schemathesis checks the running
//! server against it in CI (`.ci/run`).
//!
//! [`ParamSpec`]: super::params::ParamSpec

mod catalog;
mod discovery;
mod op;
mod priorities;
mod schemas;
mod tokens;

use serde_json::{Map, Value, json};

/// The OpenAPI document, with `base` as the server URL.
pub fn document(base: &str) -> Value {
    let mut paths = Map::new();
    discovery::add(&mut paths);
    priorities::add(&mut paths);
    catalog::add(&mut paths);
    tokens::add(&mut paths);
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "prioridades",
            "version": env!("CARGO_PKG_VERSION"),
            "description": DESCRIPTION,
        },
        "servers": [{"url": base}],
        "security": [{}, {"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                "description": "Writes need a token; reads too when the server runs with --private-reads"}},
            "schemas": schemas::all(),
        },
    })
}

const DESCRIPTION: &str = "Geolocated priorities of Venezuela's communal councils (OGC API – Features Part 1 Core, GeoJSON, OpenAPI 3.0; writes after Part 4). Every error is application/problem+json (RFC 9457). Besides each operation's responses, the server itself may answer any request with 408 (a head or body not sent in time), 414 (a target over 65,534 bytes), 431 (a head over 128 KiB) or 503 (too many connections), each a problem document, and closes the connection. Parameters that depend on each other, which OpenAPI 3.0 cannot state: `point` and `radius` go together; `simplify` and `zoom` exclude each other; codes must exist.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::priority::{Category, Status};
    use crate::http::priorities::{CATEGORY_SCHEMA, STATUS_SCHEMA};

    /// Every query parameter's schema and example parse (the document
    /// would otherwise carry a placeholder), and every example is valid
    /// for its own schema's type.
    #[test]
    fn every_parameter_schema_and_example_is_json_of_its_type() {
        let doc = document("http://x");
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    let schema = &p["schema"];
                    assert!(schema["type"].is_string(), "{method} {path} {p}");
                    if p["in"] != "query" {
                        continue;
                    }
                    let example = &p["example"];
                    let fits = match schema["type"].as_str().unwrap() {
                        "integer" => example.is_i64(),
                        "number" => example.is_number(),
                        "boolean" => example.is_boolean(),
                        "array" => example.is_array(),
                        _ => example.is_string(),
                    };
                    assert!(fits, "{method} {path}: example {example} of {schema}");
                }
            }
        }
    }

    #[test]
    fn the_category_and_status_enums_are_the_domains() {
        let enum_of = |text: &str| -> Vec<String> {
            let schema: Value = serde_json::from_str(text).unwrap();
            serde_json::from_value(schema["items"]["enum"].clone()).unwrap()
        };
        let categories: Vec<String> = Category::ALL.iter().map(|c| c.as_str().into()).collect();
        let statuses: Vec<String> = Status::ALL.iter().map(|s| s.as_str().into()).collect();
        assert_eq!(enum_of(CATEGORY_SCHEMA), categories);
        assert_eq!(enum_of(STATUS_SCHEMA), statuses);
    }

    /// The council and commune filters take codes of the one key pattern.
    #[test]
    fn the_key_lists_use_the_key_pattern() {
        let doc = document("http://x");
        for (path, name) in [
            ("/collections/priorities/items", "council"),
            ("/collections/councils/items", "commune"),
        ] {
            let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
            let param = params.iter().find(|p| p["name"] == name).unwrap();
            assert_eq!(
                param["schema"]["items"]["pattern"],
                op::KEY_PATTERN,
                "{path} {name}"
            );
        }
    }

    /// Writes say they need the bearer token; public reads do not.
    #[test]
    fn writes_declare_the_bearer_token() {
        let doc = document("http://x");
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let needs_token =
                    method != "get" || path.starts_with("/tokens") || path == "/review-queue";
                assert_eq!(
                    op.get("security") == Some(&json!([{"bearer": []}])),
                    needs_token,
                    "{method} {path}"
                );
            }
        }
    }
}
