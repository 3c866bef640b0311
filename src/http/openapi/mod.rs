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
mod open311;
mod priorities;
mod schemas;
mod tiles;
mod tokens;
mod webhooks;

use serde_json::{Map, Value, json};

/// The OpenAPI document, with `base` as the server URL.
pub fn document(base: &str) -> Value {
    let mut paths = Map::new();
    discovery::add(&mut paths);
    priorities::add(&mut paths);
    catalog::add(&mut paths);
    tokens::add(&mut paths);
    webhooks::add(&mut paths);
    tiles::add(&mut paths);
    open311::add(&mut paths);
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
            "parameters": op::parameters(),
            "schemas": schemas::all(),
        },
    })
}

const DESCRIPTION: &str = "Geolocated priorities of Venezuela's communal councils (OGC API – Features Part 1 Core, GeoJSON, OpenAPI 3.0; writes after Part 4; vector tiles after OGC API – Tiles). Every error is application/problem+json (RFC 9457). Besides each operation's responses, the server itself may answer any request with 408 (a head or body not sent in time), 414 (a target over 65,534 bytes), 431 (a head over 128 KiB) or 503 (too many connections), each a problem document, and closes the connection. Parameters that depend on each other, which OpenAPI 3.0 cannot state: `point` and `radius` go together; `simplify` and `zoom` exclude each other; codes must exist.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::priority::{Category, Status};
    use crate::http::priorities::{CATEGORY_SCHEMA, STATUS_SCHEMA};

    /// Every query parameter's schema and example parse (the document
    /// would otherwise carry a placeholder), and every example is valid
    /// for its own schema's type.
    /// A parameter, its `$ref` followed.
    fn resolved<'a>(doc: &'a Value, p: &'a Value) -> &'a Value {
        match p["$ref"].as_str() {
            Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap(),
            None => p,
        }
    }

    #[test]
    fn every_parameter_schema_and_example_is_json_of_its_type() {
        let doc = document("http://x");
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    let p = resolved(&doc, p);
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

    /// Writes say they need the bearer token; public reads do not. Open311
    /// writes carry their token in the form (`api_key`, which OpenAPI 3.0
    /// cannot declare as a security scheme) and say so.
    #[test]
    fn writes_declare_the_bearer_token() {
        let doc = document("http://x");
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if path.starts_with("/open311") && method == "post" {
                    assert!(op.get("security").is_none(), "{path}");
                    assert!(
                        op["summary"].as_str().unwrap().contains("api_key"),
                        "{path}"
                    );
                    continue;
                }
                let needs_token = !matches!(method.as_str(), "get" | "options")
                    || path.starts_with("/tokens")
                    || path.starts_with("/webhooks")
                    || path == "/review-queue";
                assert_eq!(
                    op.get("security") == Some(&json!([{"bearer": []}])),
                    needs_token,
                    "{method} {path}"
                );
            }
        }
    }

    /// QGIS reads the page size from `components.parameters.limit`; GDAL
    /// from the `$ref` naming `limit` among the parameters of each
    /// collection's literal items path. Both find the server's limits.
    #[test]
    fn clients_read_the_servers_limits() {
        use crate::domain::query::{DEFAULT_LIMIT, MAX_LIMIT};
        use crate::http::meta::COLLECTIONS;
        let doc = document("http://x");
        let qgis = &doc["components"]["parameters"]["limit"]["schema"];
        assert_eq!(qgis["maximum"], MAX_LIMIT);
        assert_eq!(qgis["default"], DEFAULT_LIMIT);
        assert_eq!(qgis["minimum"], 1);
        for (id, _, _) in COLLECTIONS {
            let path = format!("/collections/{id}/items");
            let params = doc["paths"][&path]["get"]["parameters"].as_array().unwrap();
            let reference = params
                .iter()
                .filter_map(|p| p["$ref"].as_str())
                .find(|r| r.contains("limit"))
                .unwrap_or_else(|| panic!("{path} references limit"));
            let gdal = doc.pointer(&reference.replace('#', "")).unwrap();
            assert_eq!(gdal["schema"]["maximum"], MAX_LIMIT, "{path}");
            // A territory level's page is by default the whole level.
            let is_level = ["states", "municipalities", "parishes"].contains(&id);
            let default = if is_level { MAX_LIMIT } else { DEFAULT_LIMIT };
            assert_eq!(gdal["schema"]["default"], default, "{path}");
            assert!(
                params.iter().all(|p| p["name"] != "limit"),
                "{path}: limit only by reference"
            );
        }
    }

    /// Every response with a GeoJSON body names its CRS in `Content-Crs`.
    #[test]
    fn geojson_responses_declare_content_crs() {
        let doc = document("http://x");
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for (status, r) in op["responses"].as_object().unwrap() {
                    let geojson = r["content"].get(crate::http::GEOJSON).is_some();
                    let header = &r["headers"]["Content-Crs"];
                    assert_eq!(header.is_object(), geojson, "{method} {path} {status}");
                    if geojson {
                        assert_eq!(header["required"], true);
                    }
                }
            }
        }
    }
}
