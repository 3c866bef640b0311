//! Simplified outlines: valid multipolygons with fewer vertices, an enclave
//! kept valid near its parish's edge, and bad `simplify` and `zoom` values
//! refused naming the parameter.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{
    assert_problem, boundary, collection, import_boundaries_ok, polygon, spawn_app,
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
