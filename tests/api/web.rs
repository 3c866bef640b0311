//! The web map's files and the HTML views: pages for browsers, JSON for
//! everyone else exactly as before, user text escaped, strict page headers.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    ITEMS, TestApp, assert_problem, client_with, create_priority, header, priority,
    spawn_seeded_app,
};

/// What Chromium sends for a page.
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";

async fn get_with(app: &TestApp, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    request.send().await.expect("GET")
}

fn assert_page_headers(r: &reqwest::Response) {
    let csp = header(r, "content-security-policy").expect("a CSP");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(
        header(r, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert!(header(r, "referrer-policy").is_some());
}

#[tokio::test]
async fn browsers_get_pages_and_every_other_client_the_same_json_as_before() {
    let app = spawn_seeded_app().await;
    let created = create_priority(&app, &priority()).await;
    let id = created["id"].as_str().unwrap();
    let item = format!("{ITEMS}/{id}");
    for path in [
        "/",
        "/conformance",
        "/collections",
        "/collections/priorities",
        ITEMS,
        &item,
    ] {
        let page = get_with(&app, path, Some(BROWSER)).await;
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&page, "content-type").as_deref(),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        assert_page_headers(&page);
        let text = page.text().await.unwrap();
        assert!(text.starts_with("<!DOCTYPE html>"), "{path}: {text}");
        let explicit = get_with(&app, &format!("{path}?f=html"), None).await;
        assert_eq!(
            header(&explicit, "content-type").as_deref(),
            Some("text/html; charset=utf-8")
        );

        // No Accept, */*, application/json and f=json all get the JSON document.
        let plain = get_with(&app, path, None).await;
        let plain_type = header(&plain, "content-type").unwrap();
        assert!(plain_type.contains("json"), "{path}: {plain_type}");
        let mut plain: Value = plain.json().await.unwrap();
        for (query, accept) in [
            ("", Some("*/*")),
            ("", Some("application/json")),
            ("?f=json", Some(BROWSER)),
        ] {
            let other = get_with(&app, &format!("{path}{query}"), accept).await;
            assert_eq!(
                header(&other, "content-type").unwrap(),
                plain_type,
                "{path}{query}"
            );
            let mut other: Value = other.json().await.unwrap();
            for doc in [&mut plain, &mut other] {
                doc.as_object_mut().unwrap().remove("timeStamp");
                doc.as_object_mut().unwrap().remove("links");
            }
            assert_eq!(other, plain, "{path}{query} {accept:?}");
        }
    }
    let conformance: Value = app.get("/conformance").await.json().await.unwrap();
    assert!(
        conformance["conformsTo"]
            .as_array()
            .unwrap()
            .contains(&json!(
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html"
            ))
    );
}

#[tokio::test]
async fn the_items_page_shows_the_page_the_api_returns_with_its_paging_links() {
    let app = spawn_seeded_app().await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let mut feature = priority();
        feature["properties"]["title"] = json!(format!("Prioridad número {n}"));
        ids.push(
            create_priority(&app, &feature).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let page = get_with(&app, &format!("{ITEMS}?limit=2&offset=1&f=html"), None)
        .await
        .text()
        .await
        .unwrap();
    let (_, json) = app.get_json(&format!("{ITEMS}?limit=2&offset=1")).await;
    for feature in json["features"].as_array().unwrap() {
        let title = feature["properties"]["title"].as_str().unwrap();
        assert!(page.contains(title), "{title} missing");
    }
    assert!(
        !page.contains("Prioridad número 0"),
        "offset 1 skips the first"
    );
    assert!(
        page.contains("rel=\"prev\"") && page.contains("offset=0&amp;f=html"),
        "{page}"
    );
    assert_eq!(json["numberMatched"], 3);
    assert!(page.contains("3 prioridades"));
}

#[tokio::test]
async fn text_written_by_the_public_is_escaped_in_every_page() {
    let app = spawn_seeded_app().await;
    let mut feature = priority();
    feature["properties"]["title"] = json!("<script>alert('t')</script>");
    feature["properties"]["description"] = json!("<img src=x onerror=alert('d')>");
    let created = create_priority(&app, &feature).await;
    let id = created["id"].as_str().unwrap();
    let note = app
        .post_json(
            &format!("{ITEMS}/{id}/notes"),
            &json!({"note": "\"><svg onload=alert('n')>"}),
        )
        .await;
    assert_eq!(note.status(), StatusCode::NO_CONTENT);
    for path in [format!("{ITEMS}/{id}?f=html"), format!("{ITEMS}?f=html")] {
        let page = app.get(&path).await.text().await.unwrap();
        for raw in ["<script>alert", "<img src=x", "<svg onload"] {
            assert!(!page.contains(raw), "{path} holds {raw} unescaped");
        }
        assert!(
            page.contains("&lt;script&gt;alert('t')&lt;/script&gt;"),
            "{path}"
        );
    }
    let item = app
        .get(&format!("{ITEMS}/{id}?f=html"))
        .await
        .text()
        .await
        .unwrap();
    assert!(item.contains("&lt;img src=x onerror=alert('d')&gt;"));
    assert!(item.contains("&lt;svg onload=alert('n')&gt;"));
}

#[tokio::test]
async fn html_is_refused_where_there_is_no_page_and_errors_stay_problems() {
    let app = spawn_seeded_app().await;
    let r = app.get("/collections/priorities/queryables?f=html").await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "f")).await;
    let r = app.get(&format!("{ITEMS}?f=pdf")).await;
    let body = assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "f")).await;
    assert!(
        body["detail"].as_str().unwrap().contains("f=html"),
        "{body}"
    );
    let r = get_with(&app, &format!("{ITEMS}?limit=0"), Some(BROWSER)).await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "limit")).await;
    let r = get_with(
        &app,
        &format!("{ITEMS}/0b7e6c1a-3f2d-4c5e-8a9b-1c2d3e4f5a6b"),
        Some(BROWSER),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        header(&r, "content-type").as_deref(),
        Some("application/problem+json")
    );
}

