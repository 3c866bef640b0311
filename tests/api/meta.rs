//! OGC API – Features Part 1 discovery: landing page, conformance, the
//! OpenAPI definition, collection descriptions with extents, and the shape
//! of items responses.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    ITEMS, TestApp, assert_problem, create_priority, priority, spawn_app, spawn_seeded_app,
};

const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.0";

// ---------------------------------------------------------------- helpers

fn content_type(r: &reqwest::Response) -> String {
    r.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// GETs `path`, expecting 200 with `media_type`, and parses the body.
async fn get_typed(app: &TestApp, path: &str, media_type: &str) -> Value {
    let r = app.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    assert_eq!(content_type(&r), media_type, "GET {path}");
    r.json().await.expect("a JSON body")
}

/// The path (and query) of a link, which must point at this server.
fn path_of<'a>(app: &TestApp, href: &'a str) -> &'a str {
    href.strip_prefix(app.base.as_str())
        .unwrap_or_else(|| panic!("{href} does not point at {}", app.base))
}

/// The link with `rel`, if any.
fn link<'a>(doc: &'a Value, rel: &str) -> Option<&'a Value> {
    doc["links"]
        .as_array()
        .expect("a links array")
        .iter()
        .find(|l| l["rel"] == rel)
}

/// Every link has a string href, rel and type.
fn assert_links_are_complete(doc: &Value) {
    let links = doc["links"].as_array().expect("a links array");
    assert!(!links.is_empty());
    for l in links {
        for member in ["href", "rel", "type"] {
            assert!(l[member].is_string(), "link without {member}: {l}");
        }
    }
}

fn instant(v: &Value) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(v.as_str().expect("a string time"))
        .unwrap_or_else(|e| panic!("{v} is not RFC 3339: {e}"))
}

/// Every [lon, lat] position in a GeoJSON coordinates array.
fn positions(coords: &Value, out: &mut Vec<(f64, f64)>) {
    let items = coords.as_array().expect("coordinates are arrays");
    if let (Some(x), Some(y)) = (
        items.first().and_then(Value::as_f64),
        items.get(1).and_then(Value::as_f64),
    ) {
        out.push((x, y));
    } else {
        for item in items {
            positions(item, out);
        }
    }
}

fn bbox_of(features: &[Value]) -> [f64; 4] {
    let mut all = Vec::new();
    for f in features {
        positions(&f["geometry"]["coordinates"], &mut all);
    }
    let min = |pick: fn(&(f64, f64)) -> f64| all.iter().map(pick).fold(f64::INFINITY, f64::min);
    let max = |pick: fn(&(f64, f64)) -> f64| all.iter().map(pick).fold(f64::NEG_INFINITY, f64::max);
    [min(|p| p.0), min(|p| p.1), max(|p| p.0), max(|p| p.1)]
}

fn with(geometry: Value, created_at: &str) -> Value {
    let mut f = priority();
    f["geometry"] = geometry;
    f["properties"]["created_at"] = created_at.into();
    f
}

/// A point, a line and a polygon, with different creation times.
fn three_shapes() -> Vec<Value> {
    vec![
        with(
            json!({"type": "Point", "coordinates": [-66.9146, 10.5061]}),
            "2023-05-01T08:00:00Z",
        ),
        with(
            json!({"type": "LineString", "coordinates": [[-67.05, 10.45], [-66.8, 10.62]]}),
            "2021-02-03T04:05:06Z",
        ),
        with(
            json!({"type": "Polygon", "coordinates": [[[-66.95, 10.3], [-66.7, 10.3], [-66.7, 10.4], [-66.95, 10.4], [-66.95, 10.3]]]}),
            "2024-12-31T23:59:59.5-04:00",
        ),
    ]
}

fn created_range(features: &[Value]) -> (DateTime<FixedOffset>, DateTime<FixedOffset>) {
    let times: Vec<_> = features
        .iter()
        .map(|f| instant(&f["properties"]["created_at"]))
        .collect();
    (*times.iter().min().unwrap(), *times.iter().max().unwrap())
}

