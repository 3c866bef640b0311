//! Bad query parameters, paths, methods and headers: each is refused with
//! the right status and an `application/problem+json` body naming the
//! fault, and no request yields a 500. The cases of one shape are a table
//! run by [`each_case`], each labelled with the name it had as a test of
//! its own.

use reqwest::{Method, StatusCode};

use crate::helpers::{
    ITEMS, assert_problem, create_priority_id, each_case, priority, problem_type, spawn_seeded_app,
};

// ---------------------------------------------------------------------------
// Query parameters of GET /collections/priorities/items
// ---------------------------------------------------------------------------

#[tokio::test]
async fn bad_query_parameters_are_400_problems_naming_the_parameter() {
    let app = spawn_seeded_app().await;
    create_priority_id(&app, &priority()).await;
    let cases = vec![
        (
            "a_bbox_with_three_numbers_is_a_400_naming_bbox",
            ("bbox=-67,10,-66", "bbox"),
        ),
        (
            "a_bbox_with_five_numbers_is_a_400_naming_bbox",
            ("bbox=-67,10,-66,11,12", "bbox"),
        ),
        (
            "a_bbox_with_non_numbers_is_a_400_naming_bbox",
            ("bbox=a,b,c,d", "bbox"),
        ),
        (
            "a_bbox_with_nan_is_a_400_naming_bbox",
            ("bbox=-67,10,-66,NaN", "bbox"),
        ),
        (
            "a_bbox_with_infinity_is_a_400_naming_bbox",
            ("bbox=-inf,10,-66,11", "bbox"),
        ),
        (
            "a_bbox_with_inverted_longitudes_is_a_400_naming_bbox",
            ("bbox=-66,10,-67,11", "bbox"),
        ),
        (
            "a_bbox_with_inverted_latitudes_is_a_400_naming_bbox",
            ("bbox=-67,11,-66,10", "bbox"),
        ),
        (
            "a_bbox_with_longitude_200_is_a_400_naming_bbox",
            ("bbox=-67,10,200,11", "bbox"),
        ),
        ("an_empty_bbox_is_a_400_naming_bbox", ("bbox=", "bbox")),
        (
            "a_negative_radius_is_a_400_naming_radius",
            ("point=-66.9146,10.5061&radius=-1", "radius"),
        ),
        (
            "a_radius_over_100000_is_a_400_naming_radius",
            ("point=-66.9146,10.5061&radius=100001", "radius"),
        ),
        (
            "a_radius_that_is_not_a_number_is_a_400_naming_radius",
            ("point=-66.9146,10.5061&radius=ten", "radius"),
        ),
        (
            "a_nan_radius_is_a_400_naming_radius",
            ("point=-66.9146,10.5061&radius=NaN", "radius"),
        ),
        (
            "a_radius_without_a_point_is_a_400_naming_point",
            ("radius=1000", "point"),
        ),
        (
            "a_point_without_a_radius_is_a_400_naming_radius",
            ("point=-66.9146,10.5061", "radius"),
        ),
        (
            "a_point_with_latitude_95_is_a_400_naming_point",
            ("point=-66.9146,95&radius=1000", "point"),
        ),
        (
            "a_point_with_three_numbers_is_a_400_naming_point",
            ("point=-66.9,10.5,3&radius=1000", "point"),
        ),
        ("a_limit_of_0_is_a_400_naming_limit", ("limit=0", "limit")),
        (
            "a_limit_of_minus_1_is_a_400_naming_limit",
            ("limit=-1", "limit"),
        ),
        (
            "a_limit_of_unlimited_is_a_400_naming_limit",
            ("limit=unlimited", "limit"),
        ),
        (
            "a_limit_of_abc_is_a_400_naming_limit",
            ("limit=abc", "limit"),
        ),
        ("an_empty_limit_is_a_400_naming_limit", ("limit=", "limit")),
        (
            "a_negative_offset_is_a_400_naming_offset",
            ("offset=-1", "offset"),
        ),
        (
            "an_offset_of_x_is_a_400_naming_offset",
            ("offset=x", "offset"),
        ),
        (
            "a_datetime_of_yesterday_is_a_400_naming_datetime",
            ("datetime=yesterday", "datetime"),
        ),
        (
            "a_datetime_interval_ending_before_it_starts_is_a_400_naming_datetime",
            (
                "datetime=2026-02-01T00:00:00Z/2026-01-01T00:00:00Z",
                "datetime",
            ),
        ),
        (
            "a_datetime_of_dates_ending_before_they_start_is_a_400_naming_datetime",
            ("datetime=2026-02-01/2026-01-01", "datetime"),
        ),
        (
            "a_datetime_with_two_slashes_is_a_400_naming_datetime",
            ("datetime=a/b/c", "datetime"),
        ),
        (
            "a_state_of_one_digit_is_a_400_naming_state",
            ("state=1", "state"),
        ),
        (
            "a_municipality_with_a_letter_is_a_400_naming_municipality",
            ("municipality=01a1", "municipality"),
        ),
        (
            "a_parish_of_four_digits_is_a_400_naming_parish",
            ("parish=0101", "parish"),
        ),
        (
            "an_unknown_but_well_formed_state_is_a_400_naming_state",
            ("state=99", "state"),
        ),
        (
            "an_unknown_but_well_formed_parish_in_a_list_is_a_400_naming_parish",
            ("parish=010101,010199", "parish"),
        ),
        (
            "an_unknown_category_is_a_400_naming_category",
            ("category=water,magic", "category"),
        ),
        (
            "an_unknown_status_is_a_400_naming_status",
            ("status=lost", "status"),
        ),
        (
            "an_unknown_council_is_a_400_naming_council",
            ("council=CC-404", "council"),
        ),
        (
            "a_malformed_council_is_a_400_naming_council",
            ("council=not%20a%20code", "council"),
        ),
        (
            "a_repeated_limit_is_a_400_naming_limit",
            ("limit=1&limit=2", "limit"),
        ),
        ("f_xml_is_a_400_naming_f", ("f=xml", "f")),
    ];
    each_case(cases, async |(query, parameter)| {
        let response = app.get(&format!("{ITEMS}?{query}")).await;
        assert_problem(response, StatusCode::BAD_REQUEST, ("parameter", parameter)).await;
    })
    .await;
}

