//! The territorial fixture, shared by the `territories_*` modules: boundaries
//! imported per level, priorities placed by their location
//! (`territories_placement`), territories as choropleth features with
//! priority counts (`territories_features`), simplified outlines
//! (`territories_simplified`), refused files (`territories_refused`) and the
//! `import-territories` command (`territories_cli`).
//!
//! Every boundary here is synthetic, so each answer is known in advance:
//! small squares in lon/lat near Caracas.
//!
//! ```text
//! state 01 = municipality 0101: [-67, -66] x [10, 11]
//!   parish 010101 (A): [-66.9, -66.8] x [10.4, 10.5] with a hole [-66.87, -66.83] x [10.43, 10.47]
//!   parish 010102 (B): [-66.8, -66.7] x [10.4, 10.5], sharing the edge lon = -66.8 with A
//!   parish 010103 (C): two islands [-66.6, -66.55] x [10.4, 10.45] and [-66.4, -66.35] x [10.6, 10.65]
//!   parish 010104 (D): a 400-vertex circle of radius 0.05 around (-66.5, 10.2)
//! state 02 = municipality 0201: [-66, -65] x [10, 11]
//!   parish 020101 (E): [-65.9, -65.8] x [10.4, 10.5]
//! ```

use std::collections::{BTreeMap, BTreeSet};

use geo::{LineString, MultiPolygon, Polygon, Validation};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    ITEMS, Square, TestApp, assert_problem, boundary, collection, council, create_priority,
    get_priority, import_boundaries_ok, polygon, ring, spawn_app,
};

pub(crate) const STATE_01: Square = [-67.0, 10.0, -66.0, 11.0];
pub(crate) const STATE_02: Square = [-66.0, 10.0, -65.0, 11.0];
pub(crate) const A: Square = [-66.9, 10.4, -66.8, 10.5];
pub(crate) const A_HOLE: Square = [-66.87, 10.43, -66.83, 10.47];
pub(crate) const B: Square = [-66.8, 10.4, -66.7, 10.5];
pub(crate) const C1: Square = [-66.6, 10.4, -66.55, 10.45];
pub(crate) const C2: Square = [-66.4, 10.6, -66.35, 10.65];
pub(crate) const E: Square = [-65.9, 10.4, -65.8, 10.5];
pub(crate) const D_CENTER: (f64, f64) = (-66.5, 10.2);
pub(crate) const D_RADIUS: f64 = 0.05;
pub(crate) const D_VERTICES: usize = 400;
/// An enclave close to the east edge of a circle like D's, centred at (0, 0).
pub(crate) const ENCLAVE: Square = [0.0404, -0.005, 0.0444, 0.005];

/// Councils of the standard fixture and their parishes.
pub(crate) const COUNCILS: [(&str, &str); 6] = [
    ("CC-A", "010101"),
    ("CC-A2", "010101"),
    ("CC-B", "010102"),
    ("CC-C", "010103"),
    ("CC-D", "010104"),
    ("CC-E", "020101"),
];

// ---------------------------------------------------------------- geometry builders

/// A closed clockwise ring around a square (for holes, as RFC 7946 winds them).
pub(crate) fn hole(s: Square) -> Value {
    let [x0, y0, x1, y1] = s;
    json!([[x0, y0], [x0, y1], [x1, y1], [x1, y0], [x0, y0]])
}

pub(crate) fn multipolygon(polygons: Vec<Vec<Value>>) -> Value {
    json!({"type": "MultiPolygon", "coordinates": polygons})
}

/// A closed 400-vertex ring (401 positions) of radius [`D_RADIUS`].
pub(crate) fn circle_ring((cx, cy): (f64, f64)) -> Value {
    let mut positions: Vec<[f64; 2]> = (0..D_VERTICES)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / D_VERTICES as f64;
            [cx + D_RADIUS * a.cos(), cy + D_RADIUS * a.sin()]
        })
        .collect();
    positions.push(positions[0]);
    json!(positions)
}

/// States, with the code and name under the property names of an INE file.
pub(crate) fn states_file() -> Value {
    collection(vec![
        json!({"type": "Feature", "geometry": polygon(vec![ring(STATE_01)]),
               "properties": {"COD_EDO": "01", "ESTADO": "Distrito Capital"}}),
        json!({"type": "Feature", "geometry": polygon(vec![ring(STATE_02)]),
               "properties": {"COD_EDO": "02", "ESTADO": "Miranda"}}),
    ])
}

pub(crate) fn municipalities_file() -> Value {
    collection(vec![
        boundary("0101", "Libertador", polygon(vec![ring(STATE_01)])),
        boundary("0201", "Sucre", polygon(vec![ring(STATE_02)])),
    ])
}

/// The parishes of the fixture; B comes before A so that file order cannot
/// decide the shared edge.
pub(crate) fn parishes_file() -> Value {
    parishes_with(A, B, true)
}

/// Parishes with A and B as given (their hole kept in A) and C with or
/// without its second island.
pub(crate) fn parishes_with(a: Square, b: Square, second_island: bool) -> Value {
    let mut islands = vec![vec![ring(C1)]];
    if second_island {
        islands.push(vec![ring(C2)]);
    }
    collection(vec![
        boundary("010102", "San Juan", polygon(vec![ring(b)])),
        boundary("010101", "Catedral", polygon(vec![ring(a), hole(A_HOLE)])),
        boundary("010103", "Islas", multipolygon(islands)),
        boundary("010104", "Redonda", polygon(vec![circle_ring(D_CENTER)])),
        boundary("020101", "Petare", polygon(vec![ring(E)])),
    ])
}