fn assert_extent(description: &Value, features: &[Value]) {
    let extent = &description["extent"];
    let expected = bbox_of(features);
    let bbox: Vec<f64> = extent["spatial"]["bbox"][0]
        .as_array()
        .unwrap_or_else(|| panic!("a spatial bbox: {extent}"))
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(bbox, expected, "{extent}");
    assert_eq!(extent["spatial"]["bbox"].as_array().unwrap().len(), 1);
    let interval = &extent["temporal"]["interval"];
    assert_eq!(interval.as_array().map(Vec::len), Some(1), "{extent}");
    let (first, last) = created_range(features);
    assert_eq!(instant(&interval[0][0]), first, "{extent}");
    assert_eq!(instant(&interval[0][1]), last, "{extent}");
}

// ---------------------------------------------------------------- landing & conformance

#[tokio::test]
async fn the_landing_page_links_to_the_api_definition_conformance_and_data() {
    let app = spawn_app().await;

    let landing = get_typed(&app, "/", "application/json").await;

    assert_links_are_complete(&landing);
    for (rel, media_type, path) in [
        ("self", "application/json", "/"),
        ("service-desc", OPENAPI, "/api"),
        ("conformance", "application/json", "/conformance"),
        ("data", "application/json", "/collections"),
    ] {
        let l = link(&landing, rel).unwrap_or_else(|| panic!("a {rel} link: {landing}"));
        assert_eq!(l["type"], media_type, "{l}");
        let href = l["href"].as_str().unwrap();
        assert_eq!(path_of(&app, href), path);
        let r = app.get(path_of(&app, href)).await;
        assert_eq!(r.status(), StatusCode::OK, "{href}");
        assert_eq!(content_type(&r), media_type, "{href}");
    }
}

#[tokio::test]
async fn conformance_declares_core_geojson_and_oas30() {
    let app = spawn_app().await;

    let doc = get_typed(&app, "/conformance", "application/json").await;

    let classes: BTreeSet<&str> = doc["conformsTo"]
        .as_array()
        .expect("conformsTo")
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for class in ["core", "geojson", "oas30"] {
        let uri = format!("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{class}");
        assert!(classes.contains(uri.as_str()), "{uri} in {classes:?}");
    }
}

// ---------------------------------------------------------------- collections

#[tokio::test]
async fn the_collections_list_each_collection_with_a_geojson_items_link() {
    let app = spawn_app().await;

    let doc = get_typed(&app, "/collections", "application/json").await;

    assert_links_are_complete(&doc);
    let collections = doc["collections"].as_array().expect("collections");
    let ids: BTreeSet<&str> = collections
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "priorities",
            "communes",
            "councils",
            "states",
            "municipalities",
            "parishes"
        ])
    );
    for c in collections {
        assert_links_are_complete(c);
        let id = c["id"].as_str().unwrap();
        let items = link(c, "items").unwrap_or_else(|| panic!("an items link: {c}"));
        assert_eq!(items["type"], "application/geo+json");
        let path = path_of(&app, items["href"].as_str().unwrap());
        assert_eq!(path, format!("/collections/{id}/items"));
        let r = app.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(content_type(&r), "application/geo+json");
        let one = get_typed(&app, &format!("/collections/{id}"), "application/json").await;
        assert_eq!(one["id"], id);
    }
}

