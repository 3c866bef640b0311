//! Open311 GeoReport v2 through an existing client library: georeport (PyPI,
//! `scripts/open311-venv`) runs `tests/open311/client_test.py` against the
//! server on a temporary store holding the seeded dataset of `queries`.
//! What the library returns is compared here with the server's own JSON
//! and with the brute-force listing of `open311`.
//!
//! georeport 0.3.1 reads (services, a service definition, request lists
//! with filters, one request, in JSON and XML) but has no call that
//! creates a request; the script POSTs the specification's form itself and
//! reads the result back through the library. The older libraries (`three`
//! 0.8.0, `open311` 1.1) are Python 2 only and do not import on Python 3.
//!
//! Without Python's venv module or PyPI the test says so loudly and passes,
//! unless `PRIORIDADES_REQUIRE_OPEN311_CLIENT=1` (set by `.ci/run`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::open311::expected;
use crate::queries::{Item, Shape, micros_to_rfc3339, seeded};

fn skip_or_fail(why: &str) {
    assert!(
        std::env::var("PRIORIDADES_REQUIRE_OPEN311_CLIENT").as_deref() != Ok("1"),
        "PRIORIDADES_REQUIRE_OPEN311_CLIENT=1 but {why}"
    );
    // Straight to the process's stderr: libtest captures eprintln!.
    let _ = writeln!(
        std::io::stderr(),
        "\n##########################################################\n\
         ##  Open311 client test SKIPPED: {why}\n\
         ##  Needs python3-venv and PyPI: scripts/open311-venv\n\
         ##########################################################\n"
    );
}

/// The venv's python, from `scripts/open311-venv`, or why not.
fn client_python(root: &Path) -> Result<PathBuf, String> {
    let output = std::process::Command::new(root.join("scripts/open311-venv"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("scripts/open311-venv did not run: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "scripts/open311-venv failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&output.stdout).trim(),
    ))
}

