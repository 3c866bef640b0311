//! The priorities: items, their workflow, history, changes, the review
//! queue, the bulk import and the statistics.

use serde_json::{Map, Value, json};

use super::op::{
    Op, allow_schema, feature_body, feature_id, html_page, if_match, json_body, patch_body,
    query_params, schema,
};
use crate::http::extract::{Endpoint, FormatOnly};
use crate::http::priorities::{Item, Items, Queue};
use crate::http::{GEOJSON, JSON, changes, feed, statistics};

pub fn add(paths: &mut Map<String, Value>) {
    items(paths);
    item(paths);
    workflow(paths);
    paths.insert(
        "/collections/priorities/import".into(),
        json!({"post": Op::new("Bulk import (admin): a FeatureCollection or newline-delimited Features; a feature whose id exists updates it; each refused feature is reported, the others are stored")
            .body(json!({"required": true, "content": {
                "application/geo+json": {"schema": schema("ImportCollection")},
                "application/json": {"schema": schema("ImportCollection")},
                "application/x-ndjson": {"schema": {"type": "string"}},
                "application/geo+json-seq": {"schema": {"type": "string"}},
            }}))
            .ok("200", "What was stored, and each refused feature with its index and reason", &[(JSON, schema("ImportReport"))])
            .write("Only admins import")
            .done()}),
    );
    paths.insert(
        changes::CHANGES_PATH.into(),
        json!({"get": Op::new("The change feed: priorities created, updated or deleted after change number `since`, each once at its latest change, in change order, with its current Feature (none once deleted); page with `next`")
            .params(query_params(changes::Changes::PARAMS))
            .ok("200", "A page of changes", &[(JSON, schema("ChangePage"))])
            .done()}),
    );
    paths.insert(
        feed::FEED_PATH.into(),
        json!({"get": Op::new("An Atom feed (RFC 4287) of the priorities that changed last among those the filters select, newest first: alerts by area, council, status…")
            .params(query_params(feed::Feed::PARAMS))
            .ok("200", "The feed", &[("application/atom+xml", json!({"type": "string"}))])
            .done()}),
    );
    paths.insert(
        "/review-queue".into(),
        json!({"get": Op::new("A cabinet's review queue: proposed priorities located in its territory (all, for an admin), oldest or highest-ranked first, each with `possible_duplicates` (as a created priority has)")
            .params(query_params(Queue::PARAMS))
            .ok("200", "A page of the queue", &[(GEOJSON, schema("FeatureCollection"))])
            .authenticated("Only cabinets and admins have a review queue")
            .done()}),
    );
    paths.insert(
        "/statistics".into(),
        json!({"get": Op::new("Counts of priorities, councils (registered, and with matching priorities) and families benefited, and response times (median and 90th percentile days per workflow interval with sample sizes, share overdue, counts per status as_of an instant), grouped by state, municipality or parish; filtered like items")
            .params(query_params(statistics::Statistics::PARAMS))
            .ok("200", "One row per territory, and totals", &[(JSON, json!({"type": "object"})), ("text/csv", json!({"type": "string"}))])
            .done()}),
    );
}

fn items(paths: &mut Map<String, Value>) {
    paths.insert(
        "/collections/priorities/items".into(),
        json!({
            "get": Op::new("Query priorities; every filter combines with AND")
                .params(query_params(Items::PARAMS))
                .ok("200", "A page of matching priorities", &[(GEOJSON, schema("FeatureCollection")), html_page()])
                .done(),
            "post": Op::new("Create a priority (a spokesperson for their council, as `proposed`; a cabinet in its territory; an admin)")
                .body(feature_body("PriorityInput"))
                .ok("201", "Created, with `possible_duplicates`: the open priorities of a related category within `--duplicate-distance` metres, nearest first", &[(GEOJSON, schema("CreatedPriorityFeature"))])
                .header("201", "Location", "The new priority's URL")
                .header("201", "ETag", "Its version")
                .write("The token's role or scope does not allow creating this priority")
                .errors(&[("409", "A priority with that id exists")])
                .done(),
            "options": Op::new("What the caller may do here: `Allow` lists GET, HEAD and OPTIONS, and POST when the caller's token may create priorities (an admin or a spokesperson; QGIS enables adding features from it); no token needed")
                .empty("204", "No content; the methods are in `Allow`")
                .required_header("204", "Allow", "The methods the caller may use", allow_schema())
                .done(),
        }),
    );
}

