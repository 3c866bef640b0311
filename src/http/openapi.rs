//! The OpenAPI 3.0 definition served at `/api`. Query parameters come from
//! the same [`ParamSpec`] lists the handlers validate against, so the
//! document cannot drift from what the endpoints accept.

use serde_json::{Map, Value, json};

use super::params::{FORMAT, ParamSpec};
use super::priorities::ITEM_PARAMS;
use super::{councils, statistics, territories};
use crate::domain::codes::Level;
use crate::domain::priority::{Category, Status};

fn statuses_list() -> Vec<&'static str> {
    Status::ALL.iter().map(|s| s.as_str()).collect()
}

fn query_params(specs: &[ParamSpec]) -> Vec<Value> {
    specs
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "in": "query",
                "required": false,
                "description": p.description,
                "schema": {"type": p.schema},
                "example": p.example,
                "style": "form",
                "explode": false,
            })
        })
        .collect()
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
}

fn if_match() -> Value {
    json!({
        "name": "If-Match", "in": "header", "required": false,
        "description": "The ETag of the version the change is based on; 412 when the priority has changed since.",
        "schema": {"type": "string"},
    })
}

fn problem(description: &str) -> Value {
    json!({"description": description, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})
}

fn ok(description: &str, media_type: &str, schema: Value) -> Value {
    json!({"description": description, "content": {media_type: {"schema": schema}}})
}

fn errors(codes: &[(&str, &str)]) -> Map<String, Value> {
    codes
        .iter()
        .map(|(code, what)| (code.to_string(), problem(what)))
        .collect()
}

fn responses(success: (&str, Value), error_codes: &[(&str, &str)]) -> Value {
    let mut map = errors(error_codes);
    map.insert(success.0.into(), success.1);
    map.insert("500".into(), problem("Internal error (logged)"));
    Value::Object(map)
}

fn feature_body(schema: &str) -> Value {
    json!({"required": true, "content": {
        "application/geo+json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}},
        "application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}},
    }})
}

