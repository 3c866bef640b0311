//! Bad input of every kind: each is refused with the right status and an
//! `application/problem+json` body naming the fault, nothing is stored, and
//! no input yields a 500.

use prioridades::config::ServeArgs;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{
    ITEMS, TestApp, assert_problem, council, create_priority_id, database_url, priority,
    problem_type, spawn_app, spawn_app_in, spawn_seeded_app, territory,
};

const IMPORT: &str = "/collections/priorities/import";

// ---------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------

/// An app whose write and import body limits are both `bytes`, with the minimal catalog.
async fn small_limit_app(max_body_bytes: usize, max_import_bytes: usize) -> TestApp {
    let dir = TempDir::new().expect("temp dir");
    let mut args = ServeArgs::for_database(database_url(&dir));
    args.max_body_bytes = max_body_bytes;
    args.max_import_bytes = max_import_bytes;
    let app = spawn_app_in(dir, args).await;
    app.seed_minimal_catalog().await;
    app
}

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

/// `numberMatched` of a collection's items.
async fn matched(app: &TestApp, collection: &str) -> u64 {
    let (status, body) = app
        .get_json(&format!("/collections/{collection}/items?limit=1"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["numberMatched"].as_u64().expect("numberMatched")
}

/// POSTs `body` as a priority on a seeded app and checks the problem
/// (`status`, `pointer`) and that nothing was stored.
async fn priority_is_refused(body: &Value, status: StatusCode, pointer: &str) -> Value {
    let app = spawn_seeded_app().await;
    let before = app.priority_count().await;
    let response = app.post_json(ITEMS, body).await;
    let problem = assert_problem(response, status, ("pointer", pointer)).await;
    assert_eq!(app.priority_count().await, before, "nothing is stored");
    problem
}

/// POSTs a raw JSON text as a priority on a seeded app and checks the problem
/// (`status`, `pointer`) and that nothing was stored.
async fn raw_priority_is_refused(body: &str, status: StatusCode, pointer: &str) -> Value {
    let app = spawn_seeded_app().await;
    let before = app.priority_count().await;
    let response = app
        .post_raw(ITEMS, "application/geo+json", body.to_owned())
        .await;
    let problem = assert_problem(response, status, ("pointer", pointer)).await;
    assert_eq!(app.priority_count().await, before, "nothing is stored");
    problem
}

/// GETs the priorities with `query` on a seeded app holding one priority and
/// checks it is a 400 naming `parameter`.
async fn query_is_refused(query: &str, parameter: &str) -> Value {
    let app = spawn_seeded_app().await;
    let r = app.post_json(ITEMS, &priority()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let response = app.get(&format!("{ITEMS}?{query}")).await;
    assert_problem(response, StatusCode::BAD_REQUEST, ("parameter", parameter)).await
}

/// A LineString of `n` distinct positions in Caracas.
fn line_of(n: usize) -> Value {
    let coordinates: Vec<Value> = (0..n)
        .map(|i| json!([-66.95 + i as f64 * 1e-5, 10.5 + (i % 7) as f64 * 1e-5]))
        .collect();
    json!({"type": "LineString", "coordinates": coordinates})
}

/// The valid priority padded (through its description) to at least `bytes` bytes.
fn priority_of_size(bytes: usize) -> String {
    let base = priority().to_string().len();
    let padding = bytes.saturating_sub(base) + 32;
    assert!(padding <= 4000, "the padding fits a valid description");
    priority_with_property("description", "d".repeat(padding).into()).to_string()
}

// ---------------------------------------------------------------------------
// Bodies that are not JSON, or not a Feature
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_truncated_json_body_is_a_400_malformed_body() {
    let p = raw_priority_is_refused(r#"{"type": "Feature","#, StatusCode::BAD_REQUEST, "").await;
    assert_eq!(p["type"], problem_type("malformed-body"));
}

#[tokio::test]
async fn an_empty_body_is_a_400_malformed_body() {
    let p = raw_priority_is_refused("", StatusCode::BAD_REQUEST, "").await;
    assert_eq!(p["type"], problem_type("malformed-body"));
}

#[tokio::test]
async fn a_whitespace_only_body_is_a_400_malformed_body() {
    let p = raw_priority_is_refused(" \n\t ", StatusCode::BAD_REQUEST, "").await;
    assert_eq!(p["type"], problem_type("malformed-body"));
}

#[tokio::test]
async fn a_nan_literal_in_the_body_is_a_400_malformed_body() {
    let body = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[NaN,10.5]},"properties":{"council":"CC-1","title":"t","category":"water"}}"#;
    let p = raw_priority_is_refused(body, StatusCode::BAD_REQUEST, "").await;
    assert_eq!(p["type"], problem_type("malformed-body"));
}

#[tokio::test]
async fn a_number_beyond_f64_in_the_body_is_a_400_malformed_body() {
    let body = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1e400,10.5]},"properties":{"council":"CC-1","title":"t","category":"water"}}"#;
    let p = raw_priority_is_refused(body, StatusCode::BAD_REQUEST, "").await;
    assert_eq!(p["type"], problem_type("malformed-body"));
}

