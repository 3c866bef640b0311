//! The territories (states, municipalities, parishes) and councils
//! collections: creating, listing, filtering, paging and reading by code.

use std::collections::BTreeSet;

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_problem, council, features_of, follow_pages, spawn_app, territory,
};

// ---------------------------------------------------------------- helpers

const STATES: [(&str, &str); 2] = [("01", "Distrito Capital"), ("02", "Amazonas")];
const MUNICIPALITIES: [(&str, &str); 3] = [
    ("0101", "Libertador"),
    ("0102", "Chacao"),
    ("0201", "Alto Orinoco"),
];
const PARISHES: [(&str, &str); 4] = [
    ("010101", "Catedral"),
    ("010102", "Altagracia"),
    ("010201", "Chacao"),
    ("020101", "La Esmeralda"),
];

/// A council Feature located at a point.
fn located_council(code: &str, name: &str, parish: &str, lon: f64, lat: f64) -> Value {
    let mut c = council(code, name, parish);
    c["geometry"] = json!({"type": "Point", "coordinates": [lon, lat]});
    c
}

/// Councils: `CC-A` (no location) and `CC-B` (located) in 0101, `CC-C` in
/// 0102 and `CC-D` in state 02.
fn councils() -> Vec<Value> {
    vec![
        council("CC-A", "Consejo Comunal Catedral", "010101"),
        located_council(
            "CC-B",
            "Consejo Comunal Altagracia",
            "010102",
            -66.9131,
            10.5103,
        ),
        council("CC-C", "Consejo Comunal Chacao", "010201"),
        located_council(
            "CC-D",
            "Consejo Comunal La Esmeralda",
            "020101",
            -65.5437,
            3.1725,
        ),
    ]
}

/// POSTs `feature` to `collection`, expects 201 with a Location at
/// `/collections/{collection}/items/{code}`, and returns the created Feature.
async fn create_item(app: &TestApp, collection: &str, code: &str, feature: &Value) -> Value {
    let r = app
        .post_json(&format!("/collections/{collection}/items"), feature)
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "creating {collection} {code}"
    );
    let location = r
        .headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        location,
        app.url(&format!("/collections/{collection}/items/{code}"))
    );
    let body: Value = r.json().await.expect("the created Feature");
    let (status, fetched) = app
        .get_json(location.strip_prefix(app.base.as_str()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, body, "the Location serves what was created");
    body
}

/// An app with every territory above and the four councils.
async fn catalog_app() -> TestApp {
    let app = spawn_app().await;
    for (collection, list) in [
        ("states", &STATES[..]),
        ("municipalities", &MUNICIPALITIES[..]),
        ("parishes", &PARISHES[..]),
    ] {
        for (code, name) in list {
            create_item(&app, collection, code, &territory(code, name)).await;
        }
    }
    for c in councils() {
        let code = c["properties"]["code"].as_str().unwrap().to_owned();
        create_item(&app, "councils", &code, &c).await;
    }
    app
}

/// GETs a list (expecting a GeoJSON FeatureCollection) and returns
/// numberMatched and the codes returned, in order.
async fn list(app: &TestApp, path: &str) -> (u64, Vec<String>) {
    let r = app.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/geo+json")
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["type"], "FeatureCollection");
    let codes = body["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap().to_owned())
        .collect();
    (
        body["numberMatched"].as_u64().expect("numberMatched"),
        codes,
    )
}

