//! Council agendas: open priorities ordered by unique ranks, reordered by
//! the council's spokesperson, and ranks kept unique by bulk imports.

use std::collections::BTreeMap;

use prioridades::config::ServeArgs;
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::governance::{
    AT_A, AT_B, assert_refused, bring_to, govern, governed_app, history, ranked, send, transition,
    without_time_stamp,
};
use crate::helpers::{
    ITEMS, TestApp, assert_problem, collection, create_priority_id, database_url, features_of,
    get_priority, ids, spawn_app_in,
};

// ---------------------------------------------------------------- agendas

/// Every open priority of `council` as (id, rank), in creation order.
async fn open_ranks(app: &TestApp, council: &str) -> Vec<(String, Option<i64>)> {
    let (status, body) = app
        .get_json(&format!(
            "{ITEMS}?council={council}&status=proposed,approved,in_progress&limit=10000"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["properties"]["rank"].as_i64(),
            )
        })
        .collect()
}

/// Ranks are unique among a council's open priorities.
async fn assert_ranks_unique(app: &TestApp, council: &str) {
    let open = open_ranks(app, council).await;
    let mut seen = BTreeMap::new();
    for (id, rank) in &open {
        if let Some(rank) = rank
            && let Some(other) = seen.insert(*rank, id)
        {
            panic!("rank {rank} of {council} is held by {other} and {id}");
        }
    }
}

