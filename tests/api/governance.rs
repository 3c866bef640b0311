//! The governance fixture, shared by the `governance_*` modules: bearer
//! tokens with roles and territorial scopes (`governance_roles`,
//! `governance_scopes`, `governance_tokens`), the status workflow with its
//! plans (`governance_workflow`), notes and the append-only history
//! (`governance_history`), council agendas (`governance_agendas`) and the
//! cabinet review queue (`governance_review`). One fixture, so that every
//! theme runs against the same territories, councils and callers.
//!
//! The fixture's boundaries are squares in lon/lat, imported as admin, so a
//! priority's territory follows from where it lies:
//!
//! ```text
//! state 01: [-67, -66] x [10, 11]
//!   municipality 0101: [-67, -66.5]
//!     parish 010101: [-67, -66.75]   council CC-A, point AT_A
//!     parish 010102: [-66.75, -66.5] council CC-C, point AT_C
//!   municipality 0102 = parish 010201: [-66.5, -66]  council CC-B, point AT_B
//! state 02 = municipality 0201 = parish 020101: [-66, -65]  council CC-E, point AT_E
//! ```
//!
//! Tokens: admin, planner, spokespeople of CC-A and CC-B, and cabinets of
//! state 01, municipality 0101, parish 010101 and state 02.

use std::collections::BTreeMap;

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{
    ITEMS, Square, TestApp, assert_problem, boundary, client_with, collection, council, header,
    import_boundaries_ok, point, polygon, ring, spawn_app,
};

pub(crate) const STATE_01: Square = [-67.0, 10.0, -66.0, 11.0];
pub(crate) const MUNICIPALITY_0101: Square = [-67.0, 10.0, -66.5, 11.0];
pub(crate) const MUNICIPALITY_0102: Square = [-66.5, 10.0, -66.0, 11.0];
pub(crate) const PARISH_010101: Square = [-67.0, 10.0, -66.75, 11.0];
pub(crate) const PARISH_010102: Square = [-66.75, 10.0, -66.5, 11.0];
pub(crate) const STATE_02: Square = [-66.0, 10.0, -65.0, 11.0];

/// In parish 010101.
pub(crate) const AT_A: [f64; 2] = [-66.9, 10.5];
/// In parish 010102 (same municipality as A).
pub(crate) const AT_C: [f64; 2] = [-66.6, 10.5];
/// In parish 010201 (same state as A, another municipality).
pub(crate) const AT_B: [f64; 2] = [-66.2, 10.5];
/// In parish 020101 (state 02).
pub(crate) const AT_E: [f64; 2] = [-65.5, 10.5];

pub(crate) const COUNCILS: [(&str, &str); 4] = [
    ("CC-A", "010101"),
    ("CC-C", "010102"),
    ("CC-B", "010201"),
    ("CC-E", "020101"),
];

/// Every move the workflow allows.
pub(crate) const MOVES: [(&str, &str); 10] = [
    ("proposed", "approved"),
    ("proposed", "rejected"),
    ("proposed", "duplicate"),
    ("approved", "in_progress"),
    ("approved", "rejected"),
    ("approved", "duplicate"),
    ("in_progress", "done"),
    ("rejected", "proposed"),
    ("done", "proposed"),
    ("duplicate", "proposed"),
];

/// A target date long past.
pub(crate) const PAST: &str = "2020-06-30";
/// A target date far ahead.
pub(crate) const FUTURE: &str = "2099-12-31";

/// The named tokens of the fixture besides the admin's: name, role, scope.
pub(crate) const ROLES: [(&str, &str, Option<&str>); 7] = [
    ("planner", "planner", None),
    ("spk_a", "spokesperson", Some("CC-A")),
    ("spk_b", "spokesperson", Some("CC-B")),
    ("cab_01", "cabinet", Some("01")),
    ("cab_0101", "cabinet", Some("0101")),
    ("cab_010101", "cabinet", Some("010101")),
    ("cab_02", "cabinet", Some("02")),
];

/// Callers with a valid token.
pub(crate) const AUTHENTICATED: [&str; 8] = [
    "admin",
    "planner",
    "spk_a",
    "spk_b",
    "cab_01",
    "cab_0101",
    "cab_010101",
    "cab_02",
];

/// Callers without a valid credential.
pub(crate) const ANONYMOUS: [&str; 3] = ["no token", "unknown token", "malformed header"];

