//! Territorial boundaries: importing them per level, placing priorities by
//! their location, territories as choropleth features with priority counts,
//! simplified outlines, refused files and the `import-territories` command.
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
use prioridades::config::ServeArgs;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    CATEGORIES, ITEMS, STATUSES, Square, TestApp, assert_problem, boundary, collection, council,
    create_priority, database_url, get_priority, ids_for, import_boundaries, import_boundaries_ok,
    point, polygon, ring, spawn_app, spawn_app_in, spawn_seeded_app, territory,
};

const STATE_01: Square = [-67.0, 10.0, -66.0, 11.0];
const STATE_02: Square = [-66.0, 10.0, -65.0, 11.0];
const A: Square = [-66.9, 10.4, -66.8, 10.5];
const A_HOLE: Square = [-66.87, 10.43, -66.83, 10.47];
const B: Square = [-66.8, 10.4, -66.7, 10.5];
const C1: Square = [-66.6, 10.4, -66.55, 10.45];
const C2: Square = [-66.4, 10.6, -66.35, 10.65];
const E: Square = [-65.9, 10.4, -65.8, 10.5];
const D_CENTER: (f64, f64) = (-66.5, 10.2);
const D_RADIUS: f64 = 0.05;
const D_VERTICES: usize = 400;
/// An enclave close to the east edge of a circle like D's, centred at (0, 0).
const ENCLAVE: Square = [0.0404, -0.005, 0.0444, 0.005];

/// Councils of the standard fixture and their parishes.
const COUNCILS: [(&str, &str); 6] = [
    ("CC-A", "010101"),
    ("CC-A2", "010101"),
    ("CC-B", "010102"),
    ("CC-C", "010103"),
    ("CC-D", "010104"),
    ("CC-E", "020101"),
];

// ---------------------------------------------------------------- geometry builders

/// A closed clockwise ring around a square (for holes, as RFC 7946 winds them).
fn hole(s: Square) -> Value {
    let [x0, y0, x1, y1] = s;
    json!([[x0, y0], [x0, y1], [x1, y1], [x1, y0], [x0, y0]])
}

fn multipolygon(polygons: Vec<Vec<Value>>) -> Value {
    json!({"type": "MultiPolygon", "coordinates": polygons})
}

