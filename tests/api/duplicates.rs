//! Nearby duplicates: what a proposal's response, a priority's
//! `/duplicates` and the review queue list, compared with a brute force
//! over a seeded cluster of points, lines and polygons. The oracle measures
//! on its own: geo's planar distance between the geometries projected to
//! metres around the cluster (equirectangular, exact to 1e-4 over a
//! kilometre), against the service's haversine.

use std::collections::BTreeMap;

use geo::{Coord, Distance, Euclidean, Geometry, LineString, Point, Polygon};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ITEMS, TestApp, assert_problem, features_of, spawn_seeded_app};

const CENTRE: [f64; 2] = [-66.9146, 10.5061];
/// Metres per degree of latitude on the sphere geo's haversine uses.
const METRES_PER_DEGREE: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;
/// Categories drawn: related pairs and loners.
const DRAWN: [&str; 7] = [
    "water",
    "environment",
    "electricity",
    "gas",
    "roads",
    "health",
    "food",
];

/// What the oracle knows of a priority.
#[derive(Clone)]
struct Known {
    geometry: Geometry<f64>,
    category: &'static str,
    status: &'static str,
}

fn related(a: &str, b: &str) -> bool {
    let family = |c: &str| {
        match c {
            "environment" => "water",
            "gas" => "electricity",
            "transport" => "roads",
            other => other,
        }
        .to_owned()
    };
    family(a) == family(b)
}

fn is_open(status: &str) -> bool {
    matches!(status, "proposed" | "approved" | "in_progress")
}

/// A position near the centre, in degrees.
fn near(rng: &mut ChaCha8Rng, spread: f64) -> [f64; 2] {
    [
        CENTRE[0] + rng.random_range(-spread..spread),
        CENTRE[1] + rng.random_range(-spread..spread),
    ]
}

