//! Bad request bodies of every kind: each is refused with the right status
//! and an `application/problem+json` body naming the fault, nothing is
//! stored, and no input yields a 500. Bad query parameters, paths, methods
//! and headers are in `bad_input_queries`, territories and councils in
//! `bad_input_catalog`, size limits in `bad_input_limits`.
//!
//! Cases of one shape are tables run by [`each_case`] on one app; each
//! case is labelled with the name it had as a test of its own, and checks
//! that it stored nothing, so the cases share the app without sharing state.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    GEOJSON, IMPORT, ITEMS, TestApp, assert_problem, each_case, priority, problem_type,
    spawn_seeded_app,
};

// ---------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------

/// The valid priority with `properties[name] = value`.
fn priority_with_property(name: &str, value: Value) -> Value {
    let mut p = priority();
    p["properties"][name] = value;
    p
}

/// The valid priority with its geometry replaced.
fn priority_with_geometry(geometry: Value) -> Value {
    let mut p = priority();
    p["geometry"] = geometry;
    p
}

/// The valid priority without its top-level `member`.
fn priority_without(member: &str) -> Value {
    let mut p = priority();
    p.as_object_mut().expect("an object").remove(member);
    p
}

/// POSTs `body` to `path` and checks the problem (`status`, `member`) and
/// that no priority was stored; returns the problem.
async fn post_is_refused(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: String,
    status: StatusCode,
    member: (&str, &str),
) -> Value {
    let before = app.priority_count().await;
    let response = app.post_raw(path, content_type, body).await;
    let problem = assert_problem(response, status, member).await;
    assert_eq!(app.priority_count().await, before, "nothing is stored");
    problem
}

/// A LineString of `n` distinct positions in Caracas.
fn line_of(n: usize) -> Value {
    let coordinates: Vec<Value> = (0..n)
        .map(|i| json!([-66.95 + i as f64 * 1e-5, 10.5 + (i % 7) as f64 * 1e-5]))
        .collect();
    json!({"type": "LineString", "coordinates": coordinates})
}

// ---------------------------------------------------------------------------
// Bodies that are not JSON, or not a Feature
// ---------------------------------------------------------------------------

/// A valid priority in every member but one number, which JSON cannot hold.
fn with_coordinate_text(longitude: &str) -> String {
    format!(
        r#"{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{longitude},10.5]}},"properties":{{"council":"CC-1","title":"t","category":"water"}}}}"#
    )
}

#[tokio::test]
async fn bodies_that_are_not_json_or_not_a_feature_are_400_problems() {
    let app = spawn_seeded_app().await;
    let malformed = ("", "malformed-body");
    let cases = vec![
        (
            "a_truncated_json_body_is_a_400_malformed_body",
            (r#"{"type": "Feature","#.to_owned(), malformed),
        ),
        (
            "an_empty_body_is_a_400_malformed_body",
            (String::new(), malformed),
        ),
        (
            "a_whitespace_only_body_is_a_400_malformed_body",
            (" \n\t ".to_owned(), malformed),
        ),
        (
            "a_nan_literal_in_the_body_is_a_400_malformed_body",
            (with_coordinate_text("NaN"), malformed),
        ),
        (
            "a_number_beyond_f64_in_the_body_is_a_400_malformed_body",
            (with_coordinate_text("1e400"), malformed),
        ),
        (
            "a_feature_collection_body_is_a_400_wrong_document",
            (
                json!({"type": "FeatureCollection", "features": [priority()]}).to_string(),
                ("/type", "wrong-document"),
            ),
        ),
        (
            "a_bare_geometry_body_is_a_400_wrong_document",
            (
                json!({"type": "Point", "coordinates": [-66.9146, 10.5061]}).to_string(),
                ("/type", "wrong-document"),
            ),
        ),
        // The whole document is at fault, so the pointer is the root.
        (
            "a_json_array_body_is_a_400_wrong_document",
            (json!([priority()]).to_string(), ("", "wrong-document")),
        ),
        (
            "a_body_without_a_type_is_a_400_wrong_document",
            (
                priority_without("type").to_string(),
                ("/type", "wrong-document"),
            ),
        ),
    ];
    each_case(cases, async |(body, (pointer, kind))| {
        let p = post_is_refused(
            &app,
            ITEMS,
            GEOJSON,
            body,
            StatusCode::BAD_REQUEST,
            ("pointer", pointer),
        )
        .await;
        assert_eq!(p["type"], problem_type(kind));
    })
    .await;
}

#[tokio::test]
async fn a_text_plain_body_is_a_415_naming_content_type() {
    let app = spawn_seeded_app().await;
    let response = app
        .post_raw(ITEMS, "text/plain", priority().to_string())
        .await;
    let p = assert_problem(
        response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ("header", "Content-Type"),
    )
    .await;
    assert_eq!(p["type"], problem_type("unsupported-media-type"));
    assert_eq!(app.priority_count().await, 0);
}

/// Checks a table of priorities refused with a 422 `invalid-field` problem
/// at a pointer, each storing nothing.
async fn invalid_fields_are_refused(cases: Vec<(&'static str, (Value, &'static str))>) {
    let app = spawn_seeded_app().await;
    each_case(cases, async |(body, pointer)| {
        let p = post_is_refused(
            &app,
            ITEMS,
            GEOJSON,
            body.to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            ("pointer", pointer),
        )
        .await;
        // Every 422 of a single priority is an invalid field.
        assert_eq!(p["type"], problem_type("invalid-field"));
    })
    .await;
}