/// A closed 400-vertex ring (401 positions) of radius [`D_RADIUS`].
fn circle_ring((cx, cy): (f64, f64)) -> Value {
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
fn states_file() -> Value {
    collection(vec![
        json!({"type": "Feature", "geometry": polygon(vec![ring(STATE_01)]),
               "properties": {"COD_EDO": "01", "ESTADO": "Distrito Capital"}}),
        json!({"type": "Feature", "geometry": polygon(vec![ring(STATE_02)]),
               "properties": {"COD_EDO": "02", "ESTADO": "Miranda"}}),
    ])
}

fn municipalities_file() -> Value {
    collection(vec![
        boundary("0101", "Libertador", polygon(vec![ring(STATE_01)])),
        boundary("0201", "Sucre", polygon(vec![ring(STATE_02)])),
    ])
}

/// The parishes of the fixture; B comes before A so that file order cannot
/// decide the shared edge.
fn parishes_file() -> Value {
    parishes_with(A, B, true)
}

/// Parishes with A and B as given (their hole kept in A) and C with or
/// without its second island.
fn parishes_with(a: Square, b: Square, second_island: bool) -> Value {
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
async fn spawn_territorial_app() -> TestApp {
    let app = spawn_app().await;
    load_fixture(&app).await;
    app
}

async fn load_fixture(app: &TestApp) {
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
fn priority_of(council: &str, geometry: Value) -> Value {
    json!({
        "type": "Feature",
        "geometry": geometry,
        "properties": {"council": council, "title": "Prioridad", "category": "water"},
    })
}

async fn post_priority(app: &TestApp, feature: &Value) -> Response {
    app.post_json(ITEMS, feature).await
}

/// Creates a priority and returns its id.
async fn create_at(app: &TestApp, council: &str, geometry: Value) -> String {
    let created = create_priority(app, &priority_of(council, geometry)).await;
    created["id"].as_str().unwrap().to_owned()
}

/// `(state, municipality, parish, placement)` of a stored priority.
async fn placement(app: &TestApp, id: &str) -> (String, String, String, String) {
    let p = get_priority(app, id).await;
    let prop = |k: &str| p["properties"][k].as_str().unwrap().to_owned();
    (
        prop("state"),
        prop("municipality"),
        prop("parish"),
        prop("placement"),
    )
}

fn placed(parish: &str, placement: &str) -> (String, String, String, String) {
    (
        parish[..2].to_owned(),
        parish[..4].to_owned(),
        parish.to_owned(),
        placement.to_owned(),
    )
}

/// The features of a territory list query, by code.
async fn territories(app: &TestApp, path: &str) -> BTreeMap<String, Value> {
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
async fn sorted_codes(app: &TestApp, path: &str) -> Vec<String> {
    territories(app, path).await.into_keys().collect()
}

/// Everything an import could change: every territory of every level (with
/// boundaries and counts) and every priority (with its placement).
async fn snapshot(app: &TestApp) -> Vec<Value> {
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
fn string_set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------- placement

#[tokio::test]
async fn a_priority_inside_its_councils_parish_is_placed_there() {
    let app = spawn_territorial_app().await;

    let created = create_priority(&app, &priority_of("CC-A", point([-66.85, 10.41]))).await;

    assert_eq!(created["properties"]["state"], "01");
    assert_eq!(created["properties"]["municipality"], "0101");
    assert_eq!(created["properties"]["parish"], "010101");
    assert_eq!(created["properties"]["placement"], "inside_council_parish");
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        placement(&app, id).await,
        placed("010101", "inside_council_parish")
    );
}

#[tokio::test]
async fn a_priority_on_the_edge_two_parishes_share_goes_to_the_smaller_code_every_time() {
    let app = spawn_territorial_app().await;
    let mut ids = Vec::new();
    for i in 0..10 {
        let lat = 10.405 + 0.01 * i as f64;
        for council in ["CC-A", "CC-B"] {
            ids.push((council, create_at(&app, council, point([-66.8, lat])).await));
        }
    }
    // The corners the two squares share, too.
    ids.push(("CC-B", create_at(&app, "CC-B", point([-66.8, 10.4])).await));
    ids.push(("CC-B", create_at(&app, "CC-B", point([-66.8, 10.5])).await));

    for (council, id) in &ids {
        let expected = if *council == "CC-A" {
            "inside_council_parish"
        } else {
            "outside_council_parish"
        };
        assert_eq!(
            placement(&app, id).await,
            placed("010101", expected),
            "{council} {id}"
        );
    }
    assert_eq!(ids_for(&app, "parish=010102").await, BTreeSet::new());
}

#[tokio::test]
async fn a_priority_outside_every_parish_is_refused_and_not_stored() {
    let app = spawn_territorial_app().await;
    let outside = [
        ("in the hole of A", point([-66.85, 10.45])),
        ("between the islands of C", point([-66.5, 10.5])),
        ("far from everything", point([-60.0, 5.0])),
        (
            "a line in the hole of A",
            json!({"type": "LineString", "coordinates": [[-66.86, 10.44], [-66.84, 10.46]]}),
        ),
    ];
    for (what, geometry) in outside {
        let r = post_priority(&app, &priority_of("CC-A", geometry)).await;
        let body = assert_problem(
            r,
            StatusCode::UNPROCESSABLE_ENTITY,
            ("pointer", "/geometry"),
        )
        .await;
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("outside every parish"),
            "{what}: {body}"
        );
    }
    assert_eq!(app.priority_count().await, 0);
}

#[tokio::test]
async fn a_bulk_import_refuses_only_the_features_outside_every_parish() {
    let app = spawn_territorial_app().await;
    let features = vec![
        priority_of("CC-A", point([-66.89, 10.41])),
        priority_of("CC-A", point([-66.85, 10.45])),
        priority_of("CC-B", point([-66.75, 10.45])),
        priority_of("CC-B", point([10.0, 10.0])),
    ];
    let r = app
        .post_raw(
            "/collections/priorities/import",
            "application/geo+json",
            collection(features).to_string(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();

    assert_eq!(report["created"], 2, "{report}");
    let refused: Vec<(u64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["index"].as_u64().unwrap(), e["pointer"].as_str().unwrap()))
        .collect();
    assert_eq!(refused, vec![(1, "/geometry"), (3, "/geometry")]);
    assert_eq!(ids_for(&app, "parish=010101").await.len(), 1);
    assert_eq!(ids_for(&app, "parish=010102").await.len(), 1);
}

#[tokio::test]
async fn a_priority_on_either_island_of_a_multipolygon_parish_is_placed_in_it() {
    let app = spawn_territorial_app().await;

    let first = create_at(&app, "CC-C", point([-66.57, 10.42])).await;
    let second = create_at(&app, "CC-C", point([-66.36, 10.64])).await;

    for id in [first, second] {
        assert_eq!(
            placement(&app, &id).await,
            placed("010103", "inside_council_parish")
        );
    }
}

#[tokio::test]
async fn lines_and_polygons_are_placed_by_a_point_inside_them_not_by_their_centroid() {
    let app = spawn_territorial_app().await;
    // A V whose centroid (-66.85, 10.44) lies in A's hole; its middle vertex
    // lies in A below the hole.
    let v_line = json!({"type": "LineString",
        "coordinates": [[-66.88, 10.46], [-66.85, 10.42], [-66.82, 10.46]]});
    // A U around A's hole: its centroid (-66.85, 10.4405) lies in the hole.
    let u_polygon = polygon(vec![json!([
        [-66.89, 10.41],
        [-66.81, 10.41],
        [-66.81, 10.49],
        [-66.82, 10.49],
        [-66.82, 10.42],
        [-66.88, 10.42],
        [-66.88, 10.49],
        [-66.89, 10.49],
        [-66.89, 10.41]
    ])]);
    let b_line = json!({"type": "LineString", "coordinates": [[-66.79, 10.45], [-66.71, 10.46]]});
    let island_polygon = polygon(vec![ring([-66.39, 10.61, -66.36, 10.64])]);

    let v = create_at(&app, "CC-A", v_line).await;
    let u = create_at(&app, "CC-A", u_polygon).await;
    let b = create_at(&app, "CC-A", b_line).await;
    let island = create_at(&app, "CC-C", island_polygon).await;

    assert_eq!(
        placement(&app, &v).await,
        placed("010101", "inside_council_parish")
    );
    assert_eq!(
        placement(&app, &u).await,
        placed("010101", "inside_council_parish")
    );
    assert_eq!(
        placement(&app, &b).await,
        placed("010102", "outside_council_parish")
    );
    assert_eq!(
        placement(&app, &island).await,
        placed("010103", "inside_council_parish")
    );
}

#[tokio::test]
async fn a_priority_located_in_another_parish_than_its_councils_is_stored_and_flagged() {
    let app = spawn_territorial_app().await;
    let inside = create_at(&app, "CC-A", point([-66.89, 10.49])).await;
    let in_b = create_priority(&app, &priority_of("CC-A", point([-66.75, 10.45]))).await;
    let in_other_state = create_at(&app, "CC-A", point([-65.85, 10.45])).await;
    let b_own = create_at(&app, "CC-B", point([-66.71, 10.41])).await;

    assert_eq!(in_b["properties"]["council"], "CC-A");
    assert_eq!(in_b["properties"]["parish"], "010102");
    assert_eq!(in_b["properties"]["municipality"], "0101");
    assert_eq!(in_b["properties"]["state"], "01");
    assert_eq!(in_b["properties"]["placement"], "outside_council_parish");
    let in_b = in_b["id"].as_str().unwrap().to_owned();
    assert_eq!(
        placement(&app, &in_other_state).await,
        placed("020101", "outside_council_parish")
    );

    let flagged = ids_for(&app, "placement=outside_council_parish").await;
    assert_eq!(flagged, string_set(&[&in_b, &in_other_state]));
    assert_eq!(
        ids_for(&app, "placement=inside_council_parish").await,
        string_set(&[&inside, &b_own])
    );
    assert_eq!(
        ids_for(&app, "placement=by_council,outside_every_parish").await,
        BTreeSet::new()
    );
    // Territorial filters follow the location, the council filter the council.
    assert_eq!(
        ids_for(&app, "parish=010102").await,
        string_set(&[&in_b, &b_own])
    );
    assert_eq!(
        ids_for(&app, "state=02").await,
        string_set(&[&in_other_state])
    );
    assert_eq!(
        ids_for(
            &app,
            "council=CC-A&placement=outside_council_parish&state=01"
        )
        .await,
        string_set(&[&in_b])
    );
    let r = app.get(&format!("{ITEMS}?placement=elsewhere")).await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "placement")).await;
}

#[tokio::test]
async fn placements_survive_a_restart() {
    let app = spawn_territorial_app().await;
    let inside = create_at(&app, "CC-B", point([-66.75, 10.45])).await;
    let outside = create_at(&app, "CC-A", point([-66.8, 10.45])).await;
    let island = create_at(&app, "CC-A", point([-66.36, 10.64])).await;
    let before = snapshot(&app).await;

    let dir = app.stop().await;
    let url = database_url(&dir);
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;

    assert_eq!(snapshot(&app).await, before);
    assert_eq!(
        placement(&app, &inside).await,
        placed("010102", "inside_council_parish")
    );
    assert_eq!(
        placement(&app, &outside).await,
        placed("010101", "inside_council_parish")
    );
    assert_eq!(
        placement(&app, &island).await,
        placed("010103", "outside_council_parish")
    );
    // Placement still works after the boundaries were loaded from the store.
    let r = post_priority(&app, &priority_of("CC-A", point([-66.85, 10.45]))).await;
    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/geometry"),
    )
    .await;
    let again = create_at(&app, "CC-E", point([-65.81, 10.49])).await;
    assert_eq!(
        placement(&app, &again).await,
        placed("020101", "inside_council_parish")
    );
}

#[tokio::test]
async fn before_any_parish_boundary_exists_priorities_are_placed_by_council() {
    let app = spawn_seeded_app().await;
    let near = create_at(&app, "CC-1", point([-66.9146, 10.5061])).await;
    assert_eq!(placement(&app, &near).await, placed("010101", "by_council"));

    // State and municipality boundaries alone do not place priorities.
    import_boundaries_ok(
        &app,
        "states",
        "",
        &collection(vec![boundary(
            "01",
            "Distrito Capital",
            polygon(vec![ring(STATE_01)]),
        )]),
    )
    .await;
    let far = create_at(&app, "CC-1", point([20.0, -30.0])).await;
    assert_eq!(placement(&app, &far).await, placed("010101", "by_council"));
    assert_eq!(
        ids_for(&app, "placement=by_council").await,
        string_set(&[&near, &far])
    );

    // The first parish boundaries place every existing priority.
    let report = import_boundaries_ok(
        &app,
        "parishes",
        "",
        &collection(vec![boundary(
            "010101",
            "Catedral",
            polygon(vec![ring([-67.0, 10.4, -66.8, 10.6])]),
        )]),
    )
    .await;
    assert_eq!(report["territories"], 1, "{report}");
    assert_eq!(report["created"], 0, "{report}");
    assert_eq!(report["priorities_placed"], 2, "{report}");
    assert_eq!(report["priorities_moved"], 0, "{report}");
    assert_eq!(report["outside_council_parish"], 0, "{report}");
    assert_eq!(report["outside_every_parish"], 1, "{report}");
    assert_eq!(
        placement(&app, &near).await,
        placed("010101", "inside_council_parish")
    );
    assert_eq!(
        placement(&app, &far).await,
        placed("010101", "outside_every_parish")
    );
    let r = post_priority(&app, &priority_of("CC-1", point([20.0, -30.0]))).await;
    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/geometry"),
    )
    .await;
}

