//! Placing priorities by their location: inside a parish, on a shared
//! edge, outside every parish, on islands, by a point inside lines and
//! polygons, flagged outside their council's parish, after a restart, before
//! any boundary exists and anew when parishes are reimported.

use std::collections::BTreeSet;

use prioridades::config::ServeArgs;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    ITEMS, assert_problem, boundary, collection, create_priority, database_url, ids_for,
    import_boundaries_ok, point, polygon, ring, spawn_app_in, spawn_seeded_app,
};
use crate::territories::{
    STATE_01, create_at, parishes_file, parishes_with, placed, placement, post_priority,
    priority_of, snapshot, spawn_territorial_app, string_set, territories,
};

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
