//! Writes that fail lose nothing acknowledged and leave nothing refused:
//! a full disk (SQLite capped with `max_page_count`, mid-transaction) and a
//! commit refused by the database (a deferred constraint that fails at
//! `COMMIT`, on both engines). After each, the index and the store hold the
//! same priorities, later writes are durable, and a restart on the same
//! store finds every acknowledged write and no refused one.

use std::collections::BTreeSet;

use prioridades::config::ServeArgs;
use prioridades::store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, database_url, spawn_app, spawn_app_in};

/// A priority whose description fills most of a page or two.
pub fn bulky(n: usize) -> Value {
    json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-66.9146, 10.5061]},
        "properties": {
            "council": "CC-1",
            "title": format!("Prioridad voluminosa {n}"),
            "category": "water",
            "description": "Descripción larga de la asamblea. ".repeat(110),
        },
    })
}

/// POSTs `feature`: `Ok(id)` when acknowledged (201), else the response.
pub async fn create(app: &TestApp, feature: &Value) -> Result<String, reqwest::Response> {
    let response = app
        .post_json("/collections/priorities/items", feature)
        .await;
    if response.status() != StatusCode::CREATED {
        return Err(response);
    }
    let body: Value = response.json().await.expect("JSON");
    Ok(body["id"].as_str().expect("an id").to_owned())
}

/// The ids the index answers with (every page).
async fn served_ids(app: &TestApp) -> BTreeSet<String> {
    let (status, body) = app
        .get_json("/collections/priorities/items?limit=10000")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["links"]
            .as_array()
            .expect("links")
            .iter()
            .all(|l| l["rel"] != "next")
    );
    body["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect()
}

/// The ids the store holds, read through a connection of its own.
async fn stored_ids(url: &str) -> BTreeSet<String> {
    let store = Store::connect(url).await.expect("the store opens");
    let mut ids = BTreeSet::new();
    store
        .load_priorities(|chunk| {
            ids.extend(chunk.into_iter().map(|p| p.id.to_string()));
            Ok(())
        })
        .await
        .expect("the store loads");
    store.close().await;
    ids
}

/// Index and store hold exactly `acknowledged`; after a restart on the same
/// store, so does the rebuilt index, and a new write is durable.
async fn check_nothing_lost(app: TestApp, acknowledged: &BTreeSet<String>) {
    let url = database_url(&app.dir);
    assert_eq!(
        &served_ids(&app).await,
        acknowledged,
        "index == acknowledged"
    );
    assert_eq!(
        &stored_ids(&url).await,
        acknowledged,
        "store == acknowledged"
    );
    let dir = app.stop().await;
    let app = spawn_app_in(dir, ServeArgs::for_database(url.clone())).await;
    assert_eq!(
        &served_ids(&app).await,
        acknowledged,
        "after a restart, every acknowledged write and nothing else"
    );
    let later = create(&app, &bulky(0))
        .await
        .expect("a write after restart");
    let dir = app.stop().await;
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    let (status, _) = app
        .get_json(&format!("/collections/priorities/items/{later}"))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the write after the restart is durable"
    );
}

/// SQLite's page count of the app's file, read beside the app.
pub async fn page_count(url: &str) -> u32 {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(url)
        .await
        .expect("connects");
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&mut conn)
        .await
        .expect("page_count");
    let _ = conn.close().await;
    u32::try_from(pages).expect("a page count")
}

