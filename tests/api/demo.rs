//! The demo dataset: committed fixtures match the generator, and an empty
//! store started with the demo serves it, each priority inside its parish.

use prioridades::config::ServeArgs;
use prioridades::demo;
use reqwest::StatusCode;
use serde_json::Value;
use tempfile::TempDir;

use crate::helpers::{TestApp, database_url, haversine, spawn_app, spawn_app_in};

#[test]
fn the_committed_fixtures_are_what_the_generator_produces() {
    let generated = demo::generate();
    for ((name, committed), (generated_name, text)) in demo::FILES.iter().zip(&generated) {
        assert_eq!(name, generated_name);
        assert!(
            committed == text,
            "fixtures/demo/{name} is stale: run `cargo run -- demo-fixtures`"
        );
    }
}

pub(crate) async fn demo_app(dir: TempDir) -> TestApp {
    let mut args = ServeArgs::for_database(database_url(&dir));
    args.no_demo = false;
    spawn_app_in(dir, args).await
}

fn positions(value: &Value, out: &mut Vec<[f64; 2]>) {
    match value.as_array() {
        Some(a) if a.len() == 2 && a[0].is_number() => {
            out.push([a[0].as_f64().unwrap_or(0.0), a[1].as_f64().unwrap_or(0.0)])
        }
        Some(a) => a.iter().for_each(|v| positions(v, out)),
        None => {}
    }
}

#[tokio::test]
async fn an_empty_store_gets_the_demo_with_every_priority_inside_its_parish() {
    let app = demo_app(TempDir::new().expect("temp dir")).await;
    let (status, body) = app
        .get_json("/collections/priorities/items?limit=10000")
        .await;
    assert_eq!(status, StatusCode::OK);
    let features = body["features"].as_array().expect("features");
    assert!(
        (1_900..=2_100).contains(&features.len()),
        "about 2,000 priorities, got {}",
        features.len()
    );

    let (_, libertador) = app
        .get_json("/collections/parishes/items?municipality=0101")
        .await;
    assert_eq!(
        libertador["numberMatched"], 22,
        "the 22 parishes of Libertador"
    );
    let (_, states) = app.get_json("/collections/states/items").await;
    assert!(
        states["numberMatched"].as_u64().unwrap_or(0) >= 4,
        "Distrito Capital and at least three other states"
    );
    let (_, councils) = app.get_json("/collections/councils/items?limit=1").await;
    assert!(
        (90..=110).contains(&councils["numberMatched"].as_u64().unwrap_or(0)),
        "about 100 councils"
    );

    let mut types: Vec<String> = features
        .iter()
        .map(|f| f["geometry"]["type"].as_str().unwrap_or("").to_owned())
        .collect();
    types.sort();
    types.dedup();
    assert_eq!(
        types,
        [
            "LineString",
            "MultiLineString",
            "MultiPoint",
            "MultiPolygon",
            "Point",
            "Polygon"
        ]
    );

    // The demo ships boundaries: every priority is placed by its location,
    // inside its council's parish, and the parishes carry choropleth counts.
    for f in features {
        assert_eq!(
            f["properties"]["placement"], "inside_council_parish",
            "{}",
            f["id"]
        );
    }
    let (_, parishes) = app.get_json("/collections/parishes/items?limit=100").await;
    let parishes = parishes["features"].as_array().expect("parishes");
    assert!(
        parishes
            .iter()
            .all(|p| p["geometry"]["type"] == "MultiPolygon")
    );
    let counted: u64 = parishes
        .iter()
        .map(|p| p["properties"]["priorities"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        counted,
        features.len() as u64,
        "the parish counts add up to every priority"
    );

    let circles: Vec<_> = demo::parish_circles().collect();
    for f in features {
        let parish = f["properties"]["parish"].as_str().expect("parish");
        let (_, center, radius) = circles
            .iter()
            .find(|(code, _, _)| *code == parish)
            .expect("a demo parish");
        let mut vertices = Vec::new();
        positions(&f["geometry"]["coordinates"], &mut vertices);
        for v in vertices {
            let d = haversine(v, [center.x(), center.y()]);
            assert!(
                d <= *radius,
                "{} has a vertex {d:.0} m from the centre of parish {parish} (radius {radius})",
                f["id"]
            );
        }
    }
}

#[tokio::test]
async fn the_demo_is_loaded_once_and_never_into_a_store_with_data() {
    let app = demo_app(TempDir::new().expect("temp dir")).await;
    let count = app.priority_count().await;
    let dir = app.stop().await;
    let app = demo_app(dir).await;
    assert_eq!(
        app.priority_count().await,
        count,
        "restarting does not load the demo again"
    );

    let plain = spawn_app().await;
    assert_eq!(plain.priority_count().await, 0, "--no-demo starts empty");
}

#[tokio::test]
async fn an_empty_store_started_with_the_national_demo_serves_every_state() {
    let dir = TempDir::new().expect("temp dir");
    let mut args = ServeArgs::for_database(database_url(&dir));
    args.no_demo = false;
    args.demo = prioridades::config::DemoKind::National;
    // The size is a parameter; a small one keeps the test fast.
    args.demo_priorities = 2_000;
    let app = spawn_app_in(dir, args).await;

    let (status, body) = app.get_json("/collections/priorities/items?limit=1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["numberMatched"], 2_000, "every generated priority");

    // The generator's country: the 24 states, each with its parishes, and
    // priorities counted in many of them.
    let (_, states) = app.get_json("/collections/states/items?limit=100").await;
    let states = states["features"].as_array().expect("features");
    assert_eq!(states.len(), 24, "the 24 states");
    let with_priorities = states
        .iter()
        .filter(|s| s["properties"]["priorities"].as_u64().unwrap_or(0) > 0)
        .count();
    assert!(
        with_priorities >= 15,
        "priorities over many states, got {with_priorities}: {states:?}"
    );
    let (_, parishes) = app.get_json("/collections/parishes/items?limit=1").await;
    assert!(parishes["numberMatched"].as_u64().unwrap_or(0) > 1_000);

    // Every priority was placed in a parish by its location.
    let (_, outside) = app
        .get_json("/collections/priorities/items?limit=1&placement=outside_every_parish")
        .await;
    assert_eq!(outside["numberMatched"], 0, "{outside}");
}