/// Runs the script with `env`; what it printed, as JSON.
async fn run_client(python: &Path, root: &Path, env: &[(&str, String)]) -> Value {
    let mut command = tokio::process::Command::new(python);
    command
        .arg(root.join("tests/open311/client_test.py"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        // The server is local: no proxy.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(std::time::Duration::from_secs(300), command.output())
        .await
        .expect("the client script ends within 5 minutes")
        .expect("the client script runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "client_test.py failed:\n{stderr}");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "client_test.py printed no JSON ({e}):\n{}\n{stderr}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

async fn server_json(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.get_json(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// A JSON value as the XML form writes it (and xmltodict reads it back).
fn as_text(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::String(s) => json!(s),
        other => json!(other.to_string()),
    }
}

/// Each member of a JSON record as text, as xmltodict gives the XML form.
fn as_xml_record(record: &Value) -> Value {
    let map = record.as_object().unwrap();
    Value::Object(map.iter().map(|(k, v)| (k.clone(), as_text(v))).collect())
}

fn ids_of(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap().to_owned())
        .collect()
}

/// The filters asked through the library: (services, open) over 90 days.
const FILTERS: [(&[&str], Option<bool>, i64); 3] = [
    (&[], None, 100),
    (&["water"], Some(true), 250),
    (&["health", "roads"], Some(false), 400),
];

/// Each of [`FILTERS`]' time window (microseconds) and its keyword
/// arguments of `GeoReport.get_service_requests`.
fn filter_queries() -> (Vec<(i64, i64)>, Vec<Value>) {
    let day = 86_400_000_000i64;
    let first = 1_735_689_600_000_000i64; // 2025-01-01, the dataset's start
    let windows: Vec<(i64, i64)> = FILTERS
        .iter()
        .map(|(_, _, from)| (first + from * day, first + (from + 90) * day))
        .collect();
    let queries: Vec<Value> = FILTERS
        .iter()
        .zip(&windows)
        .map(|((services, open, _), (start, end))| {
            let mut q = json!({
                "start_date": micros_to_rfc3339(*start),
                "end_date": micros_to_rfc3339(*end),
            });
            if !services.is_empty() {
                q["service_code"] = json!(services.join(","));
            }
            if let Some(open) = open {
                q["status"] = json!(if *open { "open" } else { "closed" });
            }
            q
        })
        .collect();
    (windows, queries)
}

/// The lists the library returned equal the brute force and the server's
/// own JSON for the same query.
async fn check_lists(
    app: &TestApp,
    items: &[Item],
    windows: &[(i64, i64)],
    queries: &[Value],
    lists: &Value,
) {
    for (((services, open, _), (start, end)), (got, query)) in FILTERS
        .iter()
        .zip(windows)
        .zip(lists.as_array().unwrap().iter().zip(queries))
    {
        let want = expected(items, *start, *end, services, *open);
        assert!(!want.is_empty(), "{query}");
        assert_eq!(ids_of(got), want, "{query}");
        let form: Vec<(String, String)> = query
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let direct = format!(
            "/open311/v2/requests.json?{}",
            serde_urlencoded::to_string(&form).unwrap()
        );
        assert_eq!(got, &server_json(app, &direct).await, "{query}");
    }
}

/// The POST with the spokesperson's token as api_key, read back through
/// the library, the Open311 JSON and the OGC API.
async fn check_created(app: &TestApp, out: &Value, council: &str, [lon, lat]: [f64; 2]) {
    assert_eq!(out["created_status"], 201, "{}", out["created"]);
    let id = out["created"][0]["service_request_id"].as_str().unwrap();
    let read = &out["created_read"];
    assert_eq!(read["service_request_id"], id);
    assert_eq!(read["service_code"], "health");
    assert_eq!(read["status"], "open");
    assert_eq!(read["status_notes"], "proposed");
    let direct = server_json(app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(read, &direct[0]);
    let (status, p) = app
        .get_json(&format!("/collections/priorities/items/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(p["properties"]["council"], council);
    assert_eq!(p["properties"]["title"], "Ambulatorio sin medicinas");
    assert_eq!(p["properties"]["families"], 75);
    assert_eq!(p["properties"]["category"], "health");
    assert_eq!(p["properties"]["status"], "proposed");
    assert_eq!(p["geometry"]["coordinates"], json!([lon, lat]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_georeport_library_reads_and_its_reads_equal_the_server() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = match tokio::task::spawn_blocking({
        let root = root.clone();
        move || client_python(&root)
    })
    .await
    .unwrap()
    {
        Ok(python) => python,
        Err(why) => return skip_or_fail(&why),
    };
    let (app, data) = seeded(21).await;
    // A council with a point priority: the new request goes at that point.
    let (council, [lon, lat]) = data
        .items
        .iter()
        .find_map(|i| match &i.shape {
            Shape::Points(p) if p.len() == 1 => Some((i.council.clone(), p[0])),
            _ => None,
        })
        .expect("a point priority");
    let key = app.token("spokesperson", Some(&council)).await;
    let (windows, queries) = filter_queries();
    let two = [data.items[0].id.clone(), data.items[5].id.clone()];
    let out = run_client(
        &python,
        &root,
        &[
            ("PRIORIDADES_OPEN311", app.url("/open311/v2")),
            ("PRIORIDADES_API_KEY", key.clone()),
            (
                "PRIORIDADES_QUERIES",
                Value::from(queries.clone()).to_string(),
            ),
            ("PRIORIDADES_REQUEST_IDS", two.join(",")),
            ("PRIORIDADES_POINT", format!("{lon},{lat}")),
        ],
    )
    .await;
    assert_eq!(out["version"], "0.3.1");

    let services = server_json(&app, "/open311/v2/services.json").await;
    assert_eq!(out["services"], services);
    let xml: Vec<Value> = services
        .as_array()
        .unwrap()
        .iter()
        .map(as_xml_record)
        .collect();
    assert_eq!(out["services_xml"], Value::from(xml));
    let definition = server_json(&app, "/open311/v2/services/water.json").await;
    assert_eq!(out["definition"], definition);

    check_lists(&app, &data.items, &windows, &queries, &out["lists"]).await;

    let mut by_ids = ids_of(&out["by_ids"]);
    by_ids.sort();
    let mut want = two.to_vec();
    want.sort();
    assert_eq!(by_ids, want);
    let one = server_json(&app, &format!("/open311/v2/requests/{}.json", two[0])).await;
    assert_eq!(out["one"], one[0]);
    assert_eq!(out["one_xml"], as_xml_record(&one[0]));
    let unknown = app
        .get("/open311/v2/requests/not-an-id.json")
        .await
        .status();
    assert!(unknown.is_client_error());
    assert_eq!(out["unknown"], json!(unknown.as_u16()));

    check_created(&app, &out, &council, [lon, lat]).await;
}