#[tokio::test]
async fn reimporting_parishes_places_every_priority_anew() {
    let app = spawn_territorial_app().await;
    let p1 = create_at(&app, "CC-A", point([-66.78, 10.45])).await;
    let p2 = create_at(&app, "CC-A", point([-66.85, 10.41])).await;
    let p3 = create_at(&app, "CC-B", point([-66.72, 10.45])).await;
    let p4 = create_at(&app, "CC-C", point([-66.38, 10.62])).await;
    let p5 = create_at(&app, "CC-B", point([-66.76, 10.48])).await;
    let p6 = create_at(&app, "CC-E", point([-65.85, 10.45])).await;
    assert_eq!(
        placement(&app, &p1).await,
        placed("010102", "outside_council_parish")
    );
    assert_eq!(
        placement(&app, &p5).await,
        placed("010102", "inside_council_parish")
    );

    // The A|B edge moves east to -66.75, C loses its second island, and a
    // new parish appears.
    let mut moved = parishes_with(
        [-66.9, 10.4, -66.75, 10.5],
        [-66.75, 10.4, -66.7, 10.5],
        false,
    );
    moved["features"].as_array_mut().unwrap().push(boundary(
        "010105",
        "Nueva",
        polygon(vec![ring([-66.3, 10.0, -66.2, 10.1])]),
    ));
    let report = import_boundaries_ok(&app, "parishes", "", &moved).await;

    assert_eq!(report["level"], "parish", "{report}");
    assert_eq!(report["territories"], 6, "{report}");
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(report["boundaries_dropped"], 0, "{report}");
    assert_eq!(report["priorities_placed"], 6, "{report}");
    assert_eq!(report["priorities_moved"], 2, "{report}");
    assert_eq!(report["outside_council_parish"], 1, "{report}");
    assert_eq!(report["outside_every_parish"], 1, "{report}");
    let expected_after_move = [
        (&p1, placed("010101", "inside_council_parish")),
        (&p2, placed("010101", "inside_council_parish")),
        (&p3, placed("010102", "inside_council_parish")),
        (&p4, placed("010103", "outside_every_parish")),
        (&p5, placed("010101", "outside_council_parish")),
        (&p6, placed("020101", "inside_council_parish")),
    ];
    for (id, expected) in &expected_after_move {
        assert_eq!(&placement(&app, id).await, expected, "{id}");
    }
    assert_eq!(
        ids_for(&app, "placement=outside_every_parish").await,
        string_set(&[&p4])
    );
    assert_eq!(
        ids_for(&app, "placement=outside_council_parish").await,
        string_set(&[&p5])
    );
    assert_eq!(
        ids_for(&app, "parish=010101").await,
        string_set(&[&p1, &p2, &p5])
    );
    // Map queries (a box or a circle with filters) see the new placements too.
    for place in ["bbox=-67,10,-65,11", "point=-66.78,10.45&radius=50000"] {
        assert_eq!(
            ids_for(&app, &format!("{place}&parish=010101")).await,
            string_set(&[&p1, &p2, &p5]),
            "{place}"
        );
        assert_eq!(
            ids_for(&app, &format!("{place}&placement=outside_council_parish")).await,
            string_set(&[&p5]),
            "{place}"
        );
    }
    let parishes = territories(&app, "/collections/parishes/items").await;
    assert_eq!(parishes["010101"]["properties"]["priorities"], 3);
    assert_eq!(parishes["010102"]["properties"]["priorities"], 1);
    // Outside every parish, a priority counts in its council's parish.
    assert_eq!(parishes["010103"]["properties"]["priorities"], 1);
    assert_eq!(parishes["010105"]["properties"]["name"], "Nueva");
    // New priorities are placed by the new boundaries.
    let late = create_at(&app, "CC-B", point([-66.77, 10.45])).await;
    assert_eq!(
        placement(&app, &late).await,
        placed("010101", "outside_council_parish")
    );
    let r = post_priority(&app, &priority_of("CC-C", point([-66.38, 10.62]))).await;
    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/geometry"),
    )
    .await;

    // The new placements are stored, not only held in memory.
    let dir = app.stop().await;
    let url = database_url(&dir);
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    for (id, expected) in &expected_after_move {
        assert_eq!(&placement(&app, id).await, expected, "after restart: {id}");
    }

    // Back to the original edges, without D and the new parish: they keep
    // their names but lose their boundaries.
    let mut original = parishes_file();
    original["features"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f["properties"]["code"] != "010104");
    let report = import_boundaries_ok(&app, "parishes", "", &original).await;
    assert_eq!(report["territories"], 4, "{report}");
    assert_eq!(report["created"], 0, "{report}");
    assert_eq!(report["boundaries_dropped"], 2, "{report}");
    assert_eq!(report["priorities_placed"], 7, "{report}");
    // p1 and p5 go back to B, `late` too; p4 is found again in its own parish.
    assert_eq!(report["priorities_moved"], 3, "{report}");
    assert_eq!(report["outside_council_parish"], 1, "{report}");
    assert_eq!(report["outside_every_parish"], 0, "{report}");
    assert_eq!(
        placement(&app, &p1).await,
        placed("010102", "outside_council_parish")
    );
    assert_eq!(
        placement(&app, &p4).await,
        placed("010103", "inside_council_parish")
    );
    assert_eq!(
        placement(&app, &p5).await,
        placed("010102", "inside_council_parish")
    );
    assert_eq!(
        placement(&app, &late).await,
        placed("010102", "inside_council_parish")
    );
    let parishes = territories(&app, "/collections/parishes/items").await;
    assert_eq!(parishes["010104"]["geometry"], Value::Null);
    assert_eq!(parishes["010104"]["properties"]["name"], "Redonda");
    assert_eq!(parishes["010105"]["geometry"], Value::Null);
    // Where D was, nothing is covered any more.
    let r = post_priority(&app, &priority_of("CC-D", point([-66.5, 10.2]))).await;
    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/geometry"),
    )
    .await;
}