#[tokio::test]
async fn a_feature_collection_body_is_a_400_wrong_document() {
    let body = json!({"type": "FeatureCollection", "features": [priority()]});
    let p = priority_is_refused(&body, StatusCode::BAD_REQUEST, "/type").await;
    assert_eq!(p["type"], problem_type("wrong-document"));
}

#[tokio::test]
async fn a_bare_geometry_body_is_a_400_wrong_document() {
    let body = json!({"type": "Point", "coordinates": [-66.9146, 10.5061]});
    let p = priority_is_refused(&body, StatusCode::BAD_REQUEST, "/type").await;
    assert_eq!(p["type"], problem_type("wrong-document"));
}

#[tokio::test]
async fn a_json_array_body_is_a_400_wrong_document() {
    let body = json!([priority()]);
    // The whole document is at fault, so the pointer is the root.
    let p = priority_is_refused(&body, StatusCode::BAD_REQUEST, "").await;
    assert_eq!(p["type"], problem_type("wrong-document"));
}

#[tokio::test]
async fn a_body_without_a_type_is_a_400_wrong_document() {
    let mut body = priority();
    body.as_object_mut().expect("an object").remove("type");
    let p = priority_is_refused(&body, StatusCode::BAD_REQUEST, "/type").await;
    assert_eq!(p["type"], problem_type("wrong-document"));
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

// ---------------------------------------------------------------------------
// Geometry
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_geometry_collection_is_a_422_at_geometry_type() {
    let body = priority_with_geometry(json!({
        "type": "GeometryCollection",
        "geometries": [{"type": "Point", "coordinates": [-66.9, 10.5]}],
    }));
    let p = priority_is_refused(&body, StatusCode::UNPROCESSABLE_ENTITY, "/geometry/type").await;
    assert_eq!(p["type"], problem_type("invalid-field"));
}

#[tokio::test]
async fn a_null_geometry_is_a_422_at_geometry() {
    let body = priority_with_geometry(Value::Null);
    priority_is_refused(&body, StatusCode::UNPROCESSABLE_ENTITY, "/geometry").await;
}

#[tokio::test]
async fn a_missing_geometry_is_a_422_at_geometry() {
    let mut body = priority();
    body.as_object_mut().expect("an object").remove("geometry");
    priority_is_refused(&body, StatusCode::UNPROCESSABLE_ENTITY, "/geometry").await;
}

#[tokio::test]
async fn a_longitude_of_181_is_a_422_pointing_at_the_longitude() {
    let body = priority_with_geometry(json!({"type": "Point", "coordinates": [181, 10.5]}));
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/geometry/coordinates/0",
    )
    .await;
}

#[tokio::test]
async fn a_latitude_of_minus_91_is_a_422_pointing_at_the_latitude() {
    let body = priority_with_geometry(json!({"type": "Point", "coordinates": [-66.9, -91]}));
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/geometry/coordinates/1",
    )
    .await;
}

#[tokio::test]
async fn an_out_of_range_latitude_inside_a_line_is_a_422_pointing_at_that_number() {
    let body = priority_with_geometry(json!({
        "type": "LineString",
        "coordinates": [[-66.9, 10.5], [-66.8, 10.6], [-66.7, -91]],
    }));
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/geometry/coordinates/2/1",
    )
    .await;
}

#[tokio::test]
async fn a_point_with_three_numbers_is_a_422_at_the_position() {
    let body = priority_with_geometry(json!({"type": "Point", "coordinates": [-66.9, 10.5, 900]}));
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/geometry/coordinates",
    )
    .await;
}

