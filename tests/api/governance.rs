//! Governance: bearer tokens with roles and territorial scopes, the status
//! workflow with its plans, the append-only history, notes, council agendas
//! and the cabinet review queue.
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

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prioridades::config::ServeArgs;
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

use crate::helpers::{
    STATUSES, TestApp, assert_problem, client_with, council, database_url, header, spawn_app,
    spawn_app_in, territory,
};

const ITEMS: &str = "/collections/priorities/items";

/// `[min lon, min lat, max lon, max lat]`.
type Square = [f64; 4];

const STATE_01: Square = [-67.0, 10.0, -66.0, 11.0];
const MUNICIPALITY_0101: Square = [-67.0, 10.0, -66.5, 11.0];
const MUNICIPALITY_0102: Square = [-66.5, 10.0, -66.0, 11.0];
const PARISH_010101: Square = [-67.0, 10.0, -66.75, 11.0];
const PARISH_010102: Square = [-66.75, 10.0, -66.5, 11.0];
const STATE_02: Square = [-66.0, 10.0, -65.0, 11.0];

/// In parish 010101.
const AT_A: [f64; 2] = [-66.9, 10.5];
/// In parish 010102 (same municipality as A).
const AT_C: [f64; 2] = [-66.6, 10.5];
/// In parish 010201 (same state as A, another municipality).
const AT_B: [f64; 2] = [-66.2, 10.5];
/// In parish 020101 (state 02).
const AT_E: [f64; 2] = [-65.5, 10.5];

const COUNCILS: [(&str, &str); 4] = [
    ("CC-A", "010101"),
    ("CC-C", "010102"),
    ("CC-B", "010201"),
    ("CC-E", "020101"),
];

/// Every move the workflow allows.
const MOVES: [(&str, &str); 7] = [
    ("proposed", "approved"),
    ("proposed", "rejected"),
    ("approved", "in_progress"),
    ("approved", "rejected"),
    ("in_progress", "done"),
    ("rejected", "proposed"),
    ("done", "proposed"),
];

/// A target date long past.
const PAST: &str = "2020-06-30";
/// A target date far ahead.
const FUTURE: &str = "2099-12-31";

/// The named tokens of the fixture besides the admin's: name, role, scope.
const ROLES: [(&str, &str, Option<&str>); 7] = [
    ("planner", "planner", None),
    ("spk_a", "spokesperson", Some("CC-A")),
    ("spk_b", "spokesperson", Some("CC-B")),
    ("cab_01", "cabinet", Some("01")),
    ("cab_0101", "cabinet", Some("0101")),
    ("cab_010101", "cabinet", Some("010101")),
    ("cab_02", "cabinet", Some("02")),
];

/// Callers with a valid token.
const AUTHENTICATED: [&str; 8] = [
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
const ANONYMOUS: [&str; 3] = ["no token", "unknown token", "malformed header"];

// ---------------------------------------------------------------- fixture

fn square(code: &str, name: &str, [x0, y0, x1, y1]: Square) -> Value {
    json!({"type": "Feature",
           "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]},
           "properties": {"code": code, "name": name}})
}

fn collection(features: Vec<Value>) -> Value {
    json!({"type": "FeatureCollection", "features": features})
}

fn states_file() -> Value {
    collection(vec![
        square("01", "Distrito Capital", STATE_01),
        square("02", "Miranda", STATE_02),
    ])
}

fn municipalities_file() -> Value {
    collection(vec![
        square("0101", "Libertador", MUNICIPALITY_0101),
        square("0102", "Chacao", MUNICIPALITY_0102),
        square("0201", "Sucre", STATE_02),
    ])
}

fn parishes_file() -> Value {
    collection(vec![
        square("010101", "Catedral", PARISH_010101),
        square("010102", "San Juan", PARISH_010102),
        square("010201", "Chacao", MUNICIPALITY_0102),
        square("020101", "Petare", STATE_02),
    ])
}

/// A token: its public id and its secret.
#[derive(Debug, Clone)]
struct Token {
    id: String,
    secret: String,
}

/// Creates a token through the API as admin.
async fn mint(app: &TestApp, role: &str, scope: Option<&str>) -> Token {
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
struct Gov {
    app: TestApp,
    admin: Token,
    tokens: BTreeMap<&'static str, Token>,
}

impl Gov {
    fn token(&self, name: &str) -> &Token {
        if name == "admin" {
            &self.admin
        } else {
            &self.tokens[name]
        }
    }

    fn client(&self, name: &str) -> Client {
        client_of(self, name)
    }

    /// How history names the holder of token `name`.
    fn actor(&self, name: &str) -> String {
        let id = &self.token(name).id;
        match ROLES.iter().find(|(n, _, _)| *n == name) {
            Some((_, role, Some(scope))) => format!("{role}:{scope}:{id}"),
            Some((_, role, None)) => format!("{role}:{id}"),
            None => format!("admin:{id}"),
        }
    }
}

/// A client for any caller of the matrix, valid or not.
fn client_of(gov: &Gov, name: &str) -> Client {
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

async fn import_boundaries(app: &TestApp, collection: &str, file: &Value) {
    let r = app
        .post_raw(
            &format!("/collections/{collection}/import"),
            "application/geo+json",
            file.to_string(),
        )
        .await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "importing {collection}: {body}");
}

/// Loads the catalog (as admin) and mints the tokens of [`ROLES`].
async fn govern(app: TestApp) -> Gov {
    import_boundaries(&app, "states", &states_file()).await;
    import_boundaries(&app, "municipalities", &municipalities_file()).await;
    import_boundaries(&app, "parishes", &parishes_file()).await;
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

async fn governed_app() -> Gov {
    govern(spawn_app().await).await
}

// ---------------------------------------------------------------- requests

fn point([lon, lat]: [f64; 2]) -> Value {
    json!({"type": "Point", "coordinates": [lon, lat]})
}

/// A priority Feature of `council` at `at`.
fn feature(council: &str, at: [f64; 2], title: &str) -> Value {
    json!({"type": "Feature", "geometry": point(at),
           "properties": {"council": council, "title": title, "category": "water"}})
}

/// A complete plan with `target_date`.
fn plan(target_date: &str) -> Value {
    json!({"objective": "Agua potable para el sector", "goal": "300 m de tubería",
           "responsible": {"kind": "mayoralty", "name": "Alcaldía de Libertador"},
           "resources": "Tubería PEAD de 4 pulgadas", "start_date": "2020-01-01",
           "target_date": target_date})
}

/// Sends a request with an optional JSON body.
async fn send(client: &Client, method: Method, url: String, body: Option<&Value>) -> Response {
    let mut request = client.request(method, url);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    request.send().await.unwrap()
}

/// Creates a priority as admin; returns its id.
async fn create(app: &TestApp, feature: &Value) -> String {
    let r = app.post_json(ITEMS, feature).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "creating {feature}: {body}");
    body["id"].as_str().unwrap().to_owned()
}

/// A priority as the API shows it (status and body).
async fn get_priority(app: &TestApp, id: &str) -> (StatusCode, Value) {
    app.get_json(&format!("{ITEMS}/{id}")).await
}

/// The stored priority `id`, which must exist.
async fn current(app: &TestApp, id: &str) -> Value {
    let (status, body) = get_priority(app, id).await;
    assert_eq!(status, StatusCode::OK, "priority {id}: {body}");
    body
}

/// The history entries of `id`, which must have one.
async fn history(app: &TestApp, id: &str) -> Vec<Value> {
    let (status, body) = app.get_json(&format!("{ITEMS}/{id}/history")).await;
    assert_eq!(status, StatusCode::OK, "history of {id}: {body}");
    body["entries"].as_array().unwrap().clone()
}

/// The body of a transition to `to`, with a plan when approving.
fn transition_body(to: &str) -> Value {
    let mut body = json!({"status": to, "note": format!("pasa a {to}")});
    if to == "approved" {
        body["plan"] = plan(FUTURE);
    }
    body
}

async fn transition(app: &TestApp, client: &Client, id: &str, body: &Value) -> Response {
    send(
        client,
        Method::POST,
        app.url(&format!("{ITEMS}/{id}/transitions")),
        Some(body),
    )
    .await
}

/// The statuses a fresh (proposed) priority goes through to reach `status`.
fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "proposed" => &[],
        "approved" => &["approved"],
        "in_progress" => &["approved", "in_progress"],
        "done" => &["approved", "in_progress", "done"],
        "rejected" => &["rejected"],
        other => panic!("unknown status {other}"),
    }
}

