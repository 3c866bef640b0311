//! Notes and the append-only history: what each change records, in order,
//! with its actor, kept after the priority is deleted.

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::governance::{AT_A, FUTURE, feature, governed_app, history, plan, send, transition};
use crate::helpers::{ITEMS, assert_problem, create_priority_id, get_priority, point};

#[tokio::test]
async fn notes_are_text_of_one_to_two_thousand_characters() {
    let gov = governed_app().await;
    let app = &gov.app;
    let id = create_priority_id(app, &feature("CC-A", AT_A, "Gas doméstico")).await;
    let notes = app.url(&format!("{ITEMS}/{id}/notes"));
    let longest = "ñ".repeat(2_000);
    let r = send(
        &app.client,
        Method::POST,
        notes.clone(),
        Some(&json!({"note": longest})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let before = get_priority(app, &id).await;
    let entries = history(app, &id).await;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["note"], longest);
    for bad in [
        json!({"note": "a".repeat(2_001)}),
        json!({"note": "ñ".repeat(2_001)}),
        json!({"note": ""}),
        json!({"note": "   "}),
        json!({"note": 7}),
        json!({}),
    ] {
        let r = send(&app.client, Method::POST, notes.clone(), Some(&bad)).await;
        assert_problem(r, StatusCode::UNPROCESSABLE_ENTITY, ("pointer", "/note")).await;
    }
    let long = json!({"status": "rejected", "note": "a".repeat(2_001)});
    let r = transition(app, &app.client, &id, &long).await;
    assert_problem(r, StatusCode::UNPROCESSABLE_ENTITY, ("pointer", "/note")).await;
    let r = send(
        &app.client,
        Method::POST,
        notes.clone(),
        Some(&json!({"note": "x", "by": "me"})),
    )
    .await;
    assert_problem(r, StatusCode::UNPROCESSABLE_ENTITY, ("pointer", "/by")).await;
    assert_eq!(get_priority(app, &id).await, before);
    assert_eq!(history(app, &id).await.len(), 2);
    // A note on a priority that does not exist.
    let r = send(
        &app.client,
        Method::POST,
        app.url(&format!("{ITEMS}/{}/notes", uuid::Uuid::new_v4())),
        Some(&json!({"note": "x"})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- history

#[tokio::test]
async fn history_records_every_change_in_order_with_its_actor_and_survives_the_delete() {
    let gov = governed_app().await;
    let app = &gov.app;
    let spk = gov.client("spk_a");
    let cabinet = gov.client("cab_01");
    let r = send(
        &spk,
        Method::POST,
        app.url(ITEMS),
        Some(&feature("CC-A", AT_A, "Tubería rota")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let item = app.url(&format!("{ITEMS}/{id}"));
    let r = send(
        &cabinet,
        Method::PATCH,
        item.clone(),
        Some(&json!({"properties": {"title": "Tubería rota en la calle 3"}})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let approve =
        json!({"status": "approved", "plan": plan(FUTURE), "note": "Aprobada en asamblea"});
    let r = transition(app, &cabinet, &id, &approve).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = send(
        &cabinet,
        Method::POST,
        format!("{item}/notes"),
        Some(&json!({"note": "  Material en camino  "})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = transition(app, &cabinet, &id, &json!({"status": "in_progress"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = send(&app.client, Method::DELETE, item.clone(), None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    let (status, _) = app.get_json(&format!("{ITEMS}/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = Client::new()
        .get(app.url(&format!("{ITEMS}/{id}/history")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["id"], id.as_str());
    let entries = body["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "edit",
            "transition",
            "note",
            "transition",
            "delete"
        ]
    );
    let actors: Vec<&str> = entries
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    let cab = gov.actor("cab_01");
    assert!(cab.starts_with("cabinet:01:"), "{cab}");
    assert!(gov.actor("spk_a").starts_with("spokesperson:CC-A:"));
    assert_eq!(
        actors,
        [
            gov.actor("spk_a"),
            cab.clone(),
            cab.clone(),
            cab.clone(),
            cab.clone(),
            gov.actor("admin")
        ]
    );
    let notes: Vec<&Value> = entries.iter().map(|e| &e["note"]).collect();
    assert_eq!(
        notes,
        [
            &Value::Null,
            &Value::Null,
            &json!("Aprobada en asamblea"),
            &json!("Material en camino"),
            &Value::Null,
            &Value::Null
        ]
    );
    // What changed, member by member.
    let created = &entries[0]["changes"];
    assert_eq!(
        created["title"],
        json!({"from": null, "to": "Tubería rota"})
    );
    assert_eq!(created["council"], json!({"from": null, "to": "CC-A"}));
    assert_eq!(created["geometry"]["to"], point(AT_A));
    assert_eq!(
        entries[1]["changes"],
        json!({"title": {"from": "Tubería rota", "to": "Tubería rota en la calle 3"}})
    );
    assert_eq!(
        entries[2]["changes"],
        json!({"status": {"from": "proposed", "to": "approved"},
               "plan": {"from": null, "to": plan(FUTURE)}})
    );
    assert_eq!(entries[3]["changes"], json!({}));
    assert_eq!(
        entries[4]["changes"],
        json!({"status": {"from": "approved", "to": "in_progress"}})
    );
    let deleted = &entries[5]["changes"];
    assert_eq!(
        deleted["title"],
        json!({"from": "Tubería rota en la calle 3", "to": null})
    );
    assert_eq!(
        deleted["status"],
        json!({"from": "in_progress", "to": null})
    );
    let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let times: Vec<&str> = entries.iter().map(|e| e["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // An id that never existed, and one that is no id at all.
    let (status, _) = app
        .get_json(&format!("{ITEMS}/{}/history", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get_json(&format!("{ITEMS}/nope/history")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A note changes a priority's history without a new change number: a
/// client revalidating its copy of the history (JSON or the HTML page) with
/// the tag it holds gets the new history, not a 304; unchanged, a 304.
#[tokio::test]
async fn a_note_gives_the_history_and_its_page_a_new_tag() {
    let gov = governed_app().await;
    let app = &gov.app;
    let id = create_priority_id(app, &feature("CC-A", AT_A, "Alumbrado")).await;
    let paths = [
        format!("{ITEMS}/{id}/history"),
        format!("{ITEMS}/{id}?f=html"),
    ];
    let mut tags = Vec::new();
    for path in &paths {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let tag = r.headers()["etag"].to_str().unwrap().to_owned();
        let again = app
            .client
            .get(app.url(path))
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        tags.push(tag);
    }
    let r = send(
        &app.client,
        Method::POST,
        app.url(&format!("{ITEMS}/{id}/notes")),
        Some(&json!({"note": "Revisado en asamblea"})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for (path, tag) in paths.iter().zip(&tags) {
        let r = app
            .client
            .get(app.url(path))
            .header("if-none-match", tag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path} after a note");
        assert_ne!(r.headers()["etag"].to_str().unwrap(), tag, "{path}");
        assert!(
            r.text().await.unwrap().contains("Revisado en asamblea"),
            "{path} shows the note"
        );
    }
}
