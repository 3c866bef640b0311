//! The cabinet review queue: the proposed priorities located in the
//! cabinet's territory, in agenda order.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::governance::{
    ANONYMOUS, AT_A, AT_B, AT_C, AT_E, all_priorities, assert_refused, bring_to, client_of,
    governed_app, ranked, send,
};
use crate::helpers::{assert_problem, create_priority_id, features_of, ids};

// ---------------------------------------------------------------- review queue

/// A priority of the review queue test: name, council, location,
/// created_at, rank and the status it is brought to.
type QueueRow = (
    &'static str,
    &'static str,
    [f64; 2],
    &'static str,
    Option<i64>,
    &'static str,
);

#[tokio::test]
async fn the_review_queue_holds_exactly_the_proposed_priorities_located_in_the_cabinets_territory()
{
    let gov = governed_app().await;
    let app = &gov.app;
    let rows: [QueueRow; 11] = [
        ("q1", "CC-A", AT_A, "2025-03-01T00:00:00Z", None, "proposed"),
        (
            "q2",
            "CC-A",
            AT_A,
            "2025-01-01T00:00:00Z",
            Some(2),
            "proposed",
        ),
        (
            "q3",
            "CC-C",
            AT_C,
            "2025-02-01T00:00:00Z",
            Some(1),
            "proposed",
        ),
        ("q4", "CC-B", AT_B, "2024-12-01T00:00:00Z", None, "proposed"),
        (
            "q5",
            "CC-E",
            AT_E,
            "2025-01-15T00:00:00Z",
            Some(1),
            "proposed",
        ),
        // CC-A's, but located in state 02: state 02's cabinet reviews it.
        (
            "q6",
            "CC-A",
            AT_E,
            "2024-11-01T00:00:00Z",
            Some(1),
            "proposed",
        ),
        ("q7", "CC-A", AT_A, "2024-10-01T00:00:00Z", None, "approved"),
        ("q8", "CC-B", AT_B, "2024-09-01T00:00:00Z", None, "rejected"),
        (
            "q9",
            "CC-C",
            AT_C,
            "2025-04-01T00:00:00Z",
            Some(3),
            "proposed",
        ),
        (
            "q10",
            "CC-A",
            AT_A,
            "2025-05-01T00:00:00Z",
            Some(3),
            "proposed",
        ),
        ("q11", "CC-E", AT_E, "2025-06-01T00:00:00Z", None, "done"),
    ];
    let mut by_name = BTreeMap::new();
    for (name, council, at, created_at, rank, status) in rows {
        let mut f = ranked(council, at, name, rank);
        f["properties"]["created_at"] = json!(created_at);
        let id = create_priority_id(app, &f).await;
        bring_to(app, &id, status).await;
        by_name.insert(id, name);
    }
    let names = |ids: Vec<String>| -> Vec<&str> { ids.iter().map(|id| by_name[id]).collect() };

    let all = all_priorities(app).await;
    for (who, scope) in [
        ("cab_01", Some("01")),
        ("cab_0101", Some("0101")),
        ("cab_010101", Some("010101")),
        ("cab_02", Some("02")),
        ("admin", None),
    ] {
        let mut expected: Vec<&Value> = all
            .iter()
            .filter(|f| f["properties"]["status"] == "proposed")
            .filter(|f| {
                scope.is_none_or(|s| f["properties"]["parish"].as_str().unwrap().starts_with(s))
            })
            .collect();
        let created = |f: &Value| f["properties"]["created_at"].as_str().unwrap().to_owned();
        expected.sort_by_key(|f| created(f));
        let oldest: Vec<String> = expected
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect();
        expected.sort_by_key(|f| {
            let rank = f["properties"]["rank"].as_i64();
            (rank.is_none(), rank, created(f))
        });
        let by_rank: Vec<String> = expected
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect();
        let client = gov.client(who);
        for (query, want) in [
            ("", &oldest),
            ("?order=oldest", &oldest),
            ("?order=rank", &by_rank),
        ] {
            let r = send(
                &client,
                Method::GET,
                app.url(&format!("/review-queue{query}")),
                None,
            )
            .await;
            assert_eq!(r.status(), StatusCode::OK, "{who} {query}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(
                names(ids(features_of(&body))),
                names(want.clone()),
                "{who} {query}"
            );
            assert_eq!(body["numberMatched"], want.len(), "{who} {query}");
        }
        // Paging walks the same order.
        let r = send(
            &client,
            Method::GET,
            app.url("/review-queue?order=rank&limit=2&offset=1"),
            None,
        )
        .await;
        let body: Value = r.json().await.unwrap();
        let page: Vec<String> = by_rank.iter().skip(1).take(2).cloned().collect();
        assert_eq!(ids(features_of(&body)), page, "{who} paged");
        assert_eq!(body["numberMatched"], by_rank.len());
    }
    // Worked by hand for state 01, as a check on the brute force above.
    let r = send(
        &gov.client("cab_01"),
        Method::GET,
        app.url("/review-queue?order=rank"),
        None,
    )
    .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        names(ids(features_of(&body))),
        ["q3", "q2", "q9", "q10", "q4", "q1"]
    );
    let r = send(
        &gov.client("cab_01"),
        Method::GET,
        app.url("/review-queue"),
        None,
    )
    .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        names(ids(features_of(&body))),
        ["q4", "q2", "q3", "q1", "q9", "q10"]
    );
    let r = send(
        &gov.client("cab_02"),
        Method::GET,
        app.url("/review-queue"),
        None,
    )
    .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(names(ids(features_of(&body))), ["q6", "q5"]);

    for name in ["spk_a", "spk_b", "planner"] {
        let r = send(
            &gov.client(name),
            Method::GET,
            app.url("/review-queue"),
            None,
        )
        .await;
        assert_refused(r, StatusCode::FORBIDDEN).await;
    }
    for name in ANONYMOUS {
        let r = send(
            &client_of(&gov, name),
            Method::GET,
            app.url("/review-queue"),
            None,
        )
        .await;
        assert_refused(r, StatusCode::UNAUTHORIZED).await;
    }
    let r = send(
        &gov.client("cab_01"),
        Method::GET,
        app.url("/review-queue?order=newest"),
        None,
    )
    .await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "order")).await;
}
