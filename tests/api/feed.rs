//! The Atom feed, read by the `atom_syndication` crate (an Atom parser of
//! its own) and checked against RFC 4287's required elements and a
//! brute-force choice of the priorities that changed last, with the versions
//! the change feed reports.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, council, spawn_seeded_app, territory};

async fn read_feed(app: &TestApp, query: &str) -> atom_syndication::Feed {
    let r = app
        .get(&format!("/collections/priorities/feed.atom{query}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{query}");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let text = r.text().await.unwrap();
    text.parse::<atom_syndication::Feed>()
        .unwrap_or_else(|e| panic!("not Atom: {e}\n{text}"))
}

#[tokio::test]
async fn the_feed_holds_the_priorities_that_changed_last_where_its_filters_say() {
    let app = spawn_seeded_app().await;
    for (collection, body) in [
        ("parishes", territory("010102", "Santa Rosalía")),
        (
            "councils",
            council("CC-2", "Consejo Comunal Santa Rosalía", "010102"),
        ),
    ] {
        let r = app
            .post_json(&format!("/collections/{collection}/items"), &body)
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let mut ids = Vec::new();
    for i in 0..8 {
        let feature = json!({"type": "Feature",
            "geometry": {"type": "Point", "coordinates": [-66.91 + i as f64 * 0.001, 10.5]},
            "properties": {"council": if i % 2 == 0 { "CC-1" } else { "CC-2" },
                "title": format!("Prioridad <{i}> & \"comillas\""),
                "category": if i % 3 == 0 { "water" } else { "roads" }}});
        let r = app
            .post_json("/collections/priorities/items", &feature)
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let created: Value = r.json().await.unwrap();
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    // The first one changes last.
    let r = app
        .client
        .patch(app.url(&format!("/collections/priorities/items/{}", ids[0])))
        .header("content-type", "application/merge-patch+json")
        .body(json!({"properties": {"families": 12}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let (_, changes) = app
        .get_json("/collections/priorities/changes?since=0&limit=100")
        .await;
    let versions: HashMap<String, i64> = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["version"].as_i64().unwrap(),
            )
        })
        .collect();

    for (query, parish) in [
        ("", None),
        ("?parish=010102&limit=3", Some("010102")),
        ("?category=water", None),
    ] {
        let feed = read_feed(&app, query).await;
        assert!(!feed.id().is_empty() && !feed.title().is_empty());
        assert!(
            !feed.authors().is_empty(),
            "RFC 4287: a feed without entry authors has one"
        );
        assert!(feed.links().iter().any(|l| l.rel() == "self"));
        // Brute force: every priority the filter selects, newest change first.
        let (_, all) = app
            .get_json("/collections/priorities/items?limit=100")
            .await;
        let mut expected: Vec<&Value> = all["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| parish.is_none_or(|p| f["properties"]["parish"] == p))
            .filter(|f| query != "?category=water" || f["properties"]["category"] == "water")
            .collect();
        expected.sort_by(|a, b| {
            b["properties"]["updated_at"]
                .as_str()
                .cmp(&a["properties"]["updated_at"].as_str())
        });
        let limit = if query.contains("limit=3") { 3 } else { 50 };
        expected.truncate(limit);
        assert_eq!(feed.entries().len(), expected.len(), "{query}");
        for (entry, f) in feed.entries().iter().zip(&expected) {
            let id = f["id"].as_str().unwrap();
            let link = &entry.links()[0];
            assert_eq!(link.rel(), "alternate");
            assert!(
                link.href()
                    .ends_with(&format!("/collections/priorities/items/{id}"))
            );
            assert_eq!(
                entry.id(),
                format!("{}#v{}", link.href(), versions[id]),
                "the change feed's version"
            );
            assert_eq!(
                entry.title().as_str(),
                f["properties"]["title"].as_str().unwrap()
            );
            let updated = chrono::DateTime::parse_from_rfc3339(
                f["properties"]["updated_at"].as_str().unwrap(),
            )
            .unwrap();
            assert_eq!(*entry.updated(), updated);
        }
    }
    assert_eq!(
        read_feed(&app, "").await.entries()[0].links()[0].href(),
        app.url(&format!("/collections/priorities/items/{}", ids[0]))
    );
    assert_problem(
        app.get("/collections/priorities/feed.atom?limit=0").await,
        StatusCode::BAD_REQUEST,
        ("parameter", "limit"),
    )
    .await;
    assert_problem(
        app.get("/collections/priorities/feed.atom?parish=999999")
            .await,
        StatusCode::BAD_REQUEST,
        ("parameter", "parish"),
    )
    .await;
}
