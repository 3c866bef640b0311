#![allow(dead_code)]
//! Spawning the real application on a fresh database, and small request helpers.
//!
//! The database is an SQLite file in a temporary directory, or, in the
//! `api_postgres` target, a database of its own on the PostgreSQL server named
//! by `PRIORIDADES_TEST_POSTGRES` (`crate::BACKEND` says which).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Once, OnceLock};

use futures_util::FutureExt;
use prioridades::config::{LogFormat, ServeArgs};
use prioridades::domain::auth::{Actor, Role};
use prioridades::service::Service;
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
    /// The service behind the server (its store, for failure tests).
    pub service: Arc<Service>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

/// The database the tests run on; each test target's `main.rs` sets `BACKEND`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A file in the test's temporary directory.
    Sqlite,
    /// A database of its own on the server at `PRIORIDADES_TEST_POSTGRES`.
    Postgres,
}

/// The URL of the database that belongs to `dir`: a file inside it on SQLite,
/// a fresh database on PostgreSQL. Every call for the same `dir` returns the
/// same database, so a test may hand it to a server, then to the CLI.
pub fn database_url(dir: &TempDir) -> String {
    match crate::BACKEND {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("test.db").display()),
        Backend::Postgres => postgres_database_url(dir.path()),
    }
}

/// The variable that names the PostgreSQL server (an admin URL).
const POSTGRES_VAR: &str = "PRIORIDADES_TEST_POSTGRES";

/// The PostgreSQL database of each directory, created on first use.
static POSTGRES_DATABASES: Mutex<BTreeMap<PathBuf, Arc<OnceLock<String>>>> =
    Mutex::new(BTreeMap::new());

fn postgres_database_url(dir: &Path) -> String {
    let admin = std::env::var(POSTGRES_VAR).unwrap_or_else(|_| {
        panic!(
            "{POSTGRES_VAR} is not set: the api_postgres tests need a PostgreSQL server. \
             Run them with scripts/test, which starts one, or set {POSTGRES_VAR} to an \
             admin URL (scripts/postgres start prints one)."
        )
    });
    let cell = Arc::clone(
        POSTGRES_DATABASES
            .lock()
            .unwrap()
            .entry(dir.to_path_buf())
            .or_default(),
    );
    cell.get_or_init(|| create_postgres_database(&admin, dir))
        .clone()
}

/// Creates the database of `dir` on the server at `admin` (dropping any left
/// by an earlier run under the same name) and returns its URL. Synchronous:
/// the work is done on a thread of its own with its own runtime, so that it
/// may be called from inside a test's runtime.
fn create_postgres_database(admin: &str, dir: &Path) -> String {
    use sha2::{Digest, Sha256};
    use sqlx::Connection;

    let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let name = format!("prio_test_{hex}");
    let admin_url = admin.to_owned();
    let statements = [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ];
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let mut connection = sqlx::PgConnection::connect(&admin_url)
                .await
                .unwrap_or_else(|e| panic!("connecting to {POSTGRES_VAR}={admin_url}: {e}"));
            for statement in statements {
                sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone()))
                    .execute(&mut connection)
                    .await
                    .unwrap_or_else(|e| panic!("{statement}: {e}"));
            }
            let _ = connection.close().await;
        });
    })
    .join()
    .expect("the database is created");
    with_database(admin, &name)
}

/// `url` (`postgres://user@host:port/db?options`) naming database `name` instead.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    format!("{root}/{name}{query}")
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
        .create_token(Actor::CommandLine, Role::Admin, Some("tests".into()))
        .await
        .expect("an admin token");
    let base = format!("http://{}", app.address());
    let service = app.service();
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        base,
        client: client_with(&admin_token),
        admin_token,
        dir,
        service,
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

    /// Imports `features` as one FeatureCollection (with the test's
    /// admin token) and asserts it succeeds, creating one priority each;
    /// the import's report.
    pub async fn import_ok(&self, features: Vec<Value>) -> Value {
        let count = features.len();
        let r = self
            .post_json(
                "/collections/priorities/import",
                &json!({"type": "FeatureCollection", "features": features}),
            )
            .await;
        let status = r.status();
        let report: Value = r.json().await.expect("the import's report");
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["created"], count, "{report}");
        report
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
        seed_catalog(&self.client, &self.base).await;
    }
}

