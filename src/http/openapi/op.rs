//! Building blocks of the document: parameters from the endpoints' own
//! [`ParamSpec`] lists, and operations with the responses every handler
//! can give.

use serde_json::{Map, Value, json};

use crate::domain::crs::Crs;
use crate::http::GEOJSON;
use crate::http::params::{LEVEL_LIMIT, LIMIT, ParamSpec};

/// A query parameter's description, its schema and example parsed from the
/// spec's JSON text (a unit test parses every spec). Lists are arrays sent
/// comma separated, as OGC API – Features does. `limit` is a reference to
/// [`parameters`]' `limit`, where QGIS reads the page size and which GDAL
/// follows from each collection's items path.
pub fn query_params(specs: &[ParamSpec]) -> Vec<Value> {
    specs
        .iter()
        .map(|p| {
            if p.name == LIMIT.name && p.schema == LIMIT.schema {
                json!({"$ref": "#/components/parameters/limit"})
            } else if p.name == LEVEL_LIMIT.name && p.schema == LEVEL_LIMIT.schema {
                json!({"$ref": "#/components/parameters/limitLevel"})
            } else {
                query_param(p)
            }
        })
        .collect()
}

/// The document's `components.parameters`: `limit`, which every paged
/// operation references, and `limitLevel`, the territory levels' `limit`
/// (by default the whole level).
pub fn parameters() -> Value {
    json!({"limit": query_param(&LIMIT), "limitLevel": query_param(&LEVEL_LIMIT)})
}

fn query_param(p: &ParamSpec) -> Value {
    let parse = |text: &str| -> Value {
        serde_json::from_str(text)
            .unwrap_or_else(|e| json!({"description": format!("unreadable spec: {e}")}))
    };
    json!({
        "name": p.name,
        "in": "query",
        "required": false,
        "description": p.description,
        "schema": parse(p.schema),
        "example": parse(p.example),
        "style": "form",
        "explode": false,
    })
}

/// A path parameter.
pub fn path_param(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": schema})
}

/// A priority's id in the path.
pub fn feature_id() -> Value {
    path_param(
        "featureId",
        "The priority's UUID",
        json!({"type": "string", "format": "uuid"}),
    )
}

/// The code of a council or commune: 1 to 40 letters, digits, `-`, `_` or
/// `.` (`CouncilCode`'s rule). The council and commune filters' item
/// patterns spell the same text (a unit test holds them equal).
pub const KEY_PATTERN: &str = "^[A-Za-z0-9._-]{1,40}$";

/// [`KEY_PATTERN`] as a string schema.
pub fn key_schema() -> Value {
    json!({"type": "string", "pattern": KEY_PATTERN})
}

/// `If-Match` on a write.
pub fn if_match() -> Value {
    json!({
        "name": "If-Match", "in": "header", "required": false,
        "description": "The ETag of the version the change is based on (a list, or `*`); 412 when the priority has changed since.",
        "schema": {"type": "string"},
    })
}

