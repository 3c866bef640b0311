//! Bulk import over HTTP (FeatureCollections in batches, newline-delimited
//! Features, an id repeated within one import) and from the command line.

use std::collections::BTreeSet;

use prioridades::config::ServeArgs;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

use crate::helpers::{
    ITEMS, TestApp, database_url, get_priority, ids_for, spawn_app_in, spawn_seeded_app,
};
use crate::writes::priority_at;

/// `n` valid priority Features with fresh ids, titled `prefix i`.
fn features_with_ids(ids: &[Uuid], prefix: &str) -> Vec<Value> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            let mut f = priority_at(
                &format!("{prefix} {i}"),
                -67.0 + (i % 100) as f64 * 0.001,
                10.4 + (i / 100) as f64 * 0.001,
            );
            f["id"] = id.to_string().into();
            f
        })
        .collect()
}

fn ndjson(features: &[Value]) -> String {
    features.iter().map(|f| format!("{f}\n")).collect()
}

async fn import_priorities(app: &TestApp, content_type: &str, body: String) -> Value {
    let r = app
        .post_raw("/collections/priorities/import", content_type, body)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("an import report")
}

// ---------------------------------------------------------------- import

#[tokio::test]
async fn a_bulk_import_of_several_batches_creates_all_and_a_reimport_updates_without_duplicates() {
    // Transactions of 1,000, so the 2,500 features span three.
    let dir = TempDir::new().unwrap();
    let mut args = ServeArgs::for_database(database_url(&dir));
    args.import.import_batch = std::num::NonZeroUsize::new(1_000).unwrap();
    let app = spawn_app_in(dir, args).await;
    app.seed_minimal_catalog().await;
    let ids: Vec<Uuid> = (0..2_500).map(|_| Uuid::new_v4()).collect();
    let collection = |prefix: &str| {
        json!({"type": "FeatureCollection", "features": features_with_ids(&ids, prefix)})
            .to_string()
    };

    let report = import_priorities(&app, "application/geo+json", collection("Primera")).await;
    assert_eq!(report["received"], 2_500, "{report}");
    assert_eq!(report["created"], 2_500, "{report}");
    assert_eq!(report["updated"], 0, "{report}");
    assert_eq!(report["errors"], json!([]));
    assert_eq!(app.priority_count().await, 2_500);

    let report = import_priorities(&app, "application/geo+json", collection("Segunda")).await;
    assert_eq!(report["created"], 0, "{report}");
    assert_eq!(report["updated"], 2_500, "{report}");
    assert_eq!(report["errors"], json!([]));
    assert_eq!(app.priority_count().await, 2_500, "no duplicates");

    let (status, body) = app.get_json(&format!("{ITEMS}?limit=10000")).await;
    assert_eq!(status, StatusCode::OK);
    let features = body["features"].as_array().unwrap();
    assert_eq!(features.len(), 2_500);
    let served: BTreeSet<String> = features
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = ids.iter().map(Uuid::to_string).collect();
    assert_eq!(served, expected);
    for f in features {
        let title = f["properties"]["title"].as_str().unwrap();
        assert!(title.starts_with("Segunda "), "{title}");
        assert_eq!(f["properties"]["version"], 2);
    }
    // A transaction stamps its priorities with one time: three of each.
    for stamp in ["created_at", "updated_at"] {
        let times: BTreeSet<&str> = features
            .iter()
            .map(|f| f["properties"][stamp].as_str().unwrap())
            .collect();
        assert_eq!(times.len(), 3, "{stamp}: {times:?}");
    }
    let one = get_priority(&app, &ids[1_234].to_string()).await;
    assert_eq!(one["properties"]["title"], "Segunda 1234");
}