async fn agenda(app: &TestApp, council: &str) -> Vec<String> {
    let r = Client::new()
        .get(app.url(&format!("/collections/councils/items/{council}/agenda")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    ids(features_of(&r.json().await.unwrap()))
}

async fn put_agenda(app: &TestApp, client: &Client, council: &str, order: &Value) -> Response {
    send(
        client,
        Method::PUT,
        app.url(&format!("/collections/councils/items/{council}/agenda")),
        Some(order),
    )
    .await
}

#[tokio::test]
async fn an_agenda_lists_open_priorities_by_rank_then_creation_and_ranks_are_unique() {
    let gov = governed_app().await;
    let app = &gov.app;
    let p1 = create_priority_id(app, &ranked("CC-A", AT_A, "p1", Some(2))).await;
    let p2 = create_priority_id(app, &ranked("CC-A", AT_A, "p2", None)).await;
    let p3 = create_priority_id(app, &ranked("CC-A", AT_A, "p3", Some(1))).await;
    let p4 = create_priority_id(app, &ranked("CC-A", AT_A, "p4", None)).await;
    let p5 = create_priority_id(app, &ranked("CC-A", AT_A, "p5", Some(3))).await;
    bring_to(app, &p5, "rejected").await;
    let p6 = create_priority_id(app, &ranked("CC-A", AT_A, "p6", None)).await;
    bring_to(app, &p6, "approved").await;
    let p7 = create_priority_id(app, &ranked("CC-A", AT_A, "p7", Some(4))).await;
    bring_to(app, &p7, "done").await;
    // Another council's ranks are its own.
    let b1 = create_priority_id(app, &ranked("CC-B", AT_B, "b1", Some(1))).await;

    assert_eq!(
        agenda(app, "CC-A").await,
        [p3.clone(), p1.clone(), p2.clone(), p4.clone(), p6.clone()]
    );
    assert_eq!(agenda(app, "CC-B").await, [b1]);
    let r = Client::new()
        .get(app.url("/collections/councils/items/CC-NONE/agenda"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A second open priority with a held rank is refused (the code answers
    // 422 with a pointer at the rank, not 409).
    let count = app.priority_count().await;
    let r = app
        .post_json(ITEMS, &ranked("CC-A", AT_A, "otra", Some(1)))
        .await;
    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/properties/rank"),
    )
    .await;
    let r = send(
        &app.client,
        Method::PATCH,
        app.url(&format!("{ITEMS}/{p2}")),
        Some(&json!({"properties": {"rank": 2}})),
    )
    .await;
    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/properties/rank"),
    )
    .await;
    assert_eq!(app.priority_count().await, count);
    // Closed priorities hold no agenda rank: a rejected one may share it...
    let closed = {
        let mut f = ranked("CC-A", AT_A, "cerrada", Some(1));
        f["properties"]["status"] = json!("rejected");
        create_priority_id(app, &f).await
    };
    // ...but cannot be reopened while an open one holds it.
    // ...and, reopened while an open one holds its rank, returns to the
    // agenda unranked.
    let r = transition(app, &app.client, &closed, &json!({"status": "proposed"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let reopened = get_priority(app, &closed).await;
    assert_eq!(reopened["properties"]["status"], "proposed");
    assert_eq!(reopened["properties"]["rank"], Value::Null);
    let entry = history(app, &closed).await.pop().unwrap();
    assert_eq!(
        entry["changes"],
        json!({"status": {"from": "rejected", "to": "proposed"}, "rank": {"from": 1, "to": null}})
    );
    assert_eq!(
        agenda(app, "CC-A").await,
        [
            p3.clone(),
            p1.clone(),
            p2.clone(),
            p4.clone(),
            p6.clone(),
            closed.clone()
        ]
    );
    // A closed priority whose rank is still free keeps it when reopened.
    let free = {
        let mut f = ranked("CC-A", AT_A, "libre", Some(9));
        f["properties"]["status"] = json!("done");
        create_priority_id(app, &f).await
    };
    let r = transition(app, &app.client, &free, &json!({"status": "proposed"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(get_priority(app, &free).await["properties"]["rank"], 9);
    assert_ranks_unique(app, "CC-A").await;
}

#[tokio::test]
async fn reordering_an_agenda_assigns_ranks_in_order_and_keeps_them_unique() {
    let gov = governed_app().await;
    let app = &gov.app;
    let spk = gov.client("spk_a");
    let mut open = Vec::new();
    for (i, rank) in [Some(2), None, Some(1), None, Some(5), None, None]
        .into_iter()
        .enumerate()
    {
        let id = create_priority_id(app, &ranked("CC-A", AT_A, &format!("a{i}"), rank)).await;
        open.push(id);
    }
    bring_to(app, &open[5], "in_progress").await;
    let closed = create_priority_id(app, &ranked("CC-A", AT_A, "cerrada", Some(3))).await;
    bring_to(app, &closed, "done").await;
    let b1 = create_priority_id(app, &ranked("CC-B", AT_B, "b1", Some(1))).await;

    let orders: Vec<Vec<usize>> = vec![
        vec![3, 1],
        vec![0, 1, 2, 3, 4, 5, 6],
        vec![6, 5, 4, 3, 2, 1, 0],
        vec![2],
        vec![],
        vec![4, 0, 6],
        vec![1, 3, 5, 0, 2, 4, 6],
        vec![5, 6],
    ];
    for order in orders {
        let listed: Vec<&String> = order.iter().map(|i| &open[*i]).collect();
        let r = put_agenda(app, &spk, "CC-A", &json!({"order": listed})).await;
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{order:?}: {body}");
        // Listed first, in order; then the others by creation.
        let expected: Vec<String> = listed
            .iter()
            .map(|id| (*id).clone())
            .chain(open.iter().filter(|id| !listed.contains(id)).cloned())
            .collect();
        assert_eq!(ids(features_of(&body)), expected, "{order:?}");
        assert_eq!(agenda(app, "CC-A").await, expected, "{order:?}");
        for (id, rank) in open_ranks(app, "CC-A").await {
            let want = listed.iter().position(|l| **l == id).map(|i| i as i64 + 1);
            assert_eq!(rank, want, "{order:?}: rank of {id}");
        }
        assert_ranks_unique(app, "CC-A").await;
        // Closed priorities and other councils are left alone.
        assert_eq!(get_priority(app, &closed).await["properties"]["rank"], 3);
        assert_eq!(get_priority(app, &b1).await["properties"]["rank"], 1);
    }
    let entry = history(app, &open[6]).await.pop().unwrap();
    assert_eq!(entry["actor"], gov.actor("spk_a"));
    assert_eq!(entry["action"], "edit");
    assert!(entry["changes"]["rank"].is_object(), "{entry}");
}

#[tokio::test]
async fn a_bad_agenda_changes_nothing() {
    let gov = governed_app().await;
    let app = &gov.app;
    let spk = gov.client("spk_a");
    let a1 = create_priority_id(app, &ranked("CC-A", AT_A, "a1", Some(1))).await;
    let a2 = create_priority_id(app, &ranked("CC-A", AT_A, "a2", None)).await;
    let rejected = create_priority_id(app, &ranked("CC-A", AT_A, "rechazada", None)).await;
    bring_to(app, &rejected, "rejected").await;
    let done = create_priority_id(app, &ranked("CC-A", AT_A, "hecha", None)).await;
    bring_to(app, &done, "done").await;
    let b1 = create_priority_id(app, &ranked("CC-B", AT_B, "b1", None)).await;
    let snapshot = || async move {
        let (_, a) = app
            .get_json(&format!("{ITEMS}?council=CC-A,CC-B&limit=10000"))
            .await;
        (without_time_stamp(a), agenda(app, "CC-A").await)
    };
    let before = snapshot().await;
    let eleven: Vec<String> = (0..11).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let cases = [
        (json!({"order": [a2, b1]}), "/order/1"),
        (json!({"order": [rejected]}), "/order/0"),
        (json!({"order": [a1, done]}), "/order/1"),
        (json!({"order": [a1, a2, a1]}), "/order/2"),
        (json!({"order": eleven}), "/order"),
        (
            json!({"order": [uuid::Uuid::new_v4().to_string()]}),
            "/order/0",
        ),
        (json!({"order": ["not-a-uuid"]}), "/order/0"),
        (json!({"order": a1}), "/order"),
        (json!({}), "/order"),
    ];
    for (body, pointer) in cases {
        let r = put_agenda(app, &spk, "CC-A", &body).await;
        assert_problem(r, StatusCode::UNPROCESSABLE_ENTITY, ("pointer", pointer)).await;
        assert_eq!(snapshot().await, before, "{body}");
    }
    let good = json!({"order": [a2, a1]});
    for name in ["spk_b", "cab_01", "cab_010101", "planner"] {
        let r = put_agenda(app, &gov.client(name), "CC-A", &good).await;
        assert_refused(r, StatusCode::FORBIDDEN).await;
        assert_eq!(snapshot().await, before, "{name}");
    }
    let r = put_agenda(app, &Client::new(), "CC-A", &good).await;
    assert_refused(r, StatusCode::UNAUTHORIZED).await;
    let r = put_agenda(app, &app.client, "CC-NONE", &good).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(snapshot().await, before);
}

/// Imports a FeatureCollection over HTTP; the import's report.
async fn import_report(app: &TestApp, file: &Value) -> Value {
    let r = app
        .post_raw(
            "/collections/priorities/import",
            "application/geo+json",
            file.to_string(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_bulk_import_cannot_give_two_open_priorities_of_a_council_the_same_rank() {
    let gov = governed_app().await;
    let app = &gov.app;
    create_priority_id(app, &ranked("CC-A", AT_A, "a1", Some(1))).await;
    // A rank held before the import is refused feature by feature.
    let file = collection(vec![ranked("CC-A", AT_A, "importada", Some(1))]);
    let report = import_report(app, &file).await;
    assert_eq!(report["created"], 0, "{report}");
    assert_eq!(
        report["errors"][0]["pointer"], "/properties/rank",
        "{report}"
    );
    // Two features of one file claiming the same free rank.
    let file = collection(vec![
        ranked("CC-A", AT_A, "primera", Some(7)),
        ranked("CC-A", AT_A, "segunda", Some(7)),
    ]);
    let report = import_report(app, &file).await;
    assert_ranks_unique(app, "CC-A").await;
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(report["errors"][0]["index"], 1, "{report}");
}

/// With one feature per transaction, an import checks each feature before
/// the one just before it is in the index (the pipeline writes one batch
/// while it checks the next): ranks freed, taken and claimed by the batch
/// just written still decide as if each batch were in the index already.
#[tokio::test]
async fn an_import_checks_each_batch_against_the_batch_written_just_before() {
    let dir = TempDir::new().unwrap();
    let mut args = ServeArgs::for_database(database_url(&dir));
    args.import.import_batch = std::num::NonZeroUsize::new(1).unwrap();
    let gov = govern(spawn_app_in(dir, args).await).await;
    let app = &gov.app;
    let moved = create_priority_id(app, &ranked("CC-A", AT_A, "movida", Some(1))).await;
    let with_id = |mut f: Value, id: &str| {
        f["id"] = json!(id);
        f
    };
    let ids: Vec<String> = (0..6).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let file = collection(vec![
        // 0: frees rank 1 and takes rank 2.
        with_id(ranked("CC-A", AT_A, "movida", Some(2)), &moved),
        // 1: rank 1, freed by the batch before.
        with_id(ranked("CC-A", AT_A, "uno", Some(1)), &ids[1]),
        // 2: rank 2, taken two batches before (now in the index).
        with_id(ranked("CC-A", AT_A, "dos", Some(2)), &ids[2]),
        // 3: rank 1, taken by the batch before.
        with_id(ranked("CC-A", AT_A, "otra", Some(1)), &ids[3]),
        // 4: rank 3, free; 5: rank 3, taken by the batch before.
        with_id(ranked("CC-A", AT_A, "tres", Some(3)), &ids[4]),
        with_id(ranked("CC-A", AT_A, "tres bis", Some(3)), &ids[5]),
    ]);
    let report = import_report(app, &file).await;
    assert_eq!(report["created"], 2, "{report}");
    assert_eq!(report["updated"], 1, "{report}");
    let refused: Vec<(i64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["index"].as_i64().unwrap(), e["pointer"].as_str().unwrap()))
        .collect();
    assert_eq!(
        refused,
        [
            (2, "/properties/rank"),
            (3, "/properties/rank"),
            (5, "/properties/rank")
        ],
        "{report}"
    );
    assert_ranks_unique(app, "CC-A").await;
    let ranks: BTreeMap<String, Option<i64>> = open_ranks(app, "CC-A").await.into_iter().collect();
    let expected = BTreeMap::from([
        (moved.clone(), Some(2)),
        (ids[1].clone(), Some(1)),
        (ids[4].clone(), Some(3)),
    ]);
    assert_eq!(ranks, expected);
}
