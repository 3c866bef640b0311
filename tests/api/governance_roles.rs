//! Roles and scopes as a matrix: every act on the priorities, the catalog
//! and the tokens, tried by every caller of the governance fixture, with
//! the effect checked when allowed and nothing changed when refused.

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::governance::{
    ANONYMOUS, AT_A, AT_B, AT_C, AT_E, AUTHENTICATED, FUTURE, Gov, Token, assert_refused, bring_to,
    client_of, feature, governed_app, history, mint, plan, send, state_squares, transition,
    transition_body, without_time_stamp,
};
use crate::helpers::{
    ITEMS, client_with, collection, council, create_priority_id, get_priority, point, territory,
};

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
            let id =
                create_priority_id(app, &feature(t.council(), t.at(), "Objetivo del caso")).await;
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
            let mut f = get_priority(app, &id).await;
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
            send(client, Method::POST, url, Some(&state_squares())).await
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
            let stored = get_priority(app, new).await;
            assert_eq!(stored["properties"]["council"], council, "{what}");
            let entries = history(app, new).await;
            assert_eq!(entries.len(), 1, "{what}");
            assert_eq!(entries[0]["action"], "create", "{what}");
            assert_eq!(entries[0]["actor"], gov.actor(actor), "{what}");
        }
        Act::Put(_) | Act::Patch(_) | Act::Move(..) | Act::Transition(_) | Act::Agenda(_) => {
            let stored = get_priority(app, &id).await;
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
            let (status, _) = app.get_json(&format!("{ITEMS}/{id}")).await;
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
