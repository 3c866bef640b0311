//! Territories, councils and communes: lists, single features, creation,
//! boundary imports, councils' changes and agendas.

use serde_json::{Map, Value, json};

use super::op::{
    Op, feature_body, json_body, key_schema, patch_body, path_param, query_params, schema,
};
use crate::domain::codes::Level;
use crate::http::extract::{Endpoint, FormatOnly, Paging};
use crate::http::{GEOJSON, JSON, councils, territories};

const ADMINS: &str = "Only admins manage territories, councils and communes";

pub fn add(paths: &mut Map<String, Value>) {
    for level in Level::ALL {
        let digits = match level {
            Level::State => 2,
            Level::Municipality => 4,
            Level::Parish => 6,
        };
        let code = json!({"type": "string", "pattern": format!("^[0-9]{{{digits}}}$")});
        collection(
            paths,
            level.collection(),
            territories::item_params(level),
            territories::One::PARAMS,
            code,
            "Create a territory (properties code and name; geometry null). Features carry their boundary, priority counts (councils, priorities, families, status_*, category_*) and response times (*_n, *_median_days, *_p90_days, open, overdue, share_overdue, as_of_*).",
        );
        paths.insert(
            format!("/collections/{}/import", level.collection()),
            json!({"post": Op::new("Replace the boundaries of every territory of this level from a FeatureCollection of Polygons/MultiPolygons (admin); parish boundaries re-place every priority")
                .params(query_params(territories::Import::PARAMS))
                .body(json!({"required": true, "content": {
                    "application/geo+json": {"schema": schema("ImportCollection")},
                    "application/json": {"schema": schema("ImportCollection")},
                }}))
                .ok("200", "What was imported and how priorities were placed", &[(JSON, schema("BoundaryReport"))])
                .write("Only admins import boundaries")
                .errors(&[("422", "Invalid features (listed in `errors`); nothing was changed")])
                .done()}),
        );
    }
    collection(
        paths,
        "councils",
        councils::Items::PARAMS,
        FormatOnly::PARAMS,
        key_schema(),
        "Create a council (properties code, name, parish; geometry a Point or null)",
    );
    collection(
        paths,
        "communes",
        Paging::PARAMS,
        FormatOnly::PARAMS,
        key_schema(),
        "Create a commune (properties code and name; geometry null)",
    );
    council_writes(paths);
}

/// `/collections/{id}/items` (list, create) and `/items/{code}` (read).
fn collection(
    paths: &mut Map<String, Value>,
    id: &str,
    list_params: &[crate::http::params::ParamSpec],
    one_params: &[crate::http::params::ParamSpec],
    code: Value,
    create: &str,
) {
    paths.insert(
        format!("/collections/{id}/items"),
        json!({
            "get": Op::new(&format!("List {id}"))
                .params(query_params(list_params))
                .ok("200", "A page of features", &[(GEOJSON, schema("FeatureCollection"))])
                .done(),
            "post": Op::new(create)
                .body(feature_body("Feature"))
                .ok("201", "Created", &[(GEOJSON, schema("Feature"))])
                .header("201", "Location", "The new feature's URL")
                .write(ADMINS)
                .errors(&[("409", "That code exists already")])
                .done(),
        }),
    );
    let mut params = vec![path_param("code", "The code", code)];
    params.extend(query_params(one_params));
    paths.insert(
        format!("/collections/{id}/items/{{code}}"),
        json!({"get": Op::new("One feature by code, with links to its parent, children, councils and priorities")
            .params(params)
            .ok("200", "The feature", &[(GEOJSON, schema("Feature"))])
            .errors(&[("404", "Not found")])
            .done()}),
    );
}

/// A council's merge patch and its agenda.
fn council_writes(paths: &mut Map<String, Value>) {
    let code = || path_param("code", "The council's code", key_schema());
    paths["/collections/councils/items/{code}"]["patch"] = Op::new(
        "Change a council (admin) with a JSON merge patch: name, location (Point), commune, spokespeople; its code and parish cannot change",
    )
    .params(vec![code()])
    .body(patch_body())
    .ok("200", "The council", &[(GEOJSON, schema("Feature"))])
    .write(ADMINS)
    .errors(&[("404", "No such council")])
    .done();
    let mut get_params = vec![code()];
    get_params.extend(query_params(FormatOnly::PARAMS));
    paths.insert(
        "/collections/councils/items/{code}/agenda".into(),
        json!({
            "get": Op::new("A council's action agenda: its open priorities, by rank, then unranked by creation")
                .params(get_params)
                .ok("200", "The agenda", &[(GEOJSON, schema("FeatureCollection"))])
                .errors(&[("404", "No such council")])
                .done(),
            "put": Op::new("Reorder the agenda in one request (the council's spokesperson, or admin): the listed open priorities get ranks 1, 2, …; the others lose theirs")
                .params(vec![code()])
                .body(json_body(json!({"type": "object", "required": ["order"], "additionalProperties": false, "properties": {
                    "order": {"type": "array", "maxItems": 10, "uniqueItems": true, "items": {"type": "string", "format": "uuid"}}}})))
                .ok("200", "The agenda as reordered", &[(GEOJSON, schema("FeatureCollection"))])
                .write("Only the council's spokesperson, or an admin, orders its agenda")
                .errors(&[("404", "No such council")])
                .done(),
        }),
    );
}
