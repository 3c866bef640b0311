//! `sortby` and `properties` on the priorities' items: pages in the order a
//! full sort written here gives, each feature once; only the properties
//! asked for, in that order; unknown names refused.

use std::cmp::Ordering;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ITEMS, assert_problem, each_case, features_of, follow_pages, ids};
use crate::ogc_filter::{Row, SEEDED, all_rows, enc, ogc_app};

/// The ids of every page of `query`, 7 at a time, in order.
async fn pages_of(app: &crate::helpers::TestApp, query: &str) -> Vec<String> {
    let pages = follow_pages(app, &format!("{ITEMS}?limit=7&{query}")).await;
    assert!(pages.len() >= 5, "{query}: several pages");
    for page in &pages {
        assert_eq!(page["numberMatched"], SEEDED, "{query}");
    }
    pages.iter().flat_map(|p| ids(features_of(p))).collect()
}

/// `rows` ordered by `order`, as ids.
fn sorted_by(rows: &[Row], order: impl Fn(&Row, &Row) -> Ordering) -> Vec<String> {
    let mut rows: Vec<&Row> = rows.iter().collect();
    rows.sort_by(|a, b| order(a, b));
    rows.iter().map(|r| r.id.clone()).collect()
}

/// `a` and `b` ascending, missing values last.
fn nulls_last<T: Ord>(a: &Option<T>, b: &Option<T>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[tokio::test]
async fn sorted_pages_hold_every_feature_once_in_the_order_a_full_sort_gives() {
    let app = ogc_app().await;
    let rows = all_rows(&app).await;

    let got = pages_of(&app, &format!("sortby={}", enc("-created_at,title"))).await;
    let expected = sorted_by(&rows, |a, b| {
        b.created
            .cmp(&a.created)
            .then_with(|| a.title.cmp(&b.title))
    });
    assert_eq!(got, expected, "-created_at,title");

    // Missing families come last ascending; the titles order their ties.
    let got = pages_of(&app, &format!("sortby={}", enc("+families,-title"))).await;
    let expected = sorted_by(&rows, |a, b| {
        nulls_last(&a.families, &b.families).then_with(|| b.title.cmp(&a.title))
    });
    assert_eq!(got, expected, "+families,-title");

    // Several features share each category; the status, then created_at
    // (descending) order them.
    let got = pages_of(
        &app,
        &format!("sortby={}", enc("category,status,-created_at")),
    )
    .await;
    let expected = sorted_by(&rows, |a, b| {
        a.category
            .cmp(&b.category)
            .then_with(|| a.status.cmp(&b.status))
            .then_with(|| b.created.cmp(&a.created))
    });
    assert_eq!(got, expected, "category,status,-created_at");
}

#[tokio::test]
async fn properties_returns_only_the_names_asked_for_in_that_order() {
    let app = ogc_app().await;
    let (status, full) = app.get_json(&format!("{ITEMS}?limit=100")).await;
    assert_eq!(status, StatusCode::OK);
    for (query, names) in [
        ("title,status", vec!["title", "status"]),
        ("status,title", vec!["status", "title"]),
        ("families,council", vec!["families", "council"]),
    ] {
        let (status, body) = app
            .get_json(&format!("{ITEMS}?limit=100&properties={}", enc(query)))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let features = features_of(&body);
        assert_eq!(ids(features), ids(features_of(&full)), "{query}");
        for (f, whole) in features.iter().zip(features_of(&full)) {
            let props = f["properties"].as_object().unwrap();
            // A name asked for is there even when the feature has no value
            // (null then, as the full feature's missing member reads).
            let expected = &names;
            assert_eq!(
                props.keys().map(String::as_str).collect::<Vec<_>>(),
                *expected,
                "{query}: {f}"
            );
            for n in expected {
                assert_eq!(props[*n], whole["properties"][*n], "{query}");
            }
            assert_eq!(f["geometry"], whole["geometry"], "{query}");
        }
    }
    // One item too.
    let id = ids(features_of(&full))[0].clone();
    let (status, one) = app
        .get_json(&format!("{ITEMS}/{id}?properties=title,status"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        one["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["title", "status"]
    );
}

#[tokio::test]
async fn empty_properties_return_bare_geometries() {
    let app = ogc_app().await;
    let (_, full) = app.get_json(&format!("{ITEMS}?limit=100")).await;
    let (status, body) = app
        .get_json(&format!("{ITEMS}?limit=100&properties="))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let features = features_of(&body);
    assert_eq!(ids(features), ids(features_of(&full)));
    for (f, whole) in features.iter().zip(features_of(&full)) {
        assert_eq!(f["properties"], json!({}), "{f}");
        assert_eq!(f["geometry"], whole["geometry"]);
    }
}

#[tokio::test]
async fn unknown_property_or_sort_names_are_400s_naming_the_parameter() {
    let app = ogc_app().await;
    let (_, body) = app.get_json(&format!("{ITEMS}?limit=1")).await;
    let id = ids(features_of(&body))[0].clone();
    let cases = vec![
        (
            "an_unknown_property",
            (format!("{ITEMS}?properties=title,colour"), "properties"),
        ),
        (
            "an_unknown_property_on_one_item",
            (format!("{ITEMS}/{id}?properties=colour"), "properties"),
        ),
        (
            "an_unknown_sort_key",
            (format!("{ITEMS}?sortby=colour"), "sortby"),
        ),
        (
            "a_sort_key_with_a_bad_sign",
            (format!("{ITEMS}?sortby={}", enc("*title")), "sortby"),
        ),
    ];
    let app = &app;
    each_case(cases, async |(path, parameter)| {
        let r = app.get(&path).await;
        let body: Value =
            assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", parameter)).await;
        assert!(body["detail"].is_string());
    })
    .await;
}
