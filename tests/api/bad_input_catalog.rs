//! Bad territories and councils: each write is refused with the right
//! status and an `application/problem+json` body naming the fault, and
//! nothing is added to the catalog. The cases of one shape are a table run
//! by [`each_case`], each labelled with the name it had as a test of its own.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    GEOJSON, TestApp, assert_problem, council, each_case, problem_type, spawn_seeded_app, territory,
};

/// `numberMatched` of a collection's items.
async fn matched(app: &TestApp, collection: &str) -> u64 {
    let (status, body) = app
        .get_json(&format!("/collections/{collection}/items?limit=1"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["numberMatched"].as_u64().expect("numberMatched")
}

/// The four catalog list counts, in order states, municipalities, parishes, councils.
async fn catalog_counts(app: &TestApp) -> [u64; 4] {
    [
        matched(app, "states").await,
        matched(app, "municipalities").await,
        matched(app, "parishes").await,
        matched(app, "councils").await,
    ]
}

/// A catalog write: the collection, the Feature, the status and the
/// problem member naming the fault.
type CatalogCase = (&'static str, Value, StatusCode, (&'static str, String));

#[tokio::test]
async fn invalid_territories_and_councils_are_refused_and_add_nothing() {
    let app = spawn_seeded_app().await;
    let at = |pointer: &str| ("pointer", pointer.to_owned());
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    let conflict = (StatusCode::CONFLICT, ("type", problem_type("conflict")));
    let mut line_council = council("CC-2", "Consejo lineal", "010101");
    line_council["geometry"] =
        json!({"type": "LineString", "coordinates": [[-66.9, 10.5], [-66.8, 10.6]]});
    let mut lost_council = council("CC-2", "Consejo perdido", "010101");
    lost_council["geometry"] = json!({"type": "Point", "coordinates": [-66.9, 91]});
    let mut located_state = territory("02", "Amazonas");
    located_state["geometry"] = json!({"type": "Point", "coordinates": [-66.9, 3.0]});
    let cases: Vec<(&str, CatalogCase)> = vec![
        (
            "a_municipality_of_a_state_that_does_not_exist_is_a_422_at_properties_code",
            (
                "municipalities",
                territory("0201", "Municipio huérfano"),
                invalid,
                at("/properties/code"),
            ),
        ),
        (
            "a_parish_code_of_five_digits_is_a_422_at_properties_code",
            (
                "parishes",
                territory("01010", "Parroquia corta"),
                invalid,
                at("/properties/code"),
            ),
        ),
        (
            "a_state_code_of_00_is_a_422_at_properties_code",
            (
                "states",
                territory("00", "Ninguno"),
                invalid,
                at("/properties/code"),
            ),
        ),
        (
            "a_council_whose_parish_does_not_exist_is_a_422_at_properties_parish",
            (
                "councils",
                council("CC-2", "Consejo sin parroquia", "010102"),
                invalid,
                at("/properties/parish"),
            ),
        ),
        (
            "a_council_with_a_line_string_location_is_a_422_at_geometry_type",
            ("councils", line_council, invalid, at("/geometry/type")),
        ),
        (
            "a_council_with_an_out_of_range_location_is_a_422_at_the_number",
            (
                "councils",
                lost_council,
                invalid,
                at("/geometry/coordinates/1"),
            ),
        ),
        (
            "a_territory_with_a_geometry_is_a_422_at_geometry",
            ("states", located_state, invalid, at("/geometry")),
        ),
        (
            "a_territory_with_an_empty_name_is_a_422_at_properties_name",
            (
                "states",
                territory("02", " "),
                invalid,
                at("/properties/name"),
            ),
        ),
        (
            "a_duplicate_state_is_a_409",
            (
                "states",
                territory("01", "Otra vez"),
                conflict.0,
                conflict.1.clone(),
            ),
        ),
        (
            "a_duplicate_council_is_a_409",
            (
                "councils",
                council("CC-1", "Otra vez", "010101"),
                conflict.0,
                conflict.1.clone(),
            ),
        ),
    ];
    each_case(
        cases,
        async |(collection, body, status, (member, value))| {
            let before = catalog_counts(&app).await;
            assert_eq!(before, [1, 1, 1, 1]);
            let response = app
                .post_json(&format!("/collections/{collection}/items"), &body)
                .await;
            assert_problem(response, status, (member, &value)).await;
            assert_eq!(catalog_counts(&app).await, before, "nothing was added");
        },
    )
    .await;
}

#[tokio::test]
async fn a_truncated_territory_body_is_a_400_malformed_body() {
    let app = spawn_seeded_app().await;
    let before = catalog_counts(&app).await;
    let response = app
        .post_raw(
            "/collections/states/items",
            GEOJSON,
            r#"{"type": "Feature","#,
        )
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST, ("pointer", "")).await;
    assert_eq!(catalog_counts(&app).await, before);
}