/// Creates a state `01`, municipality `0101`, parish `010101` and council
/// `CC-1` through the server at `base` (`client` sends an admin token).
pub async fn seed_catalog(client: &reqwest::Client, base: &str) {
    for (collection, body) in [
        ("states", territory("01", "Distrito Capital")),
        ("municipalities", territory("0101", "Libertador")),
        ("parishes", territory("010101", "Catedral")),
        (
            "councils",
            council("CC-1", "Consejo Comunal Catedral", "010101"),
        ),
    ] {
        let r = client
            .post(format!("{base}/collections/{collection}/items"))
            .json(&body)
            .send()
            .await
            .expect("POST");
        assert_eq!(r.status(), StatusCode::CREATED, "seeding {collection}");
    }
}

/// The service binary, started with `serve` on `url`, with the address it
/// listens on; killed when dropped, so a failing test leaves no server behind.
pub struct Process {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the real binary (`prioridades serve`, no demo, JSON logs) on the
/// database at `url`, and waits until it listens.
pub fn start_binary(url: &str) -> Process {
    start_binary_with(url, &["--no-demo"])
}

/// [`start_binary`] with `extra` arguments instead of `--no-demo`.
pub fn start_binary_with(url: &str, extra: &[&str]) -> Process {
    let mut child = Command::new(env!("CARGO_BIN_EXE_prioridades"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--database-url",
            url,
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let logs = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(logs).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("the binary logs until it listens")
            .expect("a log line");
        let event: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        if let Some(address) = event["fields"]["address"].as_str() {
            break format!("http://{address}");
        }
    };
    // Keep draining the logs so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Process { child, base }
}

/// An admin token made with `prioridades token create` on the database at `url`.
pub fn cli_admin_token(url: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_prioridades"))
        .args(["token", "create", "--role", "admin", "--database-url", url])
        .output()
        .expect("token create runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .trim()
        .to_owned()
}

/// Spawns an app with the minimal catalog (council `CC-1` in parish `010101`).
pub async fn spawn_seeded_app() -> TestApp {
    let app = spawn_app().await;
    app.seed_minimal_catalog().await;
    app
}

/// POSTs a priority Feature, expects 201 and returns the stored Feature.
pub async fn create_priority(app: &TestApp, feature: &Value) -> Value {
    let r = app.post_json(ITEMS, feature).await;
    let status = r.status();
    let body: Value = r.json().await.expect("a JSON body");
    assert_eq!(status, StatusCode::CREATED, "creating {feature}: {body}");
    body
}

/// A response header as text.
pub fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().expect("an ASCII header").to_owned())
}

/// Every status, as the API names them.
pub const STATUSES: [&str; 6] = [
    "proposed",
    "approved",
    "in_progress",
    "done",
    "rejected",
    "duplicate",
];

/// The statuses a priority may be created or imported with: every one but
/// `duplicate`, which only a transition naming the original gives.
pub const CREATED_STATUSES: [&str; 5] = ["proposed", "approved", "in_progress", "done", "rejected"];

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

/// Runs `check` on every case of a table in turn, then fails naming each
/// case that failed by its label (the name it had as a test of its own)
/// with its message: a failing case neither hides the cases after it nor
/// goes unnamed.
pub async fn each_case<T>(cases: Vec<(&'static str, T)>, check: impl AsyncFn(T)) {
    let mut failed = Vec::new();
    for (label, case) in cases {
        if let Err(panic) = AssertUnwindSafe(check(case)).catch_unwind().await {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failed.push(format!("{label}: {message}"));
        }
    }
    assert!(
        failed.is_empty(),
        "{} case(s) failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// The type URI of a problem kind (`invalid-field`, `malformed-body`, …).
pub fn problem_type(kind: &str) -> String {
    format!("urn:prioridades:problem:{kind}")
}

// ---------------------------------------------------------------- priorities

/// The priorities collection's items, the path most tests write to and read.
pub const ITEMS: &str = "/collections/priorities/items";

/// The priorities' bulk import.
pub const IMPORT: &str = "/collections/priorities/import";

/// The media type of GeoJSON bodies.
pub const GEOJSON: &str = "application/geo+json";

/// POSTs a priority Feature, expects 201 and returns the id it was given.
pub async fn create_priority_id(app: &TestApp, feature: &Value) -> String {
    let created = create_priority(app, feature).await;
    created["id"].as_str().expect("an id").to_owned()
}

/// GETs one priority, expecting 200; returns the Feature.
pub async fn get_priority(app: &TestApp, id: &str) -> Value {
    let (status, body) = app.get_json(&format!("{ITEMS}/{id}")).await;
    assert_eq!(status, StatusCode::OK, "GET {id}: {body}");
    body
}

/// The features of a FeatureCollection body.
pub fn features_of(collection: &Value) -> &[Value] {
    collection["features"]
        .as_array()
        .unwrap_or_else(|| panic!("a FeatureCollection: {collection}"))
}

/// The ids of `features`, in order.
pub fn ids(features: &[Value]) -> Vec<String> {
    features
        .iter()
        .map(|f| f["id"].as_str().expect("a string id").to_owned())
        .collect()
}

/// The ids of the priorities an items query returns (one page of up to
/// 10,000), as a set: for tests that care which, not in what order.
pub async fn ids_for(app: &TestApp, query: &str) -> BTreeSet<String> {
    let (status, body) = app.get_json(&format!("{ITEMS}?limit=10000&{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    ids(features_of(&body)).into_iter().collect()
}

/// Every priority an items query matches (one page of up to 10,000), after
/// checking that `numberMatched` and `numberReturned` both count them all.
pub async fn all_features(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, body) = app.get_json(&format!("{ITEMS}?limit=10000&{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    let features = features_of(&body).to_vec();
    assert_eq!(
        body["numberMatched"],
        features.len(),
        "{query}: numberMatched counts every match"
    );
    assert_eq!(body["numberReturned"], features.len(), "{query}");
    features
}

/// Every page of a list from `first` (a path), following the `next` links,
/// each of which must point at this server: the page bodies, in order.
pub async fn follow_pages(app: &TestApp, first: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut path = first.to_owned();
    loop {
        let (status, body) = app.get_json(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let next = body["links"]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: links: {body}"))
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| l["href"].as_str().expect("an href").to_owned());
        pages.push(body);
        let Some(href) = next else { break };
        path = href
            .strip_prefix(app.base.as_str())
            .unwrap_or_else(|| panic!("{href} points at this server"))
            .to_owned();
        assert!(pages.len() < 1_000, "the next links end");
    }
    pages
}

// ---------------------------------------------------------------- geometry

/// `[min lon, min lat, max lon, max lat]`, in degrees.
pub type Square = [f64; 4];

/// A Point at `[lon, lat]`.
pub fn point([lon, lat]: [f64; 2]) -> Value {
    json!({"type": "Point", "coordinates": [lon, lat]})
}

/// A closed counter-clockwise ring around a square.
pub fn ring(s: Square) -> Value {
    let [x0, y0, x1, y1] = s;
    json!([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])
}

/// A Polygon of `rings` (the outer ring first).
pub fn polygon(rings: Vec<Value>) -> Value {
    json!({"type": "Polygon", "coordinates": rings})
}

/// A FeatureCollection of `features`.
pub fn collection(features: Vec<Value>) -> Value {
    json!({"type": "FeatureCollection", "features": features})
}

/// A boundary Feature with `code` and `name` properties.
pub fn boundary(code: &str, name: &str, geometry: Value) -> Value {
    json!({"type": "Feature", "geometry": geometry, "properties": {"code": code, "name": name}})
}

/// POSTs a boundary file to `/collections/{collection}/import{query}`.
pub async fn import_boundaries(
    app: &TestApp,
    collection: &str,
    query: &str,
    file: &Value,
) -> Response {
    app.post_raw(
        &format!("/collections/{collection}/import{query}"),
        "application/geo+json",
        file.to_string(),
    )
    .await
}

/// Imports a boundary file, expecting 200; returns the report.
pub async fn import_boundaries_ok(
    app: &TestApp,
    collection: &str,
    query: &str,
    file: &Value,
) -> Value {
    let r = import_boundaries(app, collection, query, file).await;
    let status = r.status();
    let body: Value = r.json().await.expect("an import report");
    assert_eq!(status, StatusCode::OK, "importing {collection}: {body}");
    body
}

/// The great-circle distance between two `[lon, lat]` points on a sphere of
/// the mean Earth radius, written out here so that oracles share no code
/// with the service's `geo`.
///
/// # Units
/// Degrees in, metres out.
pub fn haversine(a: [f64; 2], b: [f64; 2]) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_008.8;
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let dlat = la2 - la1;
    let dlon = (b[0] - a[0]).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}