// ---------------------------------------------------------------- territory features

#[tokio::test]
async fn parish_features_are_multipolygons_with_their_parents_codes() {
    let app = spawn_territorial_app().await;

    let parishes = territories(&app, "/collections/parishes/items").await;

    assert_eq!(
        parishes.keys().cloned().collect::<Vec<_>>(),
        ["010101", "010102", "010103", "010104", "020101"]
    );
    for (code, f) in &parishes {
        assert_eq!(f["id"], code.as_str());
        assert_eq!(f["geometry"]["type"], "MultiPolygon", "{code}");
        assert_eq!(f["properties"]["state"], &code[..2]);
        assert_eq!(f["properties"]["municipality"], &code[..4]);
    }
    let a = &parishes["010101"]["geometry"]["coordinates"];
    assert_eq!(a.as_array().unwrap().len(), 1);
    assert_eq!(a[0].as_array().unwrap().len(), 2, "A keeps its hole");
    assert_eq!(a[0][1], hole(A_HOLE));
    let c = &parishes["010103"]["geometry"]["coordinates"];
    assert_eq!(*c, json!([[ring(C1)], [ring(C2)]]));
    assert_eq!(parishes["010102"]["properties"]["name"], "San Juan");
    let states = territories(&app, "/collections/states/items").await;
    assert_eq!(states["01"]["properties"]["name"], "Distrito Capital");
    assert_eq!(
        states["02"]["geometry"]["coordinates"],
        json!([[ring(STATE_02)]])
    );
}