#[tokio::test]
async fn a_line_position_with_three_numbers_is_a_422_at_that_position() {
    let body = priority_with_geometry(json!({
        "type": "LineString",
        "coordinates": [[-66.9, 10.5], [-66.8, 10.6, 900]],
    }));
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/geometry/coordinates/1",
    )
    .await;
}

#[tokio::test]
async fn a_position_holding_a_string_is_a_422_at_that_number() {
    let body = priority_with_geometry(json!({"type": "Point", "coordinates": ["-66.9", 10.5]}));
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/geometry/coordinates/0",
    )
    .await;
}

#[tokio::test]
async fn an_unclosed_polygon_ring_is_a_422_at_that_ring() {
    let body = priority_with_geometry(json!({
        "type": "Polygon",
        "coordinates": [[[-66.95, 10.45], [-66.85, 10.45], [-66.85, 10.55], [-66.95, 10.55]]],
    }));
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/geometry/coordinates/0",
    )
    .await;
}

#[tokio::test]
async fn an_unclosed_polygon_hole_is_a_422_at_the_hole() {
    let body = priority_with_geometry(json!({
        "type": "Polygon",
        "coordinates": [
            [[-66.95, 10.45], [-66.85, 10.45], [-66.85, 10.55], [-66.95, 10.55], [-66.95, 10.45]],
            [[-66.92, 10.48], [-66.88, 10.48], [-66.88, 10.52], [-66.92, 10.52]],
        ],
    }));
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/geometry/coordinates/1",
    )
    .await;
}

#[tokio::test]
async fn a_polygon_ring_of_three_positions_is_a_422_at_that_ring() {
    let body = priority_with_geometry(json!({
        "type": "Polygon",
        "coordinates": [[[-66.95, 10.45], [-66.85, 10.45], [-66.95, 10.45]]],
    }));
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/geometry/coordinates/0",
    )
    .await;
}

#[tokio::test]
async fn a_line_of_10001_positions_is_a_422_at_the_vertex_over_the_limit() {
    let body = priority_with_geometry(line_of(10_001));
    let p = priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/geometry/coordinates/10000",
    )
    .await;
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
// Body size
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_4_kb_priority_over_a_2_kb_limit_is_a_413() {
    let app = small_limit_app(2048, 256 * 1024 * 1024).await;
    let body = priority_of_size(4096);
    assert!(body.len() >= 4096);
    let response = app.post_raw(ITEMS, "application/geo+json", body).await;
    let p = assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, ("pointer", "")).await;
    assert_eq!(p["type"], problem_type("body-too-large"));
    assert_eq!(app.priority_count().await, 0);
}

#[tokio::test]
async fn the_same_priority_under_the_limit_is_accepted() {
    // Control for the 413 test: the body was refused for its size alone.
    let app = small_limit_app(8192, 256 * 1024 * 1024).await;
    let response = app
        .post_raw(ITEMS, "application/geo+json", priority_of_size(4096))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(app.priority_count().await, 1);
}

/// Sends a chunked request (no Content-Length) over a raw connection and
/// returns the status code, the response head and the body text.
async fn send_chunked(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, String, String) {
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.admin_token
    )
    .into_bytes();
    for chunk in body.chunks(1024) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    // The server may answer and close before reading everything; a failed
    // write is fine as long as the answer arrives.
    let _ = stream.write_all(&request).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    (status, head.to_ascii_lowercase(), rest.to_owned())
}

#[tokio::test]
async fn a_4_kb_chunked_priority_without_content_length_over_a_2_kb_limit_is_a_413() {
    let app = small_limit_app(2048, 256 * 1024 * 1024).await;
    let body = priority_of_size(4096);
    let (status, head, rest) =
        send_chunked(&app, ITEMS, "application/geo+json", body.as_bytes()).await;
    assert_eq!(status, 413, "{head}\n{rest}");
    assert!(
        head.contains("content-type: application/problem+json"),
        "{head}"
    );
    assert!(rest.contains("body-too-large"), "{rest}");
    assert_eq!(app.priority_count().await, 0);
}