// ---------------------------------------------------------------- requests

/// An app with the whole fixture: states, municipalities and parishes
/// imported with their boundaries, and the councils of [`COUNCILS`].
pub(crate) async fn spawn_territorial_app() -> TestApp {
    let app = spawn_app().await;
    load_fixture(&app).await;
    app
}

pub(crate) async fn load_fixture(app: &TestApp) {
    let report =
        import_boundaries_ok(app, "states", "?code=COD_EDO&name=ESTADO", &states_file()).await;
    assert_eq!(report["territories"], 2, "{report}");
    assert_eq!(report["created"], 2, "{report}");
    import_boundaries_ok(app, "municipalities", "", &municipalities_file()).await;
    let report =
        import_boundaries_ok(app, "parishes", "?code=code&name=name", &parishes_file()).await;
    assert_eq!(report["level"], "parish", "{report}");
    assert_eq!(report["territories"], 5, "{report}");
    assert_eq!(report["created"], 5, "{report}");
    assert_eq!(report["boundaries_dropped"], 0, "{report}");
    assert_eq!(report["priorities_placed"], 0, "{report}");
    for (code, parish) in COUNCILS {
        let r = app
            .post_json(
                "/collections/councils/items",
                &council(code, &format!("Consejo {code}"), parish),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "council {code}");
    }
}

/// A priority Feature of `council` with `geometry`.
pub(crate) fn priority_of(council: &str, geometry: Value) -> Value {
    json!({
        "type": "Feature",
        "geometry": geometry,
        "properties": {"council": council, "title": "Prioridad", "category": "water"},
    })
}

pub(crate) async fn post_priority(app: &TestApp, feature: &Value) -> Response {
    app.post_json(ITEMS, feature).await
}

/// Creates a priority and returns its id.
pub(crate) async fn create_at(app: &TestApp, council: &str, geometry: Value) -> String {
    let created = create_priority(app, &priority_of(council, geometry)).await;
    created["id"].as_str().unwrap().to_owned()
}

/// `(state, municipality, parish, placement)` of a stored priority.
pub(crate) async fn placement(app: &TestApp, id: &str) -> (String, String, String, String) {
    let p = get_priority(app, id).await;
    let prop = |k: &str| p["properties"][k].as_str().unwrap().to_owned();
    (
        prop("state"),
        prop("municipality"),
        prop("parish"),
        prop("placement"),
    )
}

pub(crate) fn placed(parish: &str, placement: &str) -> (String, String, String, String) {
    (
        parish[..2].to_owned(),
        parish[..4].to_owned(),
        parish.to_owned(),
        placement.to_owned(),
    )
}

/// The features of a territory list query, by code.
pub(crate) async fn territories(app: &TestApp, path: &str) -> BTreeMap<String, Value> {
    let (status, body) = app.get_json(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["properties"]["code"].as_str().unwrap().to_owned(),
                f.clone(),
            )
        })
        .collect()
}

/// The codes of a territory list, sorted.
pub(crate) async fn sorted_codes(app: &TestApp, path: &str) -> Vec<String> {
    territories(app, path).await.into_keys().collect()
}

/// Everything an import could change: every territory of every level (with
/// boundaries and counts) and every priority (with its placement).
pub(crate) async fn snapshot(app: &TestApp) -> Vec<Value> {
    let mut out = Vec::new();
    for collection in ["states", "municipalities", "parishes", "priorities"] {
        let (status, body) = app
            .get_json(&format!("/collections/{collection}/items?limit=10000"))
            .await;
        assert_eq!(status, StatusCode::OK);
        out.push(body["features"].clone());
    }
    out
}

/// `items` as a set, to compare with [`ids_for`].
pub(crate) fn string_set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Checks that a territory geometry is a valid GeoJSON MultiPolygon and
/// returns it as a `geo` value.
pub(crate) fn valid_multipolygon(geometry: &Value, what: &str) -> MultiPolygon<f64> {
    assert_eq!(geometry["type"], "MultiPolygon", "{what}");
    let polygons = geometry["coordinates"].as_array().unwrap();
    assert!(!polygons.is_empty(), "{what}: no polygons");
    let mut out = Vec::new();
    for (i, polygon) in polygons.iter().enumerate() {
        let rings = polygon.as_array().unwrap();
        assert!(!rings.is_empty(), "{what}: polygon {i} has no ring");
        let mut parsed: Vec<LineString<f64>> = rings
            .iter()
            .enumerate()
            .map(|(j, ring)| {
                let positions = ring.as_array().unwrap();
                assert!(
                    positions.len() >= 4,
                    "{what}: ring {i}/{j} has {} positions",
                    positions.len()
                );
                assert_eq!(
                    positions.first(),
                    positions.last(),
                    "{what}: ring {i}/{j} is not closed"
                );
                LineString::from(
                    positions
                        .iter()
                        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        let exterior = parsed.remove(0);
        out.push(Polygon::new(exterior, parsed));
    }
    let multipolygon = MultiPolygon(out);
    assert!(
        multipolygon.is_valid(),
        "{what}: invalid geometry: {:?}",
        multipolygon.validation_errors()
    );
    multipolygon
}

/// The indexes and pointers of an `invalid-file` problem's errors.
pub(crate) async fn refused(r: Response) -> Vec<(u64, String)> {
    let body = assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("type", "urn:prioridades:problem:invalid-file"),
    )
    .await;
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("an errors array: {body}"))
        .iter()
        .map(|e| {
            assert!(e["reason"].is_string(), "{e}");
            (
                e["index"].as_u64().unwrap(),
                e["pointer"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}
