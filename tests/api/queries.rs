//! Query results compared with a brute-force oracle over a seeded random
//! dataset of 5,000 priorities (points, lines, polygons with holes, and their
//! multi- forms). The oracle's geometry predicates are written in the tests
//! from scratch (ray casting, segment clipping, distances densified over
//! Vincenty's geodesic of `queries_geodesic`), so they share no code with the service's R-tree
//! or `geo` refinement. `queries_pages` pages through the same dataset.

use std::collections::HashSet;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    CATEGORIES, CREATED_STATUSES, TestApp, all_features, council, haversine, ids, spawn_app,
    territory,
};
use crate::queries_geodesic::{sphere_nearest, vincenty_m};

pub(crate) const FEATURES: usize = 5_000;
pub(crate) const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Distances within this many metres of a radius may fall either side: the
/// oracle follows edges straight in degrees, not as geodesics, which for
/// the edges of a few kilometres here is centimetres apart.
pub(crate) const DISTANCE_TOLERANCE_M: f64 = 2.0;

pub(crate) type Ring = Vec<[f64; 2]>;

/// A geometry as the oracle sees it.
#[derive(Debug, Clone)]
pub(crate) enum Shape {
    Points(Vec<[f64; 2]>),
    Lines(Vec<Ring>),
    /// Polygons, each an exterior ring followed by holes.
    Polygons(Vec<Vec<Ring>>),
}

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) id: String,
    pub(crate) council: String,
    pub(crate) parish: String,
    pub(crate) category: &'static str,
    pub(crate) status: &'static str,
    /// Microseconds since the epoch.
    pub(crate) created: i64,
    pub(crate) shape: Shape,
}

pub(crate) struct Dataset {
    pub(crate) items: Vec<Item>,
    pub(crate) councils: Vec<(String, String)>,
}

pub(crate) fn parishes() -> Vec<String> {
    let mut out = Vec::new();
    for state in ["01", "02"] {
        for m in ["01", "02"] {
            for p in ["01", "02", "03"] {
                out.push(format!("{state}{m}{p}"));
            }
        }
    }
    out
}

/// Moves `metres` from `p` on a sphere (small distances; good to millimetres here).
pub(crate) fn offset(p: [f64; 2], bearing_deg: f64, metres: f64) -> [f64; 2] {
    let d = metres / EARTH_RADIUS_M;
    let (lat, lon, b) = (
        p[1].to_radians(),
        p[0].to_radians(),
        bearing_deg.to_radians(),
    );
    let lat2 = (lat.sin() * d.cos() + lat.cos() * d.sin() * b.cos()).asin();
    let lon2 = lon + (b.sin() * d.sin() * lat.cos()).atan2(d.cos() - lat.sin() * lat2.sin());
    [lon2.to_degrees(), lat2.to_degrees()]
}

pub(crate) fn star(rng: &mut ChaCha8Rng, center: [f64; 2], size: f64, min_factor: f64) -> Ring {
    let n = rng.random_range(4..10);
    let mut ring: Ring = (0..n)
        .map(|i| {
            let bearing = 360.0 * (i as f64 + rng.random_range(0.0..0.8)) / n as f64;
            offset(center, bearing, size * rng.random_range(min_factor..1.0))
        })
        .collect();
    ring.push(ring[0]);
    ring
}

