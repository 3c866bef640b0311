#![allow(dead_code)]
//! Spawning the real application on a fresh SQLite file, and small request helpers.

use std::sync::Once;

use prioridades::config::{LogFormat, ServeArgs};
use prioridades::domain::auth::Role;
use prioridades::startup::Application;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

static TRACING: Once = Once::new();

/// Logs are quiet unless `TEST_LOG` is set (to a level, e.g. `debug`).
fn init_tracing() {
    TRACING.call_once(|| {
        if let Ok(level) = std::env::var("TEST_LOG") {
            prioridades::telemetry::init(&level, LogFormat::Text);
        }
    });
}

/// A running application on its own temporary database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// Sends the admin token with every request.
    pub client: reqwest::Client,
    /// An admin token's secret, made for the test.
    pub admin_token: String,
    /// Holds the database file; removed when the app is dropped.
    pub dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

/// The database URL of a file inside `dir`.
pub fn database_url(dir: &TempDir) -> String {
    format!("sqlite://{}", dir.path().join("test.db").display())
}

/// Spawns the app on a new, empty database (no demo).
pub async fn spawn_app() -> TestApp {
    let dir = TempDir::new().expect("temp dir");
    let args = ServeArgs::for_database(database_url(&dir));
    spawn_app_in(dir, args).await
}

/// Spawns the app with `args` (bind and database taken from them), keeping `dir` alive.
pub async fn spawn_app_in(dir: TempDir, args: ServeArgs) -> TestApp {
    init_tracing();
    let app = Application::build(&args)
        .await
        .expect("the application builds");
    let (_, admin_token) = app
        .service()
        .create_token(None, Role::Admin, Some("tests".into()))
        .await
        .expect("an admin token");
    let base = format!("http://{}", app.address());
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        base,
        client: client_with(&admin_token),
        admin_token,
        dir,
        shutdown: Some(tx),
        server: Some(server),
    }
}

/// A client that sends `token` as its bearer token on every request.
pub fn client_with(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    let value = format!("Bearer {token}").parse().expect("a header value");
    headers.insert(reqwest::header::AUTHORIZATION, value);
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("a client")
}

impl TestApp {
    /// Creates a token of `role` with `scope` through the API (as admin);
    /// returns its secret.
    pub async fn token(&self, role: &str, scope: Option<&str>) -> String {
        let r = self
            .post_json("/tokens", &json!({"role": role, "scope": scope}))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "creating a {role} token");
        let body: Value = r.json().await.expect("the token");
        body["token"].as_str().expect("a secret").to_owned()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// GET and parse the body as JSON.
    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let response = self.get(path).await;
        let status = response.status();
        let body = response.json().await.expect("a JSON body");
        (status, body)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .header("content-type", "application/geo+json")
            .body(body.to_string())
            .send()
            .await
            .expect("POST")
    }

    /// POST a raw body with a content type.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// Number of priorities the API reports in all.
    pub async fn priority_count(&self) -> u64 {
        let (status, body) = self.get_json("/collections/priorities/items?limit=1").await;
        assert_eq!(status, StatusCode::OK);
        body["numberMatched"].as_u64().expect("numberMatched")
    }

    /// Stops the server gracefully and waits for it (the store is closed).
    pub async fn stop(mut self) -> TempDir {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server ran");
        }
        std::mem::replace(&mut self.dir, TempDir::new().expect("temp dir"))
    }

    /// Creates a state `01`, municipality `0101`, parish `010101` and council `CC-1`.
    pub async fn seed_minimal_catalog(&self) {
        for (collection, code, name) in [
            ("states", "01", "Distrito Capital"),
            ("municipalities", "0101", "Libertador"),
            ("parishes", "010101", "Catedral"),
        ] {
            let r = self
                .post_json(
                    &format!("/collections/{collection}/items"),
                    &territory(code, name),
                )
                .await;
            assert_eq!(
                r.status(),
                StatusCode::CREATED,
                "creating {collection} {code}"
            );
        }
        let r = self
            .post_json(
                "/collections/councils/items",
                &council("CC-1", "Consejo Comunal Catedral", "010101"),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
}

/// Spawns an app with the minimal catalog (council `CC-1` in parish `010101`).
pub async fn spawn_seeded_app() -> TestApp {
    let app = spawn_app().await;
    app.seed_minimal_catalog().await;
    app
}

/// POSTs a priority Feature, expects 201 and returns the stored Feature.
pub async fn create_priority(app: &TestApp, feature: &Value) -> Value {
    let r = app
        .post_json("/collections/priorities/items", feature)
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "creating {feature}");
    r.json().await.expect("the created Feature")
}

/// A response header as text.
pub fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().expect("an ASCII header").to_owned())
}

/// Every status, as the API names them.
pub const STATUSES: [&str; 5] = ["proposed", "approved", "in_progress", "done", "rejected"];

/// Every category, as the API names them.
pub const CATEGORIES: [&str; 14] = [
    "water",
    "electricity",
    "roads",
    "health",
    "education",
    "security",
    "housing",
    "environment",
    "gas",
    "transport",
    "telecom",
    "food",
    "culture_sport",
    "other",
];

/// A territory Feature.
pub fn territory(code: &str, name: &str) -> Value {
    json!({"type": "Feature", "geometry": null, "properties": {"code": code, "name": name}})
}

/// A council Feature without a location.
pub fn council(code: &str, name: &str, parish: &str) -> Value {
    json!({"type": "Feature", "geometry": null, "properties": {"code": code, "name": name, "parish": parish}})
}

/// A valid priority Feature of council `CC-1` at a point in Caracas.
pub fn priority() -> Value {
    json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-66.9146, 10.5061]},
        "properties": {"council": "CC-1", "title": "Sustitución de tubería", "category": "water"},
    })
}

/// Checks an error response: its status, the problem+json media type, the
/// RFC 9457 members, and that `member` (e.g. `("parameter", "bbox")`) names
/// the fault. Returns the body.
pub async fn assert_problem(response: Response, status: StatusCode, member: (&str, &str)) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("a JSON problem");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert!(
        body["type"].is_string() && body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    assert_eq!(
        body[member.0], member.1,
        "the problem names the fault: {body}"
    );
    body
}