async fn codes(app: &TestApp, path: &str) -> Vec<String> {
    let (matched, codes) = list(app, path).await;
    assert_eq!(matched as usize, codes.len(), "{path}: one page holds all");
    codes
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

async fn assert_not_found(r: Response) {
    assert_problem(
        r,
        StatusCode::NOT_FOUND,
        ("type", "urn:prioridades:problem:not-found"),
    )
    .await;
}

// ---------------------------------------------------------------- create & list

#[tokio::test]
async fn created_territories_are_features_with_their_parent_codes() {
    let app = spawn_app().await;

    let state = create_item(&app, "states", "01", &territory("01", "Distrito Capital")).await;
    let municipality = create_item(
        &app,
        "municipalities",
        "0101",
        &territory("0101", "Libertador"),
    )
    .await;
    let parish = create_item(&app, "parishes", "010101", &territory("010101", "Catedral")).await;

    assert_eq!(state["type"], "Feature");
    assert_eq!(state["id"], "01");
    assert_eq!(state["geometry"], Value::Null);
    assert_eq!(state["properties"]["code"], "01");
    assert_eq!(state["properties"]["name"], "Distrito Capital");
    // A new territory holds nothing yet: every count is zero.
    assert_eq!(state["properties"]["councils"], 0);
    assert_eq!(state["properties"]["priorities"], 0);
    assert_eq!(state["properties"]["status_proposed"], 0);
    assert_eq!(state["properties"]["category_water"], 0);
    assert!(
        state["properties"].get("state").is_none(),
        "a state has no parent"
    );
    assert_eq!(municipality["id"], "0101");
    assert_eq!(municipality["properties"]["name"], "Libertador");
    assert_eq!(municipality["properties"]["state"], "01");
    assert_eq!(parish["id"], "010101");
    assert_eq!(parish["geometry"], Value::Null);
    assert_eq!(parish["properties"]["name"], "Catedral");
    assert_eq!(parish["properties"]["state"], "01");
    assert_eq!(parish["properties"]["municipality"], "0101");
}

#[tokio::test]
async fn councils_are_created_with_or_without_a_location() {
    let app = spawn_app().await;
    app.seed_minimal_catalog().await;

    let located = create_item(
        &app,
        "councils",
        "CC-2",
        &located_council("CC-2", "Consejo Comunal Plaza", "010101", -66.9146, 10.5061),
    )
    .await;
    let unlocated = create_item(
        &app,
        "councils",
        "CC-3",
        &council("CC-3", "Consejo Comunal Sin Sede", "010101"),
    )
    .await;

    assert_eq!(
        located["geometry"],
        json!({"type": "Point", "coordinates": [-66.9146, 10.5061]})
    );
    assert_eq!(located["id"], "CC-2");
    assert_eq!(unlocated["geometry"], Value::Null);
    for c in [&located, &unlocated] {
        assert_eq!(c["properties"]["parish"], "010101");
        assert_eq!(c["properties"]["municipality"], "0101");
        assert_eq!(c["properties"]["state"], "01");
    }
    assert_eq!(
        codes(&app, "/collections/councils/items").await,
        strings(&["CC-1", "CC-2", "CC-3"])
    );
}

#[tokio::test]
async fn each_list_reports_every_item_it_holds() {
    let app = catalog_app().await;

    assert_eq!(
        list(&app, "/collections/states/items").await,
        (2, strings(&["01", "02"]))
    );
    assert_eq!(
        list(&app, "/collections/municipalities/items").await,
        (3, strings(&["0101", "0102", "0201"]))
    );
    assert_eq!(
        list(&app, "/collections/parishes/items").await,
        (4, strings(&["010101", "010102", "010201", "020101"]))
    );
    assert_eq!(
        list(&app, "/collections/councils/items").await,
        (4, strings(&["CC-A", "CC-B", "CC-C", "CC-D"]))
    );
}

// ---------------------------------------------------------------- filters

#[tokio::test]
async fn municipalities_are_filtered_by_state() {
    let app = catalog_app().await;

    assert_eq!(
        codes(&app, "/collections/municipalities/items?state=01").await,
        strings(&["0101", "0102"])
    );
    assert_eq!(
        codes(&app, "/collections/municipalities/items?state=02").await,
        strings(&["0201"])
    );
    assert_eq!(
        codes(&app, "/collections/municipalities/items?state=02,01").await,
        strings(&["0101", "0102", "0201"]),
        "a list matches any of its codes"
    );
}

#[tokio::test]
async fn parishes_are_filtered_by_state_and_municipality_together() {
    let app = catalog_app().await;

    assert_eq!(
        codes(&app, "/collections/parishes/items?state=01").await,
        strings(&["010101", "010102", "010201"])
    );
    assert_eq!(
        codes(&app, "/collections/parishes/items?municipality=0101").await,
        strings(&["010101", "010102"])
    );
    assert_eq!(
        codes(
            &app,
            "/collections/parishes/items?state=01&municipality=0102"
        )
        .await,
        strings(&["010201"])
    );
    assert_eq!(
        list(
            &app,
            "/collections/parishes/items?state=01&municipality=0201"
        )
        .await,
        (0, vec![]),
        "both filters must hold"
    );
}

#[tokio::test]
async fn councils_are_filtered_by_parish_municipality_and_state() {
    let app = catalog_app().await;

    assert_eq!(
        codes(&app, "/collections/councils/items?parish=010101").await,
        strings(&["CC-A"])
    );
    assert_eq!(
        codes(&app, "/collections/councils/items?parish=010102,020101").await,
        strings(&["CC-B", "CC-D"])
    );
    assert_eq!(
        codes(&app, "/collections/councils/items?municipality=0101").await,
        strings(&["CC-A", "CC-B"])
    );
    assert_eq!(
        codes(&app, "/collections/councils/items?state=01").await,
        strings(&["CC-A", "CC-B", "CC-C"])
    );
    assert_eq!(
        codes(&app, "/collections/councils/items?state=02").await,
        strings(&["CC-D"])
    );
    assert_eq!(
        list(&app, "/collections/councils/items?state=02&parish=010101").await,
        (0, vec![])
    );
}

// ---------------------------------------------------------------- paging

/// Follows `next` links from `path`, checking that every page reports
/// `expected_matched`; returns every page's codes.
async fn page_codes(app: &TestApp, path: &str, expected_matched: u64) -> Vec<Vec<String>> {
    let pages = follow_pages(app, path).await;
    assert!(pages.len() <= 20, "the next links end");
    pages
        .iter()
        .map(|body| {
            assert_eq!(body["numberMatched"], expected_matched, "{path}");
            features_of(body)
                .iter()
                .map(|f| f["properties"]["code"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn paging_through_next_links_returns_every_item_exactly_once() {
    let app = spawn_app().await;
    create_item(&app, "states", "01", &territory("01", "Distrito Capital")).await;
    let mut expected = Vec::new();
    for i in 1..=12 {
        let code = format!("01{i:02}");
        create_item(
            &app,
            "municipalities",
            &code,
            &territory(&code, &format!("Municipio {i}")),
        )
        .await;
        expected.push(code);
    }

    let pages = page_codes(&app, "/collections/municipalities/items?limit=5", 12).await;

    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [5, 5, 2]);
    let all: Vec<String> = pages.concat();
    assert_eq!(all, expected, "in code order, none twice, none missing");

    let (matched, codes) = list(&app, "/collections/municipalities/items?limit=5&offset=10").await;
    assert_eq!((matched, codes), (12, strings(&["0111", "0112"])));
    let (matched, codes) = list(&app, "/collections/municipalities/items?offset=12").await;
    assert_eq!((matched, codes.len()), (12, 0));
}

#[tokio::test]
async fn paging_a_filtered_council_list_keeps_the_filter() {
    let app = catalog_app().await;
    let mut expected = BTreeSet::from(["CC-A".to_owned(), "CC-B".to_owned()]);
    for i in 0..5 {
        let code = format!("CC-X{i}");
        create_item(
            &app,
            "councils",
            &code,
            &council(&code, &format!("Consejo {i}"), "010102"),
        )
        .await;
        expected.insert(code);
    }

    let pages = page_codes(
        &app,
        "/collections/councils/items?municipality=0101&limit=3",
        7,
    )
    .await;

    let all: Vec<String> = pages.concat();
    assert_eq!(all.len(), 7, "{all:?}");
    assert_eq!(all.into_iter().collect::<BTreeSet<_>>(), expected);
}

// ---------------------------------------------------------------- by code

#[tokio::test]
async fn one_item_is_read_by_its_code_with_its_parent_codes() {
    let app = catalog_app().await;

    let (status, parish) = app.get_json("/collections/parishes/items/010201").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(parish["id"], "010201");
    for (key, value) in [
        ("code", "010201"),
        ("name", "Chacao"),
        ("state", "01"),
        ("municipality", "0102"),
    ] {
        assert_eq!(parish["properties"][key], value, "{key}");
    }
    assert_eq!(
        parish["properties"]["councils"], 1,
        "Chacao holds one council"
    );

    let (status, municipality) = app.get_json("/collections/municipalities/items/0201").await;
    assert_eq!(status, StatusCode::OK);
    for (key, value) in [("code", "0201"), ("name", "Alto Orinoco"), ("state", "02")] {
        assert_eq!(municipality["properties"][key], value, "{key}");
    }
    assert!(municipality["properties"].get("municipality").is_none());

    let (status, state) = app.get_json("/collections/states/items/02").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state["properties"]["code"], "02");
    assert_eq!(state["properties"]["name"], "Amazonas");
    assert!(
        state["properties"].get("state").is_none(),
        "a state has no parent"
    );

    let (status, council) = app.get_json("/collections/councils/items/CC-D").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(council["id"], "CC-D");
    assert_eq!(
        council["properties"]["name"],
        "Consejo Comunal La Esmeralda"
    );
    assert_eq!(council["properties"]["parish"], "020101");
    assert_eq!(council["properties"]["municipality"], "0201");
    assert_eq!(council["properties"]["state"], "02");
    assert_eq!(
        council["geometry"],
        json!({"type": "Point", "coordinates": [-65.5437, 3.1725]})
    );
}

#[tokio::test]
async fn an_unknown_code_is_a_404_problem() {
    let app = catalog_app().await;

    for path in [
        "/collections/states/items/03",
        "/collections/municipalities/items/0103",
        "/collections/municipalities/items/010101",
        "/collections/parishes/items/010199",
        "/collections/parishes/items/abc",
        "/collections/councils/items/CC-Z",
    ] {
        assert_not_found(app.get(path).await).await;
    }
}

// ---------------------------------------------------------------- communes

#[tokio::test]
async fn councils_join_communes_and_an_admin_updates_them_with_a_merge_patch() {
    let app = spawn_app().await;
    app.seed_minimal_catalog().await;
    let commune = json!({"type": "Feature", "geometry": null, "properties": {"code": "COM-1", "name": "Comuna El Panal"}});
    let r = app.post_json("/collections/communes/items", &commune).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(
        app.post_json("/collections/communes/items", &commune)
            .await
            .status(),
        StatusCode::CONFLICT
    );

    let patch = |token: Option<&str>, body: Value| {
        let client = token.map_or_else(|| app.client.clone(), crate::helpers::client_with);
        let url = app.url("/collections/councils/items/CC-1");
        async move {
            client
                .patch(url)
                .header("content-type", "application/merge-patch+json")
                .body(body.to_string())
                .send()
                .await
                .unwrap()
        }
    };
    let r = patch(
        None,
        json!({"properties": {"commune": "COM-1", "spokespeople": 12}}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let council: Value = r.json().await.unwrap();
    assert_eq!(council["properties"]["commune"], "COM-1");
    assert_eq!(council["properties"]["spokespeople"], 12);
    assert_eq!(
        council["properties"]["name"], "Consejo Comunal Catedral",
        "untouched members stay"
    );

    let (_, listed) = app
        .get_json("/collections/councils/items?commune=COM-1")
        .await;
    assert_eq!(listed["numberMatched"], 1);
    let (_, commune) = app.get_json("/collections/communes/items/COM-1").await;
    assert_eq!(commune["properties"]["councils"], 1);

    // Refused, and nothing changes: a new parish, an unknown commune, a non-admin.
    let r = patch(None, json!({"properties": {"parish": "010102"}})).await;
    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/properties/parish"),
    )
    .await;
    let r = patch(None, json!({"properties": {"commune": "COM-9"}})).await;
    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/properties/commune"),
    )
    .await;
    let planner = app.token("planner", None).await;
    let r = patch(Some(&planner), json!({"properties": {"spokespeople": 1}})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, after) = app.get_json("/collections/councils/items/CC-1").await;
    assert_eq!(after["properties"]["spokespeople"], 12);
    assert_eq!(after["properties"]["commune"], "COM-1");
    assert_eq!(after["properties"]["parish"], "010101");

    // It survives a restart.
    let dir = app.stop().await;
    let url = crate::helpers::database_url(&dir);
    let app =
        crate::helpers::spawn_app_in(dir, prioridades::config::ServeArgs::for_database(url)).await;
    let (_, again) = app.get_json("/collections/councils/items/CC-1").await;
    assert_eq!(again["properties"]["commune"], "COM-1");
    assert_eq!(again["properties"]["spokespeople"], 12);
}
