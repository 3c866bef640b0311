//! What browsers and clients negotiate: CORS for any origin or a list of
//! origins, and items compressed with gzip or brotli only when asked.

use prioridades::config::ServeArgs;
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;
use tempfile::TempDir;

use crate::helpers::{
    ITEMS, TestApp, create_priority, create_priority_id, database_url, header, priority, spawn_app,
    spawn_app_in, spawn_seeded_app,
};
use crate::writes::priority_at;

// ---------------------------------------------------------------- CORS

#[tokio::test]
async fn a_cors_preflight_is_answered_with_an_allowed_origin() {
    let app = spawn_app().await;

    let r = app
        .client
        .request(Method::OPTIONS, app.url(ITEMS))
        .header("origin", "https://map.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();

    // tower-http answers a preflight itself, with an empty 200.
    assert_eq!(r.status(), StatusCode::OK);
    // Any origin is allowed by default (`--cors-origins *`): the wildcard.
    assert_eq!(
        header(&r, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    let methods = header(&r, "access-control-allow-methods").unwrap_or_default();
    assert!(methods.contains("GET"), "{methods}");
}

#[tokio::test]
async fn a_cross_origin_get_is_allowed_and_may_read_the_etag() {
    let app = spawn_seeded_app().await;
    let id = create_priority_id(&app, &priority()).await;

    let r = app
        .client
        .get(app.url(&format!("{ITEMS}/{id}")))
        .header("origin", "https://map.example")
        .send()
        .await
        .unwrap();

    assert_eq!(r.status(), StatusCode::OK);
    // Any origin is allowed by default (`--cors-origins *`): the wildcard.
    assert_eq!(
        header(&r, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    let exposed = header(&r, "access-control-expose-headers")
        .expect("an expose-headers header")
        .to_ascii_lowercase();
    assert!(exposed.split(',').any(|h| h.trim() == "etag"), "{exposed}");
}

#[tokio::test]
async fn with_a_list_of_origins_other_origins_get_no_allow_origin() {
    let dir = TempDir::new().unwrap();
    let mut args = ServeArgs::for_database(database_url(&dir));
    args.cors_origins = vec!["https://allowed.example".into()];
    let app = spawn_app_in(dir, args).await;
    let get_from = |origin: &'static str| {
        app.client
            .get(app.url(ITEMS))
            .header("origin", origin)
            .send()
    };

    let r = get_from("https://allowed.example").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        header(&r, "access-control-allow-origin").as_deref(),
        Some("https://allowed.example")
    );

    let r = get_from("https://map.example").await.unwrap();
    assert_eq!(header(&r, "access-control-allow-origin"), None);

    let r = app
        .client
        .request(Method::OPTIONS, app.url(ITEMS))
        .header("origin", "https://map.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "access-control-allow-origin"), None);
}

// ---------------------------------------------------------------- compression

async fn items_with_encoding(app: &TestApp, accept: Option<&str>) -> Response {
    let mut request = app.client.get(app.url(&format!("{ITEMS}?limit=100")));
    if let Some(a) = accept {
        request = request.header("accept-encoding", a);
    }
    let r = request.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r
}

async fn app_with_some_priorities() -> TestApp {
    let app = spawn_seeded_app().await;
    for i in 0..5 {
        create_priority(&app, &priority_at(&format!("Prioridad {i}"), -66.9, 10.5)).await;
    }
    app
}

#[tokio::test]
async fn items_are_gzip_compressed_when_the_client_accepts_gzip() {
    let app = app_with_some_priorities().await;

    let r = items_with_encoding(&app, Some("gzip")).await;

    assert_eq!(header(&r, "content-encoding").as_deref(), Some("gzip"));
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "a gzip stream");
}

#[tokio::test]
async fn items_are_brotli_compressed_when_the_client_accepts_br() {
    let app = app_with_some_priorities().await;

    let r = items_with_encoding(&app, Some("br")).await;

    assert_eq!(header(&r, "content-encoding").as_deref(), Some("br"));
    let bytes = r.bytes().await.unwrap();
    assert!(
        serde_json::from_slice::<Value>(&bytes).is_err(),
        "not plain JSON"
    );
}

#[tokio::test]
async fn items_are_not_compressed_unless_asked() {
    let app = app_with_some_priorities().await;

    let r = items_with_encoding(&app, None).await;

    assert_eq!(header(&r, "content-encoding"), None);
    let body: Value = r.json().await.expect("plain JSON");
    assert_eq!(body["numberReturned"], 5);
}