#[tokio::test]
async fn a_4_kb_import_over_a_2_kb_import_limit_is_a_413() {
    let app = small_limit_app(1024 * 1024, 2048).await;
    let line = priority().to_string();
    let mut body = String::new();
    while body.len() < 4096 {
        body.push_str(&line);
        body.push('\n');
    }
    let response = app.post_raw(IMPORT, "application/x-ndjson", body).await;
    let p = assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, ("pointer", "")).await;
    assert_eq!(p["type"], problem_type("body-too-large"));
    assert_eq!(app.priority_count().await, 0);
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

#[tokio::test]
async fn an_unknown_council_is_a_422_at_properties_council() {
    let body = priority_with_property("council", "CC-404".into());
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/properties/council",
    )
    .await;
}

#[tokio::test]
async fn a_malformed_council_code_is_a_422_at_properties_council() {
    let body = priority_with_property("council", "no spaces allowed".into());
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/properties/council",
    )
    .await;
}

#[tokio::test]
async fn a_missing_council_is_a_422_at_properties_council() {
    let mut body = priority();
    body["properties"]
        .as_object_mut()
        .expect("properties")
        .remove("council");
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/properties/council",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_category_is_a_422_at_properties_category() {
    let body = priority_with_property("category", "magic".into());
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/properties/category",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_status_is_a_422_at_properties_status() {
    let body = priority_with_property("status", "lost".into());
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/properties/status",
    )
    .await;
}

#[tokio::test]
async fn an_empty_title_is_a_422_at_properties_title() {
    let body = priority_with_property("title", "".into());
    priority_is_refused(&body, StatusCode::UNPROCESSABLE_ENTITY, "/properties/title").await;
}

#[tokio::test]
async fn a_blank_title_is_a_422_at_properties_title() {
    let body = priority_with_property("title", "   ".into());
    priority_is_refused(&body, StatusCode::UNPROCESSABLE_ENTITY, "/properties/title").await;
}

#[tokio::test]
async fn a_title_of_201_characters_is_a_422_at_properties_title() {
    let body = priority_with_property("title", "x".repeat(201).into());
    priority_is_refused(&body, StatusCode::UNPROCESSABLE_ENTITY, "/properties/title").await;
}

#[tokio::test]
async fn a_description_of_4001_characters_is_a_422_at_properties_description() {
    let body = priority_with_property("description", "d".repeat(4001).into());
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/properties/description",
    )
    .await;
}

#[tokio::test]
async fn a_rank_of_0_is_a_422_at_properties_rank() {
    let body = priority_with_property("rank", 0.into());
    priority_is_refused(&body, StatusCode::UNPROCESSABLE_ENTITY, "/properties/rank").await;
}

#[tokio::test]
async fn a_rank_of_11_is_a_422_at_properties_rank() {
    let body = priority_with_property("rank", 11.into());
    priority_is_refused(&body, StatusCode::UNPROCESSABLE_ENTITY, "/properties/rank").await;
}

#[tokio::test]
async fn a_rank_of_2_point_5_is_a_422_at_properties_rank() {
    let body = priority_with_property("rank", 2.5.into());
    priority_is_refused(&body, StatusCode::UNPROCESSABLE_ENTITY, "/properties/rank").await;
}

#[tokio::test]
async fn families_of_minus_1_is_a_422_at_properties_families() {
    let body = priority_with_property("families", (-1).into());
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/properties/families",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_property_colour_is_a_422_at_properties_colour() {
    let body = priority_with_property("colour", "red".into());
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/properties/colour",
    )
    .await;
}

#[tokio::test]
async fn an_id_that_is_not_a_uuid_is_a_422_at_id() {
    let mut body = priority();
    body["id"] = "not-a-uuid".into();
    priority_is_refused(&body, StatusCode::UNPROCESSABLE_ENTITY, "/id").await;
}

#[tokio::test]
async fn a_numeric_id_is_a_422_at_id() {
    let mut body = priority();
    body["id"] = 42.into();
    priority_is_refused(&body, StatusCode::UNPROCESSABLE_ENTITY, "/id").await;
}

#[tokio::test]
async fn a_created_at_that_is_not_a_date_is_a_422_at_properties_created_at() {
    let body = priority_with_property("created_at", "yesterday".into());
    priority_is_refused(
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/properties/created_at",
    )
    .await;
}

