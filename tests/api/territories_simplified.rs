//! Simplified outlines: valid multipolygons with fewer vertices, an enclave
//! kept valid near its parish's edge, the demo's parishes seamless at map
//! zooms (checked pair by pair), and bad `simplify` and `zoom` values
//! refused naming the parameter.

use std::collections::BTreeMap;

use geo::{Area, BooleanOps, LineString, MultiPolygon, Polygon, Validation};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{
    TestApp, assert_problem, boundary, collection, import_boundaries_ok, polygon, spawn_app,
};
use crate::territories::{
    D_CENTER, D_VERTICES, ENCLAVE, circle_ring, hole, municipalities_file, spawn_territorial_app,
    states_file, territories, valid_multipolygon,
};

// ---------------------------------------------------------------- simplification

fn vertex_count(geometry: &Value) -> usize {
    geometry["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p.as_array().unwrap())
        .map(|r| r.as_array().unwrap().len())
        .sum()
}

#[tokio::test]
async fn simplified_boundaries_stay_valid_and_lose_vertices() {
    let app = spawn_territorial_app().await;
    let full = territories(&app, "/collections/parishes/items").await;
    let full_d = vertex_count(&full["010104"]["geometry"]);
    assert_eq!(full_d, D_VERTICES + 1, "full detail is served as imported");
    for (code, f) in &full {
        valid_multipolygon(&f["geometry"], &format!("{code} unsimplified"));
    }

    for query in [
        "simplify=0.01",
        "simplify=0.001",
        "zoom=3",
        "zoom=8",
        "zoom=12",
    ] {
        for level in ["parishes", "municipalities", "states"] {
            let list = territories(&app, &format!("/collections/{level}/items?{query}")).await;
            for (code, f) in &list {
                valid_multipolygon(&f["geometry"], &format!("{code} with {query}"));
            }
        }
        let parishes = territories(&app, &format!("/collections/parishes/items?{query}")).await;
        assert_eq!(parishes.len(), full.len(), "{query}");
        let d = vertex_count(&parishes["010104"]["geometry"]);
        assert!(d <= full_d, "{query}: {d} > {full_d}");
        // The single-territory endpoint simplifies the same way.
        let (status, one) = app
            .get_json(&format!("/collections/parishes/items/010104?{query}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(one["geometry"], parishes["010104"]["geometry"], "{query}");
    }
    for query in ["simplify=0.01", "simplify=0.001", "zoom=8"] {
        let parishes = territories(&app, &format!("/collections/parishes/items?{query}")).await;
        let d = vertex_count(&parishes["010104"]["geometry"]);
        assert!(d < full_d / 2, "{query} keeps {d} of {full_d} vertices");
    }
    // A tolerance of 0 keeps every vertex.
    let zero = territories(&app, "/collections/parishes/items?simplify=0").await;
    assert_eq!(zero["010104"]["geometry"], full["010104"]["geometry"]);
}

#[tokio::test]
async fn a_parish_with_an_enclave_near_its_edge_stays_valid_when_simplified() {
    let app = spawn_app().await;
    import_boundaries_ok(&app, "states", "?code=COD_EDO&name=ESTADO", &states_file()).await;
    import_boundaries_ok(&app, "municipalities", "", &municipalities_file()).await;
    // A round parish with a small enclave 0.005 degrees inside its edge.
    let (cx, cy) = D_CENTER;
    let [x0, y0, x1, y1] = ENCLAVE;
    let enclave = [cx + x0, cy + y0, cx + x1, cy + y1];
    import_boundaries_ok(
        &app,
        "parishes",
        "",
        &collection(vec![boundary(
            "010101",
            "Con enclave",
            polygon(vec![circle_ring(D_CENTER), hole(enclave)]),
        )]),
    )
    .await;
    let (_, full) = app.get_json("/collections/parishes/items/010101").await;
    valid_multipolygon(&full["geometry"], "unsimplified");

    for query in [
        "simplify=0.01",
        "simplify=0.001",
        "zoom=3",
        "zoom=5",
        "zoom=8",
        "zoom=12",
    ] {
        let (status, one) = app
            .get_json(&format!("/collections/parishes/items/010101?{query}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        valid_multipolygon(
            &one["geometry"],
            &format!("the enclave parish with {query}"),
        );
        assert!(vertex_count(&one["geometry"]) <= vertex_count(&full["geometry"]));
    }
}

#[tokio::test]
async fn bad_simplify_and_zoom_values_are_refused_naming_the_parameter() {
    let app = spawn_territorial_app().await;
    let cases = [
        ("simplify=2", "simplify"),
        ("simplify=-0.1", "simplify"),
        ("simplify=x", "simplify"),
        ("simplify=NaN", "simplify"),
        ("zoom=25", "zoom"),
        ("zoom=-1", "zoom"),
        ("zoom=x", "zoom"),
        ("zoom=3.5", "zoom"),
        ("simplify=0.01&zoom=3", "zoom"),
    ];
    for (query, parameter) in cases {
        for path in [
            "/collections/parishes/items",
            "/collections/states/items",
            "/collections/parishes/items/010101",
        ] {
            let r = app.get(&format!("{path}?{query}")).await;
            assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", parameter)).await;
        }
    }
}

// ---------------------------------------------------------------- seamless borders

fn multipolygon(geometry: &Value) -> MultiPolygon<f64> {
    let ring = |r: &Value| -> LineString<f64> {
        LineString::from(
            r.as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(geometry["type"], "MultiPolygon");
    MultiPolygon(
        geometry["coordinates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let rings = p.as_array().unwrap();
                Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
            })
            .collect(),
    )
}

/// Every feature of a level's default page (which must be the whole level).
async fn whole_level(
    app: &TestApp,
    level: &str,
    query: &str,
) -> BTreeMap<String, MultiPolygon<f64>> {
    let (status, page) = app
        .get_json(&format!("/collections/{level}/items?{query}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        page["numberReturned"], page["numberMatched"],
        "{level}?{query}: the default page holds the whole level"
    );
    assert!(
        page["links"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["rel"] != "next")
    );
    page["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                multipolygon(&f["geometry"]),
            )
        })
        .collect()
}

/// Polygons and holes of the union of `shapes`.
fn union_shape(shapes: &[&MultiPolygon<f64>]) -> (f64, usize, usize) {
    let union = geo::unary_union(shapes.iter().copied());
    let holes = union.0.iter().map(|p| p.interiors().len()).sum();
    (union.unsigned_area(), union.0.len(), holes)
}

#[tokio::test]
async fn demo_parishes_simplified_at_every_map_zoom_are_valid_and_seamless() {
    let app = crate::demo::demo_app(tempfile::tempdir().unwrap()).await;
    let full = whole_level(&app, "parishes", "").await;
    assert!(full.len() >= 40, "the demo's parishes: {}", full.len());
    let full_shapes: Vec<_> = full.values().collect();
    let (_, full_parts, full_holes) = union_shape(&full_shapes);
    for zoom in [4, 6, 8] {
        let query = format!("zoom={zoom}");
        let parishes = whole_level(&app, "parishes", &query).await;
        assert_eq!(parishes.len(), full.len(), "{query}");
        for (code, shape) in &parishes {
            assert!(
                shape.is_valid(),
                "{code} {query}: {:?}",
                shape.validation_errors()
            );
        }
        // No overlap: every pair of parishes, brute force.
        let shapes: Vec<(&String, &MultiPolygon<f64>)> = parishes.iter().collect();
        for (i, (a, sa)) in shapes.iter().enumerate() {
            for (b, sb) in &shapes[i + 1..] {
                let overlap = sa.intersection(*sb).unsigned_area();
                assert!(
                    overlap < 1e-12,
                    "{a} and {b} overlap by {overlap} at {query}"
                );
            }
        }
        // No gap: the union has no hole nor piece the unsimplified one lacks,
        // and its area is the sum of the parishes' (no overlap either).
        let all: Vec<_> = parishes.values().collect();
        let (area, parts, holes) = union_shape(&all);
        let sum: f64 = all.iter().map(|s| s.unsigned_area()).sum();
        // geo's union snaps to a grid of about 1e-9 of the extent, so the
        // areas agree to about 1e-8; a gap left by simplifying each parish
        // on its own is thousands of times larger at these zooms.
        assert!((area - sum).abs() <= 1e-6 * sum, "{query}: {area} vs {sum}");
        assert_eq!((parts, holes), (full_parts, full_holes), "{query}");
        // Municipalities and states are the unions of their parishes.
        for (level, digits) in [("municipalities", 4), ("states", 2)] {
            for (code, shape) in whole_level(&app, level, &query).await {
                assert!(
                    shape.is_valid(),
                    "{code} {query}: {:?}",
                    shape.validation_errors()
                );
                let members: Vec<_> = parishes
                    .iter()
                    .filter(|(p, _)| p[..digits] == code)
                    .map(|(_, s)| s)
                    .collect();
                let union = geo::unary_union(members.iter().copied());
                let diff = union.xor(&shape).unsigned_area();
                assert!(diff < 1e-12, "{level} {code} at {query}: {diff}");
            }
        }
    }
}