/// Moves a proposed priority to `status` through allowed transitions (as admin).
async fn bring_to(app: &TestApp, id: &str, status: &str) {
    for step in path_to(status) {
        let r = transition(app, &app.client, id, &transition_body(step)).await;
        let code = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(code, StatusCode::OK, "moving {id} to {step}: {body}");
        assert_eq!(body["properties"]["status"], *step);
    }
}

/// A list body without its time stamp, for comparisons.
fn without_time_stamp(mut body: Value) -> Value {
    if let Some(o) = body.as_object_mut() {
        o.remove("timeStamp");
    }
    body
}

/// Ids of a FeatureCollection, in order.
fn ids(body: &Value) -> Vec<String> {
    body["features"]
        .as_array()
        .unwrap_or_else(|| panic!("a FeatureCollection: {body}"))
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every priority, as admin.
async fn all_priorities(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.get_json(&format!("{ITEMS}?limit=10000")).await;
    assert_eq!(status, StatusCode::OK);
    body["features"].as_array().unwrap().clone()
}

/// Checks a refusal: `status`, problem+json, and for 401 the challenge.
async fn assert_refused(r: Response, status: StatusCode) -> Value {
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

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ---------------------------------------------------------------- the permission matrix

/// A priority a matrix case acts on, created fresh for each case.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// CC-A's, at AT_A (parish 010101), proposed.
    A,
    /// CC-B's, at AT_B (parish 010201), proposed.
    B,
    /// CC-E's, at AT_E (parish 020101), proposed.
    E,
    /// CC-A's, at AT_A, approved with a plan.
    ApprovedA,
}

impl Target {
    fn council(self) -> &'static str {
        match self {
            Target::A | Target::ApprovedA => "CC-A",
            Target::B => "CC-B",
            Target::E => "CC-E",
        }
    }

    fn at(self) -> [f64; 2] {
        match self {
            Target::A | Target::ApprovedA => AT_A,
            Target::B => AT_B,
            Target::E => AT_E,
        }
    }

    /// The status a transition case moves it to.
    fn next(self) -> &'static str {
        match self {
            Target::A | Target::E => "rejected",
            Target::B => "approved",
            Target::ApprovedA => "in_progress",
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Act {
    /// POST a priority of `council` at `at`; `approved` with a plan.
    Create {
        council: &'static str,
        at: [f64; 2],
        approved: bool,
    },
    /// PUT the priority back with another title.
    Put(Target),
    /// PATCH its title.
    Patch(Target),
    /// PATCH its geometry to a point.
    Move(Target, [f64; 2]),
    Delete(Target),
    /// POST a transition to [`Target::next`].
    Transition(Target),
    Note(Target),
    /// PUT its council's agenda with it first.
    Agenda(Target),
    CreateTerritory,
    CreateCouncil,
    /// PATCH council CC-C's name.
    PatchCouncil,
    CreateCommune,
    ImportBoundaries,
    ImportPriorities,
    CreateToken,
    ListTokens,
    RevokeToken,
}

impl Act {
    fn target(self) -> Option<Target> {
        match self {
            Act::Put(t)
            | Act::Patch(t)
            | Act::Move(t, _)
            | Act::Delete(t)
            | Act::Transition(t)
            | Act::Note(t)
            | Act::Agenda(t) => Some(t),
            _ => None,
        }
    }

    fn success(self) -> StatusCode {
        match self {
            Act::Create { .. }
            | Act::CreateTerritory
            | Act::CreateCouncil
            | Act::CreateCommune
            | Act::CreateToken => StatusCode::CREATED,
            Act::Delete(_) | Act::Note(_) | Act::RevokeToken => StatusCode::NO_CONTENT,
            _ => StatusCode::OK,
        }
    }
}

/// What a case was set up with.
struct Case {
    /// The target priority.
    id: Option<String>,
    /// The token a revocation case revokes.
    token: Option<Token>,
    /// Unique per case, for new codes.
    n: usize,
}

async fn set_up(gov: &Gov, act: Act, n: usize) -> Case {
    let app = &gov.app;
    let id = match act.target() {
        Some(t) => {
            let id = create(app, &feature(t.council(), t.at(), "Objetivo del caso")).await;
            if let Target::ApprovedA = t {
                bring_to(app, &id, "approved").await;
            }
            Some(id)
        }
        None => None,
    };
    let token = match act {
        Act::RevokeToken => Some(mint(app, "planner", None).await),
        _ => None,
    };
    Case { id, token, n }
}

/// Everything a refused write could have changed, read as admin.
async fn world(gov: &Gov, case: &Case) -> Value {
    let app = &gov.app;
    let mut out = serde_json::Map::new();
    for path in [
        format!("{ITEMS}?limit=10000"),
        "/collections/states/items?limit=10000".to_string(),
        "/collections/municipalities/items?limit=10000".to_string(),
        "/collections/parishes/items?limit=10000".to_string(),
        "/collections/councils/items?limit=10000".to_string(),
        "/collections/communes/items?limit=10000".to_string(),
        "/collections/councils/items/CC-A/agenda".to_string(),
        "/collections/councils/items/CC-B/agenda".to_string(),
        "/collections/councils/items/CC-E/agenda".to_string(),
        "/tokens".to_string(),
    ] {
        let (status, body) = app.get_json(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        out.insert(path, without_time_stamp(body));
    }
    if let Some(id) = &case.id {
        let (status, body) = app.get_json(&format!("{ITEMS}/{id}/history")).await;
        out.insert("history".into(), json!([status.as_u16(), body]));
    }
    Value::Object(out)
}

async fn perform(gov: &Gov, client: &Client, act: Act, case: &Case) -> Response {
    let app = &gov.app;
    let id = case.id.clone().unwrap_or_default();
    let item = app.url(&format!("{ITEMS}/{id}"));
    match act {
        Act::Create {
            council,
            at,
            approved,
        } => {
            let mut f = feature(council, at, "Nueva prioridad");
            if approved {
                f["properties"]["status"] = json!("approved");
                f["properties"]["plan"] = plan(FUTURE);
            }
            send(client, Method::POST, app.url(ITEMS), Some(&f)).await
        }
        Act::Put(_) => {
            let mut f = current(app, &id).await;
            f.as_object_mut().unwrap().remove("links");
            f["properties"]["title"] = json!("Reemplazada");
            send(client, Method::PUT, item, Some(&f)).await
        }
        Act::Patch(_) => {
            let patch = json!({"properties": {"title": "Corregida"}});
            send(client, Method::PATCH, item, Some(&patch)).await
        }
        Act::Move(_, at) => {
            let patch = json!({"geometry": point(at)});
            send(client, Method::PATCH, item, Some(&patch)).await
        }
        Act::Delete(_) => send(client, Method::DELETE, item, None).await,
        Act::Transition(t) => transition(app, client, &id, &transition_body(t.next())).await,
        Act::Note(_) => {
            let note = json!({"note": "Revisado en sitio"});
            send(client, Method::POST, format!("{item}/notes"), Some(&note)).await
        }
        Act::Agenda(t) => {
            let order = json!({"order": [id]});
            let url = app.url(&format!(
                "/collections/councils/items/{}/agenda",
                t.council()
            ));
            send(client, Method::PUT, url, Some(&order)).await
        }
        Act::CreateTerritory => {
            let code = format!("{}", 10 + case.n % 90);
            let url = app.url("/collections/states/items");
            send(
                client,
                Method::POST,
                url,
                Some(&territory(&code, "Estado nuevo")),
            )
            .await
        }
        Act::CreateCouncil => {
            let body = council(&format!("CC-N{}", case.n), "Consejo nuevo", "010101");
            let url = app.url("/collections/councils/items");
            send(client, Method::POST, url, Some(&body)).await
        }
        Act::PatchCouncil => {
            let patch = json!({"properties": {"name": format!("Consejo renombrado {}", case.n)}});
            let url = app.url("/collections/councils/items/CC-C");
            send(client, Method::PATCH, url, Some(&patch)).await
        }
        Act::CreateCommune => {
            let body = json!({"type": "Feature", "geometry": null,
                              "properties": {"code": format!("COM-{}", case.n), "name": "Comuna nueva"}});
            let url = app.url("/collections/communes/items");
            send(client, Method::POST, url, Some(&body)).await
        }
        Act::ImportBoundaries => {
            let url = app.url("/collections/states/import");
            send(client, Method::POST, url, Some(&states_file())).await
        }
        Act::ImportPriorities => {
            let file = collection(vec![feature("CC-A", AT_A, "Importada")]);
            let url = app.url("/collections/priorities/import");
            send(client, Method::POST, url, Some(&file)).await
        }
        Act::CreateToken => {
            let url = app.url("/tokens");
            send(client, Method::POST, url, Some(&json!({"role": "planner"}))).await
        }
        Act::ListTokens => send(client, Method::GET, app.url("/tokens"), None).await,
        Act::RevokeToken => {
            let token = case.token.as_ref().unwrap();
            let url = app.url(&format!("/tokens/{}", token.id));
            send(client, Method::DELETE, url, None).await
        }
    }
}

/// Checks what an allowed action did.
async fn assert_effect(gov: &Gov, actor: &str, act: Act, case: &Case, before: &Value, body: Value) {
    let app = &gov.app;
    let id = case.id.clone().unwrap_or_default();
    let last_entry = |entries: Vec<Value>| entries.last().unwrap().clone();
    let version_before = before[format!("{ITEMS}?limit=10000").as_str()]["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id.as_str())
        .map(|f| f["properties"]["version"].as_i64().unwrap());
    let what = format!("{actor} {act:?}");
    match act {
        Act::Create { council, .. } => {
            let new = body["id"].as_str().unwrap();
            let stored = current(app, new).await;
            assert_eq!(stored["properties"]["council"], council, "{what}");
            let entries = history(app, new).await;
            assert_eq!(entries.len(), 1, "{what}");
            assert_eq!(entries[0]["action"], "create", "{what}");
            assert_eq!(entries[0]["actor"], gov.actor(actor), "{what}");
        }
        Act::Put(_) | Act::Patch(_) | Act::Move(..) | Act::Transition(_) | Act::Agenda(_) => {
            let stored = current(app, &id).await;
            assert_eq!(
                stored["properties"]["version"].as_i64(),
                version_before.map(|v| v + 1),
                "{what}: one new version"
            );
            match act {
                Act::Put(_) => assert_eq!(stored["properties"]["title"], "Reemplazada", "{what}"),
                Act::Patch(_) => assert_eq!(stored["properties"]["title"], "Corregida", "{what}"),
                Act::Move(_, at) => assert_eq!(stored["geometry"], point(at), "{what}"),
                Act::Transition(t) => {
                    assert_eq!(stored["properties"]["status"], t.next(), "{what}")
                }
                Act::Agenda(_) => assert_eq!(stored["properties"]["rank"], 1, "{what}"),
                _ => unreachable!(),
            }
            let entry = last_entry(history(app, &id).await);
            assert_eq!(entry["actor"], gov.actor(actor), "{what}");
        }
        Act::Delete(_) => {
            let (status, _) = get_priority(app, &id).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{what}");
            let entry = last_entry(history(app, &id).await);
            assert_eq!(entry["action"], "delete", "{what}");
            assert_eq!(entry["actor"], gov.actor(actor), "{what}");
        }
        Act::Note(_) => {
            let entry = last_entry(history(app, &id).await);
            assert_eq!(entry["action"], "note", "{what}");
            assert_eq!(entry["note"], "Revisado en sitio", "{what}");
            assert_eq!(entry["actor"], gov.actor(actor), "{what}");
        }
        Act::CreateTerritory => {
            let code = format!("{}", 10 + case.n % 90);
            let (status, _) = app
                .get_json(&format!("/collections/states/items/{code}"))
                .await;
            assert_eq!(status, StatusCode::OK, "{what}");
        }
        Act::CreateCouncil => {
            let (status, _) = app
                .get_json(&format!("/collections/councils/items/CC-N{}", case.n))
                .await;
            assert_eq!(status, StatusCode::OK, "{what}");
        }
        Act::PatchCouncil => {
            let (_, c) = app.get_json("/collections/councils/items/CC-C").await;
            let name = format!("Consejo renombrado {}", case.n);
            assert_eq!(c["properties"]["name"], name.as_str(), "{what}");
        }
        Act::CreateCommune => {
            let (status, _) = app
                .get_json(&format!("/collections/communes/items/COM-{}", case.n))
                .await;
            assert_eq!(status, StatusCode::OK, "{what}");
        }
        Act::ImportBoundaries => assert_eq!(body["level"], "state", "{what}: {body}"),
        Act::ImportPriorities => assert_eq!(body["created"], 1, "{what}: {body}"),
        Act::CreateToken => assert!(body["token"].is_string(), "{what}: {body}"),
        Act::ListTokens => assert!(body["tokens"].is_array(), "{what}: {body}"),
        Act::RevokeToken => {
            let revoked = client_with(&case.token.as_ref().unwrap().secret);
            let r = send(&revoked, Method::GET, app.url("/"), None).await;
            assert_refused(r, StatusCode::UNAUTHORIZED).await;
        }
    }
}

/// Runs every caller against every rule: `allowed` callers get the action's
/// success status and its effect; other token holders get 403, callers
/// without a valid token 401, and then nothing has changed. Collects every
/// mismatch before failing.
async fn run_matrix(gov: &Gov, rules: &[(Act, &[&str])]) {
    let mut failures = Vec::new();
    let mut n = 0;
    for (act, allowed) in rules {
        for actor in AUTHENTICATED.iter().chain(ANONYMOUS.iter()) {
            n += 1;
            let case = set_up(gov, *act, n).await;
            let before = world(gov, &case).await;
            let client = client_of(gov, actor);
            let r = perform(gov, &client, *act, &case).await;
            let expected = if allowed.contains(actor) {
                act.success()
            } else if ANONYMOUS.contains(actor) {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::FORBIDDEN
            };
            let status = r.status();
            if status != expected {
                let text = r.text().await.unwrap_or_default();
                failures.push(format!(
                    "{actor} {act:?}: expected {expected}, got {status}: {text}"
                ));
                continue;
            }
            if allowed.contains(actor) {
                let body: Value = if status == StatusCode::NO_CONTENT {
                    Value::Null
                } else {
                    r.json().await.unwrap()
                };
                assert_effect(gov, actor, *act, &case, &before, body).await;
            } else {
                assert_refused(r, expected).await;
                let after = world(gov, &case).await;
                if after != before {
                    failures.push(format!("{actor} {act:?}: refused, yet something changed"));
                }
                if let Some(token) = &case.token {
                    let r = send(
                        &client_with(&token.secret),
                        Method::GET,
                        gov.app.url("/"),
                        None,
                    )
                    .await;
                    if r.status() != StatusCode::OK {
                        failures.push(format!("{actor} {act:?}: the token no longer works"));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Callers that may act on a priority located in parish 010101.
const OVER_A: [&str; 4] = ["admin", "cab_01", "cab_0101", "cab_010101"];

#[tokio::test]
async fn each_role_creates_edits_and_deletes_priorities_exactly_within_its_scope() {
    let gov = governed_app().await;
    let rules: &[(Act, &[&str])] = &[
        (
            Act::Create {
                council: "CC-A",
                at: AT_A,
                approved: false,
            },
            &["admin", "spk_a"],
        ),
        (
            Act::Create {
                council: "CC-B",
                at: AT_B,
                approved: false,
            },
            &["admin", "spk_b"],
        ),
        (
            Act::Create {
                council: "CC-E",
                at: AT_E,
                approved: false,
            },
            &["admin"],
        ),
        // A spokesperson proposes; only an admin creates past that.
        (
            Act::Create {
                council: "CC-A",
                at: AT_A,
                approved: true,
            },
            &["admin"],
        ),
        (
            Act::Put(Target::A),
            &["admin", "spk_a", "cab_01", "cab_0101", "cab_010101"],
        ),
        (Act::Put(Target::B), &["admin", "spk_b", "cab_01"]),
        (Act::Put(Target::E), &["admin", "cab_02"]),
        (Act::Put(Target::ApprovedA), &OVER_A),
        (
            Act::Patch(Target::A),
            &["admin", "spk_a", "cab_01", "cab_0101", "cab_010101"],
        ),
        (Act::Patch(Target::B), &["admin", "spk_b", "cab_01"]),
        (Act::Patch(Target::E), &["admin", "cab_02"]),
        (Act::Patch(Target::ApprovedA), &OVER_A),
        // Moving within a cabinet's territory, and out of it.
        (
            Act::Move(Target::A, AT_C),
            &["admin", "spk_a", "cab_01", "cab_0101"],
        ),
        (Act::Move(Target::A, AT_B), &["admin", "spk_a", "cab_01"]),
        (Act::Move(Target::A, AT_E), &["admin", "spk_a"]),
        (Act::Move(Target::ApprovedA, AT_E), &["admin"]),
        (Act::Move(Target::E, AT_A), &["admin"]),
        (Act::Delete(Target::A), &["admin", "spk_a"]),
        (Act::Delete(Target::B), &["admin", "spk_b"]),
        (Act::Delete(Target::E), &["admin"]),
        (Act::Delete(Target::ApprovedA), &["admin"]),
    ];
    run_matrix(&gov, rules).await;
}

#[tokio::test]
async fn only_cabinets_over_a_priority_and_admins_move_or_annotate_it_and_only_its_spokesperson_orders_the_agenda()
 {
    let gov = governed_app().await;
    let rules: &[(Act, &[&str])] = &[
        (Act::Transition(Target::A), &OVER_A),
        (Act::Transition(Target::B), &["admin", "cab_01"]),
        (Act::Transition(Target::E), &["admin", "cab_02"]),
        (Act::Transition(Target::ApprovedA), &OVER_A),
        (Act::Note(Target::A), &OVER_A),
        (Act::Note(Target::B), &["admin", "cab_01"]),
        (Act::Note(Target::E), &["admin", "cab_02"]),
        (Act::Note(Target::ApprovedA), &OVER_A),
        (Act::Agenda(Target::A), &["admin", "spk_a"]),
        (Act::Agenda(Target::B), &["admin", "spk_b"]),
        (Act::Agenda(Target::E), &["admin"]),
    ];
    run_matrix(&gov, rules).await;
}

#[tokio::test]
async fn only_admins_manage_territories_councils_communes_imports_and_tokens() {
    let gov = governed_app().await;
    let rules: &[(Act, &[&str])] = &[
        (Act::CreateTerritory, &["admin"]),
        (Act::CreateCouncil, &["admin"]),
        (Act::PatchCouncil, &["admin"]),
        (Act::CreateCommune, &["admin"]),
        (Act::ImportBoundaries, &["admin"]),
        (Act::ImportPriorities, &["admin"]),
        (Act::CreateToken, &["admin"]),
        (Act::ListTokens, &["admin"]),
        (Act::RevokeToken, &["admin"]),
    ];
    run_matrix(&gov, rules).await;
}

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
    let before = current(app, &id).await;
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
    assert_eq!(current(app, &id).await, before);
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
    let id = create(&app, &feature("CC-A", AT_A, "Alumbrado")).await;
    let before = current(&app, &id).await;
    assert_eq!(before["properties"]["placement"], "by_council");
    let r = send(
        &cabinet,
        Method::PATCH,
        app.url(&format!("{ITEMS}/{id}")),
        Some(&json!({"properties": {"council": "CC-E"}})),
    )
    .await;
    assert_refused(r, StatusCode::FORBIDDEN).await;
    assert_eq!(current(&app, &id).await, before);
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
    let id = create(app, &feature("CC-A", AT_A, "Cancha techada")).await;
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
    let id = create(app, &feature("CC-A", AT_A, "Módulo de salud")).await;
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
            let id = create(app, &feature("CC-A", AT_A, &format!("De {from} a {to}"))).await;
            bring_to(app, &id, from).await;
            let before = current(app, &id).await;
            let entries = history(app, &id).await.len();
            let r = transition(app, &cabinet, &id, &transition_body(to)).await;
            let status = r.status();
            if MOVES.contains(&(from, to)) {
                let body: Value = r.json().await.unwrap();
                if status != StatusCode::OK {
                    failures.push(format!("{from} → {to}: expected 200, got {status}: {body}"));
                    continue;
                }
                assert_eq!(body["properties"]["status"], to, "{from} → {to}");
                let stored = current(app, &id).await;
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
                assert_eq!(current(app, &id).await, before, "{from} → {to} changed it");
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
    let id = create(app, &feature("CC-A", AT_A, "Escuela")).await;
    let before = current(app, &id).await;
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
        assert_eq!(current(app, &id).await, before, "{body}");
    }
    assert_eq!(history(app, &id).await.len(), 1);
    let r = transition(app, &app.client, &id, &transition_body("approved")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let stored = current(app, &id).await;
    assert_eq!(stored["properties"]["plan"], plan(FUTURE));
}

#[tokio::test]
async fn a_put_or_patch_that_changes_the_status_is_a_409_and_changes_nothing() {
    let gov = governed_app().await;
    let app = &gov.app;
    let id = create(app, &feature("CC-A", AT_A, "Vialidad")).await;
    let before = current(app, &id).await;
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
    let before = current(app, &id).await;
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
    assert_eq!(current(app, &id).await, before);
    assert_eq!(history(app, &id).await.len(), 2);
}

#[tokio::test]
async fn notes_are_text_of_one_to_two_thousand_characters() {
    let gov = governed_app().await;
    let app = &gov.app;
    let id = create(app, &feature("CC-A", AT_A, "Gas doméstico")).await;
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
    let before = current(app, &id).await;
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
    assert_eq!(current(app, &id).await, before);
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

    let (status, _) = get_priority(app, &id).await;
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
    ids(&r.json().await.unwrap())
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

/// A Feature with a rank.
fn ranked(council: &str, at: [f64; 2], title: &str, rank: Option<i64>) -> Value {
    let mut f = feature(council, at, title);
    f["properties"]["rank"] = json!(rank);
    f
}

#[tokio::test]
async fn an_agenda_lists_open_priorities_by_rank_then_creation_and_ranks_are_unique() {
    let gov = governed_app().await;
    let app = &gov.app;
    let p1 = create(app, &ranked("CC-A", AT_A, "p1", Some(2))).await;
    let p2 = create(app, &ranked("CC-A", AT_A, "p2", None)).await;
    let p3 = create(app, &ranked("CC-A", AT_A, "p3", Some(1))).await;
    let p4 = create(app, &ranked("CC-A", AT_A, "p4", None)).await;
    let p5 = create(app, &ranked("CC-A", AT_A, "p5", Some(3))).await;
    bring_to(app, &p5, "rejected").await;
    let p6 = create(app, &ranked("CC-A", AT_A, "p6", None)).await;
    bring_to(app, &p6, "approved").await;
    let p7 = create(app, &ranked("CC-A", AT_A, "p7", Some(4))).await;
    bring_to(app, &p7, "done").await;
    // Another council's ranks are its own.
    let b1 = create(app, &ranked("CC-B", AT_B, "b1", Some(1))).await;

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
        create(app, &f).await
    };
    // ...but cannot be reopened while an open one holds it.
    // ...and, reopened while an open one holds its rank, returns to the
    // agenda unranked.
    let r = transition(app, &app.client, &closed, &json!({"status": "proposed"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let reopened = current(app, &closed).await;
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
        create(app, &f).await
    };
    let r = transition(app, &app.client, &free, &json!({"status": "proposed"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(current(app, &free).await["properties"]["rank"], 9);
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
        let id = create(app, &ranked("CC-A", AT_A, &format!("a{i}"), rank)).await;
        open.push(id);
    }
    bring_to(app, &open[5], "in_progress").await;
    let closed = create(app, &ranked("CC-A", AT_A, "cerrada", Some(3))).await;
    bring_to(app, &closed, "done").await;
    let b1 = create(app, &ranked("CC-B", AT_B, "b1", Some(1))).await;

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
        assert_eq!(ids(&body), expected, "{order:?}");
        assert_eq!(agenda(app, "CC-A").await, expected, "{order:?}");
        for (id, rank) in open_ranks(app, "CC-A").await {
            let want = listed.iter().position(|l| **l == id).map(|i| i as i64 + 1);
            assert_eq!(rank, want, "{order:?}: rank of {id}");
        }
        assert_ranks_unique(app, "CC-A").await;
        // Closed priorities and other councils are left alone.
        assert_eq!(current(app, &closed).await["properties"]["rank"], 3);
        assert_eq!(current(app, &b1).await["properties"]["rank"], 1);
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
    let a1 = create(app, &ranked("CC-A", AT_A, "a1", Some(1))).await;
    let a2 = create(app, &ranked("CC-A", AT_A, "a2", None)).await;
    let rejected = create(app, &ranked("CC-A", AT_A, "rechazada", None)).await;
    bring_to(app, &rejected, "rejected").await;
    let done = create(app, &ranked("CC-A", AT_A, "hecha", None)).await;
    bring_to(app, &done, "done").await;
    let b1 = create(app, &ranked("CC-B", AT_B, "b1", None)).await;
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
    create(app, &ranked("CC-A", AT_A, "a1", Some(1))).await;
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
    let moved = create(app, &ranked("CC-A", AT_A, "movida", Some(1))).await;
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
        let id = create(app, &f).await;
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
            assert_eq!(names(ids(&body)), names(want.clone()), "{who} {query}");
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
        assert_eq!(ids(&body), page, "{who} paged");
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
    assert_eq!(names(ids(&body)), ["q3", "q2", "q9", "q10", "q4", "q1"]);
    let r = send(
        &gov.client("cab_01"),
        Method::GET,
        app.url("/review-queue"),
        None,
    )
    .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(names(ids(&body)), ["q4", "q2", "q3", "q1", "q9", "q10"]);
    let r = send(
        &gov.client("cab_02"),
        Method::GET,
        app.url("/review-queue"),
        None,
    )
    .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(names(ids(&body)), ["q6", "q5"]);

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
        let id = create(app, &feature("CC-A", AT_A, &format!("o{i}"))).await;
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
        ids(&body).into_iter().collect::<BTreeSet<String>>()
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

// ---------------------------------------------------------------- tokens

#[tokio::test]
async fn a_tokens_secret_is_shown_once_never_listed_and_revoking_it_takes_effect_at_once() {
    let gov = governed_app().await;
    let app = &gov.app;
    let r = app
        .post_json(
            "/tokens",
            &json!({"role": "cabinet", "scope": "0101", "label": "Gabinete de Libertador"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(header(&r, "cache-control").as_deref(), Some("no-store"));
    let location = header(&r, "location").unwrap();
    let body: Value = r.json().await.unwrap();
    let id = body["id"].as_str().unwrap().to_owned();
    let secret = body["token"].as_str().unwrap().to_owned();
    assert!(location.ends_with(&format!("/tokens/{id}")), "{location}");
    assert_eq!(body["role"], "cabinet");
    assert_eq!(body["scope"], "0101");
    assert_eq!(body["label"], "Gabinete de Libertador");
    assert_eq!(body["revoked_at"], Value::Null);
    assert!(body["created_at"].is_string());
    assert!(secret.len() > 32, "{secret}");
    let hash = sha256_hex(&secret);

    let token = client_with(&secret);
    let r = send(&token, Method::GET, app.url("/review-queue"), None).await;
    assert_eq!(r.status(), StatusCode::OK);

    // The list never shows a secret or its hash, this one's or any other's.
    let r = app.get("/tokens").await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    let mut secrets = vec![secret.clone(), app.admin_token.clone()];
    secrets.extend(gov.tokens.values().map(|t| t.secret.clone()));
    for s in &secrets {
        assert!(!text.contains(s.as_str()), "the list shows a secret");
        assert!(!text.contains(&sha256_hex(s)), "the list shows a hash");
        assert!(!text.contains(&sha256_hex(s).to_uppercase()));
    }
    let list: Value = serde_json::from_str(&text).unwrap();
    let listed = list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        listed,
        json!({"id": id, "role": "cabinet", "scope": "0101", "label": "Gabinete de Libertador",
               "created_at": body["created_at"], "revoked_at": null})
    );
    assert_eq!(list["tokens"].as_array().unwrap().len(), 2 + ROLES.len());

    let r = send(
        &app.client,
        Method::DELETE,
        app.url(&format!("/tokens/{id}")),
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(!r.text().await.unwrap().contains(&secret));
    for path in ["/review-queue", "/", ITEMS] {
        let r = send(&token, Method::GET, app.url(path), None).await;
        assert_refused(r, StatusCode::UNAUTHORIZED).await;
    }
    let (_, list) = app.get_json("/tokens").await;
    let listed = list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap()
        .clone();
    assert!(listed["revoked_at"].is_string(), "{listed}");
    assert!(!list.to_string().contains(&hash));
    let r = send(
        &app.client,
        Method::DELETE,
        app.url("/tokens/ffffffff"),
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Roles and scopes are checked.
    for (bad, pointer) in [
        (json!({"role": "cabinet", "scope": "01010"}), "/scope"),
        (json!({"role": "cabinet"}), "/scope"),
        (json!({"role": "spokesperson"}), "/scope"),
        (json!({"role": "spokesperson", "scope": "a b"}), "/scope"),
        (json!({"role": "planner", "scope": "01"}), "/scope"),
        (json!({"role": "mayor"}), "/role"),
        (json!({"scope": "01"}), "/role"),
        (json!({"role": 7}), "/role"),
    ] {
        let r = app.post_json("/tokens", &bad).await;
        assert_problem(r, StatusCode::UNPROCESSABLE_ENTITY, ("pointer", pointer)).await;
    }
    let (_, after) = app.get_json("/tokens").await;
    assert_eq!(after, list);
}

/// `prioridades ARGS` to completion: (success, stdout, stderr).
fn cli(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prioridades"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[tokio::test]
async fn a_token_made_on_the_command_line_works_on_a_server_already_running() {
    let gov = governed_app().await;
    let app = &gov.app;
    let url = database_url(&app.dir);
    let (ok, stdout, stderr) = cli(&[
        "token",
        "create",
        "--role",
        "cabinet",
        "--scope",
        "01",
        "--label",
        "desde la terminal",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{stderr}");
    let secret = stdout.trim().to_owned();
    assert_eq!(stdout.lines().count(), 1, "only the secret: {stdout}");
    assert!(secret.starts_with("prio_"), "{secret}");
    assert!(!stderr.contains(&secret), "the secret reached stderr");

    // The running server finds it in the store on first use.
    let cabinet = client_with(&secret);
    let r = send(&cabinet, Method::GET, app.url("/review-queue"), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let id = create(app, &feature("CC-A", AT_A, "Semáforo")).await;
    let r = send(
        &cabinet,
        Method::POST,
        app.url(&format!("{ITEMS}/{id}/notes")),
        Some(&json!({"note": "visto"})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, list) = app.get_json("/tokens").await;
    let listed = list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "desde la terminal")
        .unwrap()
        .clone();
    assert_eq!(listed["role"], "cabinet");
    assert_eq!(listed["scope"], "01");
    let token_id = listed["id"].as_str().unwrap();
    let entry = history(app, &id).await.pop().unwrap();
    assert_eq!(entry["actor"], format!("cabinet:01:{token_id}"));
    // Its scope holds: nothing in state 02.
    let elsewhere = create(app, &feature("CC-E", AT_E, "Fuera")).await;
    let r = send(
        &cabinet,
        Method::POST,
        app.url(&format!("{ITEMS}/{elsewhere}/notes")),
        Some(&json!({"note": "visto"})),
    )
    .await;
    assert_refused(r, StatusCode::FORBIDDEN).await;

    // `token list` shows it without its secret or hash.
    let (ok, stdout, stderr) = cli(&["token", "list", "--database-url", &url]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains(token_id), "{stdout}");
    assert!(!stdout.contains(&secret) && !stdout.contains(&sha256_hex(&secret)));
    assert!(!stderr.contains(&secret));

    // Bad roles are refused before anything is stored.
    let (ok, _, _) = cli(&[
        "token",
        "create",
        "--role",
        "cabinet",
        "--scope",
        "1",
        "--database-url",
        &url,
    ]);
    assert!(!ok);
    let (_, after) = app.get_json("/tokens").await;
    assert_eq!(after, list);
}

#[tokio::test]
async fn a_token_revoked_on_the_command_line_stops_working_on_a_running_server() {
    let gov = governed_app().await;
    let app = &gov.app;
    let url = database_url(&app.dir);
    let token = mint(app, "cabinet", Some("01")).await;
    let client = client_with(&token.secret);
    let r = send(&client, Method::GET, app.url("/review-queue"), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let (ok, _, stderr) = cli(&["token", "revoke", &token.id, "--database-url", &url]);
    assert!(ok, "{stderr}");
    let (_, list) = app.get_json("/tokens").await;
    let listed = list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == token.id.as_str())
        .unwrap()
        .clone();
    assert!(listed["revoked_at"].is_string(), "the store has it revoked");
    let r = send(&client, Method::GET, app.url("/review-queue"), None).await;
    assert_refused(r, StatusCode::UNAUTHORIZED).await;
}

// ---------------------------------------------------------------- logs

/// The binary serving `url` with debug logs (JSON, on stderr) captured.
struct Server {
    child: Child,
    base: String,
    logs: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(url: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_prioridades"))
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--no-demo",
                "--log-level",
                "debug",
                "--log-format",
                "json",
                "--database-url",
                url,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let logs = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&logs);
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let event: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
                if let Some(address) = event["fields"]["address"].as_str()
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(address.to_owned());
                }
                let mut logs = sink.lock().unwrap();
                logs.push_str(&line);
                logs.push('\n');
            }
        });
        let address = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the binary logs the address it listens on");
        Server {
            child,
            base: format!("http://{address}"),
            logs,
            reader: Some(reader),
        }
    }

    /// Stops the server and returns everything it logged.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        self.logs.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn secrets_never_reach_the_logs() {
    let dir = TempDir::new().unwrap();
    let url = database_url(&dir);
    let (ok, stdout, stderr) = cli(&[
        "--log-level",
        "debug",
        "token",
        "create",
        "--role",
        "admin",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{stderr}");
    let admin = stdout.trim().to_owned();
    assert!(!stderr.contains(&admin), "token create logged the secret");
    let server = Server::start(&url);
    let base = server.base.clone();
    let client = client_with(&admin);
    let post = |path: &str, body: Value| {
        client
            .post(format!("{base}{path}"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    for (collection, code) in [
        ("states", "01"),
        ("municipalities", "0101"),
        ("parishes", "010101"),
    ] {
        let r = post(
            &format!("/collections/{collection}/items"),
            territory(code, "X"),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let r = post(
        "/collections/councils/items",
        council("CC-1", "X", "010101"),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = post("/tokens", json!({"role": "spokesperson", "scope": "CC-1"}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let minted = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let spokesperson = client_with(&minted);
    let r = spokesperson
        .post(format!("{base}{ITEMS}"))
        .header("content-type", "application/json")
        .body(crate::helpers::priority().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = spokesperson
        .get(format!("{base}/tokens"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client.get(format!("{base}/tokens")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let unknown = format!("prio_12345678_{}", "ab".repeat(32));
    let r = client_with(&unknown)
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = Client::new()
        .get(format!("{base}/"))
        .header("authorization", format!("Basic {admin}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let logs = server.stop();
    assert!(
        logs.contains("/collections/councils/items") || logs.contains("/tokens"),
        "the debug logs record requests:\n{logs}"
    );
    for secret in [&admin, &minted, &unknown] {
        assert!(!logs.contains(secret.as_str()), "a secret reached the logs");
        assert!(
            !logs.contains(&sha256_hex(secret)),
            "a secret's hash reached the logs"
        );
        // Not even its random part.
        assert!(
            !logs.contains(&secret[14..]),
            "part of a secret reached the logs"
        );
    }
}

#[tokio::test]
async fn an_approved_priority_keeps_its_plan_and_a_reopened_one_is_not_overdue() {
    let gov = governed_app().await;
    let app = &gov.app;
    let id = create(app, &feature("CC-A", AT_A, "con plan")).await;
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
