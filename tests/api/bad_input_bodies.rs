//! Typed request bodies (transitions, notes, tokens, agendas, Features): a
//! member of the wrong type, an unknown member or an array where an object belongs is
//! a 422 naming that member by its JSON pointer, and changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::governance::{AT_A, FUTURE, feature, governed_app, plan, send, transition};
use crate::helpers::{
    ITEMS, assert_problem, council, create_priority_id, get_priority, priority, problem_type,
    spawn_app, territory,
};

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

#[tokio::test]
async fn feature_bodies_name_their_unknown_or_mistyped_member() {
    let app = spawn_app().await;
    app.seed_minimal_catalog().await;
    // `body` with its property `name` set to `value`.
    let with = |mut body: Value, name: &str, value: Value| {
        body["properties"][name] = value;
        body
    };
    let mut priority_unknown = priority();
    priority_unknown["properties"]["colour"] = json!("red");
    let mut council_unknown = council("CC-2", "Otro", "010101");
    council_unknown["properties"]["colour"] = json!("red");
    let cases = [
        (
            "/collections/priorities/items",
            priority_unknown,
            "/properties/colour",
        ),
        (
            "/collections/priorities/items",
            with(priority(), "rank", json!(2.5)),
            "/properties/rank",
        ),
        (
            "/collections/priorities/items",
            with(priority(), "title", json!(7)),
            "/properties/title",
        ),
        (
            "/collections/priorities/items",
            with(priority(), "plan", json!(["x"])),
            "/properties/plan",
        ),
        (
            "/collections/priorities/items",
            {
                let mut p = priority();
                p["properties"] = json!(["x"]);
                p
            },
            "/properties",
        ),
        (
            "/collections/councils/items",
            council_unknown,
            "/properties/colour",
        ),
        (
            "/collections/councils/items",
            with(council("CC-2", "Otro", "010101"), "name", json!(7)),
            "/properties/name",
        ),
        (
            "/collections/councils/items",
            with(council("CC-2", "Otro", "010101"), "name", json!(" ")),
            "/properties/name",
        ),
        (
            "/collections/councils/items",
            with(council("CC-2", "Otro", "010101"), "spokespeople", json!(-1)),
            "/properties/spokespeople",
        ),
        (
            "/collections/councils/items",
            with(council("CC-2", "Otro", "010101"), "commune", json!(7)),
            "/properties/commune",
        ),
        (
            "/collections/communes/items",
            with(territory("COM-1", "Comuna"), "code", json!(7)),
            "/properties/code",
        ),
        (
            "/collections/parishes/items",
            with(territory("010102", "Otra"), "colour", json!(1)),
            "/properties/colour",
        ),
    ];
    for (path, body, pointer) in cases {
        let r = app.post_json(path, &body).await;
        let problem =
            assert_problem(r, StatusCode::UNPROCESSABLE_ENTITY, ("pointer", pointer)).await;
        assert_eq!(
            problem["type"],
            problem_type("invalid-field"),
            "{path} {body}"
        );
    }
    // Not a Feature object: the wrong document, as before.
    for path in [
        "/collections/priorities/items",
        "/collections/councils/items",
    ] {
        let r = app.post_json(path, &json!([priority()])).await;
        let problem = assert_problem(r, StatusCode::BAD_REQUEST, ("pointer", "")).await;
        assert_eq!(problem["type"], problem_type("wrong-document"), "{path}");
    }
    assert_eq!(app.priority_count().await, 0);
}
