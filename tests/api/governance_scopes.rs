//! Scopes one rule at a time: a spokesperson's council and a proposed
//! priority, a cabinet's territory under a change of council, and reads
//! public by default or private with `--private-reads`.

use prioridades::config::ServeArgs;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::governance::{
    AT_A, AUTHENTICATED, assert_refused, bring_to, client_of, feature, govern, governed_app,
    history, mint, send, transition, transition_body,
};
use crate::helpers::{
    ITEMS, client_with, council, create_priority_id, database_url, get_priority, spawn_app,
    spawn_app_in, territory,
};

#[tokio::test]
async fn a_spokesperson_edits_and_withdraws_its_councils_priority_only_while_proposed() {
    let gov = governed_app().await;
    let app = &gov.app;
    let spk = gov.client("spk_a");
    let r = send(
        &spk,
        Method::POST,
        app.url(ITEMS),
        Some(&feature("CC-A", AT_A, "Bote de aguas negras")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let item = app.url(&format!("{ITEMS}/{id}"));
    let r = send(
        &spk,
        Method::PATCH,
        item.clone(),
        Some(&json!({"properties": {"families": 40}})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);

    // A cabinet of the parish approves it: the spokesperson's hands are off.
    let r = transition(
        app,
        &gov.client("cab_010101"),
        &id,
        &transition_body("approved"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let before = get_priority(app, &id).await;
    let entries = history(app, &id).await.len();
    let r = send(
        &spk,
        Method::PATCH,
        item.clone(),
        Some(&json!({"properties": {"families": 80}})),
    )
    .await;
    assert_refused(r, StatusCode::FORBIDDEN).await;
    let mut put = before.clone();
    put.as_object_mut().unwrap().remove("links");
    put["properties"]["title"] = json!("Cambiada tras aprobar");
    let r = send(&spk, Method::PUT, item.clone(), Some(&put)).await;
    assert_refused(r, StatusCode::FORBIDDEN).await;
    let r = send(&spk, Method::DELETE, item.clone(), None).await;
    assert_refused(r, StatusCode::FORBIDDEN).await;
    assert_eq!(get_priority(app, &id).await, before);
    assert_eq!(history(app, &id).await.len(), entries);

    // Reopened (rejected, then proposed again), it is the council's once more.
    bring_to(app, &id, "rejected").await;
    let r = transition(app, &app.client, &id, &json!({"status": "proposed"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = send(&spk, Method::DELETE, item, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_cabinet_may_not_move_a_priority_out_of_its_territory_by_changing_its_council_either() {
    // Without parish boundaries a priority lies in its council's parish, so
    // reassigning it to a council elsewhere moves it.
    let app = spawn_app().await;
    for (collection, code) in [
        ("states", "01"),
        ("municipalities", "0101"),
        ("parishes", "010101"),
        ("states", "02"),
        ("municipalities", "0201"),
        ("parishes", "020101"),
    ] {
        let r = app
            .post_json(
                &format!("/collections/{collection}/items"),
                &territory(code, "X"),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    for (code, parish) in [("CC-A", "010101"), ("CC-E", "020101")] {
        let r = app
            .post_json("/collections/councils/items", &council(code, "X", parish))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let cabinet = client_with(&mint(&app, "cabinet", Some("01")).await.secret);
    let id = create_priority_id(&app, &feature("CC-A", AT_A, "Alumbrado")).await;
    let before = get_priority(&app, &id).await;
    assert_eq!(before["properties"]["placement"], "by_council");
    let r = send(
        &cabinet,
        Method::PATCH,
        app.url(&format!("{ITEMS}/{id}")),
        Some(&json!({"properties": {"council": "CC-E"}})),
    )
    .await;
    assert_refused(r, StatusCode::FORBIDDEN).await;
    assert_eq!(get_priority(&app, &id).await, before);
    // Its title, though, is the cabinet's to fix.
    let r = send(
        &cabinet,
        Method::PATCH,
        app.url(&format!("{ITEMS}/{id}")),
        Some(&json!({"properties": {"title": "Alumbrado público"}})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn reads_are_public_without_a_token_but_a_bad_token_is_refused_even_for_reads() {
    let gov = governed_app().await;
    let app = &gov.app;
    let id = create_priority_id(app, &feature("CC-A", AT_A, "Cancha techada")).await;
    let anonymous = Client::new();
    let paths = [
        "/".to_string(),
        "/collections".to_string(),
        ITEMS.to_string(),
        format!("{ITEMS}/{id}"),
        format!("{ITEMS}/{id}/history"),
        "/collections/councils/items".to_string(),
        "/collections/councils/items/CC-A/agenda".to_string(),
        "/collections/states/items".to_string(),
        "/collections/parishes/items/010101".to_string(),
        "/statistics".to_string(),
    ];
    for path in &paths {
        for name in ["planner", "spk_b", "cab_02"] {
            let r = send(&gov.client(name), Method::GET, app.url(path), None).await;
            assert_eq!(r.status(), StatusCode::OK, "{name} GET {path}");
        }
        let r = send(&anonymous, Method::GET, app.url(path), None).await;
        assert_eq!(r.status(), StatusCode::OK, "GET {path} without a token");
        for name in ["unknown token", "malformed header"] {
            let r = send(&client_of(&gov, name), Method::GET, app.url(path), None).await;
            assert_refused(r, StatusCode::UNAUTHORIZED).await;
        }
    }
    // Writes, the review queue and the token list need a token.
    let r = send(&anonymous, Method::GET, app.url("/review-queue"), None).await;
    assert_refused(r, StatusCode::UNAUTHORIZED).await;
    let r = send(&anonymous, Method::GET, app.url("/tokens"), None).await;
    assert_refused(r, StatusCode::UNAUTHORIZED).await;
}

// ---------------------------------------------------------------- private reads

#[tokio::test]
async fn with_private_reads_every_read_needs_a_valid_token() {
    let dir = TempDir::new().unwrap();
    let mut args = ServeArgs::for_database(database_url(&dir));
    args.private_reads = true;
    let gov = govern(spawn_app_in(dir, args).await).await;
    let app = &gov.app;
    let id = create_priority_id(app, &feature("CC-A", AT_A, "Módulo de salud")).await;
    let paths = [
        "/".to_string(),
        "/conformance".to_string(),
        "/api".to_string(),
        "/collections".to_string(),
        "/collections/priorities".to_string(),
        ITEMS.to_string(),
        format!("{ITEMS}?overdue=false"),
        format!("{ITEMS}/{id}"),
        format!("{ITEMS}/{id}/history"),
        "/collections/councils/items".to_string(),
        "/collections/councils/items/CC-A".to_string(),
        "/collections/councils/items/CC-A/agenda".to_string(),
        "/collections/states/items".to_string(),
        "/collections/municipalities/items/0101".to_string(),
        "/statistics".to_string(),
    ];
    let revoked = mint(app, "planner", None).await;
    let r = send(
        &app.client,
        Method::DELETE,
        app.url(&format!("/tokens/{}", revoked.id)),
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for path in &paths {
        let r = send(&Client::new(), Method::GET, app.url(path), None).await;
        let body = assert_refused(r, StatusCode::UNAUTHORIZED).await;
        assert_eq!(body["header"], "Authorization", "{path}");
        for name in ["unknown token", "malformed header"] {
            let r = send(&client_of(&gov, name), Method::GET, app.url(path), None).await;
            assert_refused(r, StatusCode::UNAUTHORIZED).await;
        }
        let r = send(
            &client_with(&revoked.secret),
            Method::GET,
            app.url(path),
            None,
        )
        .await;
        assert_refused(r, StatusCode::UNAUTHORIZED).await;
        for name in AUTHENTICATED {
            let r = send(&gov.client(name), Method::GET, app.url(path), None).await;
            assert_eq!(r.status(), StatusCode::OK, "{name} GET {path}");
        }
    }
    // Not even a missing resource is revealed without a token.
    let r = send(&Client::new(), Method::GET, app.url("/no/such/path"), None).await;
    assert_refused(r, StatusCode::UNAUTHORIZED).await;
}