pub(crate) fn random_shape(rng: &mut ChaCha8Rng) -> Shape {
    let center = [rng.random_range(-67.3..-66.5), rng.random_range(10.1..10.7)];
    let near = |rng: &mut ChaCha8Rng, size: f64| {
        offset(
            center,
            rng.random_range(0.0..360.0),
            rng.random_range(0.0..size),
        )
    };
    match rng.random_range(0..100) {
        0..65 => Shape::Points(vec![center]),
        65..70 => Shape::Points(
            (0..rng.random_range(2..5))
                .map(|_| near(rng, 600.0))
                .collect(),
        ),
        70..82 => Shape::Lines(vec![
            (0..rng.random_range(2..7))
                .map(|_| near(rng, 1_500.0))
                .collect(),
        ]),
        82..85 => Shape::Lines(
            (0..2)
                .map(|_| (0..3).map(|_| near(rng, 800.0)).collect())
                .collect(),
        ),
        85..96 => {
            let size = rng.random_range(100.0..2_000.0);
            let mut polygon = vec![star(rng, center, size, 0.5)];
            if rng.random_bool(0.4) {
                // A hole inside the smallest possible exterior radius.
                polygon.push(star(rng, center, size * 0.35, 0.3));
            }
            Shape::Polygons(vec![polygon])
        }
        _ => {
            let a = near(rng, 3_000.0);
            let b = offset(a, rng.random_range(0.0..360.0), 2_500.0);
            Shape::Polygons(vec![
                vec![star(rng, a, 700.0, 0.5)],
                vec![star(rng, b, 700.0, 0.5)],
            ])
        }
    }
}

pub(crate) fn geometry_json(shape: &Shape) -> Value {
    match shape {
        Shape::Points(p) if p.len() == 1 => json!({"type": "Point", "coordinates": p[0]}),
        Shape::Points(p) => json!({"type": "MultiPoint", "coordinates": p}),
        Shape::Lines(l) if l.len() == 1 => json!({"type": "LineString", "coordinates": l[0]}),
        Shape::Lines(l) => json!({"type": "MultiLineString", "coordinates": l}),
        Shape::Polygons(p) if p.len() == 1 => json!({"type": "Polygon", "coordinates": p[0]}),
        Shape::Polygons(p) => json!({"type": "MultiPolygon", "coordinates": p}),
    }
}

pub(crate) fn micros_to_rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp_micros(t)
        .expect("in range")
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub(crate) fn generate(seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let parishes = parishes();
    let councils: Vec<(String, String)> = (0..60)
        .map(|i| {
            (
                format!("C-{i:03}"),
                parishes[rng.random_range(0..parishes.len())].clone(),
            )
        })
        .collect();
    let start = 1_735_689_600_000_000i64; // 2025-01-01
    let items = (0..FEATURES)
        .map(|i| {
            let (code, parish) = councils[rng.random_range(0..councils.len())].clone();
            Item {
                id: format!("00000000-0000-4000-8000-{:012}", i),
                council: code,
                parish,
                category: CATEGORIES[rng.random_range(0..CATEGORIES.len())],
                status: CREATED_STATUSES[rng.random_range(0..CREATED_STATUSES.len())],
                created: start + rng.random_range(0..(700 * 86_400_000_000i64)),
                shape: random_shape(&mut rng),
            }
        })
        .collect();
    Dataset { items, councils }
}