#[tokio::test]
async fn properties_that_are_not_an_object_are_a_422_at_properties() {
    let mut body = priority();
    body["properties"] = json!(["council", "CC-1"]);
    priority_is_refused(&body, StatusCode::UNPROCESSABLE_ENTITY, "/properties").await;
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
// Query parameters of GET /collections/priorities/items
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_bbox_with_three_numbers_is_a_400_naming_bbox() {
    query_is_refused("bbox=-67,10,-66", "bbox").await;
}

#[tokio::test]
async fn a_bbox_with_five_numbers_is_a_400_naming_bbox() {
    query_is_refused("bbox=-67,10,-66,11,12", "bbox").await;
}

#[tokio::test]
async fn a_bbox_with_non_numbers_is_a_400_naming_bbox() {
    query_is_refused("bbox=a,b,c,d", "bbox").await;
}

#[tokio::test]
async fn a_bbox_with_nan_is_a_400_naming_bbox() {
    query_is_refused("bbox=-67,10,-66,NaN", "bbox").await;
}

#[tokio::test]
async fn a_bbox_with_infinity_is_a_400_naming_bbox() {
    query_is_refused("bbox=-inf,10,-66,11", "bbox").await;
}

#[tokio::test]
async fn a_bbox_with_inverted_longitudes_is_a_400_naming_bbox() {
    query_is_refused("bbox=-66,10,-67,11", "bbox").await;
}

#[tokio::test]
async fn a_bbox_with_inverted_latitudes_is_a_400_naming_bbox() {
    query_is_refused("bbox=-67,11,-66,10", "bbox").await;
}

#[tokio::test]
async fn a_bbox_with_longitude_200_is_a_400_naming_bbox() {
    query_is_refused("bbox=-67,10,200,11", "bbox").await;
}

#[tokio::test]
async fn an_empty_bbox_is_a_400_naming_bbox() {
    query_is_refused("bbox=", "bbox").await;
}

#[tokio::test]
async fn a_negative_radius_is_a_400_naming_radius() {
    query_is_refused("point=-66.9146,10.5061&radius=-1", "radius").await;
}

#[tokio::test]
async fn a_radius_over_100000_is_a_400_naming_radius() {
    query_is_refused("point=-66.9146,10.5061&radius=100001", "radius").await;
}

#[tokio::test]
async fn a_radius_that_is_not_a_number_is_a_400_naming_radius() {
    query_is_refused("point=-66.9146,10.5061&radius=ten", "radius").await;
}

#[tokio::test]
async fn a_nan_radius_is_a_400_naming_radius() {
    query_is_refused("point=-66.9146,10.5061&radius=NaN", "radius").await;
}

#[tokio::test]
async fn a_radius_without_a_point_is_a_400_naming_point() {
    query_is_refused("radius=1000", "point").await;
}

#[tokio::test]
async fn a_point_without_a_radius_is_a_400_naming_radius() {
    query_is_refused("point=-66.9146,10.5061", "radius").await;
}

#[tokio::test]
async fn a_point_with_latitude_95_is_a_400_naming_point() {
    query_is_refused("point=-66.9146,95&radius=1000", "point").await;
}

#[tokio::test]
async fn a_point_with_three_numbers_is_a_400_naming_point() {
    query_is_refused("point=-66.9,10.5,3&radius=1000", "point").await;
}

#[tokio::test]
async fn a_limit_of_0_is_a_400_naming_limit() {
    query_is_refused("limit=0", "limit").await;
}

#[tokio::test]
async fn a_limit_of_minus_1_is_a_400_naming_limit() {
    query_is_refused("limit=-1", "limit").await;
}

#[tokio::test]
async fn a_limit_of_unlimited_is_a_400_naming_limit() {
    query_is_refused("limit=unlimited", "limit").await;
}

#[tokio::test]
async fn a_limit_of_abc_is_a_400_naming_limit() {
    query_is_refused("limit=abc", "limit").await;
}

#[tokio::test]
async fn an_empty_limit_is_a_400_naming_limit() {
    query_is_refused("limit=", "limit").await;
}

#[tokio::test]
async fn a_limit_of_20000_is_clamped_to_10000_not_refused() {
    let app = spawn_seeded_app().await;
    create_priority_id(&app, &priority()).await;
    let (status, body) = app.get_json(&format!("{ITEMS}?limit=20000")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["numberReturned"], 1);
    let links = body["links"].as_array().expect("links");
    let self_link = links
        .iter()
        .find(|l| l["rel"] == "self")
        .and_then(|l| l["href"].as_str())
        .expect("a self link");
    assert!(self_link.contains("limit=10000"), "{self_link}");
    assert!(!self_link.contains("limit=20000"), "{self_link}");
}

#[tokio::test]
async fn a_negative_offset_is_a_400_naming_offset() {
    query_is_refused("offset=-1", "offset").await;
}

#[tokio::test]
async fn an_offset_of_x_is_a_400_naming_offset() {
    query_is_refused("offset=x", "offset").await;
}

#[tokio::test]
async fn a_huge_offset_is_an_empty_page_not_an_error() {
    let app = spawn_seeded_app().await;
    create_priority_id(&app, &priority()).await;
    let (status, body) = app.get_json(&format!("{ITEMS}?offset={}", u64::MAX)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["numberReturned"], 0);
    assert_eq!(body["numberMatched"], 1);
}

#[tokio::test]
async fn a_datetime_of_yesterday_is_a_400_naming_datetime() {
    query_is_refused("datetime=yesterday", "datetime").await;
}

#[tokio::test]
async fn a_datetime_interval_ending_before_it_starts_is_a_400_naming_datetime() {
    query_is_refused(
        "datetime=2026-02-01T00:00:00Z/2026-01-01T00:00:00Z",
        "datetime",
    )
    .await;
}

#[tokio::test]
async fn a_datetime_of_dates_ending_before_they_start_is_a_400_naming_datetime() {
    query_is_refused("datetime=2026-02-01/2026-01-01", "datetime").await;
}

#[tokio::test]
async fn a_datetime_with_two_slashes_is_a_400_naming_datetime() {
    query_is_refused("datetime=a/b/c", "datetime").await;
}

#[tokio::test]
async fn a_state_of_one_digit_is_a_400_naming_state() {
    query_is_refused("state=1", "state").await;
}

#[tokio::test]
async fn a_municipality_with_a_letter_is_a_400_naming_municipality() {
    query_is_refused("municipality=01a1", "municipality").await;
}

#[tokio::test]
async fn a_parish_of_four_digits_is_a_400_naming_parish() {
    query_is_refused("parish=0101", "parish").await;
}

#[tokio::test]
async fn an_unknown_but_well_formed_state_is_a_400_naming_state() {
    query_is_refused("state=99", "state").await;
}

#[tokio::test]
async fn an_unknown_but_well_formed_parish_in_a_list_is_a_400_naming_parish() {
    query_is_refused("parish=010101,010199", "parish").await;
}

#[tokio::test]
async fn an_unknown_category_is_a_400_naming_category() {
    query_is_refused("category=water,magic", "category").await;
}

#[tokio::test]
async fn an_unknown_status_is_a_400_naming_status() {
    query_is_refused("status=lost", "status").await;
}

#[tokio::test]
async fn an_unknown_council_is_a_400_naming_council() {
    query_is_refused("council=CC-404", "council").await;
}

#[tokio::test]
async fn a_malformed_council_is_a_400_naming_council() {
    query_is_refused("council=not%20a%20code", "council").await;
}

#[tokio::test]
async fn an_unknown_parameter_colour_is_a_400_unknown_parameter_naming_it() {
    let p = query_is_refused("colour=red", "colour").await;
    assert_eq!(p["type"], problem_type("unknown-parameter"));
}

#[tokio::test]
async fn a_repeated_limit_is_a_400_naming_limit() {
    query_is_refused("limit=1&limit=2", "limit").await;
}

#[tokio::test]
async fn f_xml_is_a_400_naming_f() {
    query_is_refused("f=xml", "f").await;
}

// ---------------------------------------------------------------------------
// Paths, methods and headers
// ---------------------------------------------------------------------------

#[tokio::test]
async fn an_item_id_that_is_not_a_uuid_is_a_404_problem() {
    let app = spawn_seeded_app().await;
    let response = app.get(&format!("{ITEMS}/not-a-uuid")).await;
    assert_problem(
        response,
        StatusCode::NOT_FOUND,
        ("type", &problem_type("not-found")),
    )
    .await;
}

#[tokio::test]
async fn an_unknown_path_is_a_404_problem() {
    let app = spawn_app().await;
    let response = app.get("/nowhere").await;
    assert_problem(
        response,
        StatusCode::NOT_FOUND,
        ("type", &problem_type("not-found")),
    )
    .await;
}

#[tokio::test]
async fn deleting_the_collections_is_a_405_problem() {
    let app = spawn_app().await;
    let response = app
        .client
        .delete(app.url("/collections"))
        .send()
        .await
        .expect("DELETE");
    assert_problem(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        ("type", &problem_type("method-not-allowed")),
    )
    .await;
}

#[tokio::test]
async fn an_unquoted_if_match_on_put_is_a_400_naming_if_match() {
    let app = spawn_seeded_app().await;
    let id = create_priority_id(&app, &priority()).await;
    let changed = priority_with_property("title", "Cambiado".into());
    let response = app
        .client
        .put(app.url(&format!("{ITEMS}/{id}")))
        .header("content-type", "application/geo+json")
        .header("if-match", "3")
        .body(changed.to_string())
        .send()
        .await
        .expect("PUT");
    let p = assert_problem(response, StatusCode::BAD_REQUEST, ("header", "If-Match")).await;
    assert_eq!(p["type"], problem_type("invalid-header"));
    let (_, after) = app.get_json(&format!("{ITEMS}/{id}")).await;
    assert_eq!(after["properties"]["title"], "Sustitución de tubería");
    assert_eq!(after["properties"]["version"], 1);
}

// ---------------------------------------------------------------------------
// Territories and councils
// ---------------------------------------------------------------------------

/// The four catalog list counts, in order states, municipalities, parishes, councils.
async fn catalog_counts(app: &TestApp) -> [u64; 4] {
    [
        matched(app, "states").await,
        matched(app, "municipalities").await,
        matched(app, "parishes").await,
        matched(app, "councils").await,
    ]
}

async fn catalog_write_is_refused(
    collection: &str,
    body: &Value,
    status: StatusCode,
    member: (&str, &str),
) -> Value {
    let app = spawn_seeded_app().await;
    let before = catalog_counts(&app).await;
    assert_eq!(before, [1, 1, 1, 1]);
    let response = app
        .post_json(&format!("/collections/{collection}/items"), body)
        .await;
    let p = assert_problem(response, status, member).await;
    assert_eq!(catalog_counts(&app).await, before, "nothing was added");
    p
}

#[tokio::test]
async fn a_municipality_of_a_state_that_does_not_exist_is_a_422_at_properties_code() {
    catalog_write_is_refused(
        "municipalities",
        &territory("0201", "Municipio huérfano"),
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/properties/code"),
    )
    .await;
}

#[tokio::test]
async fn a_parish_code_of_five_digits_is_a_422_at_properties_code() {
    catalog_write_is_refused(
        "parishes",
        &territory("01010", "Parroquia corta"),
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/properties/code"),
    )
    .await;
}

#[tokio::test]
async fn a_state_code_of_00_is_a_422_at_properties_code() {
    catalog_write_is_refused(
        "states",
        &territory("00", "Ninguno"),
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/properties/code"),
    )
    .await;
}

#[tokio::test]
async fn a_council_whose_parish_does_not_exist_is_a_422_at_properties_parish() {
    catalog_write_is_refused(
        "councils",
        &council("CC-2", "Consejo sin parroquia", "010102"),
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/properties/parish"),
    )
    .await;
}

#[tokio::test]
async fn a_council_with_a_line_string_location_is_a_422_at_geometry_type() {
    let mut body = council("CC-2", "Consejo lineal", "010101");
    body["geometry"] = json!({"type": "LineString", "coordinates": [[-66.9, 10.5], [-66.8, 10.6]]});
    catalog_write_is_refused(
        "councils",
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/geometry/type"),
    )
    .await;
}

#[tokio::test]
async fn a_council_with_an_out_of_range_location_is_a_422_at_the_number() {
    let mut body = council("CC-2", "Consejo perdido", "010101");
    body["geometry"] = json!({"type": "Point", "coordinates": [-66.9, 91]});
    catalog_write_is_refused(
        "councils",
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/geometry/coordinates/1"),
    )
    .await;
}

#[tokio::test]
async fn a_territory_with_a_geometry_is_a_422_at_geometry() {
    let mut body = territory("02", "Amazonas");
    body["geometry"] = json!({"type": "Point", "coordinates": [-66.9, 3.0]});
    catalog_write_is_refused(
        "states",
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/geometry"),
    )
    .await;
}

#[tokio::test]
async fn a_territory_with_an_empty_name_is_a_422_at_properties_name() {
    catalog_write_is_refused(
        "states",
        &territory("02", " "),
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/properties/name"),
    )
    .await;
}

#[tokio::test]
async fn a_duplicate_state_is_a_409() {
    catalog_write_is_refused(
        "states",
        &territory("01", "Otra vez"),
        StatusCode::CONFLICT,
        ("type", &problem_type("conflict")),
    )
    .await;
}

#[tokio::test]
async fn a_duplicate_council_is_a_409() {
    catalog_write_is_refused(
        "councils",
        &council("CC-1", "Otra vez", "010101"),
        StatusCode::CONFLICT,
        ("type", &problem_type("conflict")),
    )
    .await;
}

#[tokio::test]
async fn a_truncated_territory_body_is_a_400_malformed_body() {
    let app = spawn_seeded_app().await;
    let before = catalog_counts(&app).await;
    let response = app
        .post_raw(
            "/collections/states/items",
            "application/geo+json",
            r#"{"type": "Feature","#,
        )
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST, ("pointer", "")).await;
    assert_eq!(catalog_counts(&app).await, before);
}