/// The OpenAPI document, with `base` as the server URL.
pub fn document(base: &str) -> Value {
    let fc = json!({"$ref": "#/components/schemas/FeatureCollection"});
    let feature = json!({"$ref": "#/components/schemas/PriorityFeature"});
    let generic = json!({"$ref": "#/components/schemas/Feature"});
    let json_doc = json!({"type": "object"});
    let bad_query = [("400", "Invalid or unknown query parameter")];
    let write_errors = [
        (
            "400",
            "Malformed JSON, not a Feature, or a query parameter given",
        ),
        ("401", "No valid bearer token"),
        ("403", "The token's role or scope does not allow it"),
        ("413", "Body larger than the configured limit"),
        ("415", "Unsupported Content-Type"),
        (
            "422",
            "A member of the Feature is invalid (its JSON pointer is named)",
        ),
    ];
    let mut paths = Map::new();
    let simple = |summary: &str, media: &str| {
        json!({"get": {"summary": summary, "parameters": query_params(&[FORMAT]),
            "responses": responses(("200", ok(summary, media, json!({"type": "object"}))), &bad_query)}})
    };
    paths.insert("/".into(), simple("Landing page", "application/json"));
    paths.insert(
        "/conformance".into(),
        simple("Conformance classes", "application/json"),
    );
    paths.insert(
        "/api".into(),
        simple(
            "This OpenAPI definition",
            "application/vnd.oai.openapi+json;version=3.0",
        ),
    );
    paths.insert(
        "/collections".into(),
        simple("The collections", "application/json"),
    );
    paths.insert(
        "/collections/{collectionId}".into(),
        json!({"get": {
            "summary": "A collection's description (priorities with its spatial and temporal extent)",
            "parameters": [
                {"name": "collectionId", "in": "path", "required": true, "schema": {"type": "string",
                 "enum": ["priorities", "councils", "communes", "states", "municipalities", "parishes"]}},
                query_params(&[FORMAT])[0],
            ],
            "responses": responses(("200", ok("The collection", "application/json", json_doc.clone())), &[("400", "Unknown query parameter"), ("404", "No such collection")]),
        }}),
    );
    let mut with_errors: Vec<(&str, &str)> = write_errors.to_vec();
    with_errors.push(("409", "A priority with that id exists"));
    paths.insert(
        "/collections/priorities/items".into(),
        json!({
            "get": {
                "summary": "Query priorities; every filter combines with AND",
                "parameters": query_params(ITEM_PARAMS),
                "responses": responses(("200", ok("A page of matching priorities", "application/geo+json", fc.clone())), &bad_query),
            },
            "post": {
                "summary": "Create a priority",
                "requestBody": feature_body("PriorityInput"),
                "responses": responses(("201", {
                    let mut r = ok("Created; Location and ETag headers are set", "application/geo+json", feature.clone());
                    r["headers"] = json!({"Location": {"schema": {"type": "string"}}, "ETag": {"schema": {"type": "string"}}});
                    r
                }), &with_errors),
            },
        }),
    );
    let id_param = path_param("featureId", "The priority's UUID");
    let mut update_errors: Vec<(&str, &str)> = write_errors.to_vec();
    update_errors.push(("409", "The status would change: statuses change through .../transitions (invalid-transition, with the allowed moves)"));
    update_errors.extend([
        ("404", "No such priority"),
        ("412", "If-Match does not name the current version"),
    ]);
    paths.insert(
        "/collections/priorities/items/{featureId}".into(),
        json!({
            "get": {
                "summary": "One priority (ETag set; If-None-Match answers 304)",
                "parameters": [id_param.clone(), query_params(&[FORMAT])[0]],
                "responses": responses(("200", ok("The priority", "application/geo+json", feature.clone())), &[("400", "Unknown query parameter"), ("404", "No such priority")]),
            },
            "put": {
                "summary": "Replace a priority",
                "parameters": [id_param.clone(), if_match()],
                "requestBody": feature_body("PriorityInput"),
                "responses": responses(("200", ok("The stored priority", "application/geo+json", feature.clone())), &update_errors),
            },
            "patch": {
                "summary": "Change some members of a priority (JSON merge patch, RFC 7396)",
                "parameters": [id_param.clone(), if_match()],
                "requestBody": {"required": true, "content": {"application/merge-patch+json": {"schema": {"type": "object"}}, "application/json": {"schema": {"type": "object"}}}},
                "responses": responses(("200", ok("The stored priority", "application/geo+json", feature.clone())), &update_errors),
            },
            "delete": {
                "summary": "Delete a priority",
                "parameters": [id_param, if_match()],
                "responses": responses(("204", json!({"description": "Deleted"})), &[("400", "Invalid If-Match"), ("401", "No valid bearer token"), ("403", "Only the council's spokesperson while proposed, or an admin, deletes"), ("404", "No such priority"), ("412", "If-Match does not name the current version")]),
            },
        }),
    );
    paths.insert(
        "/collections/priorities/import".into(),
        json!({"post": {
            "summary": "Bulk import: a FeatureCollection or newline-delimited Features; a feature whose id exists updates it",
            "requestBody": {"required": true, "content": {
                "application/geo+json": {"schema": fc.clone()},
                "application/x-ndjson": {"schema": {"type": "string"}},
            }},
            "responses": responses(("200", ok("What was stored, and each refused feature with its index and reason", "application/json", json!({"$ref": "#/components/schemas/ImportReport"}))),
                &[("400", "Not a FeatureCollection or Features"), ("401", "No valid bearer token"), ("403", "Only admins import"), ("413", "Body larger than the configured import limit"), ("415", "Unsupported Content-Type")]),
        }}),
    );
    let catalog_collections = Level::ALL
        .iter()
        .map(|l| (l.collection(), Some(*l)))
        .chain([("councils", None)]);
    for (collection, level) in catalog_collections {
        let (what, list_params, one_params, create_summary) = match level {
            Some(l) => (
                "territory",
                territories::item_params(l),
                territories::ONE_PARAMS,
                "Create a territory (properties code and name; geometry null). Features carry their boundary and priority counts (councils, priorities, families, status_*, category_*).",
            ),
            None => (
                "council",
                councils::ITEM_PARAMS,
                &[FORMAT][..],
                "Create a council (properties code, name, parish; geometry a Point or null)",
            ),
        };
        paths.insert(
            format!("/collections/{collection}/items"),
            json!({
                "get": {
                    "summary": format!("List {collection}"),
                    "parameters": query_params(list_params),
                    "responses": responses(("200", ok("A page of features", "application/geo+json", fc.clone())), &bad_query),
                },
                "post": {
                    "summary": create_summary,
                    "requestBody": feature_body("Feature"),
                    "responses": responses(("201", ok("Created; Location is set", "application/geo+json", generic.clone())),
                        &[("400", "Malformed JSON or not a Feature"), ("401", "No valid bearer token"), ("403", "Only admins manage the catalog"), ("409", "That code exists already"), ("413", "Body too large"), ("415", "Unsupported Content-Type"), ("422", "Invalid member, or its parent does not exist")]),
                },
            }),
        );
        let mut one = vec![path_param("code", "The code")];
        one.extend(query_params(one_params));
        paths.insert(
            format!("/collections/{collection}/items/{{code}}"),
            json!({"get": {
                "summary": format!("One {what} by code, with links to its parent, children, councils and priorities"),
                "parameters": one,
                "responses": responses(("200", ok("The feature", "application/geo+json", generic.clone())), &[("400", "Invalid or unknown query parameter"), ("404", "Not found")]),
            }}),
        );
        if level.is_some() {
            paths.insert(
                format!("/collections/{collection}/import"),
                json!({"post": {
                    "summary": format!("Replace the boundaries of every {what} of this level from a FeatureCollection of Polygons/MultiPolygons; parish boundaries re-place every priority"),
                    "parameters": query_params(territories::IMPORT_PARAMS),
                    "requestBody": {"required": true, "content": {"application/geo+json": {"schema": fc.clone()}}},
                    "responses": responses(("200", ok("What was imported and how priorities were placed", "application/json", json!({"$ref": "#/components/schemas/BoundaryReport"}))),
                        &[("400", "Malformed JSON or unknown query parameter"), ("401", "No valid bearer token"), ("403", "Only admins import boundaries"), ("413", "Body larger than the import limit"), ("415", "Unsupported Content-Type"), ("422", "Invalid features (listed in errors); nothing was changed")]),
                }}),
            );
        }
    }
    paths.insert(
        "/statistics".into(),
        json!({"get": {
            "summary": "Counts of priorities, councils (registered, and with matching priorities) and families benefited, grouped by state, municipality or parish; filtered like items",
            "parameters": query_params(&statistics::params()),
            "responses": responses(("200", {
                let mut r = ok("One row per territory, and totals", "application/json", json!({"type": "object"}));
                r["content"]["text/csv"] = json!({"schema": {"type": "string"}});
                r
            }), &bad_query),
        }}),
    );
    let auth_errors = [
        ("401", "No valid bearer token"),
        ("403", "The token's role or scope does not allow it"),
    ];
    let json_body = |schema: Value| json!({"required": true, "content": {"application/json": {"schema": schema}}});
    let with = |extra: &[(&str, &str)]| -> Vec<(String, String)> {
        auth_errors
            .iter()
            .chain(extra)
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let owned = |list: &[(String, String)]| -> Value {
        let mut map = Map::new();
        for (code, what) in list {
            map.insert(code.clone(), problem(what));
        }
        map.insert("500".into(), problem("Internal error (logged)"));
        Value::Object(map)
    };
    let resp = |code: &str, success: Value, errors: &[(String, String)]| -> Value {
        let mut r = owned(errors);
        r[code] = success;
        r
    };
    let id_param = path_param("featureId", "The priority's UUID");
    paths.insert(
        "/collections/priorities/items/{featureId}/transitions".into(),
        json!({"post": {
            "summary": "Move a priority through the workflow (cabinet of its territory, or admin): proposed → approved | rejected; approved → in_progress | rejected; in_progress → done; rejected or done → proposed. Approving needs a plan. Recorded in its history with the note.",
            "parameters": [id_param.clone(), if_match()],
            "requestBody": json_body(json!({"type": "object", "required": ["status"], "properties": {
                "status": {"type": "string", "enum": statuses_list()}, "note": {"type": "string", "maxLength": 2000},
                "plan": {"$ref": "#/components/schemas/Plan"}}})),
            "responses": resp("200", ok("The priority after the move", "application/geo+json", feature.clone()),
                &with(&[("404", "No such priority"), ("409", "The workflow does not allow this move; allowed moves are listed"), ("412", "Stale If-Match"), ("422", "Invalid member (a missing plan when approving)")])),
        }}),
    );
    paths.insert(
        "/collections/priorities/items/{featureId}/notes".into(),
        json!({"post": {
            "summary": "Annotate a priority (cabinet of its territory, or admin); recorded in its history",
            "parameters": [id_param.clone()],
            "requestBody": json_body(json!({"type": "object", "required": ["note"], "properties": {"note": {"type": "string", "maxLength": 2000}}})),
            "responses": resp("204", json!({"description": "Recorded"}), &with(&[("404", "No such priority"), ("422", "Missing or invalid note")])),
        }}),
    );
    paths.insert(
        "/collections/priorities/items/{featureId}/history".into(),
        json!({"get": {
            "summary": "Every change to a priority, oldest first, with actor, time, what changed and the note; kept after deletion",
            "parameters": [id_param, query_params(&[FORMAT])[0]],
            "responses": responses(("200", ok("The history", "application/json", json!({"type": "object"}))), &[("404", "No priority with that id ever existed")]),
        }}),
    );
    paths.insert(
        "/collections/councils/items/{code}/agenda".into(),
        json!({
            "get": {
                "summary": "A council's action agenda: its open priorities, by rank, then unranked by creation",
                "parameters": [path_param("code", "The council's code"), query_params(&[FORMAT])[0]],
                "responses": responses(("200", ok("The agenda", "application/geo+json", fc.clone())), &[("404", "No such council")]),
            },
            "put": {
                "summary": "Reorder the agenda in one request (the council's spokesperson, or admin): the listed open priorities get ranks 1, 2, …; the others lose theirs",
                "parameters": [path_param("code", "The council's code")],
                "requestBody": json_body(json!({"type": "object", "required": ["order"], "properties": {"order": {"type": "array", "maxItems": 10, "items": {"type": "string", "format": "uuid"}}}})),
                "responses": resp("200", ok("The agenda as reordered", "application/geo+json", fc.clone()), &with(&[("404", "No such council"), ("422", "An id that is not an open priority of the council, listed twice, or more than 10")])),
            },
        }),
    );
    paths.insert(
        "/collections/communes/items".into(),
        json!({
            "get": {
                "summary": "List communes (comunas), each with its councils count",
                "parameters": query_params(&[super::params::LIMIT, super::params::OFFSET, FORMAT]),
                "responses": responses(("200", ok("A page of communes", "application/geo+json", fc.clone())), &bad_query),
            },
            "post": {
                "summary": "Create a commune (admin): properties code and name; geometry null",
                "requestBody": feature_body("Feature"),
                "responses": resp("201", ok("Created; Location is set", "application/geo+json", generic.clone()), &with(&[("409", "That code exists already"), ("422", "Invalid member")])),
            },
        }),
    );
    paths.insert(
        "/collections/communes/items/{code}".into(),
        json!({"get": {
            "summary": "One commune by code",
            "parameters": [path_param("code", "The code"), query_params(&[FORMAT])[0]],
            "responses": responses(("200", ok("The commune", "application/geo+json", generic.clone())), &[("404", "Not found")]),
        }}),
    );
    paths["/collections/councils/items/{code}"]["patch"] = json!({
        "summary": "Change a council (admin) with a JSON merge patch: name, location (Point), commune, spokespeople; its code and parish cannot change",
        "parameters": [path_param("code", "The council's code")],
        "requestBody": {"required": true, "content": {"application/merge-patch+json": {"schema": {"type": "object"}}}},
        "responses": resp("200", ok("The council", "application/geo+json", generic.clone()), &with(&[("404", "No such council"), ("422", "Invalid member, an unknown commune, or a changed parish")])),
    });
    paths.insert(
        "/review-queue".into(),
        json!({"get": {
            "summary": "A cabinet's review queue: proposed priorities located in its territory (all, for an admin), oldest or highest-ranked first",
            "parameters": query_params(super::priorities::QUEUE_PARAMS),
            "responses": resp("200", ok("A page of the queue", "application/geo+json", fc.clone()), &with(&[("400", "Invalid or unknown query parameter")])),
        }}),
    );
    paths.insert(
        super::changes::CHANGES_PATH.into(),
        json!({"get": {
            "summary": "The change feed: priorities created, updated or deleted after change number `since`, each once at its latest change, in change order, with its current Feature (none once deleted); page with `next`",
            "parameters": query_params(super::changes::CHANGES_PARAMS),
            "responses": resp("200", ok("A page of changes", "application/json", json!({"type": "object", "required": ["since", "after", "next", "latest", "links", "changes"], "properties": {
                "since": {"type": "integer"}, "after": {"type": "integer"}, "next": {"type": "integer"}, "latest": {"type": "integer"},
                "links": {"type": "array"},
                "changes": {"type": "array", "items": {"type": "object", "required": ["seq", "action", "id", "version", "at"], "properties": {
                    "seq": {"type": "integer"}, "action": {"type": "string", "enum": ["created", "updated", "deleted"]},
                    "id": {"type": "string", "format": "uuid"}, "version": {"type": "integer"},
                    "at": {"type": "string", "format": "date-time"}, "feature": {"type": "object"}}}}}})), &with(&[("400", "Invalid or unknown query parameter")])),
        }}),
    );
    paths.insert(
        "/tokens".into(),
        json!({
            "get": {
                "summary": "List tokens (admin); never their secrets",
                "parameters": query_params(&[FORMAT]),
                "responses": resp("200", ok("The tokens", "application/json", json!({"type": "object"})), &with(&[])),
            },
            "post": {
                "summary": "Create a token (admin): role spokesperson (scope a council), cabinet (scope a state, municipality or parish), planner or admin; the secret is in this response only",
                "requestBody": json_body(json!({"type": "object", "required": ["role"], "properties": {
                    "role": {"type": "string", "enum": ["spokesperson", "cabinet", "planner", "admin"]},
                    "scope": {"type": "string"}, "label": {"type": "string"}}})),
                "responses": resp("201", ok("The token with its secret (`token`)", "application/json", json!({"type": "object"})), &with(&[("422", "Invalid role or scope")])),
            },
        }),
    );
    paths.insert(
        "/tokens/{id}".into(),
        json!({"get": {
            "summary": "One token (admin); never its secret",
            "parameters": [path_param("id", "The token's id"), query_params(&[FORMAT])[0]],
            "responses": resp("200", ok("The token", "application/json", json!({"type": "object"})), &with(&[("404", "No such token")])),
        }, "delete": {
            "summary": "Revoke a token (admin); it stops working at once",
            "parameters": [path_param("id", "The token's id")],
            "responses": resp("204", json!({"description": "Revoked"}), &with(&[("404", "No such token")])),
        }}),
    );
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "prioridades",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Geolocated priorities of Venezuela's communal councils (OGC API – Features Part 1 Core, GeoJSON, OpenAPI 3.0; writes after Part 4). Every error is application/problem+json (RFC 9457).",
        },
        "servers": [{"url": base}],
        "security": [{}, {"bearer": []}],
        "paths": paths,
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "Writes need a token; reads too when the server runs with --private-reads"}}, "schemas": {
            "Plan": {"type": "object", "required": ["objective", "goal", "responsible", "resources", "start_date", "target_date"], "properties": {
                "objective": {"type": "string"}, "goal": {"type": "string", "description": "The goal (meta)"},
                "responsible": {"type": "object", "properties": {
                    "kind": {"type": "string", "enum": ["ministry", "governorship", "mayoralty", "commune", "council"]},
                    "name": {"type": "string"}}},
                "resources": {"type": "string"},
                "start_date": {"type": "string", "format": "date"}, "target_date": {"type": "string", "format": "date"},
            }},
            "Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"},
                "parameter": {"type": "string", "description": "The query parameter at fault"},
                "pointer": {"type": "string", "description": "JSON pointer to the body member at fault"},
                "header": {"type": "string", "description": "The request header at fault"},
                "errors": {"type": "array", "items": {"type": "object"}, "description": "invalid-file: every problem by feature index"},
                "from": {"type": "string", "description": "invalid-transition: the current status"},
                "to": {"type": "string", "description": "invalid-transition: the status asked for"},
                "allowed": {"type": "array", "items": {"type": "string"}, "description": "invalid-transition: the moves allowed from here"},
            }},
            "Feature": {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "string"},
                "geometry": {"type": "object", "nullable": true},
                "properties": {"type": "object"},
            }},
            "PriorityInput": {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "string", "format": "uuid", "description": "Optional; assigned by the server when absent"},
                "geometry": {"type": "object", "description": "Point, LineString, Polygon, MultiPoint, MultiLineString or MultiPolygon; [lon, lat] WGS84; at most 10000 vertices"},
                "properties": {"type": "object", "required": ["council", "title", "category"], "properties": {
                    "council": {"type": "string"},
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "description": {"type": "string", "maxLength": 4000, "nullable": true},
                    "category": {"type": "string", "enum": categories},
                    "status": {"type": "string", "enum": statuses, "default": "proposed"},
                    "rank": {"type": "integer", "minimum": 1, "maximum": 10, "nullable": true},
                    "families": {"type": "integer", "minimum": 0, "nullable": true},
                    "plan": {"allOf": [{"$ref": "#/components/schemas/Plan"}], "nullable": true, "description": "Required to approve; kept once approved"},
                    "created_at": {"type": "string", "format": "date-time", "description": "Honoured on creation only (migrating dated records)"},
                }},
            }},
            "PriorityFeature": {"allOf": [{"$ref": "#/components/schemas/PriorityInput"}, {"type": "object", "properties": {
                "properties": {"type": "object", "properties": {
                    "state": {"type": "string"}, "municipality": {"type": "string"}, "parish": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"},
                    "version": {"type": "integer"},
                    "distance_m": {"type": "number", "description": "Radius queries only"},
                }},
            }}]},
            "FeatureCollection": {"type": "object", "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "numberMatched": {"type": "integer"},
                "numberReturned": {"type": "integer"},
                "timeStamp": {"type": "string", "format": "date-time"},
                "links": {"type": "array", "items": {"type": "object"}},
                "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}},
            }},
            "BoundaryReport": {"type": "object", "properties": {
                "level": {"type": "string"}, "territories": {"type": "integer"}, "created": {"type": "integer"},
                "boundaries_dropped": {"type": "integer"}, "priorities_placed": {"type": "integer"},
                "priorities_moved": {"type": "integer"}, "outside_council_parish": {"type": "integer"},
                "outside_every_parish": {"type": "integer"},
            }},
            "ImportReport": {"type": "object", "properties": {
                "received": {"type": "integer"}, "created": {"type": "integer"}, "updated": {"type": "integer"},
                "errors": {"type": "array", "items": {"type": "object", "properties": {
                    "index": {"type": "integer"}, "pointer": {"type": "string"}, "reason": {"type": "string"},
                }}},
            }},
        }},
    })
}
