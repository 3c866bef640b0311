//! Webhooks: changes matching a hook's filter are POSTed to a receiver
//! inside this test process (on 127.0.0.1 only), once each, signed with the
//! hook's secret; failures are retried with backoff; pending deliveries
//! survive a restart; invalid hooks are refused and store nothing.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use hmac::{Hmac, KeyInit, Mac};
use prioridades::config::ServeArgs;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;
use tempfile::TempDir;

use crate::governance::{send, transition, transition_body};
use crate::helpers::{
    ITEMS, TestApp, assert_problem, client_with, council, create_priority_id, database_url,
    each_case, header, priority, spawn_app_in, territory,
};

// ------------------------------------------------------------- the receiver

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    at: Instant,
    content_type: String,
    signature: String,
    delivery: String,
    body: String,
    /// The status it was answered with.
    answered: u16,
}

/// Records every request; answers with the queued statuses first, then
/// with `otherwise`.
#[derive(Clone, Default)]
struct Inbox {
    seen: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
    otherwise: Arc<AtomicU16>,
}

impl Inbox {
    fn seen(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }
}

async fn receive(State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes) -> AxumStatus {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let answered = inbox
        .answers
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| inbox.otherwise.load(Ordering::SeqCst));
    inbox.seen.lock().unwrap().push(Received {
        at: Instant::now(),
        content_type: text("content-type"),
        signature: text("x-prioridades-signature"),
        delivery: text("x-prioridades-delivery"),
        body: String::from_utf8(body.to_vec()).unwrap(),
        answered,
    });
    AxumStatus::from_u16(answered).unwrap()
}

/// A receiver on 127.0.0.1 answering 200 by default; its URL and inbox.
async fn receiver() -> (String, Inbox) {
    let inbox = Inbox::default();
    inbox.otherwise.store(200, Ordering::SeqCst);
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, inbox)
}

// ------------------------------------------------------------------ helpers

/// Fast dispatcher settings for tests.
fn args(dir: &TempDir, max_attempts: u32) -> ServeArgs {
    let mut args = ServeArgs::for_database(database_url(dir));
    args.webhooks.webhook_poll = Duration::from_millis(50);
    args.webhooks.webhook_backoff = Duration::from_millis(100);
    args.webhooks.webhook_backoff_max = Duration::from_millis(400);
    args.webhooks.webhook_timeout = Duration::from_secs(5);
    args.webhooks.webhook_max_attempts = max_attempts;
    args
}

async fn app_with(max_attempts: u32) -> TestApp {
    let dir = TempDir::new().unwrap();
    let args = args(&dir, max_attempts);
    let app = spawn_app_in(dir, args).await;
    app.seed_minimal_catalog().await;
    app
}

