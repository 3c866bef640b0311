//! The health endpoints a load balancer probes: liveness, readiness with
//! the store's reachability, the index's lag and a full disk.

use reqwest::StatusCode;
use serde_json::Value;
use tempfile::TempDir;

use prioridades::config::ServeArgs;

use crate::failed_writes::{bulky, create, page_count};
use crate::helpers::{Backend, assert_problem, database_url, priority, spawn_app, spawn_app_in};

#[tokio::test]
async fn a_serving_process_is_live_and_ready_with_its_checks() {
    let app = spawn_app().await;
    app.seed_minimal_catalog().await;
    let created = app
        .post_json("/collections/priorities/items", &priority())
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);

    let (status, live) = app.get_json("/health/live").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(live["status"], "pass");
    for path in ["/health", "/health/ready"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let seq: i64 = response.headers()["change-sequence"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "pass", "{body}");
        let checks = &body["checks"];
        assert_eq!(checks["store"]["reachable"], true);
        assert_eq!(
            checks["store"]["engine"],
            match crate::BACKEND {
                Backend::Sqlite => "sqlite",
                Backend::Postgres => "postgresql",
            }
        );
        assert!(checks["store"]["latency_ms"].as_f64().unwrap() >= 0.0);
        // Every write went through this process: the index is caught up.
        assert_eq!(checks["index"]["lag"], 0, "{body}");
        assert_eq!(checks["index"]["applied_seq"], seq);
        assert_eq!(checks["index"]["store_seq"], seq);
        assert!(seq >= 5, "territories, council and priority took numbers");
        assert_eq!(checks["index"]["max_lag"], 10_000);
        assert_eq!(checks["storage"]["full"], false);
    }
    let response = app.get("/health/ready?verbose=1").await;
    assert_problem(response, StatusCode::BAD_REQUEST, ("parameter", "verbose")).await;
}

#[tokio::test]
async fn health_needs_no_token_when_reads_are_private() {
    let dir = TempDir::new().unwrap();
    let mut args = ServeArgs::for_database(database_url(&dir));
    args.private_reads = true;
    let app = spawn_app_in(dir, args).await;
    let anonymous = reqwest::Client::new();
    for path in ["/health", "/health/ready", "/health/live"] {
        let response = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let response = anonymous.get(app.url("/collections")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_full_disk_is_reported_and_cleared_by_the_next_write() {
    if crate::BACKEND != Backend::Sqlite {
        return; // The disk is filled with SQLite's page cap.
    }
    let app = spawn_app().await;
    app.seed_minimal_catalog().await;
    let store = app.service.store().clone();
    store.set_sqlite_page_limit(Some(page_count(&database_url(&app.dir)).await));
    // Writes fill what free pages there are, then fail.
    let mut refusals = 0;
    for n in 0..50 {
        if let Err(response) = create(&app, &bulky(n)).await {
            assert_eq!(response.status(), StatusCode::INSUFFICIENT_STORAGE);
            refusals += 1;
            break;
        }
    }
    assert_eq!(refusals, 1, "the disk filled");
    let (status, body) = app.get_json("/health/ready").await;
    // Still ready: reads work. The full disk is a warning.
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "warn");
    assert_eq!(body["checks"]["storage"]["full"], true);

    store.set_sqlite_page_limit(None);
    create(&app, &bulky(50))
        .await
        .expect("written once there is room");
    let (_, body) = app.get_json("/health/ready").await;
    assert_eq!(body["status"], "pass");
    assert_eq!(body["checks"]["storage"]["full"], false);
}

/// On PostgreSQL the database can be taken away from a running process:
/// readiness turns to 503 problem+json saying so, liveness stays 200, and
/// both recover when the database is back.
#[tokio::test]
async fn an_unreachable_database_makes_the_process_unready_not_dead() {
    if crate::BACKEND != Backend::Postgres {
        return; // An SQLite file cannot be taken away from open connections.
    }
    sqlx::any::install_default_drivers();
    let app = spawn_app().await;
    let url = database_url(&app.dir);
    let name = url
        .rsplit('/')
        .next()
        .and_then(|s| s.split('?').next())
        .unwrap()
        .to_owned();
    let admin = std::env::var("PRIORIDADES_TEST_POSTGRES").unwrap();
    let block = [
        format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"),
        format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ),
    ];
    admin_sql(&admin, &block).await;

    let response = app.get("/health/ready").await;
    let body = assert_problem(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        ("type", "urn:prioridades:problem:not-ready"),
    )
    .await;
    assert_eq!(body["checks"]["store"]["reachable"], false, "{body}");
    assert!(body["checks"]["store"]["error"].is_string());
    let (status, _) = app.get_json("/health/live").await;
    assert_eq!(status, StatusCode::OK);
    // Reads from the index go on.
    let anonymous = reqwest::Client::new();
    let response = anonymous
        .get(app.url("/collections/priorities/items"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // A write (its token is looked up in the database) is refused as such.
    let response = app
        .post_json("/collections/priorities/items", &priority())
        .await;
    assert_problem(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        ("type", "urn:prioridades:problem:database-unavailable"),
    )
    .await;

    admin_sql(
        &admin,
        &[format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")],
    )
    .await;
    let (status, body) = app.get_json("/health/ready").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn admin_sql(admin: &str, statements: &[String]) {
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(admin).await.unwrap();
    for statement in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    let _ = conn.close().await;
}