fn item(paths: &mut Map<String, Value>) {
    let edit_errors = [
        ("404", "No such priority"),
        (
            "409",
            "The status would change: statuses change through .../transitions (`invalid-transition`, with the allowed moves)",
        ),
        ("412", "If-Match does not name the current version"),
    ];
    let who = "The token's role or scope does not allow changing this priority";
    let mut get_params = vec![feature_id()];
    get_params.extend(query_params(Item::PARAMS));
    paths.insert(
        "/collections/priorities/items/{featureId}".into(),
        json!({
            "get": Op::new("One priority (ETag set; If-None-Match answers 304)")
                .params(get_params)
                .ok("200", "The priority", &[(GEOJSON, schema("PriorityFeatureRead")), html_page()])
                .header("200", "ETag", "Its version")
                .empty("304", "Not modified since the ETag sent in If-None-Match")
                .errors(&[("404", "No such priority")])
                .done(),
            "put": Op::new("Replace a priority")
                .params(vec![feature_id(), if_match()])
                .body(feature_body("PriorityInput"))
                .ok("200", "The stored priority", &[(GEOJSON, schema("PriorityFeature"))])
                .write(who)
                .errors(&edit_errors)
                .done(),
            "patch": Op::new("Change some members of a priority (JSON merge patch, RFC 7396)")
                .params(vec![feature_id(), if_match()])
                .body(patch_body())
                .ok("200", "The stored priority", &[(GEOJSON, schema("PriorityFeature"))])
                .write(who)
                .errors(&edit_errors)
                .done(),
            "delete": Op::new("Delete a priority (its council's spokesperson while proposed, or an admin)")
                .params(vec![feature_id(), if_match()])
                .empty("204", "Deleted")
                .authenticated("Only the council's spokesperson while proposed, or an admin, deletes")
                .errors(&[("404", "No such priority"), ("412", "If-Match does not name the current version"), ("507", "The database's disk is full: nothing was written")])
                .done(),
            "options": Op::new("What the caller may do to this priority: `Allow` lists GET, HEAD and OPTIONS, with PUT and PATCH when the caller's token may change it and DELETE when it may delete it (QGIS enables editing from it); no token needed; for an id that names no priority, what the token's role allows on some priority (QGIS asks so while its layer is empty)")
                .params(vec![feature_id()])
                .empty("204", "No content; the methods are in `Allow`")
                .required_header("204", "Allow", "The methods the caller may use on this priority", allow_schema())
                .done(),
        }),
    );
}

fn workflow(paths: &mut Map<String, Value>) {
    paths.insert(
        "/collections/priorities/items/{featureId}/transitions".into(),
        json!({"post": Op::new("Move a priority through the workflow (cabinet of its territory, or admin): proposed → approved | rejected | duplicate; approved → in_progress | rejected | duplicate; in_progress → done; rejected, done or duplicate → proposed. Approving needs a plan; a move to duplicate needs `duplicate_of`, an existing priority that is not itself a duplicate (recorded in the history of both; reopening clears it). Recorded in its history with the note.")
            .params(vec![feature_id(), if_match()])
            .body(json_body(schema("Transition")))
            .ok("200", "The priority after the move", &[(GEOJSON, schema("PriorityFeature"))])
            .write("Only a cabinet of the priority's territory, or an admin, moves it")
            .errors(&[("404", "No such priority"), ("409", "The workflow does not allow this move; the allowed moves are listed"), ("412", "If-Match does not name the current version")])
            .done()}),
    );
    paths.insert(
        "/collections/priorities/items/{featureId}/notes".into(),
        json!({"post": Op::new("Annotate a priority (cabinet of its territory, or admin); recorded in its history")
            .params(vec![feature_id()])
            .body(json_body(json!({"type": "object", "required": ["note"], "additionalProperties": false, "properties": {"note": {"type": "string", "minLength": 1, "maxLength": 2000}}})))
            .empty("204", "Recorded")
            .write("Only a cabinet of the priority's territory, or an admin, annotates it")
            .errors(&[("404", "No such priority")])
            .done()}),
    );
    let mut near = vec![feature_id()];
    near.extend(query_params(crate::http::duplicates::Duplicates::PARAMS));
    paths.insert(
        "/collections/priorities/items/{featureId}/duplicates".into(),
        json!({"get": Op::new("The possible duplicates of a priority: open priorities of a related category within `distance` metres of its geometry (geometry to geometry), nearest first, at most 20, each with `distance_m`")
            .params(near)
            .ok("200", "The possible duplicates", &[(GEOJSON, schema("FeatureCollection"))])
            .errors(&[("404", "No such priority")])
            .done()}),
    );
    let mut params = vec![feature_id()];
    params.extend(query_params(FormatOnly::PARAMS));
    paths.insert(
        "/collections/priorities/items/{featureId}/history".into(),
        json!({"get": Op::new("Every change to a priority, oldest first, with actor, time, what changed and the note; kept after deletion")
            .params(params)
            .ok("200", "The history", &[(JSON, json!({"type": "object"}))])
            .errors(&[("404", "No priority with that id ever existed")])
            .done()}),
    );
}