// ---------------------------------------------------------------- fixture

/// A boundary Feature: the square `s`.
fn square(code: &str, name: &str, s: Square) -> Value {
    boundary(code, name, polygon(vec![ring(s)]))
}

/// The states' boundary file.
pub(crate) fn state_squares() -> Value {
    collection(vec![
        square("01", "Distrito Capital", STATE_01),
        square("02", "Miranda", STATE_02),
    ])
}

/// The municipalities' boundary file.
fn municipality_squares() -> Value {
    collection(vec![
        square("0101", "Libertador", MUNICIPALITY_0101),
        square("0102", "Chacao", MUNICIPALITY_0102),
        square("0201", "Sucre", STATE_02),
    ])
}

/// The parishes' boundary file.
fn parish_squares() -> Value {
    collection(vec![
        square("010101", "Catedral", PARISH_010101),
        square("010102", "San Juan", PARISH_010102),
        square("010201", "Chacao", MUNICIPALITY_0102),
        square("020101", "Petare", STATE_02),
    ])
}

/// A token: its public id and its secret.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) id: String,
    pub(crate) secret: String,
}

/// Creates a token through the API as admin.
pub(crate) async fn mint(app: &TestApp, role: &str, scope: Option<&str>) -> Token {
    let r = app
        .post_json("/tokens", &json!({"role": role, "scope": scope}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "creating a {role} token");
    let body: Value = r.json().await.unwrap();
    Token {
        id: body["id"].as_str().unwrap().to_owned(),
        secret: body["token"].as_str().unwrap().to_owned(),
    }
}

/// The app, its catalog and a token per role.
pub(crate) struct Gov {
    pub(crate) app: TestApp,
    pub(crate) admin: Token,
    pub(crate) tokens: BTreeMap<&'static str, Token>,
}

impl Gov {
    pub(crate) fn token(&self, name: &str) -> &Token {
        if name == "admin" {
            &self.admin
        } else {
            &self.tokens[name]
        }
    }

    pub(crate) fn client(&self, name: &str) -> Client {
        client_of(self, name)
    }

    /// How history names the holder of token `name`.
    pub(crate) fn actor(&self, name: &str) -> String {
        let id = &self.token(name).id;
        match ROLES.iter().find(|(n, _, _)| *n == name) {
            Some((_, role, Some(scope))) => format!("{role}:{scope}:{id}"),
            Some((_, role, None)) => format!("{role}:{id}"),
            None => format!("admin:{id}"),
        }
    }
}

/// A client for any caller of the matrix, valid or not.
pub(crate) fn client_of(gov: &Gov, name: &str) -> Client {
    match name {
        "no token" => Client::new(),
        "unknown token" => client_with(&format!("prio_00000000_{}", "0".repeat(64))),
        "malformed header" => {
            // A valid secret under the wrong scheme is no credential.
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(
                reqwest::header::AUTHORIZATION,
                format!("Token {}", gov.admin.secret).parse().unwrap(),
            );
            Client::builder().default_headers(headers).build().unwrap()
        }
        other => client_with(&gov.token(other).secret),
    }
}

/// Loads the catalog (as admin) and mints the tokens of [`ROLES`].
pub(crate) async fn govern(app: TestApp) -> Gov {
    import_boundaries_ok(&app, "states", "", &state_squares()).await;
    import_boundaries_ok(&app, "municipalities", "", &municipality_squares()).await;
    import_boundaries_ok(&app, "parishes", "", &parish_squares()).await;
    for (code, parish) in COUNCILS {
        let r = app
            .post_json(
                "/collections/councils/items",
                &council(code, &format!("Consejo {code}"), parish),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "council {code}");
    }
    let (status, list) = app.get_json("/tokens").await;
    assert_eq!(status, StatusCode::OK);
    let admin_id = list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "tests")
        .expect("the harness's admin token")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = Token {
        id: admin_id,
        secret: app.admin_token.clone(),
    };
    let mut tokens = BTreeMap::new();
    for (name, role, scope) in ROLES {
        tokens.insert(name, mint(&app, role, scope).await);
    }
    Gov { app, admin, tokens }
}

pub(crate) async fn governed_app() -> Gov {
    govern(spawn_app().await).await
}

// ---------------------------------------------------------------- requests

