//! Typed request bodies (transitions, notes, tokens, agendas): a member of
//! the wrong type, an unknown member or an array where an object belongs is
//! a 422 naming that member by its JSON pointer, and changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::governance::{AT_A, FUTURE, feature, governed_app, plan, send, transition};
use crate::helpers::{ITEMS, assert_problem, create_priority_id, get_priority, problem_type};

/// A transition to approved whose plan `change` has edited.
fn approving(change: impl FnOnce(&mut Value)) -> Value {
    let mut p = plan(FUTURE);
    change(&mut p);
    json!({"status": "approved", "plan": p})
}

#[tokio::test]
async fn a_transition_names_its_unknown_or_mistyped_member() {
    let gov = governed_app().await;
    let app = &gov.app;
    let id = create_priority_id(app, &feature("CC-A", AT_A, "Escuela")).await;
    let before = get_priority(app, &id).await;
    let cases = [
        (json!({"status": "approved", "colour": 1}), "/colour"),
        (json!({"status": 7}), "/status"),
        (json!({"status": "rejected", "note": 7}), "/note"),
        (json!({"status": "rejected", "note": ["x"]}), "/note"),
        (json!({"status": "approved", "plan": ["x"]}), "/plan"),
        (approving(|p| p["colour"] = json!("red")), "/plan/colour"),
        (approving(|p| p["objective"] = json!(7)), "/plan/objective"),
        (
            approving(|p| p["responsible"] = json!(["mayoralty", "x"])),
            "/plan/responsible",
        ),
        (
            approving(|p| p["responsible"]["name"] = json!(" ")),
            "/plan/responsible/name",
        ),
        (
            approving(|p| p["start_date"] = json!(20200101)),
            "/plan/start_date",
        ),
    ];
    for (body, pointer) in cases {
        let r = transition(app, &app.client, &id, &body).await;
        assert_problem(r, StatusCode::UNPROCESSABLE_ENTITY, ("pointer", pointer)).await;
    }
    // Not an object at all: the wrong document.
    let r = transition(app, &app.client, &id, &json!(["approved"])).await;
    let problem = assert_problem(r, StatusCode::BAD_REQUEST, ("pointer", "")).await;
    assert_eq!(problem["type"], problem_type("wrong-document"));
    assert_eq!(get_priority(app, &id).await, before);
}

#[tokio::test]
async fn notes_tokens_and_agendas_name_their_unknown_or_mistyped_member() {
    let gov = governed_app().await;
    let app = &gov.app;
    let id = create_priority_id(app, &feature("CC-A", AT_A, "Escuela")).await;
    let notes = app.url(&format!("{ITEMS}/{id}/notes"));
    let agenda = app.url("/collections/councils/items/CC-A/agenda");
    let cases = [
        (
            Method::POST,
            notes.clone(),
            json!({"note": "x", "extra": 1}),
            "/extra",
        ),
        (Method::POST, notes.clone(), json!(["x"]), "/note"),
        (
            Method::POST,
            app.url("/tokens"),
            json!({"role": "planner", "colour": 1}),
            "/colour",
        ),
        (
            Method::POST,
            app.url("/tokens"),
            json!({"role": "planner", "label": 7}),
            "/label",
        ),
        (
            Method::POST,
            app.url("/tokens"),
            json!({"role": "cabinet", "scope": 1}),
            "/scope",
        ),
        (
            Method::POST,
            app.url("/tokens"),
            json!(["planner"]),
            "/role",
        ),
        (
            Method::PUT,
            agenda.clone(),
            json!({"order": [7]}),
            "/order/0",
        ),
        (
            Method::PUT,
            agenda.clone(),
            json!({"order": {"0": id}}),
            "/order",
        ),
        (Method::PUT, agenda.clone(), json!([[id]]), "/order"),
    ];
    let (_, tokens_before) = app.get_json("/tokens").await;
    for (method, url, body, pointer) in cases {
        let r = send(&app.client, method.clone(), url.clone(), Some(&body)).await;
        let problem =
            assert_problem(r, StatusCode::UNPROCESSABLE_ENTITY, ("pointer", pointer)).await;
        assert_eq!(
            problem["type"],
            problem_type("invalid-field"),
            "{method} {url}"
        );
    }
    let (_, tokens_after) = app.get_json("/tokens").await;
    assert_eq!(tokens_after, tokens_before);
    let entries = crate::governance::history(app, &id).await;
    assert_eq!(entries.len(), 1, "no note was recorded");
}
