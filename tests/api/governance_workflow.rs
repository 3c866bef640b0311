//! The status workflow: the allowed transitions, the plan approval needs,
//! status kept out of PUT and PATCH, and overdue priorities.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::governance::{
    AT_A, FUTURE, MOVES, PAST, bring_to, feature, governed_app, history, original, path_to, plan,
    send, transition, transition_body,
};
use crate::helpers::{
    ITEMS, STATUSES, assert_problem, create_priority_id, features_of, get_priority, ids,
};

// ---------------------------------------------------------------- the workflow

#[tokio::test]
async fn every_transition_the_workflow_allows_succeeds_and_every_other_is_a_409_naming_the_allowed_ones()
 {
    let gov = governed_app().await;
    let app = &gov.app;
    let cabinet = gov.client("cab_01");
    let mut failures = Vec::new();
    for from in STATUSES {
        let expected_allowed: BTreeSet<&str> = MOVES
            .iter()
            .filter(|(f, _)| *f == from)
            .map(|(_, t)| *t)
            .collect();
        for to in STATUSES {
            let id =
                create_priority_id(app, &feature("CC-A", AT_A, &format!("De {from} a {to}"))).await;
            bring_to(app, &id, from).await;
            let before = get_priority(app, &id).await;
            let entries = history(app, &id).await.len();
            let mut body = transition_body(to);
            if to == "duplicate" {
                body["duplicate_of"] = original(app).await.into();
            }
            let r = transition(app, &cabinet, &id, &body).await;
            let status = r.status();
            if MOVES.contains(&(from, to)) {
                let body: Value = r.json().await.unwrap();
                if status != StatusCode::OK {
                    failures.push(format!("{from} → {to}: expected 200, got {status}: {body}"));
                    continue;
                }
                assert_eq!(body["properties"]["status"], to, "{from} → {to}");
                let stored = get_priority(app, &id).await;
                assert_eq!(stored["properties"]["status"], to);
                assert_eq!(
                    stored["properties"]["version"],
                    before["properties"]["version"].as_i64().unwrap() + 1
                );
                let entry = history(app, &id).await.pop().unwrap();
                assert_eq!(entry["action"], "transition");
                assert_eq!(entry["changes"]["status"], json!({"from": from, "to": to}));
                assert_eq!(entry["note"], format!("pasa a {to}"));
            } else {
                if status != StatusCode::CONFLICT {
                    failures.push(format!("{from} → {to}: expected 409, got {status}"));
                    continue;
                }
                let body = assert_problem(
                    r,
                    StatusCode::CONFLICT,
                    ("type", "urn:prioridades:problem:invalid-transition"),
                )
                .await;
                assert_eq!(body["from"], from, "{body}");
                assert_eq!(body["to"], to, "{body}");
                let allowed: BTreeSet<&str> = body["allowed"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap())
                    .collect();
                assert_eq!(allowed, expected_allowed, "{from} → {to}: {body}");
                assert_eq!(body["allowed"].as_array().unwrap().len(), allowed.len());
                assert_eq!(
                    get_priority(app, &id).await,
                    before,
                    "{from} → {to} changed it"
                );
                assert_eq!(history(app, &id).await.len(), entries);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn approving_needs_a_complete_plan() {
    let gov = governed_app().await;
    let app = &gov.app;
    let id = create_priority_id(app, &feature("CC-A", AT_A, "Escuela")).await;
    let before = get_priority(app, &id).await;
    let cases = [
        (json!({"status": "approved"}), "/plan"),
        (json!({"status": "approved", "plan": null}), "/plan"),
        (json!({"status": "approved", "plan": "soon"}), "/plan"),
        (
            json!({"status": "approved", "plan": {"objective": "x"}}),
            "/plan/responsible",
        ),
        (
            {
                let mut p = plan(FUTURE);
                p["responsible"]["kind"] = json!("king");
                json!({"status": "approved", "plan": p})
            },
            "/plan/responsible/kind",
        ),
        (
            {
                let mut p = plan(FUTURE);
                p["target_date"] = json!("2019-12-31");
                json!({"status": "approved", "plan": p})
            },
            "/plan/target_date",
        ),
        (
            {
                let mut p = plan(FUTURE);
                p["start_date"] = json!("01/01/2020");
                json!({"status": "approved", "plan": p})
            },
            "/plan/start_date",
        ),
        (
            json!({"status": "approved", "plan": plan(FUTURE), "colour": "red"}),
            "/colour",
        ),
        (json!({"status": "finished"}), "/status"),
        (json!({"note": "sin estado"}), "/status"),
    ];
    for (body, pointer) in cases {
        let r = transition(app, &app.client, &id, &body).await;
        assert_problem(r, StatusCode::UNPROCESSABLE_ENTITY, ("pointer", pointer)).await;
        assert_eq!(get_priority(app, &id).await, before, "{body}");
    }
    assert_eq!(history(app, &id).await.len(), 1);
    let r = transition(app, &app.client, &id, &transition_body("approved")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let stored = get_priority(app, &id).await;
    assert_eq!(stored["properties"]["plan"], plan(FUTURE));
}

#[tokio::test]
async fn a_put_or_patch_that_changes_the_status_is_a_409_and_changes_nothing() {
    let gov = governed_app().await;
    let app = &gov.app;
    let id = create_priority_id(app, &feature("CC-A", AT_A, "Vialidad")).await;
    let before = get_priority(app, &id).await;
    let item = app.url(&format!("{ITEMS}/{id}"));
    for status in ["approved", "rejected", "done"] {
        let patch = json!({"properties": {"status": status, "title": "Otra"}});
        let r = send(&app.client, Method::PATCH, item.clone(), Some(&patch)).await;
        let body = assert_problem(
            r,
            StatusCode::CONFLICT,
            ("type", "urn:prioridades:problem:invalid-transition"),
        )
        .await;
        assert_eq!(body["from"], "proposed");
        assert_eq!(body["to"], status);
        let mut put = before.clone();
        put.as_object_mut().unwrap().remove("links");
        put["properties"]["status"] = json!(status);
        let r = send(&app.client, Method::PUT, item.clone(), Some(&put)).await;
        assert_problem(
            r,
            StatusCode::CONFLICT,
            ("type", "urn:prioridades:problem:invalid-transition"),
        )
        .await;
    }
    // A PUT without a status means proposed: no change for a proposed one,
    // a change for an approved one.
    bring_to(app, &id, "approved").await;
    let before = get_priority(app, &id).await;
    let mut put = before.clone();
    put.as_object_mut().unwrap().remove("links");
    put["properties"].as_object_mut().unwrap().remove("status");
    let r = send(&app.client, Method::PUT, item.clone(), Some(&put)).await;
    assert_problem(
        r,
        StatusCode::CONFLICT,
        ("type", "urn:prioridades:problem:invalid-transition"),
    )
    .await;
    assert_eq!(get_priority(app, &id).await, before);
    assert_eq!(history(app, &id).await.len(), 2);
}

// ---------------------------------------------------------------- overdue

#[tokio::test]
async fn overdue_priorities_are_those_past_their_target_date_and_not_done() {
    let gov = governed_app().await;
    let app = &gov.app;
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Days::new(1))
        .format("%Y-%m-%d")
        .to_string();
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    // (target date, final status, overdue)
    let rows: Vec<(Option<&str>, &str, bool)> = vec![
        (Some(PAST), "approved", true),
        (Some(PAST), "in_progress", true),
        (Some(yesterday.as_str()), "approved", true),
        (Some(PAST), "done", false),
        (Some(PAST), "rejected", false),
        (Some(today.as_str()), "approved", false),
        (Some(FUTURE), "in_progress", false),
        (None, "proposed", false),
        (None, "rejected", false),
    ];
    let mut overdue = BTreeSet::new();
    let mut every = BTreeSet::new();
    for (i, (target, status, late)) in rows.iter().enumerate() {
        let id = create_priority_id(app, &feature("CC-A", AT_A, &format!("o{i}"))).await;
        for step in path_to(status) {
            let mut body = json!({"status": step});
            if *step == "approved" {
                body["plan"] = plan(target.unwrap());
            }
            let r = transition(app, &app.client, &id, &body).await;
            assert_eq!(r.status(), StatusCode::OK, "o{i} to {step}");
        }
        if *late {
            overdue.insert(id.clone());
        }
        every.insert(id);
    }
    let listed = |query: &'static str| async move {
        let (status, body) = app.get_json(&format!("{ITEMS}?limit=10000{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        ids(features_of(&body))
            .into_iter()
            .collect::<BTreeSet<String>>()
    };
    assert_eq!(listed("&overdue=true").await, overdue);
    let not_overdue: BTreeSet<String> = every.difference(&overdue).cloned().collect();
    assert_eq!(listed("&overdue=false").await, not_overdue);
    assert_eq!(listed("").await, every);
    // It combines with the other filters.
    assert_eq!(listed("&overdue=true&status=in_progress").await.len(), 1);
    for bad in ["maybe", "TRUE", "1", ""] {
        let r = app.get(&format!("{ITEMS}?overdue={bad}")).await;
        assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "overdue")).await;
    }
}

#[tokio::test]
async fn an_approved_priority_keeps_its_plan_and_a_reopened_one_is_not_overdue() {
    let gov = governed_app().await;
    let app = &gov.app;
    let id = create_priority_id(app, &feature("CC-A", AT_A, "con plan")).await;
    let r = transition(
        app,
        &app.client,
        &id,
        &json!({"status": "approved", "plan": plan(PAST)}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let listed = |query: &'static str| async move {
        let (_, body) = app.get_json(&format!("{ITEMS}?{query}&limit=10000")).await;
        body["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect::<BTreeSet<_>>()
    };
    assert!(listed("overdue=true").await.contains(&id));

    // Removing the plan of an approved priority is refused; nothing changes.
    let r = app
        .client
        .patch(app.url(&format!("{ITEMS}/{id}")))
        .header("content-type", "application/merge-patch+json")
        .body(json!({"properties": {"plan": null}}).to_string())
        .send()
        .await
        .unwrap();
    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/properties/plan"),
    )
    .await;
    let (_, after) = app.get_json(&format!("{ITEMS}/{id}")).await;
    assert_eq!(after["properties"]["plan"], plan(PAST));
    assert_eq!(after["properties"]["version"], 2);

    // Rejected, then reopened: proposed again, so not overdue though its old plan is past due.
    for status in ["rejected", "proposed"] {
        let r = transition(app, &app.client, &id, &json!({"status": status})).await;
        assert_eq!(r.status(), StatusCode::OK, "to {status}");
    }
    assert!(!listed("overdue=true").await.contains(&id));
    assert!(listed("overdue=false").await.contains(&id));
}
