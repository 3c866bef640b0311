//! Pages of the seeded dataset: following next links returns every match
//! once and in order, a territory named twice counts its priorities once,
//! and a large page is streamed with the content of small ones.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, all_features, features_of, follow_pages, ids};
use crate::queries::{FEATURES, seeded};

/// Follows `next` links from `first`, checking every page's members and
/// links; returns every id seen and the numberMatched of the first page.
async fn paged_ids(app: &TestApp, first: &str) -> (Vec<String>, u64) {
    let pages = follow_pages(app, first).await;
    let mut seen = Vec::new();
    let mut matched = None;
    for (n, body) in pages.iter().enumerate() {
        let m = body["numberMatched"].as_u64().expect("numberMatched");
        assert_eq!(
            *matched.get_or_insert(m),
            m,
            "numberMatched is stable across pages"
        );
        let features = features_of(body);
        assert_eq!(body["numberReturned"], features.len());
        seen.extend(ids(features));
        let links = body["links"].as_array().expect("links");
        for l in links {
            assert!(
                l["rel"].is_string() && l["type"].is_string() && l["href"].is_string(),
                "{l}"
            );
        }
        assert_eq!(
            links.iter().any(|l| l["rel"] == "prev"),
            n > 0,
            "prev exactly after the first page"
        );
    }
    (seen, matched.unwrap_or(0))
}

#[tokio::test]
async fn following_next_links_returns_every_match_exactly_once() {
    let (app, data) = seeded(5).await;
    for query in [
        "state=01&limit=37",
        "category=water,roads&limit=50",
        "bbox=-67.2,10.2,-66.6,10.6&limit=101",
        "point=-66.9,10.4&radius=15000&limit=29",
        "limit=1000",
        "parish=010101&status=proposed&limit=1",
    ] {
        let (seen, matched) =
            paged_ids(&app, &format!("/collections/priorities/items?{query}")).await;
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "{query}: no match twice");
        assert_eq!(
            seen.len() as u64,
            matched,
            "{query}: pages add up to numberMatched"
        );
        let without_limit: Vec<&str> = query
            .split('&')
            .filter(|p| !p.starts_with("limit="))
            .collect();
        let all = ids(&all_features(&app, &without_limit.join("&")).await);
        assert_eq!(
            seen, all,
            "{query}: the pages, in order, are the whole result"
        );
    }
    assert!(data.items.len() == FEATURES);
    // An offset past the end is an empty page with the right count and a prev link.
    let (status, body) = app
        .get_json("/collections/priorities/items?state=01&offset=100000")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["numberReturned"], 0);
    assert!(body["numberMatched"].as_u64().unwrap_or(0) > 0);
    assert!(
        body["links"]
            .as_array()
            .expect("links")
            .iter()
            .any(|l| l["rel"] == "prev")
    );
}

#[tokio::test]
async fn a_territory_named_twice_counts_its_priorities_once() {
    let app = crate::helpers::spawn_seeded_app().await;
    for _ in 0..3 {
        crate::helpers::create_priority(&app, &crate::helpers::priority()).await;
    }
    for query in [
        "parish=010101,010101",
        "municipality=0101,0101",
        "state=01,01&limit=2",
    ] {
        let (status, body) = app
            .get_json(&format!("/collections/priorities/items?{query}"))
            .await;
        assert_eq!(status, reqwest::StatusCode::OK);
        assert_eq!(body["numberMatched"], 3, "{query}: {body}");
        let ids: Vec<&str> = body["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        let distinct: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), distinct.len(), "{query}: listed twice");
    }
}

#[tokio::test]
async fn a_large_page_is_streamed_with_the_same_content_as_small_pages() {
    let app = crate::helpers::spawn_seeded_app().await;
    let features: String = (0..700)
        .map(|i| {
            let mut p = crate::helpers::priority();
            let lon = -66.95 + f64::from(i) * 0.0001;
            p["geometry"]["coordinates"] = json!([lon, 10.5]);
            p["properties"]["title"] = json!(format!("Prioridad {i}"));
            format!("{p}\n")
        })
        .collect();
    let r = app
        .post_raw(
            "/collections/priorities/import",
            "application/x-ndjson",
            features,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    for query in ["bbox=-67,10.4,-66.8,10.6", "point=-66.92,10.5&radius=20000"] {
        // 650 features: past the streaming threshold; 2 × 325: below it.
        let r = app
            .get(&format!("/collections/priorities/items?{query}&limit=650"))
            .await;
        assert!(
            r.headers().get("content-length").is_none(),
            "a streamed body has no length up front"
        );
        let (status, big) = app
            .get_json(&format!("/collections/priorities/items?{query}&limit=650"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(big["numberMatched"], 700, "{query}");
        assert_eq!(big["numberReturned"], 650, "{query}");
        let mut small = Vec::new();
        for offset in [0, 325] {
            let (_, page) = app
                .get_json(&format!(
                    "/collections/priorities/items?{query}&limit=325&offset={offset}"
                ))
                .await;
            small.extend(page["features"].as_array().unwrap().iter().cloned());
        }
        assert_eq!(big["features"].as_array().unwrap(), &small, "{query}");
        let next = big["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .expect("a next link");
        assert!(next["href"].as_str().unwrap().contains("offset=650"));
    }
}