/// A reference to a component schema.
pub fn schema(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// A JSON request body.
pub fn json_body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

/// A Feature request body (GeoJSON or plain JSON media type).
pub fn feature_body(name: &str) -> Value {
    json!({"required": true, "content": {
        "application/geo+json": {"schema": schema(name)},
        "application/json": {"schema": schema(name)},
    }})
}

/// A merge-patch request body.
pub fn patch_body() -> Value {
    json!({"required": true, "content": {
        "application/merge-patch+json": {"schema": {"type": "object"}},
        "application/json": {"schema": {"type": "object"}},
    }})
}

/// The page of a resource with an HTML view (`f=html`, or an `Accept`
/// header preferring `text/html`), as a response's content entry.
pub fn html_page() -> (&'static str, Value) {
    ("text/html", json!({"type": "string"}))
}

/// One operation of the document.
pub struct Op {
    op: Map<String, Value>,
    responses: Map<String, Value>,
}

impl Op {
    pub fn new(summary: &str) -> Self {
        let mut op = Map::new();
        op.insert("summary".into(), summary.into());
        Op {
            op,
            responses: Map::new(),
        }
    }

    pub fn params(mut self, params: Vec<Value>) -> Self {
        self.op.insert("parameters".into(), params.into());
        self
    }

    pub fn body(mut self, body: Value) -> Self {
        self.op.insert("requestBody".into(), body);
        self
    }

    /// The success response: `status`, a description, and the media types
    /// with their schemas. A GeoJSON response names its CRS in `Content-Crs`.
    pub fn ok(mut self, status: &str, description: &str, content: &[(&str, Value)]) -> Self {
        let mut response = json!({"description": description});
        if !content.is_empty() {
            let media: Map<String, Value> = content
                .iter()
                .map(|(media, schema)| (media.to_string(), json!({"schema": schema})))
                .collect();
            response["content"] = media.into();
        }
        self.responses.insert(status.into(), response);
        if content.iter().any(|(media, _)| *media == GEOJSON) {
            self = self.required_header(status, "Content-Crs", CONTENT_CRS, content_crs());
        }
        self
    }

    /// Adds a header to the success response `status`.
    pub fn header(mut self, status: &str, name: &str, description: &str) -> Self {
        if let Some(response) = self.responses.get_mut(status) {
            response["headers"][name] =
                json!({"description": description, "schema": {"type": "string"}});
        }
        self
    }

    /// Adds a header that response `status` always carries, of `schema`.
    pub fn required_header(
        mut self,
        status: &str,
        name: &str,
        description: &str,
        schema: Value,
    ) -> Self {
        if let Some(response) = self.responses.get_mut(status) {
            response["headers"][name] =
                json!({"description": description, "required": true, "schema": schema});
        }
        self
    }

    /// A response without a body (`204`, `304`).
    pub fn empty(mut self, status: &str, description: &str) -> Self {
        self.responses
            .insert(status.into(), json!({"description": description}));
        self
    }

    /// Problem responses particular to this operation.
    pub fn errors(mut self, errors: &[(&str, &str)]) -> Self {
        for (status, description) in errors {
            self.responses
                .insert(status.to_string(), problem(description));
        }
        self
    }

    /// Needs a bearer token whose role and scope allow it: 401 without one,
    /// 403 when it does not allow this.
    pub fn authenticated(mut self, who: &str) -> Self {
        self.op.insert("security".into(), json!([{"bearer": []}]));
        self.errors(&[
            (
                "401",
                "No bearer token, or one that is malformed, unknown or revoked",
            ),
            ("403", who),
        ])
    }

    /// A write with a body: [`Op::authenticated`], plus the body's errors
    /// and a full disk.
    pub fn write(self, who: &str) -> Self {
        self.authenticated(who).errors(&[
            ("413", "The body is larger than the configured limit"),
            ("415", "A Content-Type this endpoint does not read"),
            ("422", "A member of the body is invalid; `pointer` names it"),
            ("507", "The database's disk is full: nothing was written"),
        ])
    }

    /// The operation, with the responses every request can get added where
    /// the operation did not name them: 400 (an unknown, repeated or invalid
    /// query parameter, or a malformed header), 401 (a token that is sent
    /// must be valid, on any request), 500 and 503.
    pub fn done(mut self) -> Value {
        for (status, description) in [
            (
                "400",
                "An invalid, unknown or repeated query parameter (`parameter` names it), or a malformed request header",
            ),
            (
                "401",
                "The bearer token sent is malformed, unknown or revoked",
            ),
            ("500", "The server failed (the cause is logged)"),
            (
                "503",
                "The database cannot be reached, or the server holds its maximum of connections",
            ),
        ] {
            self.responses
                .entry(status)
                .or_insert_with(|| problem(description));
        }
        self.op.insert("responses".into(), self.responses.into());
        self.op.into()
    }
}

const CONTENT_CRS: &str = "The CRS of the coordinates (OGC API – Features Part 2), its URI in angle brackets: CRS84 unless `crs` asked for another";

/// `Content-Crs`: one of the served CRSs' URIs, in angle brackets.
fn content_crs() -> Value {
    let values: Vec<String> = Crs::ALL.iter().map(|c| format!("<{}>", c.uri())).collect();
    json!({"type": "string", "enum": values})
}

/// `Allow`: HTTP methods, comma separated.
pub fn allow_schema() -> Value {
    let method = "(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)";
    json!({"type": "string", "pattern": format!("^{method}(, {method})*$")})
}

fn problem(description: &str) -> Value {
    json!({"description": description, "content": {"application/problem+json": {"schema": schema("Problem")}}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_response_of_an_operation_is_documented_once() {
        let op = Op::new("x")
            .ok("200", "fine", &[("application/json", json!({}))])
            .errors(&[("404", "missing")])
            .write("admins")
            .done();
        let statuses: Vec<&str> = op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for status in [
            "200", "400", "401", "403", "404", "413", "415", "422", "500", "503", "507",
        ] {
            assert!(statuses.contains(&status), "{status} in {statuses:?}");
        }
        assert_eq!(op["security"], json!([{"bearer": []}]));
    }
}
