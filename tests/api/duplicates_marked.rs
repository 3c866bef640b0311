//! Marking a priority as the duplicate of another: the move and its
//! refusals, the link on both (the duplicate's Feature, both histories),
//! the `duplicate_of` and `has_duplicates` filters, and the duplicate's
//! families counted on its original in `/statistics` — each compared with
//! what the test computes from the priorities it made and the marks it
//! gave, before and after a restart (the index built from the store).

use std::collections::{BTreeMap, BTreeSet};

use prioridades::config::ServeArgs;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::governance::{AT_A, AT_B, AT_C, bring_to, feature, governed_app, history, transition};
use crate::helpers::{
    ITEMS, TestApp, assert_problem, create_priority_id, database_url, get_priority, ids_for,
    spawn_app_in,
};

/// A priority the test made: its id, parish and families.
struct Made {
    id: String,
    parish: &'static str,
    families: u64,
}

/// What `/statistics?group_by=parish` should say of families, computed
/// from `made` and the marks in force (duplicate index → original index):
/// a duplicate counts none; any other its own and its duplicates'.
fn families_by_parish(made: &[Made], marks: &BTreeMap<usize, usize>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (i, m) in made.iter().enumerate() {
        let counted = if marks.contains_key(&i) {
            0
        } else {
            m.families
                + marks
                    .iter()
                    .filter(|(_, o)| **o == i)
                    .map(|(d, _)| made[*d].families)
                    .sum::<u64>()
        };
        *out.entry(m.parish.to_owned()).or_default() += counted;
    }
    out
}

