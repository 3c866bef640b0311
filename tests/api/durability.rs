//! Acknowledged writes survive restarts, including `kill -9` of the process.

use std::process::Command;
use std::time::Duration;

use prioridades::config::ServeArgs;
use prioridades::domain::priority::Priority;
use prioridades::service::load_index;
use prioridades::store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::helpers::{
    all_features, cli_admin_token, client_with, database_url, priority, seed_catalog, spawn_app,
    spawn_app_in, start_binary,
};

#[tokio::test]
async fn writes_are_read_back_after_restarting_on_the_same_file() {
    let app = spawn_app().await;
    app.seed_minimal_catalog().await;
    let created: Value = app
        .post_json("/collections/priorities/items", &priority())
        .await
        .json()
        .await
        .expect("JSON");
    let id = created["id"].as_str().expect("id").to_owned();
    let replaced = app
        .client
        .put(app.url(&format!("/collections/priorities/items/{id}")))
        .header("if-match", "\"1\"")
        .header("content-type", "application/geo+json")
        .body(json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[-66.91, 10.50], [-66.90, 10.51]]},
            "properties": {"council": "CC-1", "title": "Calle reparada", "category": "roads"}}).to_string())
        .send()
        .await
        .expect("PUT");
    assert_eq!(replaced.status(), StatusCode::OK);
    let doomed: Value = app
        .post_json("/collections/priorities/items", &priority())
        .await
        .json()
        .await
        .expect("JSON");
    let doomed = doomed["id"].as_str().expect("id").to_owned();
    let deleted = app
        .client
        .delete(app.url(&format!("/collections/priorities/items/{doomed}")))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    let dir = app.stop().await;
    let url = database_url(&dir);
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    let (status, body) = app
        .get_json(&format!("/collections/priorities/items/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["properties"]["title"], "Calle reparada");
    assert_eq!(body["properties"]["version"], 2);
    assert_eq!(body["geometry"]["type"], "LineString");
    assert_eq!(body["properties"]["parish"], "010101");
    let (status, _) = app
        .get_json(&format!("/collections/priorities/items/{doomed}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.priority_count().await, 1);
    // The index was rebuilt from the store: spatial queries find the line.
    let (_, found) = app
        .get_json("/collections/priorities/items?bbox=-66.905,10.50,-66.904,10.51")
        .await;
    assert_eq!(found["numberMatched"], 1);
}

/// Every member of every kind of priority reads back the same after a
/// restart rebuilt the index from the store: text needing escapes, absent
/// and present optional members, plans, every geometry type.
#[tokio::test]
async fn every_feature_is_served_identically_after_a_restart() {
    let app = spawn_app().await;
    app.seed_minimal_catalog().await;
    let texts = [
        "Agua \"potable\" para el sector",
        "Barra \\ invertida, tab\t y salto\nde línea",
        "Ñandú, acentos y emoji 😀",
        "Comillas 'simples', <etiquetas> & /barras/",
    ];
    let geometries = [
        json!({"type": "Point", "coordinates": [-66.9101, 10.5001]}),
        json!({"type": "MultiPoint", "coordinates": [[-66.91, 10.5], [-66.909, 10.501]]}),
        json!({"type": "LineString", "coordinates": [[-66.91, 10.5], [-66.9, 10.51]]}),
        json!({"type": "MultiLineString", "coordinates": [[[-66.91, 10.5], [-66.9, 10.51]]]}),
        json!({"type": "Polygon", "coordinates": [[[-66.91, 10.5], [-66.9, 10.5], [-66.9, 10.51], [-66.91, 10.5]]]}),
        json!({"type": "MultiPolygon", "coordinates": [[[[-66.91, 10.5], [-66.9, 10.5], [-66.9, 10.51], [-66.91, 10.5]]]]}),
    ];
    let categories = ["water", "roads", "health"];
    let features: Vec<Value> = (0..24)
        .map(|i| {
            let mut properties = json!({
                "council": "CC-1",
                "title": texts[i % texts.len()],
                "category": categories[i % categories.len()],
                "status": if i % 2 == 0 { "proposed" } else { "approved" },
            });
            if i % 3 == 0 {
                properties["description"] = texts[(i + 1) % texts.len()].into();
            }
            if i % 4 == 1 {
                properties["families"] = (i * 17).into();
            }
            if i % 2 == 1 {
                properties["plan"] = json!({
                    "objective": texts[i % texts.len()], "goal": "300 m de tubería",
                    "responsible": {"kind": "commune", "name": "Comuna \"El Valle\""},
                    "resources": "Tubería PEAD", "start_date": "2026-01-10", "target_date": "2026-06-30"});
            }
            json!({"type": "Feature", "geometry": geometries[i % geometries.len()], "properties": properties})
        })
        .collect();
    let body = json!({"type": "FeatureCollection", "features": features}).to_string();
    let r = app
        .post_raw(
            "/collections/priorities/import",
            "application/geo+json",
            body,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.expect("report");
    assert_eq!(report["created"], 24, "{report}");
    let before = all_features(&app, "").await;
    assert_eq!(before.len(), 24);

    let dir = app.stop().await;
    let url = database_url(&dir);
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    assert_eq!(all_features(&app, "").await, before);
}

/// Start-up reads priorities a chunk at a time in one read transaction:
/// chunks of any size give every priority once, in row-key order, each as
/// reading it alone by id gives it.
#[tokio::test]
async fn priorities_load_the_same_in_chunks_of_any_size() {
    let dir = TempDir::new().expect("temp dir");
    let store = Store::connect(&database_url(&dir)).await.expect("store");
    let loaded = prioridades::demo::load(&store).await.expect("demo");
    assert!(loaded > 1_000, "{loaded}");
    // Gaps in the row keys: a run longer than some chunks, and the first.
    let mut doomed = Vec::new();
    store
        .load_priorities(|c| {
            doomed.extend(c.iter().skip(500).take(20).chain(&c[..1]).map(|p| p.id));
            Ok(())
        })
        .await
        .expect("load");
    for id in &doomed {
        let change = prioridades::domain::history::Change::by("test");
        store
            .delete_priority(*id, None, &change)
            .await
            .expect("delete");
    }
    let count = loaded - doomed.len();
    let load = |chunk: usize| {
        let store = &store;
        async move {
            let mut chunks: Vec<Vec<Priority>> = Vec::new();
            store
                .load_priorities_in_chunks(chunk, Ok, |c| {
                    chunks.push(c);
                    Ok(())
                })
                .await
                .expect("load");
            assert!(chunks.iter().all(|c| !c.is_empty() && c.len() <= chunk));
            assert!(chunks.len() >= count.div_ceil(chunk), "chunks of {chunk}");
            chunks.concat()
        }
    };
    let whole = load(count + 1).await;
    assert_eq!(whole.len(), count);
    assert!(whole.windows(2).all(|w| w[0].pk < w[1].pk));
    for priority in &whole {
        let alone = store.get_priority(priority.id).await.expect("get");
        assert_eq!(alone.as_ref(), Some(priority));
    }
    for chunk in [1, 7, 300, loaded - 1, loaded] {
        assert!(load(chunk).await == whole, "chunks of {chunk}");
    }
}

/// Start-up parses every stored row whole, so a stored geometry or plan that
/// is not JSON fails the load instead of being misread: here one cut short,
/// and one that closes its row early and carries the record separator the
/// chunks are split on.
#[tokio::test]
async fn a_damaged_stored_geometry_or_plan_fails_the_load() {
    let damages = [
        ("geometry", "{\"type\":\"Point\",\"coordinates\":[-66.9,"),
        (
            "geometry",
            "{\"type\":\"Point\",\"coordinates\":[-66.9,10.5]}]\u{1e}[1",
        ),
        ("plan", "{\"objective\":\"Agua\""),
    ];
    for (column, damage) in damages {
        let dir = TempDir::new().expect("temp dir");
        let url = database_url(&dir);
        let store = Store::connect(&url).await.expect("store");
        prioridades::demo::load(&store).await.expect("demo");
        assert!(load_index(&store).await.is_ok(), "the intact store loads");
        let pool = sqlx::AnyPool::connect(&url).await.expect("pool");
        let sql = format!(
            "UPDATE priorities SET {column} = $1
             WHERE pk = (SELECT min(pk) FROM priorities)"
        );
        let changed = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(damage)
            .execute(&pool)
            .await
            .expect("damage")
            .rows_affected();
        assert_eq!(changed, 1);
        pool.close().await;
        assert!(
            load_index(&store).await.is_err(),
            "a damaged {column} ({damage:?}) loaded"
        );
    }
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    let dir = TempDir::new().expect("temp dir");
    let url = database_url(&dir);
    let token = cli_admin_token(&url);
    let mut server = start_binary(&url);
    let client = client_with(&token);
    seed_catalog(&client, &server.base).await;
    let post = |path: &str, body: Value| {
        client
            .post(format!("{}{path}", server.base))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    let mut acknowledged = Vec::new();
    for _ in 0..25 {
        let r = post("/collections/priorities/items", priority())
            .await
            .expect("POST");
        assert_eq!(r.status(), StatusCode::CREATED);
        let body: Value = r.json().await.expect("JSON");
        acknowledged.push(body["id"].as_str().expect("id").to_owned());
    }
    // SIGKILL straight after the last acknowledgement: no shutdown, no checkpoint.
    server.child.kill().expect("kill -9");
    server.child.wait().expect("reaped");

    let mut server = start_binary(&url);
    for id in &acknowledged {
        let r = client
            .get(format!("{}/collections/priorities/items/{id}", server.base))
            .send()
            .await
            .expect("GET");
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "priority {id} was acknowledged, so it must survive"
        );
    }
    server.child.kill().expect("kill");
    server.child.wait().expect("reaped");
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let dir = TempDir::new().expect("temp dir");
    let mut server = start_binary(&database_url(&dir));
    let r = reqwest::get(format!("{}/", server.base))
        .await
        .expect("GET");
    assert_eq!(r.status(), StatusCode::OK);
    let pid = server.child.id().to_string();
    let sent = Command::new("sh")
        .args(["-c", &format!("kill -TERM {pid}")])
        .status()
        .expect("kill -TERM");
    assert!(sent.success());
    let mut waited = Duration::ZERO;
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("try_wait") {
            break status;
        }
        assert!(
            waited < Duration::from_secs(20),
            "the server did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    };
    assert!(status.success(), "a graceful stop exits 0, got {status}");
}
