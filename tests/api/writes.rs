//! The priorities write path (OGC API – Features Part 4 shape): creating a
//! priority and the index following it, and the request helpers the
//! `writes_*` modules share: replace, patch and delete with entity tags
//! (`writes_versions`), bulk import over HTTP and from the command line
//! (`writes_import`), CORS and compression (`writes_cors`).

use std::collections::BTreeSet;

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    ITEMS, TestApp, create_priority, create_priority_id, get_priority, header, ids_for, priority,
    spawn_seeded_app,
};

// ---------------------------------------------------------------- helpers

/// Sends `method` to `path` with optional `If-Match` and JSON body.
pub(crate) async fn send_if_match(
    app: &TestApp,
    method: Method,
    path: &str,
    if_match: Option<&str>,
    content_type: &str,
    body: Option<&Value>,
) -> Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", content_type)
            .body(body.to_string());
    }
    request.send().await.expect("request")
}

pub(crate) async fn put(app: &TestApp, id: &str, if_match: Option<&str>, body: &Value) -> Response {
    send_if_match(
        app,
        Method::PUT,
        &format!("{ITEMS}/{id}"),
        if_match,
        "application/geo+json",
        Some(body),
    )
    .await
}

pub(crate) async fn delete(app: &TestApp, id: &str, if_match: Option<&str>) -> Response {
    send_if_match(
        app,
        Method::DELETE,
        &format!("{ITEMS}/{id}"),
        if_match,
        "",
        None,
    )
    .await
}

/// A priority Feature with `title` at a point.
pub(crate) fn priority_at(title: &str, lon: f64, lat: f64) -> Value {
    let mut f = priority();
    f["properties"]["title"] = title.into();
    f["geometry"] = json!({"type": "Point", "coordinates": [lon, lat]});
    f
}

fn is_rfc3339(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

// ---------------------------------------------------------------- create

#[tokio::test]
async fn creating_a_priority_answers_201_with_location_etag_and_the_stored_feature() {
    let app = spawn_seeded_app().await;

    let r = app.post_json(ITEMS, &priority()).await;

    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(
        header(&r, "content-type").as_deref(),
        Some("application/geo+json")
    );
    assert_eq!(header(&r, "etag").as_deref(), Some("\"1\""));
    let location = header(&r, "location").expect("a Location header");
    let body: Value = r.json().await.unwrap();
    let id = body["id"].as_str().expect("a string id");
    Uuid::parse_str(id).expect("the server id is a UUID");
    assert_eq!(location, app.url(&format!("{ITEMS}/{id}")));
    assert_eq!(body["type"], "Feature");
    assert_eq!(body["geometry"], priority()["geometry"]);
    let props = &body["properties"];
    assert_eq!(props["council"], "CC-1");
    assert_eq!(props["title"], "Sustitución de tubería");
    assert_eq!(props["category"], "water");
    assert_eq!(props["state"], "01");
    assert_eq!(props["municipality"], "0101");
    assert_eq!(props["parish"], "010101");
    assert_eq!(props["status"], "proposed");
    assert_eq!(props["version"], 1);
    assert!(is_rfc3339(&props["created_at"]), "{props}");
    assert!(is_rfc3339(&props["updated_at"]), "{props}");
    let links = body["links"].as_array().expect("links");
    let href = |rel: &str| {
        links
            .iter()
            .find(|l| l["rel"] == rel)
            .and_then(|l| l["href"].as_str())
            .unwrap_or_else(|| panic!("a {rel} link in {links:?}"))
            .to_owned()
    };
    assert_eq!(href("self"), location);
    assert_eq!(href("collection"), app.url("/collections/priorities"));

    let again = app.get(&location.replace(&app.base, "")).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(header(&again, "etag").as_deref(), Some("\"1\""));
    let fetched: Value = again.json().await.unwrap();
    // The 201 body is the stored Feature plus the open priorities nearby
    // that may be the same problem (none here).
    let mut stored = body.clone();
    let possible = stored
        .as_object_mut()
        .unwrap()
        .remove("possible_duplicates");
    assert_eq!(possible, Some(json!([])));
    assert_eq!(fetched, stored);
}

#[tokio::test]
async fn a_client_chosen_id_is_kept() {
    let app = spawn_seeded_app().await;
    let id = Uuid::new_v4().to_string();
    let mut f = priority();
    f["id"] = id.clone().into();

    let r = app.post_json(ITEMS, &f).await;

    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(
        header(&r, "location").as_deref(),
        Some(app.url(&format!("{ITEMS}/{id}")).as_str())
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["id"], id.as_str());
    assert_eq!(get_priority(&app, &id).await["id"], id.as_str());
}

#[tokio::test]
async fn ids_the_server_assigns_are_time_ordered_and_ascend_with_creation() {
    let app = spawn_seeded_app().await;
    let now_ms = || {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        u64::try_from(since.expect("after 1970").as_millis()).expect("a millisecond count")
    };
    let mut ids = Vec::new();
    for i in 0..4 {
        let before = now_ms();
        let mut f = priority();
        f["properties"]["title"] = format!("Prioridad {i}").into();
        let body = create_priority(&app, &f).await;
        let after = now_ms();
        let id = Uuid::parse_str(body["id"].as_str().expect("an id")).expect("a UUID");
        assert_eq!(id.get_version_num(), 7, "{id}");
        let mut millis = [0u8; 8];
        millis[2..].copy_from_slice(&id.as_bytes()[..6]);
        let millis = u64::from_be_bytes(millis);
        assert!(
            (before..=after).contains(&millis),
            "{id}: {millis} not in {before}..={after}"
        );
        ids.push(id);
    }
    assert!(ids.is_sorted(), "{ids:?}");
}

#[tokio::test]
async fn a_client_given_created_at_is_kept() {
    let app = spawn_seeded_app().await;
    let mut f = priority();
    f["properties"]["created_at"] = "2021-03-04T05:06:07Z".into();

    let body = create_priority(&app, &f).await;

    let created = body["properties"]["created_at"].as_str().unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(created).unwrap(),
        chrono::DateTime::parse_from_rfc3339("2021-03-04T05:06:07Z").unwrap()
    );
    let id = body["id"].as_str().unwrap();
    assert_eq!(
        get_priority(&app, id).await["properties"]["created_at"],
        created
    );
}

// ---------------------------------------------------------------- index

#[tokio::test]
async fn the_index_follows_a_create_a_move_and_a_delete() {
    let app = spawn_seeded_app().await;
    let caracas = "bbox=-66.92,10.50,-66.91,10.51";
    let maracay = "bbox=-67.61,10.24,-67.59,10.26";

    let id = create_priority_id(&app, &priority()).await;
    let just_it = BTreeSet::from([id.clone()]);
    assert_eq!(ids_for(&app, caracas).await, just_it);
    assert_eq!(ids_for(&app, "parish=010101").await, just_it);
    assert!(ids_for(&app, maracay).await.is_empty());

    let r = put(&app, &id, None, &priority_at("Movida", -67.6, 10.25)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        ids_for(&app, caracas).await.is_empty(),
        "the old box no longer finds it"
    );
    assert_eq!(ids_for(&app, maracay).await, just_it);
    assert_eq!(ids_for(&app, "parish=010101").await, just_it);

    let r = delete(&app, &id, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(ids_for(&app, caracas).await.is_empty());
    assert!(ids_for(&app, maracay).await.is_empty());
    assert!(ids_for(&app, "parish=010101").await.is_empty());
    assert_eq!(
        app.get(&format!("{ITEMS}/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
}