#[tokio::test]
async fn the_bbox_filter_on_territories_is_exact() {
    let app = spawn_territorial_app().await;
    let bbox = |b: &str| format!("/collections/parishes/items?bbox={b}");

    // Strictly inside B.
    assert_eq!(
        sorted_codes(&app, &bbox("-66.78,10.42,-66.72,10.48")).await,
        ["010102"]
    );
    // Inside A's hole: A's box holds it, A does not.
    assert_eq!(
        sorted_codes(&app, &bbox("-66.86,10.44,-66.84,10.46")).await,
        Vec::<String>::new()
    );
    // Between C's islands: C's box holds it, neither island does.
    assert_eq!(
        sorted_codes(&app, &bbox("-66.5,10.46,-66.45,10.55")).await,
        Vec::<String>::new()
    );
    // Touching the second island only.
    assert_eq!(
        sorted_codes(&app, &bbox("-66.38,10.62,-66.3,10.7")).await,
        ["010103"]
    );
    // Across the shared edge, and touching it from B's side (edges count).
    assert_eq!(
        sorted_codes(&app, &bbox("-66.81,10.45,-66.79,10.46")).await,
        ["010101", "010102"]
    );
    assert_eq!(
        sorted_codes(&app, &bbox("-66.8,10.41,-66.79,10.42")).await,
        ["010101", "010102"]
    );
    // Across both states.
    assert_eq!(
        sorted_codes(&app, &bbox("-66.9,10.41,-65.85,10.42")).await,
        ["010101", "010102", "010103", "020101"]
    );
    assert_eq!(
        sorted_codes(&app, "/collections/states/items?bbox=-65.5,10.5,-65.4,10.6").await,
        ["02"]
    );
    let r = app.get(&bbox("1,2,3")).await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "bbox")).await;
}

#[tokio::test]
async fn territories_are_filtered_by_code_state_and_municipality() {
    let app = spawn_territorial_app().await;

    assert_eq!(
        sorted_codes(&app, "/collections/parishes/items?code=010103,010101").await,
        ["010101", "010103"]
    );
    assert_eq!(
        sorted_codes(&app, "/collections/parishes/items?state=02").await,
        ["020101"]
    );
    assert_eq!(
        sorted_codes(&app, "/collections/parishes/items?municipality=0101").await,
        ["010101", "010102", "010103", "010104"]
    );
    assert_eq!(
        sorted_codes(
            &app,
            "/collections/parishes/items?state=01&code=010102,020101"
        )
        .await,
        ["010102"]
    );
    assert_eq!(
        sorted_codes(&app, "/collections/municipalities/items?state=02").await,
        ["0201"]
    );
    assert_eq!(
        sorted_codes(&app, "/collections/states/items?code=02").await,
        ["02"]
    );
    let r = app.get("/collections/parishes/items?state=03").await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "state")).await;
    let r = app.get("/collections/parishes/items?code=0101").await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "code")).await;
    let r = app.get("/collections/states/items?municipality=0101").await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "municipality")).await;
}

/// Counts a choropleth map colours by, computed from what was created.
#[derive(Debug, Default, Clone)]
struct Tally {
    priorities: u64,
    families: u64,
    status: BTreeMap<&'static str, u64>,
    category: BTreeMap<&'static str, u64>,
}

impl Tally {
    fn add(&mut self, status: &'static str, category: &'static str, families: u64) {
        self.priorities += 1;
        self.families += families;
        *self.status.entry(status).or_default() += 1;
        *self.category.entry(category).or_default() += 1;
    }

    fn merge(&mut self, other: &Tally) {
        self.priorities += other.priorities;
        self.families += other.families;
        for (k, v) in &other.status {
            *self.status.entry(k).or_default() += v;
        }
        for (k, v) in &other.category {
            *self.category.entry(k).or_default() += v;
        }
    }
}

/// A created priority as the test remembers it.
#[derive(Debug, Clone)]
struct Made {
    id: String,
    council: &'static str,
    parish: &'static str,
    status: &'static str,
    category: &'static str,
    families: u64,
}

/// A random point strictly inside parish `parish` of the fixture.
fn random_point_in(rng: &mut ChaCha8Rng, parish: &str) -> (f64, f64) {
    let inside = |rng: &mut ChaCha8Rng, s: Square| {
        (
            rng.random_range(s[0] + 0.001..s[2] - 0.001),
            rng.random_range(s[1] + 0.001..s[3] - 0.001),
        )
    };
    match parish {
        "010101" => loop {
            let (x, y) = inside(rng, A);
            let [hx0, hy0, hx1, hy1] = A_HOLE;
            if !(hx0 - 0.001..=hx1 + 0.001).contains(&x)
                || !(hy0 - 0.001..=hy1 + 0.001).contains(&y)
            {
                return (x, y);
            }
        },
        "010102" => inside(rng, B),
        "010103" => {
            let island = if rng.random_bool(0.5) { C1 } else { C2 };
            inside(rng, island)
        }
        "010104" => {
            let (cx, cy) = D_CENTER;
            inside(rng, [cx - 0.03, cy - 0.03, cx + 0.03, cy + 0.03])
        }
        _ => inside(rng, E),
    }
}

fn sum_tallies<'a>(tallies: impl Iterator<Item = (&'a String, &'a Tally)>, prefix: &str) -> Tally {
    let mut total = Tally::default();
    for (_, t) in tallies.filter(|(code, _)| code.starts_with(prefix)) {
        total.merge(t);
    }
    total
}

/// Checks a territory feature's flat counts against the expected ones.
fn assert_counts(feature: &Value, expected: &Tally, councils: u64) {
    let props = &feature["properties"];
    let code = props["code"].as_str().unwrap();
    assert_eq!(
        props["priorities"], expected.priorities,
        "{code} priorities"
    );
    assert_eq!(props["families"], expected.families, "{code} families");
    assert_eq!(props["councils"], councils, "{code} councils");
    for s in STATUSES {
        let n = expected.status.get(s).copied().unwrap_or(0);
        assert_eq!(props[format!("status_{s}")], n, "{code} status_{s}");
    }
    for c in CATEGORIES {
        let n = expected.category.get(c).copied().unwrap_or(0);
        assert_eq!(props[format!("category_{c}")], n, "{code} category_{c}");
    }
}