// ---------------------------------------------------------------------------
// Geometry
// ---------------------------------------------------------------------------

#[tokio::test]
async fn invalid_geometries_are_422_problems_at_the_offending_member() {
    let with = priority_with_geometry;
    invalid_fields_are_refused(vec![
        (
            "a_geometry_collection_is_a_422_at_geometry_type",
            (
                with(json!({
                    "type": "GeometryCollection",
                    "geometries": [{"type": "Point", "coordinates": [-66.9, 10.5]}],
                })),
                "/geometry/type",
            ),
        ),
        (
            "a_null_geometry_is_a_422_at_geometry",
            (with(Value::Null), "/geometry"),
        ),
        (
            "a_missing_geometry_is_a_422_at_geometry",
            (priority_without("geometry"), "/geometry"),
        ),
        (
            "a_longitude_of_181_is_a_422_pointing_at_the_longitude",
            (
                with(json!({"type": "Point", "coordinates": [181, 10.5]})),
                "/geometry/coordinates/0",
            ),
        ),
        (
            "a_latitude_of_minus_91_is_a_422_pointing_at_the_latitude",
            (
                with(json!({"type": "Point", "coordinates": [-66.9, -91]})),
                "/geometry/coordinates/1",
            ),
        ),
        (
            "an_out_of_range_latitude_inside_a_line_is_a_422_pointing_at_that_number",
            (
                with(json!({
                    "type": "LineString",
                    "coordinates": [[-66.9, 10.5], [-66.8, 10.6], [-66.7, -91]],
                })),
                "/geometry/coordinates/2/1",
            ),
        ),
        (
            "a_point_with_three_numbers_is_a_422_at_the_position",
            (
                with(json!({"type": "Point", "coordinates": [-66.9, 10.5, 900]})),
                "/geometry/coordinates",
            ),
        ),
        (
            "a_line_position_with_three_numbers_is_a_422_at_that_position",
            (
                with(json!({
                    "type": "LineString",
                    "coordinates": [[-66.9, 10.5], [-66.8, 10.6, 900]],
                })),
                "/geometry/coordinates/1",
            ),
        ),
        (
            "a_position_holding_a_string_is_a_422_at_that_number",
            (
                with(json!({"type": "Point", "coordinates": ["-66.9", 10.5]})),
                "/geometry/coordinates/0",
            ),
        ),
        (
            "an_unclosed_polygon_ring_is_a_422_at_that_ring",
            (
                with(json!({
                    "type": "Polygon",
                    "coordinates": [[[-66.95, 10.45], [-66.85, 10.45], [-66.85, 10.55], [-66.95, 10.55]]],
                })),
                "/geometry/coordinates/0",
            ),
        ),
        (
            "an_unclosed_polygon_hole_is_a_422_at_the_hole",
            (
                with(json!({
                    "type": "Polygon",
                    "coordinates": [
                        [[-66.95, 10.45], [-66.85, 10.45], [-66.85, 10.55], [-66.95, 10.55], [-66.95, 10.45]],
                        [[-66.92, 10.48], [-66.88, 10.48], [-66.88, 10.52], [-66.92, 10.52]],
                    ],
                })),
                "/geometry/coordinates/1",
            ),
        ),
        (
            "a_polygon_ring_of_three_positions_is_a_422_at_that_ring",
            (
                with(json!({
                    "type": "Polygon",
                    "coordinates": [[[-66.95, 10.45], [-66.85, 10.45], [-66.95, 10.45]]],
                })),
                "/geometry/coordinates/0",
            ),
        ),
    ])
    .await;
}