#[tokio::test]
async fn the_priorities_extent_spans_every_feature_and_creation_time() {
    let app = spawn_seeded_app().await;
    let features = three_shapes();
    for f in &features {
        create_priority(&app, f).await;
    }

    let described = get_typed(&app, "/collections/priorities", "application/json").await;
    assert_extent(&described, &features);
    let listed = get_typed(&app, "/collections", "application/json").await;
    let priorities = listed["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "priorities")
        .unwrap();
    assert_extent(priorities, &features);
}

#[tokio::test]
async fn the_priorities_extent_follows_moves_and_deletes() {
    let app = spawn_seeded_app().await;
    let mut features = three_shapes();
    let mut ids = Vec::new();
    for f in &features {
        ids.push(
            create_priority(&app, f).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }

    // The line reaches furthest west and north, and is the oldest: delete it.
    let r = app
        .client
        .delete(app.url(&format!("{ITEMS}/{}", ids[1])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    features.remove(1);
    ids.remove(1);
    let described = get_typed(&app, "/collections/priorities", "application/json").await;
    assert_extent(&described, &features);

    // Move the polygon (the southern- and easternmost) next to the point.
    let point = json!({"type": "Point", "coordinates": [-66.91, 10.5]});
    let r = app
        .client
        .patch(app.url(&format!("{ITEMS}/{}", ids[1])))
        .header("content-type", "application/merge-patch+json")
        .body(json!({"geometry": point}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    features[1]["geometry"] = point;
    let described = get_typed(&app, "/collections/priorities", "application/json").await;
    assert_extent(&described, &features);
}

#[tokio::test]
async fn an_unknown_collection_is_a_404_problem() {
    let app = spawn_app().await;

    let r = app.get("/collections/nope").await;

    assert_problem(
        r,
        StatusCode::NOT_FOUND,
        ("type", "urn:prioridades:problem:not-found"),
    )
    .await;
}

// ---------------------------------------------------------------- items responses

/// Checks the FeatureCollection members every items response has.
fn assert_feature_collection(body: &Value) {
    assert_eq!(body["type"], "FeatureCollection");
    assert!(body["numberMatched"].is_u64(), "{body}");
    let returned = body["numberReturned"].as_u64().expect("numberReturned");
    assert_eq!(
        returned as usize,
        body["features"].as_array().expect("features").len()
    );
    instant(&body["timeStamp"]);
    assert_links_are_complete(body);
    for l in body["links"].as_array().unwrap() {
        assert_eq!(l["type"], "application/geo+json", "{l}");
    }
    assert!(link(body, "self").is_some(), "a self link: {body}");
}

#[tokio::test]
async fn an_empty_items_response_is_a_feature_collection_with_only_a_self_link() {
    let app = spawn_app().await;

    let body = get_typed(&app, ITEMS, "application/geo+json").await;

    assert_feature_collection(&body);
    assert_eq!(body["numberMatched"], 0);
    assert_eq!(body["numberReturned"], 0);
    assert!(link(&body, "next").is_none());
    assert!(link(&body, "prev").is_none());
}

#[tokio::test]
async fn items_pages_link_to_the_next_page_while_more_remain_and_back_after_the_first() {
    let app = spawn_seeded_app().await;
    let mut all = BTreeSet::new();
    for i in 0..5 {
        let mut f = priority();
        f["properties"]["title"] = format!("Prioridad {i}").into();
        all.insert(
            create_priority(&app, &f).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    // Another category, left out by the filter the links must keep.
    let mut other = priority();
    other["properties"]["category"] = "roads".into();
    create_priority(&app, &other).await;

    let mut seen = Vec::new();
    let mut path = format!("{ITEMS}?category=water&limit=2");
    let mut pages = Vec::new();
    loop {
        let body = get_typed(&app, &path, "application/geo+json").await;
        assert_feature_collection(&body);
        assert_eq!(body["numberMatched"], 5, "{body}");
        let self_href = link(&body, "self").unwrap()["href"].as_str().unwrap();
        assert!(self_href.contains("category=water"), "{self_href}");
        for f in body["features"].as_array().unwrap() {
            seen.push(f["id"].as_str().unwrap().to_owned());
        }
        pages.push(body.clone());
        match link(&body, "next") {
            Some(next) => {
                let href = next["href"].as_str().unwrap();
                assert!(href.contains("category=water"), "{href}");
                path = path_of(&app, href).to_owned();
            }
            None => break,
        }
        assert!(pages.len() < 10, "the next links end");
    }

    assert_eq!(pages.len(), 3);
    assert_eq!(seen.len(), 5, "each priority exactly once: {seen:?}");
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), all);
    let returned: Vec<u64> = pages
        .iter()
        .map(|p| p["numberReturned"].as_u64().unwrap())
        .collect();
    assert_eq!(returned, [2, 2, 1]);
    assert!(
        link(&pages[0], "prev").is_none(),
        "no prev on the first page"
    );
    assert!(link(&pages[1], "prev").is_some());
    assert!(link(&pages[2], "prev").is_some());
    assert!(
        link(&pages[2], "next").is_none(),
        "no next on the last page"
    );

    // prev of the second page is the first page.
    let prev = path_of(
        &app,
        link(&pages[1], "prev").unwrap()["href"].as_str().unwrap(),
    )
    .to_owned();
    let first = get_typed(&app, &prev, "application/geo+json").await;
    assert_eq!(first["features"], pages[0]["features"]);
}
