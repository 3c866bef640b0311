//! The optional basemap: without `--basemap-url` the map page's policy is
//! the strict one, naming no other origin; with it, the page names the
//! template and the policy admits that one origin for images and fetches,
//! and nothing else changes.

use reqwest::StatusCode;
use tempfile::TempDir;

use prioridades::config::ServeArgs;
use prioridades::http::assets::CSP;
use prioridades::http::basemap::Basemap;

use crate::helpers::{database_url, header, spawn_app, spawn_app_in};

const TEMPLATE: &str = "https://tiles.example.org:8443/osm/{z}/{x}/{y}.png";
const ORIGIN: &str = "https://tiles.example.org:8443";

/// The policy's directives by name: `img-src` → its sources.
fn directives(csp: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    csp.split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace().map(str::to_owned);
            Some((words.next()?, words.collect()))
        })
        .collect()
}

#[tokio::test]
async fn without_a_basemap_the_map_policy_is_the_strict_one() {
    let app = spawn_app().await;
    for path in ["/map", "/assets/map.js"] {
        let r = app.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&r, "content-security-policy").as_deref(),
            Some(CSP),
            "{path}"
        );
    }
    let html = app.get("/map").await.text().await.unwrap();
    assert!(
        html.contains("data-basemap=\"\""),
        "the page names no basemap"
    );
}

#[tokio::test]
async fn a_basemap_adds_its_origin_to_images_and_fetches_only() {
    let dir = TempDir::new().expect("temp dir");
    let mut args = ServeArgs::for_database(database_url(&dir));
    args.basemap_url = Some(Basemap::parse(TEMPLATE).expect("a template"));
    let app = spawn_app_in(dir, args).await;
    let strict = directives(CSP);
    for path in [
        "/map",
        "/assets/map.js",
        "/assets/maplibre/maplibre-gl-worker.mjs",
    ] {
        let r = app.get(path).await;
        if r.status() == StatusCode::NOT_FOUND && path.contains("maplibre") {
            continue; // MapLibre not in this build (offline): no worker to check.
        }
        let csp = header(&r, "content-security-policy").expect("a CSP");
        let got = directives(&csp);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            strict.keys().collect::<Vec<_>>(),
            "{csp}"
        );
        for (name, sources) in &strict {
            let mut expected = sources.clone();
            if name == "img-src" || name == "connect-src" {
                expected.push(ORIGIN.to_owned());
            }
            assert_eq!(&got[name], &expected, "{path}: {name} in {csp}");
        }
    }
    let r = app.get("/map").await;
    let tag = header(&r, "etag").expect("an ETag");
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!("data-basemap=\"{TEMPLATE}\"")),
        "the page names the template"
    );
    let again = app
        .client
        .get(app.url("/map"))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    // The HTML views draw no basemap: their policy stays the strict one.
    let r = app
        .client
        .get(app.url("/collections?f=html"))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "content-security-policy").as_deref(), Some(CSP));
}

#[test]
fn the_command_line_refuses_a_template_that_is_no_url() {
    use clap::Parser;
    let parse =
        |url: &str| prioridades::config::Cli::try_parse_from(["prioridades", "--basemap-url", url]);
    let cli = parse(TEMPLATE).expect("a template is taken");
    assert_eq!(
        cli.serve
            .basemap_url
            .map(|b| b.origin().to_owned())
            .as_deref(),
        Some(ORIGIN)
    );
    assert!(parse("https://a.org/{z}/{x}/{y}.png; script-src *").is_err());
    assert!(parse("javascript:alert(1)").is_err());
}
