//! Replicas as separate processes: two real service binaries on one store,
//! one killed and restarted in the middle of a stream of writes, and (on
//! PostgreSQL) every database connection dropped under them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::helpers::{
    Backend, Process, cli_admin_token, client_with, database_url, priority, seed_catalog,
    start_binary, start_binary_with,
};

/// What a test knows was acknowledged: id → version, `None` once deleted.
type Truth = BTreeMap<String, Option<i64>>;

/// Write number `i` of the stream on the replica at `base`: mostly
/// creations, with an edit every third write and a deletion every seventh,
/// each acknowledged before the next.
async fn write(client: &reqwest::Client, base: &str, i: usize, truth: &mut Truth) {
    let live: Vec<(String, i64)> = truth
        .iter()
        .filter_map(|(id, v)| v.map(|v| (id.clone(), v)))
        .collect();
    if i % 7 == 6 && !live.is_empty() {
        let (id, version) = &live[i % live.len()];
        let r = client
            .delete(format!("{base}/collections/priorities/items/{id}"))
            .header("if-match", format!("\"{version}\""))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "write {i}: delete");
        truth.insert(id.clone(), None);
    } else if i % 3 == 2 && !live.is_empty() {
        let (id, version) = &live[i % live.len()];
        let r = client
            .patch(format!("{base}/collections/priorities/items/{id}"))
            .header("content-type", "application/merge-patch+json")
            .header("if-match", format!("\"{version}\""))
            .body(json!({"properties": {"families": i}}).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "write {i}: edit");
        truth.insert(id.clone(), Some(version + 1));
    } else {
        let mut p = priority();
        p["properties"]["title"] = json!(format!("Prioridad {i} de la corriente"));
        let r = client
            .post(format!("{base}/collections/priorities/items"))
            .json(&p)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "write {i}: create");
        let body: Value = r.json().await.unwrap();
        truth.insert(body["id"].as_str().unwrap().to_owned(), Some(1));
    }
}

/// The replica's priorities (id → version) and the change number its answer reflects.
async fn served(base: &str) -> (BTreeMap<String, i64>, i64) {
    let r = reqwest::get(format!("{base}/collections/priorities/items?limit=10000"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let seq = r.headers()["change-sequence"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: Value = r.json().await.unwrap();
    let items = body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["properties"]["version"].as_i64().unwrap(),
            )
        })
        .collect();
    (items, seq)
}

/// Waits until the replica at `base` serves exactly `truth`; returns the
/// change number it then reflects.
async fn converges(base: &str, truth: &Truth) -> i64 {
    let expected: BTreeMap<String, i64> = truth
        .iter()
        .filter_map(|(id, v)| v.map(|v| (id.clone(), v)))
        .collect();
    let started = Instant::now();
    loop {
        let (items, seq) = served(base).await;
        if items == expected {
            return seq;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{base} never caught up: serves {} priorities, expected {}",
            items.len(),
            expected.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every page of the change feed of the replica at `base`, from the start.
async fn feed(base: &str) -> Vec<Value> {
    let mut url = format!("{base}/collections/priorities/changes?limit=25");
    let mut entries = Vec::new();
    loop {
        let page: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
        entries.extend(page["changes"].as_array().unwrap().iter().cloned());
        match page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
        {
            Some(next) => url = next["href"].as_str().unwrap().to_owned(),
            None => return entries,
        }
    }
}

fn kill_9(process: &mut Process) {
    process.child.kill().expect("SIGKILL");
    process.child.wait().expect("reaped");
}

#[tokio::test]
async fn replicas_killed_and_restarted_mid_stream_lose_and_repeat_nothing() {
    let dir = TempDir::new().unwrap();
    let url = database_url(&dir);
    let mut a = start_binary(&url);
    let mut b = start_binary(&url);
    let client = client_with(&cli_admin_token(&url));
    seed_catalog(&client, &a.base).await;
    let mut truth = Truth::new();

    for i in 0..40 {
        write(&client, &a.base, i, &mut truth).await;
    }
    // B dies in the middle of the stream, and comes back while it goes on.
    kill_9(&mut b);
    for i in 40..80 {
        write(&client, &a.base, i, &mut truth).await;
    }
    b = start_binary(&url);
    for i in 80..120 {
        write(&client, &a.base, i, &mut truth).await;
    }
    // Now the writer dies; the stream goes on through B.
    kill_9(&mut a);
    for i in 120..160 {
        write(&client, &b.base, i, &mut truth).await;
    }
    a = start_binary(&url);
    for i in 160..200 {
        write(&client, &a.base, i, &mut truth).await;
    }

    let seq_a = converges(&a.base, &truth).await;
    let seq_b = converges(&b.base, &truth).await;
    assert!(seq_a > 0 && seq_b > 0);
    for base in [&a.base, &b.base] {
        let entries = feed(base).await;
        let mut seen = BTreeMap::new();
        for e in &entries {
            let id = e["id"].as_str().unwrap().to_owned();
            assert!(seen.insert(id, e.clone()).is_none(), "listed twice: {e}");
        }
        assert_eq!(
            seen.keys().collect::<Vec<_>>(),
            truth.keys().collect::<Vec<_>>(),
            "the feed lists every priority ever written, once"
        );
        for (id, version) in &truth {
            let e = &seen[id];
            match version {
                None => assert_eq!(e["action"], "deleted", "{e}"),
                Some(v) => {
                    assert_eq!(e["action"], "created", "{e}");
                    assert_eq!(e["version"], *v, "{e}");
                }
            }
        }
    }
}

#[tokio::test]
async fn a_replica_survives_its_database_connections_being_dropped() {
    if crate::BACKEND != Backend::Postgres {
        // Only a server engine has connections to drop; SQLite is a file.
        return;
    }
    let dir = TempDir::new().unwrap();
    let url = database_url(&dir);
    let a = start_binary(&url);
    let b = start_binary(&url);
    let client = client_with(&cli_admin_token(&url));
    seed_catalog(&client, &a.base).await;
    let mut truth = Truth::new();
    for i in 0..10 {
        write(&client, &a.base, i, &mut truth).await;
    }
    converges(&b.base, &truth).await;

    // Every connection of both replicas (pools and listeners) is cut.
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let cut: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert!(cut.len() >= 2, "both replicas had connections: {cut:?}");

    // Writes go on through A, and B still follows them.
    for i in 10..30 {
        write(&client, &a.base, i, &mut truth).await;
    }
    converges(&b.base, &truth).await;
    converges(&a.base, &truth).await;
}

#[tokio::test]
async fn replicas_started_together_on_an_empty_store_load_the_demo_once() {
    let dir = TempDir::new().unwrap();
    let url = database_url(&dir);
    // Both start at once; each finds the store empty and tries to load the demo.
    let starts: Vec<_> = (0..2)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || start_binary_with(&url, &[]))
        })
        .collect();
    let replicas: Vec<Process> = starts
        .into_iter()
        .map(|s| s.join().expect("both replicas start"))
        .collect();
    for replica in &replicas {
        let body: Value = reqwest::get(format!(
            "{}/collections/priorities/items?limit=1",
            replica.base
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        assert_eq!(body["numberMatched"], 2000, "the demo, once");
    }
}