/// Compares every territory of every level with a brute-force count of `made`.
async fn assert_all_counts(app: &TestApp, made: &[Made]) {
    let parish_codes = ["010101", "010102", "010103", "010104", "020101"];
    let mut by_parish: BTreeMap<String, Tally> = parish_codes
        .iter()
        .map(|c| (c.to_string(), Tally::default()))
        .collect();
    for m in made {
        by_parish
            .get_mut(m.parish)
            .unwrap()
            .add(m.status, m.category, m.families);
    }
    let councils_in = |prefix: &str| {
        COUNCILS
            .iter()
            .filter(|(_, p)| p.starts_with(prefix))
            .count() as u64
    };

    let parishes = territories(app, "/collections/parishes/items").await;
    assert_eq!(parishes.len(), parish_codes.len());
    for (code, expected) in &by_parish {
        assert_counts(&parishes[code], expected, councils_in(code));
    }
    let municipalities = territories(app, "/collections/municipalities/items").await;
    for code in ["0101", "0201"] {
        let expected = sum_tallies(by_parish.iter(), code);
        assert_counts(&municipalities[code], &expected, councils_in(code));
    }
    let states = territories(app, "/collections/states/items").await;
    for code in ["01", "02"] {
        let expected = sum_tallies(by_parish.iter(), code);
        assert_counts(&states[code], &expected, councils_in(code));
    }
    // The single-territory endpoint carries the same counts.
    for (code, expected) in &by_parish {
        let (status, one) = app
            .get_json(&format!("/collections/parishes/items/{code}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_counts(&one, expected, councils_in(code));
    }
}

#[tokio::test]
async fn territory_counts_equal_a_brute_force_count_of_the_placed_priorities() {
    let app = spawn_territorial_app().await;
    let mut rng = ChaCha8Rng::seed_from_u64(20_260_101);
    let parish_codes = ["010101", "010102", "010103", "010104", "020101"];
    let mut made = Vec::new();
    let mut features = Vec::new();
    for i in 0..150 {
        let parish = parish_codes[rng.random_range(0..parish_codes.len())];
        // Mostly the council of that parish; some from elsewhere.
        let council = if rng.random_bool(0.8) {
            COUNCILS.iter().find(|(_, p)| *p == parish).unwrap().0
        } else {
            COUNCILS[rng.random_range(0..COUNCILS.len())].0
        };
        let (lon, lat) = random_point_in(&mut rng, parish);
        let status = STATUSES[rng.random_range(0..STATUSES.len())];
        let category = CATEGORIES[rng.random_range(0..CATEGORIES.len())];
        let families = rng.random_bool(0.7).then(|| rng.random_range(1..300u64));
        let id = Uuid::new_v4().to_string();
        let mut properties = json!({"council": council, "title": format!("P {i}"),
            "category": category, "status": status});
        if let Some(n) = families {
            properties["families"] = n.into();
        }
        features.push(
            json!({"type": "Feature", "id": id, "geometry": point([lon, lat]),
            "properties": properties}),
        );
        made.push(Made {
            id,
            council,
            parish,
            status,
            category,
            families: families.unwrap_or(0),
        });
    }
    let r = app
        .post_raw(
            "/collections/priorities/import",
            "application/geo+json",
            collection(features).to_string(),
        )
        .await;
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["created"], 150, "{report}");
    assert_eq!(report["errors"], json!([]), "{report}");
    // Each was placed where it was put.
    let (_, all) = app.get_json(&format!("{ITEMS}?limit=10000")).await;
    let placed_in: BTreeMap<String, String> = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["properties"]["parish"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for m in &made {
        assert_eq!(placed_in[&m.id], m.parish, "{m:?}");
    }
    assert_all_counts(&app, &made).await;

    // The counts follow a status change, a move to the other state, and a delete.
    let patch = |id: &str, body: Value| {
        app.client
            .patch(app.url(&format!("{ITEMS}/{id}")))
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string())
            .send()
    };
    // A status changes through a transition: take one the workflow allows
    // from where this priority stands (none of them needs a plan).
    let to = match made[0].status {
        "proposed" | "approved" => "rejected",
        "in_progress" => "done",
        _ => "proposed",
    };
    let r = app
        .post_json(
            &format!("{ITEMS}/{}/transitions", made[0].id),
            &json!({"status": to, "note": "revisado"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    made[0].status = to;
    let r = patch(
        &made[1].id,
        json!({"geometry": point([-65.81, 10.41]), "properties": {"category": "gas"}}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    made[1].parish = "020101";
    made[1].category = "gas";
    let r = app
        .client
        .delete(app.url(&format!("{ITEMS}/{}", made[2].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    made.remove(2);
    assert_all_counts(&app, &made).await;
    let expected_outside: BTreeSet<String> = made
        .iter()
        .filter(|m| {
            COUNCILS
                .iter()
                .any(|(c, p)| *c == m.council && *p != m.parish)
        })
        .map(|m| m.id.clone())
        .collect();
    assert_eq!(
        ids_for(&app, "placement=outside_council_parish").await,
        expected_outside
    );
}

fn link_href(feature: &Value, rel: &str) -> Option<String> {
    let links = feature["links"].as_array().unwrap();
    let found: Vec<&Value> = links.iter().filter(|l| l["rel"] == rel).collect();
    assert!(found.len() <= 1, "one {rel} link at most: {links:?}");
    found
        .first()
        .map(|l| l["href"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_territory_links_to_its_parent_and_its_children() {
    let app = spawn_territorial_app().await;
    let one = |path: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app.get_json(path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            body
        }
    };

    let parish = one("/collections/parishes/items/010101").await;
    assert_eq!(parish["properties"]["code"], "010101");
    assert_eq!(parish["geometry"]["type"], "MultiPolygon");
    assert_eq!(
        link_href(&parish, "up"),
        Some(app.url("/collections/municipalities/items/0101"))
    );
    assert_eq!(link_href(&parish, "children"), None);
    assert_eq!(
        link_href(&parish, "self"),
        Some(app.url("/collections/parishes/items/010101"))
    );

    let municipality = one("/collections/municipalities/items/0101").await;
    assert_eq!(
        link_href(&municipality, "up"),
        Some(app.url("/collections/states/items/01"))
    );
    let children = link_href(&municipality, "children").unwrap();
    let (status, listed) = app
        .get_json(children.strip_prefix(&app.base).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    let child_codes: Vec<&str> = listed["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(child_codes, ["010101", "010102", "010103", "010104"]);

    let state = one("/collections/states/items/02").await;
    assert_eq!(link_href(&state, "up"), None);
    let children = link_href(&state, "children").unwrap();
    let (_, listed) = app
        .get_json(children.strip_prefix(&app.base).unwrap())
        .await;
    assert_eq!(listed["features"][0]["properties"]["code"], "0201");
    assert_eq!(listed["features"].as_array().unwrap().len(), 1);
    // Up links lead to the parent.
    let up = link_href(&municipality, "up").unwrap();
    let (status, parent) = app.get_json(up.strip_prefix(&app.base).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(parent["properties"]["code"], "01");

    for missing in [
        "/collections/parishes/items/010199",
        "/collections/parishes/items/0101",
        "/collections/states/items/xx",
    ] {
        let r = app.get(missing).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{missing}");
    }
}

// ---------------------------------------------------------------- simplification

/// Checks that a territory geometry is a valid GeoJSON MultiPolygon and
/// returns it as a `geo` value.
fn valid_multipolygon(geometry: &Value, what: &str) -> MultiPolygon<f64> {
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

// ---------------------------------------------------------------- refused files

/// The indexes and pointers of an `invalid-file` problem's errors.
async fn refused(r: Response) -> Vec<(u64, String)> {
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

// ---------------------------------------------------------------- the command line

/// Runs `prioridades import-territories --level LEVEL ARGS... FILE --database-url URL`.
async fn cli_import_territories(
    level: &str,
    args: &[&str],
    file: &std::path::Path,
    url: &str,
) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_prioridades"))
        .arg("import-territories")
        .arg("--level")
        .arg(level)
        .args(args)
        .arg(file)
        .arg("--database-url")
        .arg(url)
        .env_remove("DATABASE_URL")
        .output()
        .await
        .expect("the binary runs")
}

fn output_text(output: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A stopped app's directory and URL: states and municipalities with their
/// boundaries, parishes 010101 and 010102 without, council CC-A in 010101
/// and CC-B in 010102, and three priorities placed by council.
async fn database_before_parish_boundaries() -> (tempfile::TempDir, String, Vec<String>) {
    let app = spawn_app().await;
    import_boundaries_ok(&app, "states", "?code=COD_EDO&name=ESTADO", &states_file()).await;
    import_boundaries_ok(&app, "municipalities", "", &municipalities_file()).await;
    for (code, name) in [("010101", "Catedral"), ("010102", "San Juan")] {
        let r = app
            .post_json("/collections/parishes/items", &territory(code, name))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    for (code, parish) in [("CC-A", "010101"), ("CC-B", "010102")] {
        let r = app
            .post_json("/collections/councils/items", &council(code, code, parish))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let ids = vec![
        create_at(&app, "CC-A", point([-66.85, 10.41])).await,
        create_at(&app, "CC-A", point([-66.75, 10.45])).await,
        create_at(&app, "CC-B", point([-60.0, 5.0])).await,
    ];
    for id in &ids {
        assert_eq!(placement(&app, id).await.3, "by_council");
    }
    let dir = app.stop().await;
    let url = database_url(&dir);
    (dir, url, ids)
}

#[tokio::test]
async fn the_cli_imports_parish_boundaries_that_the_server_then_serves() {
    let (dir, url, ids) = database_before_parish_boundaries().await;
    let file = dir.path().join("parroquias.geojson");
    std::fs::write(&file, parishes_file().to_string()).unwrap();

    let output =
        cli_import_territories("parish", &["--code", "code", "--name", "name"], &file, &url).await;

    let (stdout, stderr) = output_text(&output);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stdout.contains("5 parish boundaries imported"),
        "stdout: {stdout}"
    );
    assert!(stdout.contains("3 new territories"), "stdout: {stdout}");
    assert!(stdout.contains("3 priorities placed"), "stdout: {stdout}");
    assert!(
        stdout.contains("1 outside every parish"),
        "stdout: {stdout}"
    );
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    let parishes = territories(&app, "/collections/parishes/items").await;
    assert_eq!(parishes.len(), 5);
    for (code, f) in &parishes {
        valid_multipolygon(&f["geometry"], code);
    }
    assert_eq!(
        placement(&app, &ids[0]).await,
        placed("010101", "inside_council_parish")
    );
    assert_eq!(
        placement(&app, &ids[1]).await,
        placed("010102", "outside_council_parish")
    );
    assert_eq!(
        placement(&app, &ids[2]).await,
        placed("010102", "outside_every_parish")
    );
    let r = post_priority(&app, &priority_of("CC-A", point([-60.0, 5.0]))).await;
    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/geometry"),
    )
    .await;
}

#[tokio::test]
async fn a_bad_file_given_to_the_cli_fails_and_changes_nothing() {
    let (dir, url, _) = database_before_parish_boundaries().await;
    let app = spawn_app_in(dir, ServeArgs::for_database(url.clone())).await;
    let before = snapshot(&app).await;
    let dir = app.stop().await;

    // Unreadable: an unclosed ring at index 2.
    let mut unclosed = parishes_file();
    unclosed["features"][2]["geometry"] = polygon(vec![json!([
        [-66.3, 10.0],
        [-66.2, 10.0],
        [-66.2, 10.1],
        [-66.3, 10.1]
    ])]);
    // Unresolvable: a parish of a municipality that does not exist, at index 1.
    let orphan = collection(vec![
        boundary("010101", "Catedral", polygon(vec![ring(A)])),
        boundary("019901", "Huérfana", polygon(vec![ring(B)])),
    ]);
    for (name, file_body, index) in [("unclosed", unclosed, 2), ("orphan", orphan, 1)] {
        let file = dir.path().join(format!("{name}.geojson"));
        std::fs::write(&file, file_body.to_string()).unwrap();
        let output = cli_import_territories("parish", &[], &file, &url).await;
        let (stdout, stderr) = output_text(&output);
        assert!(
            !output.status.success(),
            "{name}: stdout: {stdout}\nstderr: {stderr}"
        );
        assert!(
            stderr.contains(&format!("feature {index}")),
            "{name}: stderr: {stderr}"
        );
    }
    let missing =
        cli_import_territories("parish", &[], &dir.path().join("nope.geojson"), &url).await;
    assert!(!missing.status.success());

    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn the_cli_completes_two_digit_parish_codes_from_a_parent_property() {
    let (dir, url, ids) = database_before_parish_boundaries().await;
    let file = dir.path().join("parroquias.geojson");
    let features = collection(vec![
        json!({"type": "Feature", "geometry": polygon(vec![ring(A)]),
               "properties": {"COD_PARR": "01", "PARROQUIA": "Catedral", "COD_MUN": "0101"}}),
        json!({"type": "Feature", "geometry": polygon(vec![ring(B)]),
               "properties": {"COD_PARR": "02", "PARROQUIA": "San Juan", "COD_MUN": "VE0101"}}),
        json!({"type": "Feature", "geometry": polygon(vec![ring(E)]),
               "properties": {"COD_PARR": "01", "PARROQUIA": "Petare", "COD_MUN": "0201"}}),
    ]);
    std::fs::write(&file, features.to_string()).unwrap();

    let output = cli_import_territories(
        "parish",
        &[
            "--code",
            "COD_PARR",
            "--name",
            "PARROQUIA",
            "--parent",
            "COD_MUN",
        ],
        &file,
        &url,
    )
    .await;

    let (stdout, stderr) = output_text(&output);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stdout.contains("3 parish boundaries imported"),
        "stdout: {stdout}"
    );
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    let parishes = territories(&app, "/collections/parishes/items").await;
    assert_eq!(
        parishes.keys().cloned().collect::<Vec<_>>(),
        ["010101", "010102", "020101"]
    );
    assert_eq!(parishes["020101"]["properties"]["name"], "Petare");
    assert_eq!(
        parishes["010102"]["geometry"]["coordinates"],
        json!([[ring(B)]])
    );
    assert_eq!(
        placement(&app, &ids[1]).await,
        placed("010102", "outside_council_parish")
    );
}

#[tokio::test]
async fn the_cli_finds_the_municipality_of_two_digit_codes_by_containment() {
    let (dir, url, _) = database_before_parish_boundaries().await;
    // Municipality 0101 is split: 0102 takes its eastern half.
    let app = spawn_app_in(dir, ServeArgs::for_database(url.clone())).await;
    import_boundaries_ok(
        &app,
        "municipalities",
        "",
        &collection(vec![
            boundary(
                "0101",
                "Libertador",
                polygon(vec![ring([-67.0, 10.0, -66.5, 11.0])]),
            ),
            boundary(
                "0102",
                "Nuevo",
                polygon(vec![ring([-66.5, 10.0, -66.0, 11.0])]),
            ),
            boundary("0201", "Sucre", polygon(vec![ring(STATE_02)])),
        ]),
    )
    .await;
    let dir = app.stop().await;
    let file = dir.path().join("parroquias.geojson");
    // Two parishes both coded "01", one in each municipality; a third
    // straddling the line lies mostly in 0102.
    let features = collection(vec![
        boundary("01", "Catedral", polygon(vec![ring(A)])),
        boundary("01", "Islas", multipolygon(vec![vec![ring(C2)]])),
        boundary(
            "02",
            "Frontera",
            polygon(vec![ring([-66.52, 10.0, -66.3, 10.1])]),
        ),
    ]);
    std::fs::write(&file, features.to_string()).unwrap();

    let output = cli_import_territories("parish", &[], &file, &url).await;

    let (stdout, stderr) = output_text(&output);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    let app = spawn_app_in(dir, ServeArgs::for_database(url.clone())).await;
    let parishes = territories(&app, "/collections/parishes/items").await;
    assert_eq!(
        parishes.keys().cloned().collect::<Vec<_>>(),
        ["010101", "010102", "010201", "010202"]
    );
    assert_eq!(parishes["010201"]["properties"]["name"], "Islas");
    assert_eq!(parishes["010202"]["properties"]["name"], "Frontera");
    assert_eq!(parishes["010102"]["geometry"], Value::Null);

    // A two-digit code no municipality holds is refused, naming the feature.
    let dir = app.stop().await;
    let file = dir.path().join("lejos.geojson");
    let far = collection(vec![
        boundary("01", "Catedral", polygon(vec![ring(A)])),
        boundary("03", "Lejos", polygon(vec![ring([10.0, 10.0, 10.1, 10.1])])),
    ]);
    std::fs::write(&file, far.to_string()).unwrap();
    let output = cli_import_territories("parish", &[], &file, &url).await;
    let (stdout, stderr) = output_text(&output);
    assert!(
        !output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stderr.contains("feature 1"), "stderr: {stderr}");
}

#[tokio::test]
async fn two_digit_codes_are_resolved_over_http_too() {
    let app = spawn_app().await;
    import_boundaries_ok(&app, "states", "?code=COD_EDO&name=ESTADO", &states_file()).await;
    // Municipalities by their own two digits below a named state.
    let municipalities = collection(vec![
        json!({"type": "Feature", "geometry": polygon(vec![ring(STATE_01)]),
               "properties": {"code": "01", "name": "Libertador", "state": "01"}}),
        json!({"type": "Feature", "geometry": polygon(vec![ring(STATE_02)]),
               "properties": {"code": "01", "name": "Sucre", "state": "02"}}),
    ]);
    let report =
        import_boundaries_ok(&app, "municipalities", "?parent=state", &municipalities).await;
    assert_eq!(report["created"], 2, "{report}");
    assert_eq!(
        sorted_codes(&app, "/collections/municipalities/items").await,
        ["0101", "0201"]
    );
    // A named parent that contradicts a full code is refused.
    let contradicting = collection(vec![
        json!({"type": "Feature", "geometry": polygon(vec![ring(A)]),
               "properties": {"code": "020101", "name": "Mal", "municipality": "0101"}}),
    ]);
    let r = import_boundaries(&app, "parishes", "?parent=municipality", &contradicting).await;
    assert_eq!(refused(r).await.len(), 1);
    // By containment, without a parent property.
    let parishes = collection(vec![
        boundary("01", "Catedral", polygon(vec![ring(A)])),
        boundary("01", "Petare", polygon(vec![ring(E)])),
    ]);
    import_boundaries_ok(&app, "parishes", "", &parishes).await;
    assert_eq!(
        sorted_codes(&app, "/collections/parishes/items").await,
        ["010101", "020101"]
    );
}
