//! Boundary files refused whole: unreadable features, duplicate codes,
//! missing parents, a body that is not a FeatureCollection, unknown
//! parameters and media types; a refused file changes nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    TestApp, assert_problem, boundary, collection, import_boundaries, point, polygon, ring,
};
use crate::territories::{
    A, STATE_01, STATE_02, create_at, parishes_file, parishes_with, refused, snapshot,
    spawn_territorial_app,
};

// ---------------------------------------------------------------- refused files

/// An app with the fixture and some priorities placed in it.
async fn app_with_priorities() -> TestApp {
    let app = spawn_territorial_app().await;
    create_at(&app, "CC-A", point([-66.85, 10.41])).await;
    create_at(&app, "CC-A", point([-66.78, 10.45])).await;
    create_at(&app, "CC-C", point([-66.36, 10.64])).await;
    app
}

#[tokio::test]
async fn a_boundary_file_with_unreadable_features_is_refused_whole_and_changes_nothing() {
    let app = app_with_priorities().await;
    let before = snapshot(&app).await;
    // A valid file that would move the A|B edge, spoiled by three features.
    let mut file = parishes_with(
        [-66.9, 10.4, -66.75, 10.5],
        [-66.75, 10.4, -66.7, 10.5],
        true,
    );
    let features = file["features"].as_array_mut().unwrap();
    features.insert(1, boundary("010106", "Punto", point([-66.5, 10.5])));
    features.insert(
        3,
        json!({"type": "Feature", "geometry": polygon(vec![ring([-66.3, 10.3, -66.2, 10.4])]),
               "properties": {"name": "Sin código"}}),
    );
    features.insert(
        4,
        boundary(
            "010107",
            "Abierta",
            polygon(vec![json!([
                [-66.3, 10.0],
                [-66.2, 10.0],
                [-66.2, 10.1],
                [-66.3, 10.1]
            ])]),
        ),
    );

    let r = import_boundaries(&app, "parishes", "", &file).await;

    assert_eq!(
        refused(r).await,
        [
            (1, "/geometry/type".to_owned()),
            (3, "/properties/code".to_owned()),
            (4, "/geometry/coordinates/0".to_owned()),
        ]
    );
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn a_boundary_file_with_duplicate_codes_or_missing_parents_is_refused_whole() {
    let app = app_with_priorities().await;
    let before = snapshot(&app).await;
    let mut file = parishes_with(
        [-66.9, 10.4, -66.75, 10.5],
        [-66.75, 10.4, -66.7, 10.5],
        true,
    );
    let features = file["features"].as_array_mut().unwrap();
    // Index 5: 010101 again; index 6: a parish of municipality 0109, which does not exist.
    features.push(boundary(
        "010101",
        "Otra",
        polygon(vec![ring([-66.3, 10.3, -66.2, 10.4])]),
    ));
    features.push(boundary(
        "010901",
        "Huérfana",
        polygon(vec![ring([-66.3, 10.0, -66.2, 10.1])]),
    ));

    let r = import_boundaries(&app, "parishes", "", &file).await;

    let errors = refused(r).await;
    assert_eq!(
        errors.iter().map(|e| e.0).collect::<Vec<_>>(),
        [5, 6],
        "{errors:?}"
    );
    assert_eq!(snapshot(&app).await, before);

    // A municipality file whose state does not exist.
    let r = import_boundaries(
        &app,
        "municipalities",
        "",
        &collection(vec![
            boundary("0101", "Libertador", polygon(vec![ring(STATE_01)])),
            boundary("0301", "Sin estado", polygon(vec![ring(STATE_02)])),
        ]),
    )
    .await;
    assert_eq!(
        refused(r).await.iter().map(|e| e.0).collect::<Vec<_>>(),
        [1]
    );
    // A code of the wrong length.
    let r = import_boundaries(
        &app,
        "parishes",
        "",
        &collection(vec![boundary("0101011", "Larga", polygon(vec![ring(A)]))]),
    )
    .await;
    assert_eq!(
        refused(r).await.iter().map(|e| e.0).collect::<Vec<_>>(),
        [0]
    );
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn a_boundary_body_that_is_not_a_feature_collection_is_refused() {
    let app = app_with_priorities().await;
    let before = snapshot(&app).await;
    let bodies = [
        boundary("010101", "Catedral", polygon(vec![ring(A)])).to_string(),
        json!([boundary("010101", "Catedral", polygon(vec![ring(A)]))]).to_string(),
        polygon(vec![ring(A)]).to_string(),
        json!({"type": "FeatureCollection"}).to_string(),
        "{not json".to_owned(),
        String::new(),
    ];
    // As on the priorities import: not JSON is a malformed body, JSON of
    // another shape is the wrong document; each is a 400 that changes nothing.
    let expected = [
        ("wrong-document", "/type"),
        ("wrong-document", ""),
        ("wrong-document", "/type"),
        ("wrong-document", "/features"),
        ("malformed-body", ""),
        ("malformed-body", ""),
    ];
    for (body, (kind, pointer)) in bodies.iter().zip(expected) {
        let r = app
            .post_raw(
                "/collections/parishes/import",
                "application/geo+json",
                body.clone(),
            )
            .await;
        let p = assert_problem(r, StatusCode::BAD_REQUEST, ("pointer", pointer)).await;
        assert_eq!(
            p["type"],
            format!("urn:prioridades:problem:{kind}"),
            "{body}"
        );
    }
    let r = import_boundaries(&app, "parishes", "", &collection(vec![])).await;
    assert_eq!(refused(r).await, [(0, "/features".to_owned())]);
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn a_boundary_import_refuses_unknown_parameters_and_media_types() {
    let app = spawn_territorial_app().await;
    let before = snapshot(&app).await;

    let r = import_boundaries(&app, "parishes", "?codigo=code", &parishes_file()).await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "codigo")).await;
    let r = app
        .post_raw(
            "/collections/parishes/import",
            "text/csv",
            parishes_file().to_string(),
        )
        .await;
    assert_problem(
        r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ("header", "Content-Type"),
    )
    .await;
    // A property name that the file does not have.
    let r = import_boundaries(&app, "parishes", "?name=NOMBRE", &parishes_file()).await;
    let errors = refused(r).await;
    assert_eq!(errors.len(), 5, "{errors:?}");
    assert!(
        errors.iter().all(|e| e.1 == "/properties/NOMBRE"),
        "{errors:?}"
    );
    let r = app.get("/collections/parishes/items?unknown=1").await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "unknown")).await;
    let r = app
        .get("/collections/parishes/items/010101?bbox=1,2,3,4")
        .await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "bbox")).await;
    assert_eq!(snapshot(&app).await, before);
}
