//! The priorities write path (OGC API – Features Part 4 shape): create,
//! replace, patch and delete with entity tags, the index following every
//! write, bulk import over HTTP and from the command line, CORS and
//! compression.

use std::collections::BTreeSet;

use prioridades::config::ServeArgs;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

use crate::helpers::{
    ITEMS, TestApp, assert_problem, create_priority, database_url, get_priority, header, ids_for,
    priority, spawn_app, spawn_app_in, spawn_seeded_app,
};

// ---------------------------------------------------------------- helpers

/// Sends `method` to `path` with optional `If-Match` and JSON body.
async fn send_if_match(
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

async fn put(app: &TestApp, id: &str, if_match: Option<&str>, body: &Value) -> Response {
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

async fn patch(app: &TestApp, id: &str, if_match: Option<&str>, body: &Value) -> Response {
    send_if_match(
        app,
        Method::PATCH,
        &format!("{ITEMS}/{id}"),
        if_match,
        "application/merge-patch+json",
        Some(body),
    )
    .await
}

async fn delete(app: &TestApp, id: &str, if_match: Option<&str>) -> Response {
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
fn priority_at(title: &str, lon: f64, lat: f64) -> Value {
    let mut f = priority();
    f["properties"]["title"] = title.into();
    f["geometry"] = json!({"type": "Point", "coordinates": [lon, lat]});
    f
}

fn is_rfc3339(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

/// `n` valid priority Features with fresh ids, titled `prefix i`.
fn features_with_ids(ids: &[Uuid], prefix: &str) -> Vec<Value> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            let mut f = priority_at(
                &format!("{prefix} {i}"),
                -67.0 + (i % 100) as f64 * 0.001,
                10.4 + (i / 100) as f64 * 0.001,
            );
            f["id"] = id.to_string().into();
            f
        })
        .collect()
}

fn ndjson(features: &[Value]) -> String {
    features.iter().map(|f| format!("{f}\n")).collect()
}

async fn import_priorities(app: &TestApp, content_type: &str, body: String) -> Value {
    let r = app
        .post_raw("/collections/priorities/import", content_type, body)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("an import report")
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
    assert_eq!(fetched, body);
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

    let id = create_priority(&app, &priority()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
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

// ---------------------------------------------------------------- replace

#[tokio::test]
async fn replacing_with_the_current_etag_succeeds_and_a_stale_etag_is_refused() {
    let app = spawn_seeded_app().await;
    let created = create_priority(&app, &priority()).await;
    let id = created["id"].as_str().unwrap();

    let r = put(
        &app,
        id,
        Some("\"1\""),
        &priority_at("Segunda", -66.9, 10.5),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "etag").as_deref(), Some("\"2\""));
    let second: Value = r.json().await.unwrap();
    assert_eq!(second["id"], id);
    assert_eq!(second["properties"]["version"], 2);
    assert_eq!(second["properties"]["title"], "Segunda");
    assert_eq!(second["properties"]["parish"], "010101");
    assert_eq!(
        second["properties"]["created_at"], created["properties"]["created_at"],
        "a replace keeps the creation time"
    );

    let r = put(
        &app,
        id,
        Some("\"1\""),
        &priority_at("Tercera", -66.9, 10.5),
    )
    .await;
    assert_eq!(
        header(&r, "etag").as_deref(),
        Some("\"2\""),
        "the 412 carries the current ETag"
    );
    assert_problem(r, StatusCode::PRECONDITION_FAILED, ("header", "If-Match")).await;

    let stored = get_priority(&app, id).await;
    assert_eq!(stored["properties"]["version"], 2);
    assert_eq!(stored["properties"]["title"], "Segunda");
    assert_eq!(
        stored["geometry"],
        json!({"type": "Point", "coordinates": [-66.9, 10.5]})
    );
}

#[tokio::test]
async fn if_match_star_matches_any_version_but_a_weak_tag_never_matches() {
    let app = spawn_seeded_app().await;
    let id = create_priority(&app, &priority()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = put(
        &app,
        &id,
        Some("\"1\""),
        &priority_at("Segunda", -66.9, 10.5),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);

    let r = put(
        &app,
        &id,
        Some("W/\"2\""),
        &priority_at("Débil", -66.9, 10.5),
    )
    .await;
    assert_eq!(header(&r, "etag").as_deref(), Some("\"2\""));
    assert_problem(r, StatusCode::PRECONDITION_FAILED, ("header", "If-Match")).await;
    assert_eq!(
        get_priority(&app, &id).await["properties"]["title"],
        "Segunda"
    );

    let r = put(
        &app,
        &id,
        Some("*"),
        &priority_at("Cualquiera", -66.9, 10.5),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "etag").as_deref(), Some("\"3\""));
    let stored = get_priority(&app, &id).await;
    assert_eq!(stored["properties"]["title"], "Cualquiera");
    assert_eq!(stored["properties"]["version"], 3);
}

#[tokio::test]
async fn replacing_without_if_match_lets_the_last_writer_win() {
    let app = spawn_seeded_app().await;
    let id = create_priority(&app, &priority()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let first = put(&app, &id, None, &priority_at("Primero", -66.9, 10.5)).await;
    let second = put(&app, &id, None, &priority_at("Último", -66.8, 10.4)).await;

    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(header(&second, "etag").as_deref(), Some("\"3\""));
    let stored = get_priority(&app, &id).await;
    assert_eq!(stored["properties"]["title"], "Último");
    assert_eq!(stored["properties"]["version"], 3);
    assert_eq!(app.priority_count().await, 1);
}

// ---------------------------------------------------------------- patch

#[tokio::test]
async fn patching_the_category_changes_only_the_category() {
    let app = spawn_seeded_app().await;
    let mut f = priority();
    f["properties"]["rank"] = 3.into();
    f["properties"]["families"] = 40.into();
    f["properties"]["description"] = "Tubería rota desde 2019".into();
    let before = create_priority(&app, &f).await;
    let id = before["id"].as_str().unwrap();

    let r = patch(
        &app,
        id,
        Some("\"1\""),
        &json!({"properties": {"category": "health"}}),
    )
    .await;

    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "etag").as_deref(), Some("\"2\""));
    let after: Value = r.json().await.unwrap();
    assert_eq!(after["properties"]["category"], "health");
    assert_eq!(after["properties"]["version"], 2);
    assert_eq!(after["geometry"], before["geometry"]);
    for name in [
        "council",
        "state",
        "municipality",
        "parish",
        "title",
        "description",
        "status",
        "rank",
        "families",
        "created_at",
    ] {
        assert_eq!(
            after["properties"][name], before["properties"][name],
            "{name} is unchanged"
        );
    }
    assert_eq!(
        get_priority(&app, id).await["properties"],
        after["properties"]
    );
}

#[tokio::test]
async fn patching_the_status_is_a_409_that_points_to_the_transitions() {
    let app = spawn_seeded_app().await;
    let id = create_priority(&app, &priority()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = patch(
        &app,
        &id,
        None,
        &json!({"properties": {"status": "approved"}}),
    )
    .await;
    let p = assert_problem(r, StatusCode::CONFLICT, ("pointer", "/properties/status")).await;
    assert!(p["detail"].as_str().unwrap().contains("transitions"), "{p}");
    assert_eq!(p["allowed"], json!(["approved", "rejected"]));
    assert_eq!(
        get_priority(&app, &id).await["properties"]["status"],
        "proposed"
    );
}

#[tokio::test]
async fn patching_a_member_to_null_removes_it() {
    let app = spawn_seeded_app().await;
    let mut f = priority();
    f["properties"]["rank"] = 2.into();
    let id = create_priority(&app, &f).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let r = patch(&app, &id, None, &json!({"properties": {"rank": null}})).await;

    assert_eq!(r.status(), StatusCode::OK);
    let stored = get_priority(&app, &id).await;
    assert_eq!(stored["properties"]["rank"], Value::Null);
    assert_eq!(stored["properties"]["version"], 2);
    assert_eq!(stored["properties"]["title"], "Sustitución de tubería");
}

#[tokio::test]
async fn patching_in_an_invalid_category_is_refused_and_changes_nothing() {
    let app = spawn_seeded_app().await;
    let before = create_priority(&app, &priority()).await;
    let id = before["id"].as_str().unwrap();

    let r = patch(
        &app,
        id,
        None,
        &json!({"properties": {"category": "magic", "title": "Nuevo"}}),
    )
    .await;

    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/properties/category"),
    )
    .await;
    let after = get_priority(&app, id).await;
    assert_eq!(after["properties"], before["properties"]);
    assert_eq!(
        ids_for(&app, "category=water").await,
        BTreeSet::from([id.to_owned()])
    );
}

#[tokio::test]
async fn patching_with_a_stale_etag_is_refused() {
    let app = spawn_seeded_app().await;
    let id = create_priority(&app, &priority()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = patch(
        &app,
        &id,
        None,
        &json!({"properties": {"category": "health"}}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);

    let r = patch(
        &app,
        &id,
        Some("\"1\""),
        &json!({"properties": {"category": "roads"}}),
    )
    .await;

    assert_eq!(header(&r, "etag").as_deref(), Some("\"2\""));
    assert_problem(r, StatusCode::PRECONDITION_FAILED, ("header", "If-Match")).await;
    assert_eq!(
        get_priority(&app, &id).await["properties"]["category"],
        "health"
    );
}

#[tokio::test]
async fn patching_the_geometry_moves_the_priority_in_the_index() {
    let app = spawn_seeded_app().await;
    let id = create_priority(&app, &priority()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let line = json!({"type": "LineString", "coordinates": [[-64.2, 10.4], [-64.1, 10.5]]});

    let r = patch(&app, &id, None, &json!({"geometry": line})).await;

    assert_eq!(r.status(), StatusCode::OK);
    let stored = get_priority(&app, &id).await;
    assert_eq!(stored["geometry"], line);
    assert_eq!(stored["properties"]["title"], "Sustitución de tubería");
    assert_eq!(stored["properties"]["version"], 2);
    assert_eq!(
        ids_for(&app, "bbox=-64.16,10.44,-64.14,10.46").await,
        BTreeSet::from([id.clone()]),
        "the box around the new line's middle finds it"
    );
    assert!(
        ids_for(&app, "bbox=-66.92,10.50,-66.91,10.51")
            .await
            .is_empty()
    );
}

// ---------------------------------------------------------------- delete

#[tokio::test]
async fn deleting_with_a_stale_etag_is_refused_and_the_priority_stays() {
    let app = spawn_seeded_app().await;
    let id = create_priority(&app, &priority()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = put(&app, &id, None, &priority_at("Segunda", -66.9, 10.5)).await;
    assert_eq!(r.status(), StatusCode::OK);

    let r = delete(&app, &id, Some("\"1\"")).await;

    assert_eq!(header(&r, "etag").as_deref(), Some("\"2\""));
    assert_problem(r, StatusCode::PRECONDITION_FAILED, ("header", "If-Match")).await;
    assert_eq!(get_priority(&app, &id).await["properties"]["version"], 2);
    assert_eq!(app.priority_count().await, 1);

    let r = delete(&app, &id, Some("\"2\"")).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_deleted_priority_is_gone_and_cannot_be_deleted_again() {
    let app = spawn_seeded_app().await;
    let id = create_priority(&app, &priority()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = create_priority(&app, &priority()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let r = delete(&app, &id, None).await;

    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(r.bytes().await.unwrap().is_empty(), "204 has no body");
    assert_problem(
        app.get(&format!("{ITEMS}/{id}")).await,
        StatusCode::NOT_FOUND,
        ("type", "urn:prioridades:problem:not-found"),
    )
    .await;
    assert_problem(
        delete(&app, &id, None).await,
        StatusCode::NOT_FOUND,
        ("type", "urn:prioridades:problem:not-found"),
    )
    .await;
    assert_eq!(app.priority_count().await, 1);
    assert_eq!(ids_for(&app, "").await, BTreeSet::from([other]));
}

#[tokio::test]
async fn writes_to_an_unknown_id_are_404_problems() {
    let app = spawn_seeded_app().await;
    create_priority(&app, &priority()).await;
    let unknown = Uuid::new_v4().to_string();
    let not_found = ("type", "urn:prioridades:problem:not-found");

    assert_problem(
        put(&app, &unknown, None, &priority()).await,
        StatusCode::NOT_FOUND,
        not_found,
    )
    .await;
    assert_problem(
        patch(
            &app,
            &unknown,
            None,
            &json!({"properties": {"status": "done"}}),
        )
        .await,
        StatusCode::NOT_FOUND,
        not_found,
    )
    .await;
    assert_problem(
        delete(&app, &unknown, None).await,
        StatusCode::NOT_FOUND,
        not_found,
    )
    .await;
    assert_eq!(
        app.priority_count().await,
        1,
        "a PUT to an unknown id creates nothing"
    );
}

// ---------------------------------------------------------------- conditional GET

#[tokio::test]
async fn a_get_with_the_current_etag_in_if_none_match_is_304() {
    let app = spawn_seeded_app().await;
    let id = create_priority(&app, &priority()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("{ITEMS}/{id}");
    let conditional = |tag: &'static str| {
        app.client
            .get(app.url(&path))
            .header("if-none-match", tag)
            .send()
    };

    let r = conditional("\"1\"").await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&r, "etag").as_deref(), Some("\"1\""));
    assert!(r.bytes().await.unwrap().is_empty());

    let r = patch(
        &app,
        &id,
        None,
        &json!({"properties": {"category": "roads"}}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = conditional("\"1\"").await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "a changed priority is sent again"
    );
    assert_eq!(header(&r, "etag").as_deref(), Some("\"2\""));
}

// ---------------------------------------------------------------- import

#[tokio::test]
async fn a_bulk_import_of_several_batches_creates_all_and_a_reimport_updates_without_duplicates() {
    // Transactions of 1,000, so the 2,500 features span three.
    let dir = TempDir::new().unwrap();
    let mut args = ServeArgs::for_database(database_url(&dir));
    args.import.import_batch = std::num::NonZeroUsize::new(1_000).unwrap();
    let app = spawn_app_in(dir, args).await;
    app.seed_minimal_catalog().await;
    let ids: Vec<Uuid> = (0..2_500).map(|_| Uuid::new_v4()).collect();
    let collection = |prefix: &str| {
        json!({"type": "FeatureCollection", "features": features_with_ids(&ids, prefix)})
            .to_string()
    };

    let report = import_priorities(&app, "application/geo+json", collection("Primera")).await;
    assert_eq!(report["received"], 2_500, "{report}");
    assert_eq!(report["created"], 2_500, "{report}");
    assert_eq!(report["updated"], 0, "{report}");
    assert_eq!(report["errors"], json!([]));
    assert_eq!(app.priority_count().await, 2_500);

    let report = import_priorities(&app, "application/geo+json", collection("Segunda")).await;
    assert_eq!(report["created"], 0, "{report}");
    assert_eq!(report["updated"], 2_500, "{report}");
    assert_eq!(report["errors"], json!([]));
    assert_eq!(app.priority_count().await, 2_500, "no duplicates");

    let (status, body) = app.get_json(&format!("{ITEMS}?limit=10000")).await;
    assert_eq!(status, StatusCode::OK);
    let features = body["features"].as_array().unwrap();
    assert_eq!(features.len(), 2_500);
    let served: BTreeSet<String> = features
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = ids.iter().map(Uuid::to_string).collect();
    assert_eq!(served, expected);
    for f in features {
        let title = f["properties"]["title"].as_str().unwrap();
        assert!(title.starts_with("Segunda "), "{title}");
        assert_eq!(f["properties"]["version"], 2);
    }
    // A transaction stamps its priorities with one time: three of each.
    for stamp in ["created_at", "updated_at"] {
        let times: BTreeSet<&str> = features
            .iter()
            .map(|f| f["properties"][stamp].as_str().unwrap())
            .collect();
        assert_eq!(times.len(), 3, "{stamp}: {times:?}");
    }
    let one = get_priority(&app, &ids[1_234].to_string()).await;
    assert_eq!(one["properties"]["title"], "Segunda 1234");
}

#[tokio::test]
async fn newline_delimited_features_are_imported() {
    let app = spawn_seeded_app().await;
    let ids: Vec<Uuid> = (0..30).map(|_| Uuid::new_v4()).collect();

    let report = import_priorities(
        &app,
        "application/x-ndjson",
        ndjson(&features_with_ids(&ids, "Línea")),
    )
    .await;

    assert_eq!(report["received"], 30, "{report}");
    assert_eq!(report["created"], 30, "{report}");
    assert_eq!(report["errors"], json!([]));
    assert_eq!(app.priority_count().await, 30);
    let one = get_priority(&app, &ids[7].to_string()).await;
    assert_eq!(one["properties"]["title"], "Línea 7");
    assert_eq!(one["properties"]["parish"], "010101");
}

#[tokio::test]
async fn an_id_repeated_within_one_import_is_created_then_updated() {
    let app = spawn_seeded_app().await;
    let ids: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
    let mut features = features_with_ids(&ids, "Primera");
    // The third feature again, later in the same batch, with another title.
    let mut again = features[2].clone();
    again["properties"]["title"] = json!("Segunda");
    features.push(again);
    features.extend(features_with_ids(&[Uuid::new_v4()], "Después"));

    let report = import_priorities(&app, "application/x-ndjson", ndjson(&features)).await;

    assert_eq!(report["received"], 7, "{report}");
    assert_eq!(report["created"], 6, "{report}");
    assert_eq!(report["updated"], 1, "{report}");
    assert_eq!(app.priority_count().await, 6);
    let twice = get_priority(&app, &ids[2].to_string()).await;
    assert_eq!(twice["properties"]["title"], "Segunda");
    assert_eq!(twice["properties"]["version"], 2);
    let (status, history) = app
        .get_json(&format!("/collections/priorities/items/{}/history", ids[2]))
        .await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "edit"], "{history}");
}

// ---------------------------------------------------------------- CLI import

/// Runs `prioridades import FILE --database-url URL`.
async fn cli_import(file: &std::path::Path, url: &str) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_prioridades"))
        .arg("import")
        .arg(file)
        .arg("--database-url")
        .arg(url)
        .env_remove("DATABASE_URL")
        .output()
        .await
        .expect("the binary runs")
}

/// A stopped app's directory, with the minimal catalog in its database.
async fn catalog_only_database() -> (TempDir, String) {
    let app = spawn_seeded_app().await;
    let dir = app.stop().await;
    let url = database_url(&dir);
    (dir, url)
}

#[tokio::test]
async fn the_cli_imports_a_file_that_the_server_then_serves() {
    let (dir, url) = catalog_only_database().await;
    let ids: Vec<Uuid> = (0..50).map(|_| Uuid::new_v4()).collect();
    let file = dir.path().join("priorities.ndjson");
    std::fs::write(&file, ndjson(&features_with_ids(&ids, "CLI"))).unwrap();

    let output = cli_import(&file, &url).await;

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.contains("50 created"), "stdout: {stdout}");
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    assert_eq!(app.priority_count().await, 50);
    let expected: BTreeSet<String> = ids.iter().map(Uuid::to_string).collect();
    assert_eq!(ids_for(&app, "").await, expected);
    let one = get_priority(&app, &ids[49].to_string()).await;
    assert_eq!(one["properties"]["title"], "CLI 49");
    assert_eq!(one["properties"]["parish"], "010101");
}

#[tokio::test]
async fn the_cli_import_fails_on_an_invalid_feature_but_stores_the_valid_ones() {
    let (dir, url) = catalog_only_database().await;
    let ids: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    let mut features = features_with_ids(&ids, "Mixta");
    features[2]["properties"]["category"] = "magic".into();
    let file = dir.path().join("mixed.ndjson");
    std::fs::write(&file, ndjson(&features)).unwrap();

    let output = cli_import(&file, &url).await;

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.contains("3 created"), "stdout: {stdout}");
    assert!(
        stderr.contains("feature 2"),
        "the refused feature is named: {stderr}"
    );
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    let expected: BTreeSet<String> = [0, 1, 3].iter().map(|&i| ids[i].to_string()).collect();
    assert_eq!(ids_for(&app, "").await, expected);
}

// ---------------------------------------------------------------- CORS

#[tokio::test]
async fn a_cors_preflight_is_answered_with_an_allowed_origin() {
    let app = spawn_app().await;

    let r = app
        .client
        .request(Method::OPTIONS, app.url(ITEMS))
        .header("origin", "https://map.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();

    // tower-http answers a preflight itself, with an empty 200.
    assert_eq!(r.status(), StatusCode::OK);
    // Any origin is allowed by default (`--cors-origins *`): the wildcard.
    assert_eq!(
        header(&r, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    let methods = header(&r, "access-control-allow-methods").unwrap_or_default();
    assert!(methods.contains("GET"), "{methods}");
}

#[tokio::test]
async fn a_cross_origin_get_is_allowed_and_may_read_the_etag() {
    let app = spawn_seeded_app().await;
    let id = create_priority(&app, &priority()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let r = app
        .client
        .get(app.url(&format!("{ITEMS}/{id}")))
        .header("origin", "https://map.example")
        .send()
        .await
        .unwrap();

    assert_eq!(r.status(), StatusCode::OK);
    // Any origin is allowed by default (`--cors-origins *`): the wildcard.
    assert_eq!(
        header(&r, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    let exposed = header(&r, "access-control-expose-headers")
        .expect("an expose-headers header")
        .to_ascii_lowercase();
    assert!(exposed.split(',').any(|h| h.trim() == "etag"), "{exposed}");
}

#[tokio::test]
async fn with_a_list_of_origins_other_origins_get_no_allow_origin() {
    let dir = TempDir::new().unwrap();
    let mut args = ServeArgs::for_database(database_url(&dir));
    args.cors_origins = vec!["https://allowed.example".into()];
    let app = spawn_app_in(dir, args).await;
    let get_from = |origin: &'static str| {
        app.client
            .get(app.url(ITEMS))
            .header("origin", origin)
            .send()
    };

    let r = get_from("https://allowed.example").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        header(&r, "access-control-allow-origin").as_deref(),
        Some("https://allowed.example")
    );

    let r = get_from("https://map.example").await.unwrap();
    assert_eq!(header(&r, "access-control-allow-origin"), None);

    let r = app
        .client
        .request(Method::OPTIONS, app.url(ITEMS))
        .header("origin", "https://map.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "access-control-allow-origin"), None);
}

// ---------------------------------------------------------------- compression

async fn items_with_encoding(app: &TestApp, accept: Option<&str>) -> Response {
    let mut request = app.client.get(app.url(&format!("{ITEMS}?limit=100")));
    if let Some(a) = accept {
        request = request.header("accept-encoding", a);
    }
    let r = request.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r
}

async fn app_with_some_priorities() -> TestApp {
    let app = spawn_seeded_app().await;
    for i in 0..5 {
        create_priority(&app, &priority_at(&format!("Prioridad {i}"), -66.9, 10.5)).await;
    }
    app
}

#[tokio::test]
async fn items_are_gzip_compressed_when_the_client_accepts_gzip() {
    let app = app_with_some_priorities().await;

    let r = items_with_encoding(&app, Some("gzip")).await;

    assert_eq!(header(&r, "content-encoding").as_deref(), Some("gzip"));
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "a gzip stream");
}

#[tokio::test]
async fn items_are_brotli_compressed_when_the_client_accepts_br() {
    let app = app_with_some_priorities().await;

    let r = items_with_encoding(&app, Some("br")).await;

    assert_eq!(header(&r, "content-encoding").as_deref(), Some("br"));
    let bytes = r.bytes().await.unwrap();
    assert!(
        serde_json::from_slice::<Value>(&bytes).is_err(),
        "not plain JSON"
    );
}

#[tokio::test]
async fn items_are_not_compressed_unless_asked() {
    let app = app_with_some_priorities().await;

    let r = items_with_encoding(&app, None).await;

    assert_eq!(header(&r, "content-encoding"), None);
    let body: Value = r.json().await.expect("plain JSON");
    assert_eq!(body["numberReturned"], 5);
}
