//! Bearer tokens: a secret shown once, revocation at once, tokens made and
//! revoked on the command line for a running server, and secrets kept out
//! of the logs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::governance::{
    AT_A, AT_E, ROLES, assert_refused, feature, governed_app, history, mint, send, sha256_hex,
};
use crate::helpers::{
    ITEMS, assert_problem, client_with, council, create_priority_id, database_url, header,
    territory,
};

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
    let id = create_priority_id(app, &feature("CC-A", AT_A, "Semáforo")).await;
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
    let elsewhere = create_priority_id(app, &feature("CC-E", AT_E, "Fuera")).await;
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