/// Registers a hook; returns its id and secret.
async fn register(app: &TestApp, url: &str, filter: &str) -> (String, String) {
    let r = app
        .post_json(
            "/webhooks",
            &json!({"url": url, "filter": filter, "description": format!("filter {filter:?}")}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(header(&r, "cache-control").as_deref(), Some("no-store"));
    let hook: Value = r.json().await.unwrap();
    assert_eq!(hook["url"], url);
    assert_eq!(hook["filter"], filter);
    let secret = hook["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 64, "32 random bytes in hex");
    (hook["id"].as_str().unwrap().to_owned(), secret)
}

/// A hook's delivery log (the first 1,000 entries).
async fn log(app: &TestApp, hook: &str) -> Vec<Value> {
    let (status, body) = app
        .get_json(&format!("/webhooks/{hook}/deliveries?limit=1000"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["deliveries"].as_array().unwrap().clone()
}

/// Waits up to 30 s for `check` to give a value.
async fn eventually<T>(what: &str, check: impl AsyncFn() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The signature a receiver computes: HMAC-SHA256 of the body under the
/// secret, in hex.
fn sign(secret: &str, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// The change number a write's response reports.
fn seq_of(response: &reqwest::Response) -> i64 {
    header(response, "change-sequence")
        .expect("a Change-Sequence header")
        .parse()
        .unwrap()
}

/// The ids the items endpoint returns for `filter`: the oracle of what a
/// hook with that filter matches.
async fn matching(app: &TestApp, filter: &str) -> BTreeSet<String> {
    let sep = if filter.is_empty() { "" } else { "&" };
    let (status, body) = app
        .get_json(&format!("{ITEMS}?{filter}{sep}limit=10000"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

// -------------------------------------------------------------------- tests

/// What the test expects a hook to be sent: `(hook, seq)` → (event, id).
type Expected = BTreeMap<(String, i64), (String, String)>;

/// The hooks of the main test and what they were told about.
struct Hooks {
    /// (id, secret, filter)
    list: Vec<(String, String, String)>,
    expected: Expected,
    /// (hook, priority) pairs a hook was sent something other than a deletion about.
    told: BTreeSet<(String, String)>,
}

impl Hooks {
    /// After a write of priority `id` that took change `seq`: waits until
    /// the hook without a filter (which is sent every change) has it in its
    /// log, so the next write is read in a later round, then works out with
    /// the items endpoint which hooks match the priority now.
    async fn after(&mut self, app: &TestApp, seq: i64, id: &str, event: &str) {
        let all = self.list.iter().find(|h| h.2.is_empty()).unwrap().0.clone();
        eventually("the change in the unfiltered hook's log", async || {
            log(app, &all)
                .await
                .iter()
                .any(|d| d["seq"] == seq)
                .then_some(())
        })
        .await;
        for (hook, _, filter) in &self.list {
            let key = (hook.clone(), id.to_owned());
            let sent = if event == "deleted" {
                filter.is_empty() || self.told.contains(&key)
            } else {
                matching(app, filter).await.contains(id)
            };
            if sent {
                if event != "deleted" {
                    self.told.insert(key);
                }
                self.expected
                    .insert((hook.clone(), seq), (event.to_owned(), id.to_owned()));
            }
        }
    }
}

async fn patch(app: &TestApp, id: &str, properties: Value) -> reqwest::Response {
    let r = app
        .client
        .patch(app.url(&format!("{ITEMS}/{id}")))
        .header("content-type", "application/merge-patch+json")
        .body(json!({"properties": properties}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r
}

async fn delete(app: &TestApp, id: &str) -> reqwest::Response {
    let r = send(
        &app.client,
        Method::DELETE,
        app.url(&format!("{ITEMS}/{id}")),
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    r
}

/// Creates a priority and returns its id and change number.
async fn create(app: &TestApp, council: &str, category: &str) -> (String, i64) {
    let mut feature = priority();
    feature["properties"]["council"] = json!(council);
    feature["properties"]["category"] = json!(category);
    let r = app.post_json(ITEMS, &feature).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let seq = seq_of(&r);
    let body: Value = r.json().await.unwrap();
    (body["id"].as_str().unwrap().to_owned(), seq)
}

#[tokio::test]
async fn matching_changes_are_posted_once_each_signed_and_logged() {
    let app = app_with(5).await;
    for (collection, body) in [
        ("parishes", territory("010102", "Santa Teresa")),
        (
            "councils",
            council("CC-2", "Consejo Comunal Santa Teresa", "010102"),
        ),
    ] {
        let r = app
            .post_json(&format!("/collections/{collection}/items"), &body)
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let (url, inbox) = receiver().await;
    let mut hooks = Hooks {
        list: Vec::new(),
        expected: Expected::new(),
        told: BTreeSet::new(),
    };
    for filter in ["parish=010101", "status=approved", "category=roads", ""] {
        let (id, secret) = register(&app, &url, filter).await;
        hooks.list.push((id, secret, filter.to_owned()));
    }

    // Creations, patches, a transition and deletions, inside and outside
    // each filter; a priority leaves the `roads` filter before it is deleted.
    let (p1, seq) = create(&app, "CC-1", "water").await;
    hooks.after(&app, seq, &p1, "created").await;
    let (p2, seq) = create(&app, "CC-2", "roads").await;
    hooks.after(&app, seq, &p2, "created").await;
    let seq = seq_of(&patch(&app, &p1, json!({"title": "Tubería nueva"})).await);
    hooks.after(&app, seq, &p1, "updated").await;
    let r = transition(&app, &app.client, &p2, &transition_body("approved")).await;
    assert!(r.status().is_success(), "{}", r.status());
    hooks.after(&app, seq_of(&r), &p2, "updated").await;
    let seq = seq_of(&patch(&app, &p2, json!({"category": "water"})).await);
    hooks.after(&app, seq, &p2, "updated").await;
    let seq = seq_of(&delete(&app, &p1).await);
    hooks.after(&app, seq, &p1, "deleted").await;
    let seq = seq_of(&delete(&app, &p2).await);
    hooks.after(&app, seq, &p2, "deleted").await;
    // Every hook got something and missed something, so the filters were tested.
    for (hook, _, filter) in &hooks.list {
        let got = hooks.expected.keys().filter(|(h, _)| h == hook).count();
        assert!(got > 0 && (filter.is_empty() || got < 7), "{filter}: {got}");
    }

    let expected = hooks.expected.len();
    eventually("every expected delivery", async || {
        (inbox.seen().len() >= expected).then_some(())
    })
    .await;
    // A few more rounds: nothing else may arrive.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen = inbox.seen();
    let secrets: BTreeMap<&str, &str> = hooks
        .list
        .iter()
        .map(|(id, secret, _)| (id.as_str(), secret.as_str()))
        .collect();
    let mut got = Expected::new();
    let mut delivery_ids = BTreeMap::new();
    for r in &seen {
        assert_eq!(r.content_type, "application/json");
        let body: Value = serde_json::from_str(&r.body).unwrap();
        let hook = body["hook"].as_str().unwrap();
        assert_eq!(r.signature, sign(secrets[hook], &r.body), "{}", r.body);
        let (seq, event, id) = (
            body["seq"].as_i64().unwrap(),
            body["event"].as_str().unwrap(),
            body["id"].as_str().unwrap(),
        );
        if event == "deleted" {
            assert_eq!(body["priority"], id);
        } else {
            assert_eq!(body["priority"]["type"], "Feature");
            assert_eq!(body["priority"]["id"], id);
        }
        let again = got.insert((hook.to_owned(), seq), (event.to_owned(), id.to_owned()));
        assert!(again.is_none(), "posted twice: {}", r.body);
        delivery_ids.insert((hook.to_owned(), seq), r.delivery.clone());
    }
    assert_eq!(got, hooks.expected);

    // Each hook's log: its deliveries, newest first, each delivered at the
    // first attempt under the id the receiver saw.
    for (hook, _, _) in &hooks.list {
        let entries = log(&app, hook).await;
        let seqs: Vec<i64> = entries.iter().map(|d| d["seq"].as_i64().unwrap()).collect();
        let mut want: Vec<i64> = got.keys().filter(|(h, _)| h == hook).map(|k| k.1).collect();
        want.reverse();
        assert_eq!(seqs, want, "{hook}");
        for d in &entries {
            let key = (hook.clone(), d["seq"].as_i64().unwrap());
            assert_eq!(d["id"], delivery_ids[&key]);
            assert_eq!(d["priority_id"], got[&key].1);
            assert_eq!(d["event"], got[&key].0);
            assert_eq!(
                (&d["status"], &d["attempts"], &d["last_status"]),
                (&json!("delivered"), &json!(1), &json!(200))
            );
            assert!(d["delivered_at"].is_string() && d["next_attempt_at"].is_null());
        }
    }

    // Listings never show a secret; a deleted hook is gone with its log.
    let (_, list) = app.get_json("/webhooks").await;
    let listed = list["webhooks"].as_array().unwrap();
    assert_eq!(listed.len(), 4);
    assert!(listed.iter().all(|h| h.get("secret").is_none()), "{list}");
    let first = &hooks.list[0].0;
    let (status, one) = app.get_json(&format!("/webhooks/{first}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(one.get("secret").is_none() && one["filter"] == "parish=010101");
    let r = send(
        &app.client,
        Method::DELETE,
        app.url(&format!("/webhooks/{first}")),
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for path in [
        format!("/webhooks/{first}"),
        format!("/webhooks/{first}/deliveries"),
    ] {
        assert_eq!(
            app.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_refused_delivery_is_retried_with_backoff_until_accepted() {
    let app = app_with(5).await;
    let (url, inbox) = receiver().await;
    inbox.answers.lock().unwrap().extend([500, 503]);
    let (hook, secret) = register(&app, &url, "").await;
    let (id, seq) = create(&app, "CC-1", "water").await;

    let entry = eventually("the delivery", async || {
        let entries = log(&app, &hook).await;
        entries
            .first()
            .filter(|d| d["status"] == "delivered")
            .cloned()
    })
    .await;
    let seen = inbox.seen();
    let answered: Vec<u16> = seen.iter().map(|r| r.answered).collect();
    assert_eq!(answered, [500, 503, 200]);
    // The same delivery, body and signature each time, after growing waits
    // (--webhook-backoff 100 ms, doubled).
    assert!(
        seen.iter()
            .all(|r| r.delivery == seen[0].delivery && r.body == seen[0].body)
    );
    assert_eq!(seen[0].signature, sign(&secret, &seen[0].body));
    assert!(seen[1].at - seen[0].at >= Duration::from_millis(100));
    assert!(seen[2].at - seen[1].at >= Duration::from_millis(200));
    assert_eq!(entry["id"], seen[0].delivery);
    assert_eq!(
        (entry["seq"].as_i64(), entry["priority_id"].as_str()),
        (Some(seq), Some(id.as_str()))
    );
    assert_eq!(
        (&entry["attempts"], &entry["last_status"]),
        (&json!(3), &json!(200))
    );
    assert!(entry["last_error"].is_null() && entry["delivered_at"].is_string());
}

#[tokio::test]
async fn a_delivery_fails_after_its_last_attempt() {
    let app = app_with(3).await;
    let (url, inbox) = receiver().await;
    inbox.otherwise.store(500, Ordering::SeqCst);
    let (hook, _) = register(&app, &url, "").await;
    create(&app, "CC-1", "water").await;

    let entry = eventually("the delivery to fail", async || {
        let entries = log(&app, &hook).await;
        entries.first().filter(|d| d["status"] == "failed").cloned()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(inbox.seen().len(), 3, "--webhook-max-attempts 3");
    assert_eq!(
        (&entry["attempts"], &entry["last_status"]),
        (&json!(3), &json!(500))
    );
    assert!(
        entry["last_error"].as_str().unwrap().contains("500"),
        "{entry}"
    );
    assert!(entry["delivered_at"].is_null() && entry["next_attempt_at"].is_null());
}

#[tokio::test]
async fn hooks_and_pending_deliveries_survive_a_restart() {
    let dir = TempDir::new().unwrap();
    let settings = args(&dir, 1000);
    let app = spawn_app_in(dir, settings.clone()).await;
    app.seed_minimal_catalog().await;
    let (url, inbox) = receiver().await;
    // The receiver is down: every attempt is refused.
    inbox.otherwise.store(503, Ordering::SeqCst);
    let (hook, secret) = register(&app, &url, "parish=010101").await;
    let (id, seq) = create(&app, "CC-1", "water").await;
    eventually("a refused attempt", async || {
        let entries = log(&app, &hook).await;
        entries
            .first()
            .filter(|d| d["attempts"].as_i64() >= Some(1) && d["status"] == "pending")
            .cloned()
    })
    .await;

    let dir = app.stop().await;
    inbox.otherwise.store(200, Ordering::SeqCst);
    let app = spawn_app_in(dir, settings).await;
    let entry = eventually("the delivery after the restart", async || {
        let entries = log(&app, &hook).await;
        entries
            .first()
            .filter(|d| d["status"] == "delivered")
            .cloned()
    })
    .await;
    let accepted: Vec<Received> = inbox
        .seen()
        .into_iter()
        .filter(|r| r.answered == 200)
        .collect();
    assert_eq!(accepted.len(), 1, "acknowledged once");
    let body: Value = serde_json::from_str(&accepted[0].body).unwrap();
    assert_eq!(
        (body["seq"].as_i64(), body["id"].as_str()),
        (Some(seq), Some(id.as_str()))
    );
    assert_eq!(body["event"], "created");
    assert_eq!(accepted[0].signature, sign(&secret, &accepted[0].body));
    assert_eq!(entry["id"], accepted[0].delivery);
    let refused = inbox.seen().len() - 1;
    assert_eq!(entry["attempts"], json!(refused + 1));
    // The hook is still registered, and goes on delivering.
    let (_, list) = app.get_json("/webhooks").await;
    assert_eq!(list["webhooks"][0]["id"], hook.as_str());
    let (other, seq) = create(&app, "CC-1", "roads").await;
    eventually("a delivery of a change after the restart", async || {
        inbox
            .seen()
            .iter()
            .find(|r| {
                let b: Value = serde_json::from_str(&r.body).unwrap();
                b["seq"] == seq && b["id"] == other.as_str()
            })
            .map(|_| ())
    })
    .await;
}

#[tokio::test]
async fn invalid_webhooks_are_refused_and_store_nothing() {
    let app = app_with(5).await;
    let ok = "http://127.0.0.1:9/hook";
    let cases = vec![
        (
            "no url",
            (
                json!({"filter": ""}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/url",
            ),
        ),
        (
            "ftp url",
            (
                json!({"url": "ftp://127.0.0.1/x"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/url",
            ),
        ),
        (
            "https url",
            (
                json!({"url": "https://127.0.0.1/x"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/url",
            ),
        ),
        (
            "no host",
            (
                json!({"url": "http:///x"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/url",
            ),
        ),
        (
            "not a url",
            (
                json!({"url": "a hook"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/url",
            ),
        ),
        (
            "url a number",
            (json!({"url": 5}), StatusCode::UNPROCESSABLE_ENTITY, "/url"),
        ),
        (
            "unknown parameter",
            (
                json!({"url": ok, "filter": "colour=red"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/filter",
            ),
        ),
        (
            "paging is no filter",
            (
                json!({"url": ok, "filter": "limit=5"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/filter",
            ),
        ),
        (
            "bad status",
            (
                json!({"url": ok, "filter": "status=maybe"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/filter",
            ),
        ),
        (
            "unknown parish",
            (
                json!({"url": ok, "filter": "parish=999999"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/filter",
            ),
        ),
        (
            "bad cql",
            (
                json!({"url": ok, "filter": "filter=status%20%3D"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/filter",
            ),
        ),
        (
            "radius alone",
            (
                json!({"url": ok, "filter": "radius=10"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/filter",
            ),
        ),
        (
            "unknown member",
            (
                json!({"url": ok, "secret": "mine"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/secret",
            ),
        ),
        (
            "long description",
            (
                json!({"url": ok, "description": "x".repeat(501)}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/description",
            ),
        ),
    ];
    each_case(cases, async |(body, status, pointer)| {
        let r = app.post_json("/webhooks", &body).await;
        assert_problem(r, status, ("pointer", pointer)).await;
    })
    .await;

    let spokesperson = client_with(&app.token("spokesperson", Some("CC-1")).await);
    let r = spokesperson
        .post(app.url("/webhooks"))
        .json(&json!({"url": ok}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    for path in ["/webhooks", "/webhooks/x/deliveries"] {
        let r = spokesperson.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let anonymous = reqwest::Client::new();
    let r = anonymous
        .post(app.url("/webhooks"))
        .json(&json!({"url": ok}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous
            .get(app.url("/webhooks"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, list) = app.get_json("/webhooks").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, json!({"webhooks": []}));
    // Unknown and malformed ids are 404.
    for path in [
        "/webhooks/x",
        "/webhooks/0190c1de-7a4c-7000-8000-000000000000/deliveries",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // A valid hook with a leading `?` on its filter is taken.
    let created = create_priority_id(&app, &priority()).await;
    assert!(!created.is_empty());
    let r = app
        .post_json(
            "/webhooks",
            &json!({"url": ok, "filter": "?parish=010101&status=proposed"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}