/// Families per parish as `/statistics?group_by=parish` gives them (rows
/// with a priority), and the total.
async fn families_served(app: &TestApp, query: &str) -> (BTreeMap<String, u64>, u64) {
    let (status, body) = app
        .get_json(&format!("/statistics?group_by=parish{query}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["priorities"].as_u64().unwrap() > 0)
        .map(|r| {
            let code = r["code"].as_str().unwrap().to_owned();
            (code, r["families"].as_u64().unwrap())
        })
        .collect();
    (rows, body["totals"]["families"].as_u64().unwrap())
}

/// The filters and statistics agree with the marks in force.
async fn check_marks(app: &TestApp, made: &[Made], marks: &BTreeMap<usize, usize>, when: &str) {
    let id = |i: usize| made[i].id.clone();
    let originals: BTreeSet<usize> = marks.values().copied().collect();
    for &o in &originals {
        let want: BTreeSet<String> = marks
            .iter()
            .filter(|(_, x)| **x == o)
            .map(|(d, _)| id(*d))
            .collect();
        assert_eq!(
            ids_for(app, &format!("duplicate_of={}", id(o))).await,
            want,
            "{when}"
        );
    }
    let pair: Vec<usize> = originals.iter().copied().take(2).collect();
    let want: BTreeSet<String> = marks
        .iter()
        .filter(|(_, o)| pair.contains(o))
        .map(|(d, _)| id(*d))
        .collect();
    let query = format!("duplicate_of={},{}", id(pair[0]), id(pair[1]));
    assert_eq!(ids_for(app, &query).await, want, "{when}: {query}");
    let with: BTreeSet<String> = originals.iter().map(|&o| id(o)).collect();
    let all: BTreeSet<String> = made.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids_for(app, "has_duplicates=true").await, with, "{when}");
    let without: BTreeSet<String> = all.difference(&with).cloned().collect();
    assert_eq!(
        ids_for(app, "has_duplicates=false").await,
        without,
        "{when}"
    );
    let in_parish: BTreeSet<String> = originals
        .iter()
        .filter(|&&o| made[o].parish == "010101")
        .map(|&o| id(o))
        .collect();
    assert_eq!(
        ids_for(app, "has_duplicates=true&parish=010101").await,
        in_parish,
        "{when}"
    );
    let want = families_by_parish(made, marks);
    let (rows, total) = families_served(app, "").await;
    assert_eq!(rows, want, "{when}: families by parish");
    assert_eq!(total, want.values().sum::<u64>(), "{when}: total families");
    let (rows, total) = families_served(app, "&status=duplicate").await;
    assert!(rows.values().all(|f| *f == 0), "{when}: {rows:?}");
    assert_eq!(total, 0, "{when}");
}

#[tokio::test]
async fn a_duplicate_is_linked_to_its_original_filtered_and_counted_on_it() {
    let gov = governed_app().await;
    let app = &gov.app;
    let cabinet = gov.client("cab_01");
    let places = [
        (("CC-A", AT_A), "010101"),
        (("CC-C", AT_C), "010102"),
        (("CC-B", AT_B), "010201"),
    ];
    let mut made = Vec::new();
    for i in 0..14 {
        let ((council, at), parish) = places[i % 3];
        let families = (i as u64 * 7 + 3) % 40;
        let mut f = feature(council, at, &format!("Fuga de agua {i}"));
        f["properties"]["families"] = json!(families);
        let id = create_priority_id(app, &f).await;
        made.push(Made {
            id,
            parish,
            families,
        });
    }
    bring_to(app, &made[4].id, "approved").await;
    bring_to(app, &made[5].id, "approved").await;
    // Duplicate index → original index; across parishes too (1 and 2 of 0).
    let mut marks: BTreeMap<usize, usize> = BTreeMap::new();
    for (d, o) in [(1, 0), (2, 0), (4, 3), (7, 5), (8, 5), (10, 9)] {
        let body =
            json!({"status": "duplicate", "duplicate_of": made[o].id, "note": "la misma fuga"});
        let r = transition(app, &cabinet, &made[d].id, &body).await;
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{d} → {o}: {body}");
        assert_eq!(body["properties"]["status"], "duplicate");
        assert_eq!(body["properties"]["duplicate_of"], made[o].id);
        marks.insert(d, o);
        let stored = get_priority(app, &made[d].id).await;
        assert_eq!(stored["properties"]["duplicate_of"], made[o].id);
        let entry = history(app, &made[d].id).await.pop().unwrap();
        assert_eq!(entry["action"], "transition", "{entry}");
        assert_eq!(entry["changes"]["status"]["to"], "duplicate", "{entry}");
        assert_eq!(
            entry["changes"]["duplicate_of"]["to"], made[o].id,
            "{entry}"
        );
        let entry = history(app, &made[o].id).await.pop().unwrap();
        assert_eq!(entry["action"], "note", "{entry}");
        assert_eq!(
            entry["changes"]["duplicates"],
            json!({"from": null, "to": made[d].id}),
            "{entry}"
        );
        assert_eq!(entry["note"], "la misma fuga");
        assert_eq!(entry["actor"], gov.actor("cab_01"));
    }
    check_marks(app, &made, &marks, "marked").await;

    // Refused moves name duplicate_of and change nothing.
    let x = &made[11].id;
    let before = get_priority(app, x).await;
    let unknown = "0192f0c1-7a3e-7cc1-9d2b-5f0c4e6a1b2c";
    let r = transition(
        app,
        &cabinet,
        &made[0].id,
        &json!({"status": "duplicate", "duplicate_of": made[3].id}),
    )
    .await;
    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/duplicate_of"),
    )
    .await;
    for (label, body) in [
        (
            "of a duplicate",
            json!({"status": "duplicate", "duplicate_of": made[1].id}),
        ),
        (
            "of itself",
            json!({"status": "duplicate", "duplicate_of": x}),
        ),
        (
            "of no priority",
            json!({"status": "duplicate", "duplicate_of": unknown}),
        ),
        ("without an original", json!({"status": "duplicate"})),
        (
            "an original on another move",
            json!({"status": "rejected", "duplicate_of": made[0].id}),
        ),
    ] {
        let r = transition(app, &cabinet, x, &body).await;
        let problem = assert_problem(
            r,
            StatusCode::UNPROCESSABLE_ENTITY,
            ("pointer", "/duplicate_of"),
        )
        .await;
        assert!(problem["detail"].is_string(), "{label}: {problem}");
        assert_eq!(get_priority(app, x).await, before, "{label}");
    }
    let r = transition(
        app,
        &cabinet,
        x,
        &json!({"status": "duplicate", "duplicate_of": "not-an-id"}),
    )
    .await;
    assert!(r.status().is_client_error(), "not an id: {}", r.status());
    assert_eq!(get_priority(app, x).await, before);
    // A priority is never created a duplicate.
    let mut f = feature("CC-A", AT_A, "Creada duplicada");
    f["properties"]["status"] = json!("duplicate");
    let r = app.post_json(ITEMS, &f).await;
    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/properties/status"),
    )
    .await;
    // Bad filter values name their parameter.
    for query in ["duplicate_of=abc", "duplicate_of=", "has_duplicates=yes"] {
        let name = query.split('=').next().unwrap();
        let r = app.get(&format!("{ITEMS}?{query}")).await;
        assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", name)).await;
    }

    // Reopening a duplicate unlinks it, on both.
    let r = transition(
        app,
        &cabinet,
        &made[2].id,
        &json!({"status": "proposed", "note": "no era la misma"}),
    )
    .await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["properties"].get("duplicate_of").is_none(), "{body}");
    marks.remove(&2);
    let entry = history(app, &made[0].id).await.pop().unwrap();
    assert_eq!(
        entry["changes"]["duplicates"],
        json!({"from": made[2].id, "to": null}),
        "{entry}"
    );
    check_marks(app, &made, &marks, "one reopened").await;

    // The index built from the store at start-up says the same.
    let dir = gov.app.stop().await;
    let url = database_url(&dir);
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    check_marks(&app, &made, &marks, "restarted").await;
}