#[tokio::test]
async fn newline_delimited_features_are_imported() {
    let app = spawn_seeded_app().await;
    let ids: Vec<Uuid> = (0..30).map(|_| Uuid::new_v4()).collect();

    let report = import_priorities(
        &app,
        "application/x-ndjson",
        ndjson(&features_with_ids(&ids, "Línea")),
    )
    .await;

    assert_eq!(report["received"], 30, "{report}");
    assert_eq!(report["created"], 30, "{report}");
    assert_eq!(report["errors"], json!([]));
    assert_eq!(app.priority_count().await, 30);
    let one = get_priority(&app, &ids[7].to_string()).await;
    assert_eq!(one["properties"]["title"], "Línea 7");
    assert_eq!(one["properties"]["parish"], "010101");
}

#[tokio::test]
async fn an_id_repeated_within_one_import_is_created_then_updated() {
    let app = spawn_seeded_app().await;
    let ids: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
    let mut features = features_with_ids(&ids, "Primera");
    // The third feature again, later in the same batch, with another title.
    let mut again = features[2].clone();
    again["properties"]["title"] = json!("Segunda");
    features.push(again);
    features.extend(features_with_ids(&[Uuid::new_v4()], "Después"));

    let report = import_priorities(&app, "application/x-ndjson", ndjson(&features)).await;

    assert_eq!(report["received"], 7, "{report}");
    assert_eq!(report["created"], 6, "{report}");
    assert_eq!(report["updated"], 1, "{report}");
    assert_eq!(app.priority_count().await, 6);
    let twice = get_priority(&app, &ids[2].to_string()).await;
    assert_eq!(twice["properties"]["title"], "Segunda");
    assert_eq!(twice["properties"]["version"], 2);
    let (status, history) = app
        .get_json(&format!("/collections/priorities/items/{}/history", ids[2]))
        .await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "edit"], "{history}");
}

// ---------------------------------------------------------------- CLI import

/// Runs `prioridades import FILE --database-url URL`.
async fn cli_import(file: &std::path::Path, url: &str) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_prioridades"))
        .arg("import")
        .arg(file)
        .arg("--database-url")
        .arg(url)
        .env_remove("DATABASE_URL")
        .output()
        .await
        .expect("the binary runs")
}

/// A stopped app's directory, with the minimal catalog in its database.
async fn catalog_only_database() -> (TempDir, String) {
    let app = spawn_seeded_app().await;
    let dir = app.stop().await;
    let url = database_url(&dir);
    (dir, url)
}

#[tokio::test]
async fn the_cli_imports_a_file_that_the_server_then_serves() {
    let (dir, url) = catalog_only_database().await;
    let ids: Vec<Uuid> = (0..50).map(|_| Uuid::new_v4()).collect();
    let file = dir.path().join("priorities.ndjson");
    std::fs::write(&file, ndjson(&features_with_ids(&ids, "CLI"))).unwrap();

    let output = cli_import(&file, &url).await;

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.contains("50 created"), "stdout: {stdout}");
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    assert_eq!(app.priority_count().await, 50);
    let expected: BTreeSet<String> = ids.iter().map(Uuid::to_string).collect();
    assert_eq!(ids_for(&app, "").await, expected);
    let one = get_priority(&app, &ids[49].to_string()).await;
    assert_eq!(one["properties"]["title"], "CLI 49");
    assert_eq!(one["properties"]["parish"], "010101");
}

#[tokio::test]
async fn the_cli_import_fails_on_an_invalid_feature_but_stores_the_valid_ones() {
    let (dir, url) = catalog_only_database().await;
    let ids: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    let mut features = features_with_ids(&ids, "Mixta");
    features[2]["properties"]["category"] = "magic".into();
    let file = dir.path().join("mixed.ndjson");
    std::fs::write(&file, ndjson(&features)).unwrap();

    let output = cli_import(&file, &url).await;

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.contains("3 created"), "stdout: {stdout}");
    assert!(
        stderr.contains("feature 2"),
        "the refused feature is named: {stderr}"
    );
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    let expected: BTreeSet<String> = [0, 1, 3].iter().map(|&i| ids[i].to_string()).collect();
    assert_eq!(ids_for(&app, "").await, expected);
}