/// Spawns an app holding the dataset of `seed`, imported in file order.
pub(crate) async fn seeded(seed: u64) -> (TestApp, Dataset) {
    let app = spawn_app().await;
    let data = generate(seed);
    for state in ["01", "02"] {
        assert_eq!(
            app.post_json("/collections/states/items", &territory(state, "Estado"))
                .await
                .status(),
            StatusCode::CREATED
        );
        for m in ["01", "02"] {
            let r = app
                .post_json(
                    "/collections/municipalities/items",
                    &territory(&format!("{state}{m}"), "Municipio"),
                )
                .await;
            assert_eq!(r.status(), StatusCode::CREATED);
        }
    }
    for p in parishes() {
        assert_eq!(
            app.post_json("/collections/parishes/items", &territory(&p, "Parroquia"))
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    for (code, parish) in &data.councils {
        assert_eq!(
            app.post_json(
                "/collections/councils/items",
                &council(code, "Consejo", parish)
            )
            .await
            .status(),
            StatusCode::CREATED
        );
    }
    let features: Vec<Value> = data
        .items
        .iter()
        .map(|it| {
            json!({"type": "Feature", "id": it.id, "geometry": geometry_json(&it.shape), "properties": {
                "council": it.council, "title": format!("Prioridad {}", it.id), "category": it.category,
                "status": it.status, "created_at": micros_to_rfc3339(it.created),
            }})
        })
        .collect();
    assert_eq!(features.len(), FEATURES);
    app.import_ok(features).await;
    (app, data)
}

// ---------- the oracle's geometry, written from first principles ----------

/// Even-odd ray casting over all rings (holes included).
pub(crate) fn in_polygon(polygon: &[Ring], p: [f64; 2]) -> bool {
    let mut inside = false;
    for ring in polygon {
        for w in ring.windows(2) {
            let (a, b) = (w[0], w[1]);
            if (a[1] > p[1]) != (b[1] > p[1]) {
                let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
                if p[0] < x {
                    inside = !inside;
                }
            }
        }
    }
    inside
}

pub(crate) fn segments(shape: &Shape) -> Vec<([f64; 2], [f64; 2])> {
    let rings: Vec<&Ring> = match shape {
        Shape::Points(_) => vec![],
        Shape::Lines(l) => l.iter().collect(),
        Shape::Polygons(p) => p.iter().flatten().collect(),
    };
    rings
        .iter()
        .flat_map(|r| r.windows(2).map(|w| (w[0], w[1])))
        .collect()
}

pub(crate) fn vertices(shape: &Shape) -> Vec<[f64; 2]> {
    match shape {
        Shape::Points(p) => p.clone(),
        Shape::Lines(l) => l.iter().flatten().copied().collect(),
        Shape::Polygons(p) => p.iter().flatten().flatten().copied().collect(),
    }
}

/// Liang–Barsky: does the segment a→b meet the closed box?
pub(crate) fn segment_meets_box(a: [f64; 2], b: [f64; 2], min: [f64; 2], max: [f64; 2]) -> bool {
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    let d = [b[0] - a[0], b[1] - a[1]];
    for axis in 0..2 {
        for (p, q) in [
            (-d[axis], a[axis] - min[axis]),
            (d[axis], max[axis] - a[axis]),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
                if t0 > t1 {
                    return false;
                }
            }
        }
    }
    true
}

pub(crate) fn intersects_box(shape: &Shape, min: [f64; 2], max: [f64; 2]) -> bool {
    let inside = |p: [f64; 2]| p[0] >= min[0] && p[0] <= max[0] && p[1] >= min[1] && p[1] <= max[1];
    if vertices(shape).into_iter().any(inside) {
        return true;
    }
    if segments(shape)
        .into_iter()
        .any(|(a, b)| segment_meets_box(a, b, min, max))
    {
        return true;
    }
    // No vertex in the box and no edge through it: only a box wholly inside an area remains.
    match shape {
        Shape::Polygons(p) => p.iter().any(|poly| in_polygon(poly, min)),
        _ => false,
    }
}

/// Distance in metres from `p` to the shape as PostGIS measures
/// `geography`: 0 inside an area, else the geodesic on WGS84 (Vincenty's)
/// to the shape's point nearest on the sphere: one of its points, or an
/// edge's point (`queries_geodesic::sphere_nearest`).
pub(crate) fn distance(shape: &Shape, p: [f64; 2]) -> f64 {
    if let Shape::Polygons(polys) = shape
        && polys.iter().any(|poly| in_polygon(poly, p))
    {
        return 0.0;
    }
    let on_edges = segments(shape)
        .into_iter()
        .map(|(a, b)| sphere_nearest(p, a, b));
    vertices(shape)
        .into_iter()
        .map(|v| (v, haversine(p, v)))
        .chain(on_edges)
        .min_by(|x, y| x.1.total_cmp(&y.1))
        .map_or(f64::INFINITY, |(nearest, _)| vincenty_m(p, nearest))
}

// ---------- comparing the API with the oracle ----------

/// The API must return exactly the oracle's matches, in creation order.
pub(crate) async fn assert_same(
    app: &TestApp,
    data: &Dataset,
    query: &str,
    keep: impl Fn(&Item) -> bool,
) {
    let expected: Vec<String> = data
        .items
        .iter()
        .filter(|it| keep(it))
        .map(|it| it.id.clone())
        .collect();
    let got = ids(&all_features(app, query).await);
    assert_eq!(got.len(), expected.len(), "{query}: count");
    assert_eq!(got, expected, "{query}: the matches, in creation order");
}

pub(crate) fn random_box(rng: &mut ChaCha8Rng) -> ([f64; 2], [f64; 2]) {
    let size = [0.001, 0.01, 0.05, 0.2][rng.random_range(0..4)];
    let min = [
        rng.random_range(-67.35..-66.5),
        rng.random_range(10.05..10.7),
    ];
    (
        min,
        [
            min[0] + size * rng.random_range(0.5..1.5),
            min[1] + size * rng.random_range(0.5..1.5),
        ],
    )
}

#[tokio::test]
async fn bbox_results_equal_a_brute_force_intersection_for_every_geometry_type() {
    let (app, data) = seeded(1).await;
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut nonempty = 0;
    for _ in 0..40 {
        let (min, max) = random_box(&mut rng);
        let q = format!("bbox={},{},{},{}", min[0], min[1], max[0], max[1]);
        let expected = data
            .items
            .iter()
            .filter(|it| intersects_box(&it.shape, min, max))
            .count();
        nonempty += usize::from(expected > 0);
        assert_same(&app, &data, &q, |it| intersects_box(&it.shape, min, max)).await;
    }
    // Tiny boxes inside polygons: found though no vertex or edge lies in them.
    for it in data
        .items
        .iter()
        .filter(|it| matches!(it.shape, Shape::Polygons(_)))
        .take(20)
    {
        let Shape::Polygons(p) = &it.shape else {
            unreachable!()
        };
        let c = p[0][0][0];
        let probe = [(c[0] + p[0][0][2][0]) / 2.0, (c[1] + p[0][0][2][1]) / 2.0];
        let (min, max) = (
            [probe[0] - 1e-6, probe[1] - 1e-6],
            [probe[0] + 1e-6, probe[1] + 1e-6],
        );
        let q = format!("bbox={},{},{},{}", min[0], min[1], max[0], max[1]);
        assert_same(&app, &data, &q, |x| intersects_box(&x.shape, min, max)).await;
    }
    assert!(
        nonempty >= 20,
        "the random boxes must exercise real matches ({nonempty})"
    );
}

#[tokio::test]
async fn radius_results_equal_a_brute_force_geodesic_distance_nearest_first() {
    let (app, data) = seeded(2).await;
    let mut rng = ChaCha8Rng::seed_from_u64(22);
    let mut checked = 0;
    for round in 0..25 {
        // Some centres sit inside polygons, where the distance is 0.
        let center = if round % 5 == 0 {
            let poly = data
                .items
                .iter()
                .filter(|it| matches!(it.shape, Shape::Polygons(_)))
                .nth(round)
                .expect("polygons");
            let Shape::Polygons(p) = &poly.shape else {
                unreachable!()
            };
            let (a, b) = (p[0][0][0], p[0][0][2]);
            [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
        } else {
            [rng.random_range(-67.3..-66.5), rng.random_range(10.1..10.7)]
        };
        let radius = [50.0, 500.0, 2_000.0, 8_000.0, 30_000.0][round % 5];
        let q = format!("point={},{}&radius={radius}", center[0], center[1]);
        let features = all_features(&app, &q).await;
        let got: HashSet<String> = ids(&features).into_iter().collect();
        assert_eq!(got.len(), features.len(), "{q}: no duplicates");
        let mut last = 0.0;
        for f in &features {
            let d = f["properties"]["distance_m"].as_f64().expect("distance_m");
            assert!(d >= last, "{q}: nearest first ({d} after {last})");
            last = d;
        }
        for it in &data.items {
            let d = distance(&it.shape, center);
            if (d - radius).abs() <= DISTANCE_TOLERANCE_M {
                continue;
            }
            assert_eq!(
                got.contains(&it.id),
                d < radius,
                "{q}: {} at {d:.2} m ({:?})",
                it.id,
                it.shape
            );
            if d < radius {
                checked += 1;
                let f = features
                    .iter()
                    .find(|f| f["id"] == it.id.as_str())
                    .expect("returned");
                let reported = f["properties"]["distance_m"].as_f64().expect("distance_m");
                assert!(
                    (reported - d).abs() <= DISTANCE_TOLERANCE_M,
                    "{q}: {} distance {reported} vs {d}",
                    it.id
                );
            }
        }
    }
    assert!(
        checked > 500,
        "the radius queries must exercise real matches ({checked})"
    );
}

#[tokio::test]
async fn territory_and_council_filters_equal_a_brute_force_filter_in_creation_order() {
    let (app, data) = seeded(3).await;
    for state in ["01", "02"] {
        assert_same(&app, &data, &format!("state={state}"), |it| {
            it.parish.starts_with(state)
        })
        .await;
    }
    for m in ["0101", "0102", "0201", "0202"] {
        assert_same(&app, &data, &format!("municipality={m}"), |it| {
            it.parish.starts_with(m)
        })
        .await;
    }
    for p in parishes() {
        assert_same(&app, &data, &format!("parish={p}"), |it| it.parish == p).await;
    }
    assert_same(&app, &data, "parish=010101,020203", |it| {
        it.parish == "010101" || it.parish == "020203"
    })
    .await;
    assert_same(&app, &data, "state=01&parish=010101,020203", |it| {
        it.parish == "010101"
    })
    .await;
    assert_same(&app, &data, "state=02&municipality=0101", |_| false).await;
    assert_same(&app, &data, "council=C-001", |it| it.council == "C-001").await;
    assert_same(&app, &data, "council=C-001,C-007&state=01", |it| {
        (it.council == "C-001" || it.council == "C-007") && it.parish.starts_with("01")
    })
    .await;
    assert_same(&app, &data, "", |_| true).await;
}

#[tokio::test]
async fn category_status_and_datetime_filters_combine_with_and() {
    let (app, data) = seeded(4).await;
    assert_same(&app, &data, "category=water", |it| it.category == "water").await;
    assert_same(
        &app,
        &data,
        "category=water,gas&status=proposed,done",
        |it| ["water", "gas"].contains(&it.category) && ["proposed", "done"].contains(&it.status),
    )
    .await;
    let mut rng = ChaCha8Rng::seed_from_u64(44);
    for _ in 0..10 {
        let a = data.items[rng.random_range(0..FEATURES)].created;
        let b = data.items[rng.random_range(0..FEATURES)].created;
        let (lo, hi) = (a.min(b), a.max(b));
        let (slo, shi) = (micros_to_rfc3339(lo), micros_to_rfc3339(hi));
        assert_same(&app, &data, &format!("datetime={slo}/{shi}"), |it| {
            it.created >= lo && it.created <= hi
        })
        .await;
        assert_same(&app, &data, &format!("datetime=../{shi}"), |it| {
            it.created <= hi
        })
        .await;
        assert_same(&app, &data, &format!("datetime={slo}/.."), |it| {
            it.created >= lo
        })
        .await;
        assert_same(&app, &data, &format!("datetime={slo}"), |it| {
            it.created == lo
        })
        .await;
    }
    let (min, max) = ([-67.0, 10.3], [-66.7, 10.6]);
    let q = "bbox=-67.0,10.3,-66.7,10.6&category=water,roads,health&status=proposed&state=01&datetime=2025-06-01/..";
    let june = 1_748_736_000_000_000i64;
    assert_same(&app, &data, q, |it| {
        intersects_box(&it.shape, min, max)
            && ["water", "roads", "health"].contains(&it.category)
            && it.status == "proposed"
            && it.parish.starts_with("01")
            && it.created >= june
    })
    .await;
    // A radius query with other filters: compare as sets away from the radius edge.
    let center = [-66.9, 10.4];
    let q = "point=-66.9,10.4&radius=20000&category=water,housing&municipality=0101,0202";
    let got: HashSet<String> = ids(&all_features(&app, q).await).into_iter().collect();
    for it in &data.items {
        let d = distance(&it.shape, center);
        if (d - 20_000.0).abs() <= DISTANCE_TOLERANCE_M {
            continue;
        }
        let expected = d < 20_000.0
            && ["water", "housing"].contains(&it.category)
            && (it.parish.starts_with("0101") || it.parish.starts_with("0202"));
        assert_eq!(got.contains(&it.id), expected, "{q}: {}", it.id);
    }
}