#[tokio::test]
async fn a_full_disk_answers_507_and_loses_no_acknowledged_write() {
    if crate::BACKEND != Backend::Sqlite {
        // PostgreSQL's disk cannot be filled from a test; its `disk_full`
        // (53100) takes the same path to 507.
        return;
    }
    let app = spawn_app().await;
    app.seed_minimal_catalog().await;
    let url = database_url(&app.dir);
    let mut acknowledged = BTreeSet::new();
    for n in 0..5 {
        acknowledged.insert(create(&app, &bulky(n)).await.expect("written"));
    }
    // A "disk" with room for a few more writes: they fill it mid-transaction.
    let store = app.service.store().clone();
    store.set_sqlite_page_limit(Some(page_count(&url).await + 12));
    let mut refused = 0;
    for n in 5..200 {
        match create(&app, &bulky(n)).await {
            Ok(id) => {
                assert_eq!(refused, 0, "a write acknowledged after the disk filled");
                acknowledged.insert(id);
            }
            Err(response) => {
                let body = assert_problem(
                    response,
                    StatusCode::INSUFFICIENT_STORAGE,
                    ("type", "urn:prioridades:problem:insufficient-storage"),
                )
                .await;
                assert_eq!(body["status"], 507);
                refused += 1;
                if refused == 20 {
                    break;
                }
            }
        }
    }
    assert_eq!(
        refused,
        20,
        "the disk filled: {} written",
        acknowledged.len()
    );
    assert!(
        acknowledged.len() > 5,
        "some writes fit before the disk filled"
    );
    // Reads go on, from the index and from the store.
    let (status, _) = app.get_json("/collections/priorities/items?limit=1").await;
    assert_eq!(status, StatusCode::OK);
    let some = acknowledged.first().expect("a write");
    let (status, _) = app
        .get_json(&format!("/collections/priorities/items/{some}/history"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&served_ids(&app).await, &acknowledged);
    assert_eq!(&stored_ids(&url).await, &acknowledged);

    // Space comes back: writes succeed again at once, and last.
    store.set_sqlite_page_limit(None);
    for n in 200..210 {
        acknowledged.insert(create(&app, &bulky(n)).await.expect("written again"));
    }
    check_nothing_lost(app, &acknowledged).await;
}

/// Makes the database refuse, at `COMMIT`, any transaction that created a
/// priority titled [`REFUSED_TITLE`]: a deferred constraint, checked only
/// when the transaction commits.
async fn refuse_at_commit(url: &str) {
    let statements: &[&str] = match crate::BACKEND {
        Backend::Sqlite => &[
            "CREATE TABLE commit_guard_target (id TEXT PRIMARY KEY)",
            "CREATE TABLE commit_guard (ref TEXT REFERENCES commit_guard_target (id)
                 DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TRIGGER commit_guard AFTER INSERT ON priorities
                 WHEN new.title = 'Rechazada al confirmar'
                 BEGIN INSERT INTO commit_guard (ref) VALUES ('missing'); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION commit_guard() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$",
            "CREATE CONSTRAINT TRIGGER commit_guard AFTER INSERT ON priorities
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                 WHEN (NEW.title = 'Rechazada al confirmar')
                 EXECUTE FUNCTION commit_guard()",
        ],
    };
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(url).await.expect("connects");
    for statement in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(*statement))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    let _ = conn.close().await;
}

const REFUSED_TITLE: &str = "Rechazada al confirmar";

#[tokio::test]
async fn a_commit_the_database_refuses_is_not_acknowledged_and_leaves_nothing() {
    sqlx::any::install_default_drivers();
    let app = spawn_app().await;
    app.seed_minimal_catalog().await;
    let url = database_url(&app.dir);
    refuse_at_commit(&url).await;
    let mut acknowledged = BTreeSet::new();
    let mut refused_feature = bulky(0);
    refused_feature["properties"]["title"] = REFUSED_TITLE.into();
    // More failed commits than the pool has connections, each followed by
    // a write that must really commit (on a fresh or cleanly rolled-back
    // connection, never inside the failed transaction).
    for n in 0..10 {
        let response = create(&app, &refused_feature)
            .await
            .expect_err("a refused commit is not acknowledged");
        assert_problem(
            response,
            StatusCode::INTERNAL_SERVER_ERROR,
            ("type", "urn:prioridades:problem:internal"),
        )
        .await;
        acknowledged.insert(create(&app, &bulky(n)).await.expect("the next write"));
    }
    check_nothing_lost(app, &acknowledged).await;
}