#[tokio::test]
async fn an_unknown_parameter_colour_is_a_400_unknown_parameter_naming_it() {
    let app = spawn_seeded_app().await;
    create_priority_id(&app, &priority()).await;
    let response = app.get(&format!("{ITEMS}?colour=red")).await;
    let p = assert_problem(response, StatusCode::BAD_REQUEST, ("parameter", "colour")).await;
    assert_eq!(p["type"], problem_type("unknown-parameter"));
}

#[tokio::test]
async fn a_limit_of_20000_is_clamped_to_10000_not_refused() {
    let app = spawn_seeded_app().await;
    create_priority_id(&app, &priority()).await;
    let (status, body) = app.get_json(&format!("{ITEMS}?limit=20000")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["numberReturned"], 1);
    let links = body["links"].as_array().expect("links");
    let self_link = links
        .iter()
        .find(|l| l["rel"] == "self")
        .and_then(|l| l["href"].as_str())
        .expect("a self link");
    assert!(self_link.contains("limit=10000"), "{self_link}");
    assert!(!self_link.contains("limit=20000"), "{self_link}");
}

#[tokio::test]
async fn a_huge_offset_is_an_empty_page_not_an_error() {
    let app = spawn_seeded_app().await;
    create_priority_id(&app, &priority()).await;
    let (status, body) = app.get_json(&format!("{ITEMS}?offset={}", u64::MAX)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["numberReturned"], 0);
    assert_eq!(body["numberMatched"], 1);
}

// ---------------------------------------------------------------------------
// Paths, methods and headers
// ---------------------------------------------------------------------------

#[tokio::test]
async fn unknown_paths_and_methods_are_problems() {
    let app = spawn_seeded_app().await;
    let cases = vec![
        (
            "an_item_id_that_is_not_a_uuid_is_a_404_problem",
            (
                Method::GET,
                format!("{ITEMS}/not-a-uuid"),
                StatusCode::NOT_FOUND,
                "not-found",
            ),
        ),
        (
            "an_unknown_path_is_a_404_problem",
            (
                Method::GET,
                "/nowhere".to_owned(),
                StatusCode::NOT_FOUND,
                "not-found",
            ),
        ),
        (
            "deleting_the_collections_is_a_405_problem",
            (
                Method::DELETE,
                "/collections".to_owned(),
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
            ),
        ),
    ];
    each_case(cases, async |(method, path, status, kind)| {
        let response = app
            .client
            .request(method, app.url(&path))
            .send()
            .await
            .expect("a response");
        assert_problem(response, status, ("type", &problem_type(kind))).await;
    })
    .await;
}

#[tokio::test]
async fn an_unquoted_if_match_on_put_is_a_400_naming_if_match() {
    let app = spawn_seeded_app().await;
    let id = create_priority_id(&app, &priority()).await;
    let mut changed = priority();
    changed["properties"]["title"] = "Cambiado".into();
    let response = app
        .client
        .put(app.url(&format!("{ITEMS}/{id}")))
        .header("content-type", "application/geo+json")
        .header("if-match", "3")
        .body(changed.to_string())
        .send()
        .await
        .expect("PUT");
    let p = assert_problem(response, StatusCode::BAD_REQUEST, ("header", "If-Match")).await;
    assert_eq!(p["type"], problem_type("invalid-header"));
    let (_, after) = app.get_json(&format!("{ITEMS}/{id}")).await;
    assert_eq!(after["properties"]["title"], "Sustitución de tubería");
    assert_eq!(after["properties"]["version"], 1);
}

// ---------------------------------------------------------------------------
// Lists of territories and councils
// ---------------------------------------------------------------------------

#[tokio::test]
async fn an_unknown_parameter_on_the_states_list_is_a_400_naming_it() {
    let app = spawn_seeded_app().await;
    let response = app.get("/collections/states/items?parish=010101").await;
    assert_problem(response, StatusCode::BAD_REQUEST, ("parameter", "parish")).await;
}

#[tokio::test]
async fn territory_and_council_lists_refuse_unknown_codes_naming_the_parameter() {
    let app = spawn_seeded_app().await;
    for (path, parameter) in [
        ("/collections/municipalities/items?state=99", "state"),
        (
            "/collections/parishes/items?municipality=0199",
            "municipality",
        ),
        ("/collections/councils/items?parish=010101,010199", "parish"),
        ("/collections/councils/items?state=1", "state"),
    ] {
        assert_problem(
            app.get(path).await,
            StatusCode::BAD_REQUEST,
            ("parameter", parameter),
        )
        .await;
    }
}