#[tokio::test]
async fn a_page_has_its_own_tag_and_revalidates_to_304() {
    let app = spawn_seeded_app().await;
    let created = create_priority(&app, &priority()).await;
    let path = format!("{ITEMS}/{}", created["id"].as_str().unwrap());
    let json_tag = header(&app.get(&path).await, "etag").unwrap();
    let page = get_with(&app, &path, Some(BROWSER)).await;
    let page_tag = header(&page, "etag").unwrap();
    assert_ne!(page_tag, json_tag, "a page is another representation");
    let again = app
        .client
        .get(app.url(&path))
        .header("accept", BROWSER)
        .header("if-none-match", &page_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn the_map_and_its_assets_are_served_with_types_tags_and_a_strict_policy() {
    let app = spawn_seeded_app().await;
    let map = app.get("/map").await;
    assert_eq!(map.status(), StatusCode::OK);
    assert_eq!(
        header(&map, "content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_page_headers(&map);
    let html = map.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains(" style="),
        "nothing inline"
    );
    for (path, media) in [
        ("/assets/map.js", "text/javascript; charset=utf-8"),
        ("/assets/map.css", "text/css; charset=utf-8"),
        (
            "/assets/maplibre/maplibre-gl.mjs",
            "text/javascript; charset=utf-8",
        ),
        (
            "/assets/maplibre/maplibre-gl-worker.mjs",
            "text/javascript; charset=utf-8",
        ),
    ] {
        let r = app.get(path).await;
        if path.contains("maplibre")
            && std::env::var_os("PRIORIDADES_REQUIRE_BROWSER").is_none()
            && r.status() == StatusCode::NOT_FOUND
        {
            eprintln!("MapLibre GL JS is not in this build (offline); {path} is 404");
            continue;
        }
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&r, "content-type").as_deref(), Some(media), "{path}");
        assert_eq!(header(&r, "cache-control").as_deref(), Some("no-cache"));
        let tag = header(&r, "etag").expect("an ETag");
        let again = app
            .client
            .get(app.url(path))
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
    let r = app.get("/assets/nothing.js").await;
    assert_problem(
        r,
        StatusCode::NOT_FOUND,
        ("type", &crate::helpers::problem_type("not-found")),
    )
    .await;
}

#[tokio::test]
async fn a_token_reads_its_own_role_and_scope() {
    let app = spawn_seeded_app().await;
    let secret = app.token("cabinet", Some("0101")).await;
    let r = client_with(&secret)
        .get(app.url("/tokens/self"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "cache-control").as_deref(), Some("no-store"));
    let me: Value = r.json().await.unwrap();
    assert_eq!(
        (me["role"].as_str(), me["scope"].as_str()),
        (Some("cabinet"), Some("0101"))
    );
    assert_eq!(me["id"].as_str().unwrap().len(), 8);
    let anonymous = reqwest::get(app.url("/tokens/self")).await.unwrap();
    assert_problem(
        anonymous,
        StatusCode::UNAUTHORIZED,
        ("header", "Authorization"),
    )
    .await;
}