#[tokio::test]
async fn an_unknown_parameter_on_the_states_list_is_a_400_naming_it() {
    let app = spawn_seeded_app().await;
    let response = app.get("/collections/states/items?parish=010101").await;
    assert_problem(response, StatusCode::BAD_REQUEST, ("parameter", "parish")).await;
}

// ---------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------

#[tokio::test]
async fn an_import_of_hello_is_a_400_malformed_body() {
    let app = spawn_seeded_app().await;
    let response = app.post_raw(IMPORT, "application/x-ndjson", "hello").await;
    let p = assert_problem(response, StatusCode::BAD_REQUEST, ("pointer", "")).await;
    assert_eq!(p["type"], problem_type("malformed-body"));
    assert_eq!(app.priority_count().await, 0);
}

#[tokio::test]
async fn an_empty_import_is_a_400_malformed_body() {
    let app = spawn_seeded_app().await;
    let response = app.post_raw(IMPORT, "application/x-ndjson", "").await;
    let p = assert_problem(response, StatusCode::BAD_REQUEST, ("pointer", "")).await;
    assert_eq!(p["type"], problem_type("malformed-body"));
    assert_eq!(app.priority_count().await, 0);
}

#[tokio::test]
async fn an_import_in_text_plain_is_a_415_naming_content_type() {
    let app = spawn_seeded_app().await;
    let response = app
        .post_raw(IMPORT, "text/plain", format!("{}\n", priority()))
        .await;
    assert_problem(
        response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ("header", "Content-Type"),
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
    assert_eq!(errors[0]["index"], 1, "{report}");
    assert!(errors[0]["reason"].is_string(), "{report}");
    assert_eq!(errors[1]["index"], 2, "{report}");
    assert_eq!(errors[1]["pointer"], "/properties/council", "{report}");
    assert!(errors[1]["reason"].is_string(), "{report}");
    assert_eq!(app.priority_count().await, 1);
}

#[tokio::test]
async fn an_import_of_a_bare_geometry_is_a_400_wrong_document_at_type() {
    let app = spawn_seeded_app().await;
    let body = json!({"type": "Point", "coordinates": [-66.9, 10.5]}).to_string();
    let response = app.post_raw(IMPORT, "application/geo+json", body).await;
    let p = assert_problem(response, StatusCode::BAD_REQUEST, ("pointer", "/type")).await;
    assert_eq!(p["type"], problem_type("wrong-document"));
    assert_eq!(app.priority_count().await, 0);
}

#[tokio::test]
async fn territory_and_council_lists_refuse_unknown_codes_naming_the_parameter() {
    let app = spawn_seeded_app().await;
    for (path, parameter) in [
        ("/collections/municipalities/items?state=99", "state"),
        (
            "/collections/parishes/items?municipality=0199",
            "municipality",
        ),
        ("/collections/councils/items?parish=010101,010199", "parish"),
        ("/collections/councils/items?state=1", "state"),
    ] {
        assert_problem(
            app.get(path).await,
            StatusCode::BAD_REQUEST,
            ("parameter", parameter),
        )
        .await;
    }
}