/// A random point, line or polygon within about 600 m of the centre, as
/// GeoJSON.
fn random_geometry(rng: &mut ChaCha8Rng) -> Value {
    let [x, y] = near(rng, 0.003);
    let d = rng.random_range(0.0002..0.0015);
    match rng.random_range(0..10) {
        0..6 => json!({"type": "Point", "coordinates": [x, y]}),
        6..8 => {
            json!({"type": "LineString", "coordinates": [[x, y], [x + d, y - d / 3.0], [x + d, y + d / 2.0]]})
        }
        _ => {
            json!({"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d / 2.0, y + d], [x, y]]]})
        }
    }
}

/// A GeoJSON geometry projected to metres east and north of the centre.
fn projected(geometry: &Value) -> Geometry<f64> {
    let c = |p: &Value| {
        let (lon, lat) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
        Coord {
            x: (lon - CENTRE[0]) * METRES_PER_DEGREE * CENTRE[1].to_radians().cos(),
            y: (lat - CENTRE[1]) * METRES_PER_DEGREE,
        }
    };
    let line = |v: &Value| LineString(v.as_array().unwrap().iter().map(c).collect());
    let coordinates = &geometry["coordinates"];
    match geometry["type"].as_str().unwrap() {
        "Point" => Geometry::Point(Point(c(coordinates))),
        "LineString" => Geometry::LineString(line(coordinates)),
        "Polygon" => Geometry::Polygon(Polygon::new(line(&coordinates[0]), vec![])),
        other => panic!("no {other} drawn"),
    }
}

fn feature(geometry: Value, category: &str, status: &str) -> Value {
    json!({"type": "Feature", "geometry": geometry,
           "properties": {"council": "CC-1", "title": format!("{category} {status}"), "category": category, "status": status}})
}

/// The oracle: every open priority of a related category within `within`
/// metres of `geometry`, `exclude` left out, with its distance.
fn brute_force(
    known: &BTreeMap<String, Known>,
    geometry: &Geometry<f64>,
    category: &str,
    within: f64,
    exclude: Option<&str>,
) -> Vec<(String, f64)> {
    let mut found: Vec<(String, f64)> = known
        .iter()
        .filter(|(id, _)| Some(id.as_str()) != exclude)
        .filter(|(_, k)| is_open(k.status) && related(category, k.category))
        .map(|(id, k)| (id.clone(), Euclidean.distance(geometry, &k.geometry)))
        .filter(|(_, d)| *d <= within * 1.001 + 0.05)
        .collect();
    found.sort_by(|a, b| a.1.total_cmp(&b.1));
    found
}

/// Checks a listing (ids and distances, as the API gave them) against the
/// oracle's: nearest first, at most 20, each distance within 0.1% (the
/// haversine's and the projection's difference) plus rounding, and every
/// priority surely within the distance listed unless 20 nearer ones are.
fn check(got: &[(String, f64)], want: &[(String, f64)], within: f64, what: &str) {
    let tolerance = |d: f64| d * 0.001 + 0.05;
    let wanted: BTreeMap<&str, f64> = want.iter().map(|(id, d)| (id.as_str(), *d)).collect();
    assert!(got.len() <= 20, "{what}: {} listed", got.len());
    for pair in got.windows(2) {
        assert!(pair[0].1 <= pair[1].1, "{what}: not nearest first: {got:?}");
    }
    for (id, d) in got {
        let expected = wanted
            .get(id.as_str())
            .unwrap_or_else(|| panic!("{what}: {id} at {d} m is not a possible duplicate"));
        assert!(
            (d - expected).abs() <= tolerance(*expected),
            "{what}: {id} at {d} m, the oracle says {expected} m"
        );
    }
    let farthest = got.last().map_or(0.0, |(_, d)| *d);
    for (id, d) in want {
        let surely_in = *d < within - tolerance(within);
        let surely_listed = got.len() < 20 || *d < farthest - tolerance(farthest);
        if surely_in && surely_listed {
            assert!(
                got.iter().any(|(g, _)| g == id),
                "{what}: {id} at {d} m is missing from {got:?}"
            );
        }
    }
}

/// `possible_duplicates` objects as (id, distance).
fn listed(duplicates: &Value) -> Vec<(String, f64)> {
    duplicates
        .as_array()
        .unwrap_or_else(|| panic!("an array: {duplicates}"))
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_owned(),
                d["distance_m"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// A seeded app holding 300 priorities imported in a cluster, and what the
/// oracle knows of them.
async fn seeded(rng: &mut ChaCha8Rng) -> (TestApp, BTreeMap<String, Known>, Value) {
    let app = spawn_seeded_app().await;
    let statuses = ["proposed", "approved", "in_progress", "done", "rejected"];
    let features: Vec<Value> = (0..300)
        .map(|i| {
            let category = DRAWN[rng.random_range(0..DRAWN.len())];
            let status = statuses[i % statuses.len()];
            let mut f = feature(random_geometry(rng), category, status);
            f["id"] = json!(uuid::Uuid::from_u128(rng.random()).to_string());
            f
        })
        .collect();
    let body = json!({"type": "FeatureCollection", "features": features});
    let r = app.post_json(crate::helpers::IMPORT, &body).await;
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["created"], 300, "{report}");
    let known = features
        .iter()
        .map(|f| {
            let props = &f["properties"];
            let pick =
                |v: &Value, from: &[&'static str]| *from.iter().find(|s| v == **s).expect("drawn");
            (
                f["id"].as_str().unwrap().to_owned(),
                Known {
                    geometry: projected(&f["geometry"]),
                    category: pick(&props["category"], &DRAWN),
                    status: pick(&props["status"], &statuses),
                },
            )
        })
        .collect();
    (app, known, report)
}

#[tokio::test]
async fn an_imports_report_lists_each_created_priority_with_its_possible_duplicates() {
    let mut rng = ChaCha8Rng::seed_from_u64(2101);
    let (_app, known, report) = seeded(&mut rng).await;
    let reported: BTreeMap<String, Vec<String>> = report["possible_duplicates"]
        .as_array()
        .unwrap_or_else(|| panic!("{report}"))
        .iter()
        .map(|r| {
            let ids = r["duplicates"].as_array().unwrap();
            let ids = ids.iter().map(|i| i.as_str().unwrap().to_owned()).collect();
            (r["id"].as_str().unwrap().to_owned(), ids)
        })
        .collect();
    assert!(reported.len() > 20, "a cluster has duplicates: {report}");
    for (id, k) in &known {
        let want = brute_force(&known, &k.geometry, k.category, 100.0, Some(id));
        let got: Vec<(String, f64)> = reported
            .get(id)
            .map(|ids| {
                // The report gives ids alone: the oracle's distances stand in.
                let d: BTreeMap<&str, f64> = want.iter().map(|(i, d)| (i.as_str(), *d)).collect();
                ids.iter()
                    .map(|i| (i.clone(), *d.get(i.as_str()).unwrap_or(&f64::NAN)))
                    .collect()
            })
            .unwrap_or_default();
        let got: Vec<(String, f64)> = got
            .into_iter()
            .map(|(i, d)| {
                assert!(!d.is_nan(), "{id}: {i} is no possible duplicate");
                (i, d)
            })
            .collect();
        // Equal distances may come in either order from the oracle's view.
        let mut sorted = got.clone();
        sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
        check(&sorted, &want, 100.0, &format!("import {id}"));
    }
}

#[tokio::test]
async fn a_proposal_lists_its_possible_duplicates_as_a_brute_force_finds_them() {
    let mut rng = ChaCha8Rng::seed_from_u64(2102);
    let (app, mut known, _) = seeded(&mut rng).await;
    let mut listed_any = 0;
    for i in 0..60 {
        let category = DRAWN[rng.random_range(0..DRAWN.len())];
        let geometry = random_geometry(&mut rng);
        let r = app
            .post_json(ITEMS, &feature(geometry.clone(), category, "proposed"))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let created: Value = r.json().await.unwrap();
        let id = created["id"].as_str().unwrap().to_owned();
        let projected = projected(&geometry);
        let want = brute_force(&known, &projected, category, 100.0, None);
        let got = listed(&created["possible_duplicates"]);
        listed_any += usize::from(!got.is_empty());
        check(&got, &want, 100.0, &format!("proposal {i}"));
        for d in created["possible_duplicates"].as_array().unwrap() {
            let k = &known[d["id"].as_str().unwrap()];
            assert_eq!(d["category"], k.category);
            assert_eq!(d["status"], k.status);
            assert_eq!(d["council"], "CC-1");
            assert_eq!(d["title"], format!("{} {}", k.category, k.status));
        }
        known.insert(
            id,
            Known {
                geometry: projected,
                category,
                status: "proposed",
            },
        );
    }
    assert!(
        listed_any > 10,
        "only {listed_any} proposals had duplicates"
    );
}

#[tokio::test]
async fn a_priority_s_duplicates_are_those_a_brute_force_finds_within_the_distance_asked() {
    let mut rng = ChaCha8Rng::seed_from_u64(2103);
    let (app, known, _) = seeded(&mut rng).await;
    let ids: Vec<&String> = known.keys().collect();
    for i in 0..60 {
        let id = ids[rng.random_range(0..ids.len())];
        let within = [1.0, 50.0, 100.0, 250.0, 800.0][i % 5];
        let (status, body) = app
            .get_json(&format!("{ITEMS}/{id}/duplicates?distance={within}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let k = &known[id];
        let want = brute_force(&known, &k.geometry, k.category, within, Some(id));
        let got: Vec<(String, f64)> = features_of(&body)
            .iter()
            .map(|f| {
                (
                    f["id"].as_str().unwrap().to_owned(),
                    f["properties"]["distance_m"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(body["numberReturned"], got.len());
        check(&got, &want, within, &format!("{id} within {within}"));
    }
    // Without `distance`, the server's 100 m.
    let id = ids[0];
    let (_, default) = app.get_json(&format!("{ITEMS}/{id}/duplicates")).await;
    let (_, hundred) = app
        .get_json(&format!("{ITEMS}/{id}/duplicates?distance=100"))
        .await;
    assert_eq!(features_of(&default), features_of(&hundred));
}

#[tokio::test]
async fn the_review_queue_shows_each_proposals_possible_duplicates() {
    let mut rng = ChaCha8Rng::seed_from_u64(2104);
    let (app, known, _) = seeded(&mut rng).await;
    let (status, queue) = app.get_json("/review-queue?limit=1000").await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let features = features_of(&queue);
    let proposed = known.values().filter(|k| k.status == "proposed").count();
    assert_eq!(features.len(), proposed);
    for f in features {
        let id = f["id"].as_str().unwrap();
        let k = &known[id];
        let want = brute_force(&known, &k.geometry, k.category, 100.0, Some(id));
        check(
            &listed(&f["possible_duplicates"]),
            &want,
            100.0,
            &format!("queue {id}"),
        );
    }
}

#[tokio::test]
async fn the_duplicates_of_a_priority_refuse_a_bad_distance_and_an_unknown_id() {
    let app = spawn_seeded_app().await;
    let id = crate::helpers::create_priority_id(&app, &crate::helpers::priority()).await;
    for bad in ["0", "5001", "-3", "far"] {
        let r = app
            .get(&format!("{ITEMS}/{id}/duplicates?distance={bad}"))
            .await;
        assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "distance")).await;
    }
    let r = app.get(&format!("{ITEMS}/{id}/duplicates?radius=5")).await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "radius")).await;
    let missing = uuid::Uuid::from_u128(7);
    let r = app.get(&format!("{ITEMS}/{missing}/duplicates")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