/// Failures of both kinds, interleaved: a full disk (where SQLite ends the
/// transaction itself) followed on the same connection by a commit the
/// database refuses (where it keeps it open). Before connections were
/// ended with certainty, this left one inside a transaction that every
/// later write on it joined and never committed: acknowledged, served from
/// the index, and gone after a restart.
#[tokio::test]
async fn interleaved_failures_never_leave_a_write_uncommitted() {
    if crate::BACKEND != Backend::Sqlite {
        // The page cap is SQLite's; PostgreSQL ends a failed transaction itself.
        return;
    }
    sqlx::any::install_default_drivers();
    let app = spawn_app().await;
    app.seed_minimal_catalog().await;
    let url = database_url(&app.dir);
    refuse_at_commit(&url).await;
    let store = app.service.store().clone();
    let mut acknowledged = BTreeSet::new();
    let mut refused_feature = bulky(0);
    refused_feature["properties"]["title"] = REFUSED_TITLE.into();
    for round in 0..12 {
        // No page to spare: the next bulky write fails mid-transaction.
        store.set_sqlite_page_limit(Some(page_count(&url).await));
        let response = create(&app, &bulky(1_000 + round))
            .await
            .expect_err("no room");
        assert_eq!(response.status(), StatusCode::INSUFFICIENT_STORAGE);
        store.set_sqlite_page_limit(None);
        let response = create(&app, &refused_feature)
            .await
            .expect_err("refused at commit");
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        for n in 0..3 {
            let id = create(&app, &bulky(round * 10 + n))
                .await
                .expect("acknowledged");
            acknowledged.insert(id);
        }
    }
    check_nothing_lost(app, &acknowledged).await;
}

/// The real binary, killed with SIGKILL while eight clients write at once:
/// after a restart every write that was acknowledged is there, the index
/// and the store agree, and nothing is there that no client sent.
#[tokio::test]
async fn a_binary_killed_under_concurrent_writers_keeps_every_acknowledged_write() {
    use crate::helpers::{cli_admin_token, client_with, seed_catalog, start_binary};
    use std::sync::{Arc, Mutex};

    let dir = tempfile::TempDir::new().expect("temp dir");
    let url = database_url(&dir);
    let token = cli_admin_token(&url);
    let mut server = start_binary(&url);
    let client = client_with(&token);
    let base = server.base.clone();
    seed_catalog(&client, &base).await;

    // Each writer sends priorities titled by writer and number, so every
    // stored one can be traced to a request.
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let mut writers = Vec::new();
    for writer in 0..8 {
        let client = client.clone();
        let base = base.clone();
        let acknowledged = Arc::clone(&acknowledged);
        writers.push(tokio::spawn(async move {
            for n in 0..200 {
                let mut feature = crate::helpers::priority();
                feature["properties"]["title"] = format!("Escritor {writer} número {n}").into();
                let sent = client
                    .post(format!("{base}/collections/priorities/items"))
                    .header("content-type", "application/json")
                    .body(feature.to_string())
                    .send()
                    .await;
                let Ok(response) = sent else { break };
                if response.status() != StatusCode::CREATED {
                    break;
                }
                let Ok(body) = response.json::<Value>().await else {
                    break;
                };
                let id = body["id"].as_str().expect("an id").to_owned();
                acknowledged.lock().unwrap().insert(id);
            }
        }));
    }
    // Kill once the writers are well under way.
    for _ in 0..600 {
        if acknowledged.lock().unwrap().len() >= 100 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    server.child.kill().expect("kill -9");
    server.child.wait().expect("reaped");
    for writer in writers {
        writer.await.expect("a writer");
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 100,
        "{} acknowledged",
        acknowledged.len()
    );

    let server = start_binary(&url);
    let response = client
        .get(format!(
            "{}/collections/priorities/items?limit=10000",
            server.base
        ))
        .send()
        .await
        .expect("GET");
    let body: Value = response.json().await.expect("JSON");
    let features = body["features"].as_array().expect("features");
    let served: BTreeSet<String> = features
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(
        acknowledged.is_subset(&served),
        "{} acknowledged writes lost",
        acknowledged.difference(&served).count()
    );
    // At most one write per writer was in flight when the process died.
    assert!(
        served.len() <= acknowledged.len() + 8,
        "{} served",
        served.len()
    );
    for feature in features {
        let title = feature["properties"]["title"].as_str().expect("title");
        assert!(title.starts_with("Escritor "), "{title}");
    }
    assert_eq!(stored_ids(&url).await, served, "index == store");
}