#[tokio::test]
async fn a_line_of_10001_positions_is_a_422_at_the_vertex_over_the_limit() {
    let app = spawn_seeded_app().await;
    let body = priority_with_geometry(line_of(10_001));
    let p = post_is_refused(
        &app,
        ITEMS,
        GEOJSON,
        body.to_string(),
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/geometry/coordinates/10000"),
    )
    .await;
    assert_eq!(p["type"], problem_type("invalid-field"));
    assert!(p["detail"].as_str().unwrap_or("").contains("10000"), "{p}");
}

#[tokio::test]
async fn a_line_of_exactly_10000_positions_is_accepted() {
    let app = spawn_seeded_app().await;
    let response = app
        .post_json(ITEMS, &priority_with_geometry(line_of(10_000)))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(app.priority_count().await, 1);
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

#[tokio::test]
async fn invalid_properties_are_422_problems_at_the_property() {
    let with = priority_with_property;
    let mut without_council = priority();
    without_council["properties"]
        .as_object_mut()
        .expect("properties")
        .remove("council");
    let id = |value: Value| {
        let mut p = priority();
        p["id"] = value;
        p
    };
    let (text_id, numeric_id) = (id("not-a-uuid".into()), id(42.into()));
    let mut listed_properties = priority();
    listed_properties["properties"] = json!(["council", "CC-1"]);
    invalid_fields_are_refused(vec![
        (
            "an_unknown_council_is_a_422_at_properties_council",
            (with("council", "CC-404".into()), "/properties/council"),
        ),
        (
            "a_malformed_council_code_is_a_422_at_properties_council",
            (
                with("council", "no spaces allowed".into()),
                "/properties/council",
            ),
        ),
        (
            "a_missing_council_is_a_422_at_properties_council",
            (without_council, "/properties/council"),
        ),
        (
            "an_unknown_category_is_a_422_at_properties_category",
            (with("category", "magic".into()), "/properties/category"),
        ),
        (
            "an_unknown_status_is_a_422_at_properties_status",
            (with("status", "lost".into()), "/properties/status"),
        ),
        (
            "an_empty_title_is_a_422_at_properties_title",
            (with("title", "".into()), "/properties/title"),
        ),
        (
            "a_blank_title_is_a_422_at_properties_title",
            (with("title", "   ".into()), "/properties/title"),
        ),
        (
            "a_title_of_201_characters_is_a_422_at_properties_title",
            (with("title", "x".repeat(201).into()), "/properties/title"),
        ),
        (
            "a_description_of_4001_characters_is_a_422_at_properties_description",
            (
                with("description", "d".repeat(4001).into()),
                "/properties/description",
            ),
        ),
        (
            "a_rank_of_0_is_a_422_at_properties_rank",
            (with("rank", 0.into()), "/properties/rank"),
        ),
        (
            "a_rank_of_11_is_a_422_at_properties_rank",
            (with("rank", 11.into()), "/properties/rank"),
        ),
        (
            "a_rank_of_2_point_5_is_a_422_at_properties_rank",
            (with("rank", 2.5.into()), "/properties/rank"),
        ),
        (
            "families_of_minus_1_is_a_422_at_properties_families",
            (with("families", (-1).into()), "/properties/families"),
        ),
        (
            "an_unknown_property_colour_is_a_422_at_properties_colour",
            (with("colour", "red".into()), "/properties/colour"),
        ),
        ("an_id_that_is_not_a_uuid_is_a_422_at_id", (text_id, "/id")),
        ("a_numeric_id_is_a_422_at_id", (numeric_id, "/id")),
        (
            "a_created_at_that_is_not_a_date_is_a_422_at_properties_created_at",
            (
                with("created_at", "yesterday".into()),
                "/properties/created_at",
            ),
        ),
        (
            "properties_that_are_not_an_object_are_a_422_at_properties",
            (listed_properties, "/properties"),
        ),
    ])
    .await;
}

#[tokio::test]
async fn posting_an_id_that_exists_is_a_409_and_leaves_the_original_unchanged() {
    let app = spawn_seeded_app().await;
    let id = "0b6f3c2e-8d4a-4c1b-9f0e-2a7d5e6c1b3a";
    let mut original = priority();
    original["id"] = id.into();
    let r = app.post_json(ITEMS, &original).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let (_, before) = app.get_json(&format!("{ITEMS}/{id}")).await;

    let mut duplicate = priority_with_property("title", "Otro título".into());
    duplicate["id"] = id.into();
    duplicate["properties"]["category"] = "roads".into();
    let response = app.post_json(ITEMS, &duplicate).await;
    let p = assert_problem(
        response,
        StatusCode::CONFLICT,
        ("type", &problem_type("conflict")),
    )
    .await;
    assert!(p["detail"].is_string());

    assert_eq!(app.priority_count().await, 1);
    let (status, after) = app.get_json(&format!("{ITEMS}/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after["properties"]["title"], "Sustitución de tubería");
    assert_eq!(after["properties"]["category"], "water");
    assert_eq!(
        after["properties"]["version"],
        before["properties"]["version"]
    );
    assert_eq!(after["properties"], before["properties"]);
}

// ---------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------

#[tokio::test]
async fn imports_that_cannot_be_read_are_refused_whole_and_store_nothing() {
    let app = spawn_seeded_app().await;
    let not_json = (StatusCode::BAD_REQUEST, ("pointer", ""), "malformed-body");
    let cases = vec![
        (
            "an_import_of_hello_is_a_400_malformed_body",
            ("application/x-ndjson", "hello".to_owned(), not_json),
        ),
        (
            "an_empty_import_is_a_400_malformed_body",
            ("application/x-ndjson", String::new(), not_json),
        ),
        (
            "an_import_in_text_plain_is_a_415_naming_content_type",
            (
                "text/plain",
                format!("{}\n", priority()),
                (
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    ("header", "Content-Type"),
                    "unsupported-media-type",
                ),
            ),
        ),
        (
            "an_import_of_a_bare_geometry_is_a_400_wrong_document_at_type",
            (
                GEOJSON,
                json!({"type": "Point", "coordinates": [-66.9, 10.5]}).to_string(),
                (
                    StatusCode::BAD_REQUEST,
                    ("pointer", "/type"),
                    "wrong-document",
                ),
            ),
        ),
    ];
    each_case(
        cases,
        async |(content_type, body, (status, member, kind))| {
            let p = post_is_refused(&app, IMPORT, content_type, body, status, member).await;
            assert_eq!(p["type"], problem_type(kind));
        },
    )
    .await;
    assert_eq!(app.priority_count().await, 0);
}

#[tokio::test]
async fn an_import_reports_a_broken_line_and_an_unknown_council_and_stores_only_the_good_one() {
    let app = spawn_seeded_app().await;
    let good = priority().to_string();
    let unknown_council = priority_with_property("council", "CC-404".into()).to_string();
    let body = format!("{good}\n{{\"type\": \"Feature\",\n{unknown_council}\n");
    let response = app.post_raw(IMPORT, "application/x-ndjson", body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.expect("a JSON report");
    assert_eq!(report["received"], 3, "{report}");
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(report["updated"], 0, "{report}");
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "{report}");
    // The broken line is at fault as a whole: no pointer into it.
    assert_eq!(errors[0]["index"], 1, "{report}");
    assert_eq!(errors[0].get("pointer"), None, "{report}");
    let reason = errors[0]["reason"].as_str().expect("a reason");
    assert!(reason.starts_with("not valid JSON: "), "{report}");
    assert_eq!(errors[1]["index"], 2, "{report}");
    assert_eq!(errors[1]["pointer"], "/properties/council", "{report}");
    assert_eq!(
        errors[1]["reason"], r#"unknown council "CC-404""#,
        "{report}"
    );
    assert_eq!(app.priority_count().await, 1);
}