/// A priority Feature of `council` at `at`.
pub(crate) fn feature(council: &str, at: [f64; 2], title: &str) -> Value {
    json!({"type": "Feature", "geometry": point(at),
           "properties": {"council": council, "title": title, "category": "water"}})
}

/// A Feature with a rank.
pub(crate) fn ranked(council: &str, at: [f64; 2], title: &str, rank: Option<i64>) -> Value {
    let mut f = feature(council, at, title);
    f["properties"]["rank"] = json!(rank);
    f
}

/// A complete plan with `target_date`.
pub(crate) fn plan(target_date: &str) -> Value {
    json!({"objective": "Agua potable para el sector", "goal": "300 m de tubería",
           "responsible": {"kind": "mayoralty", "name": "Alcaldía de Libertador"},
           "resources": "Tubería PEAD de 4 pulgadas", "start_date": "2020-01-01",
           "target_date": target_date})
}

/// Sends a request with an optional JSON body.
pub(crate) async fn send(
    client: &Client,
    method: Method,
    url: String,
    body: Option<&Value>,
) -> Response {
    let mut request = client.request(method, url);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    request.send().await.unwrap()
}

/// The history entries of `id`, which must have one.
pub(crate) async fn history(app: &TestApp, id: &str) -> Vec<Value> {
    let (status, body) = app.get_json(&format!("{ITEMS}/{id}/history")).await;
    assert_eq!(status, StatusCode::OK, "history of {id}: {body}");
    body["entries"].as_array().unwrap().clone()
}

/// The body of a transition to `to`, with a plan when approving.
pub(crate) fn transition_body(to: &str) -> Value {
    let mut body = json!({"status": to, "note": format!("pasa a {to}")});
    if to == "approved" {
        body["plan"] = plan(FUTURE);
    }
    body
}

pub(crate) async fn transition(app: &TestApp, client: &Client, id: &str, body: &Value) -> Response {
    send(
        client,
        Method::POST,
        app.url(&format!("{ITEMS}/{id}/transitions")),
        Some(body),
    )
    .await
}

/// The statuses a fresh (proposed) priority goes through to reach `status`.
pub(crate) fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "proposed" => &[],
        "approved" => &["approved"],
        "in_progress" => &["approved", "in_progress"],
        "done" => &["approved", "in_progress", "done"],
        "rejected" => &["rejected"],
        "duplicate" => &["duplicate"],
        other => panic!("unknown status {other}"),
    }
}

/// Moves a proposed priority to `status` through allowed transitions (as
/// admin); to `duplicate`, of a priority made for it.
pub(crate) async fn bring_to(app: &TestApp, id: &str, status: &str) {
    for step in path_to(status) {
        let mut body = transition_body(step);
        if *step == "duplicate" {
            body["duplicate_of"] = original(app).await.into();
        }
        let r = transition(app, &app.client, id, &body).await;
        let code = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(code, StatusCode::OK, "moving {id} to {step}: {body}");
        assert_eq!(body["properties"]["status"], *step);
    }
}

/// A new priority of CC-A to mark others duplicates of; its id.
pub(crate) async fn original(app: &TestApp) -> String {
    crate::helpers::create_priority_id(app, &feature("CC-A", AT_A, "La original")).await
}

/// A list body without its time stamp, for comparisons.
pub(crate) fn without_time_stamp(mut body: Value) -> Value {
    if let Some(o) = body.as_object_mut() {
        o.remove("timeStamp");
    }
    body
}

/// Every priority, as admin.
pub(crate) async fn all_priorities(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.get_json(&format!("{ITEMS}?limit=10000")).await;
    assert_eq!(status, StatusCode::OK);
    body["features"].as_array().unwrap().clone()
}

/// Checks a refusal: `status`, problem+json, and for 401 the challenge.
pub(crate) async fn assert_refused(r: Response, status: StatusCode) -> Value {
    assert_eq!(r.status(), status, "refused with {status}");
    let challenge = header(&r, "www-authenticate");
    let kind = match status {
        StatusCode::UNAUTHORIZED => "urn:prioridades:problem:unauthorized",
        StatusCode::FORBIDDEN => "urn:prioridades:problem:forbidden",
        other => panic!("not a refusal: {other}"),
    };
    if status == StatusCode::UNAUTHORIZED {
        assert_eq!(challenge.as_deref(), Some("Bearer"), "401 challenges");
    }
    assert_problem(r, status, ("type", kind)).await
}

pub(crate) fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
