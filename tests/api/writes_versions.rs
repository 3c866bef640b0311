//! Changing a stored priority: replace, patch and delete with entity tags
//! (`If-Match`, stale and weak tags, `*`), a status kept out of patches, the
//! index following moves, and a conditional GET answered 304.

use std::collections::BTreeSet;

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    ITEMS, TestApp, assert_problem, create_priority, create_priority_id, get_priority, header,
    ids_for, priority, spawn_seeded_app,
};
use crate::writes::{delete, priority_at, put, send_if_match};

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
    let id = create_priority_id(&app, &priority()).await;
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
    let id = create_priority_id(&app, &priority()).await;

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
    let id = create_priority_id(&app, &priority()).await;
    let r = patch(
        &app,
        &id,
        None,
        &json!({"properties": {"status": "approved"}}),
    )
    .await;
    let p = assert_problem(r, StatusCode::CONFLICT, ("pointer", "/properties/status")).await;
    assert!(p["detail"].as_str().unwrap().contains("transitions"), "{p}");
    assert_eq!(p["allowed"], json!(["approved", "rejected", "duplicate"]));
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
    let id = create_priority_id(&app, &f).await;

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
    let id = create_priority_id(&app, &priority()).await;
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
    let id = create_priority_id(&app, &priority()).await;
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
    let id = create_priority_id(&app, &priority()).await;
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
    let id = create_priority_id(&app, &priority()).await;
    let other = create_priority_id(&app, &priority()).await;

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
    let id = create_priority_id(&app, &priority()).await;
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
