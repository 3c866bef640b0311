//! The OpenAPI definition at `/api`: every route the router serves is
//! described with the methods it answers, every items parameter is
//! documented and accepted, the page size reads as QGIS and GDAL read it,
//! and the headers OPTIONS and GeoJSON responses send are the declared ones.

use std::collections::BTreeSet;

use prioridades::domain::query::{DEFAULT_LIMIT, MAX_LIMIT};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    ITEMS, TestApp, assert_problem, create_priority, header, priority, spawn_seeded_app,
};

const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.0";

/// The collections, as their paths name them.
const COLLECTIONS: [&str; 6] = [
    "priorities",
    "councils",
    "communes",
    "states",
    "municipalities",
    "parishes",
];

/// The OpenAPI document, served as OpenAPI 3.0 JSON.
async fn api(app: &TestApp) -> Value {
    let r = app.get("/api").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-type").as_deref(), Some(OPENAPI));
    r.json().await.expect("a JSON body")
}

/// A parameter, its `$ref` followed as clients follow it: a JSON pointer
/// into the document.
fn resolved<'a>(doc: &'a Value, p: &'a Value) -> &'a Value {
    match p["$ref"].as_str() {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{r} resolves")),
        None => p,
    }
}

/// Every route the router serves, with the methods it answers; besides
/// these, each collection's queryables and schema (GET).
const ROUTES: &[(&str, &[&str])] = &[
    ("/", &["get"]),
    ("/conformance", &["get"]),
    ("/api", &["get"]),
    ("/collections", &["get"]),
    ("/collections/{collectionId}", &["get"]),
    ("/collections/priorities/items", &["get", "post", "options"]),
    (
        "/collections/priorities/items/{featureId}",
        &["get", "put", "patch", "delete", "options"],
    ),
    ("/collections/priorities/import", &["post"]),
    ("/collections/states/items", &["get", "post"]),
    ("/collections/states/import", &["post"]),
    ("/collections/municipalities/import", &["post"]),
    ("/collections/parishes/import", &["post"]),
    ("/collections/states/items/{code}", &["get"]),
    ("/collections/municipalities/items", &["get", "post"]),
    ("/collections/municipalities/items/{code}", &["get"]),
    ("/collections/parishes/items", &["get", "post"]),
    ("/collections/parishes/items/{code}", &["get"]),
    ("/collections/councils/items", &["get", "post"]),
    ("/collections/councils/items/{code}", &["get", "patch"]),
    ("/collections/communes/items", &["get", "post"]),
    ("/collections/communes/items/{code}", &["get"]),
    ("/statistics", &["get"]),
    (
        "/collections/priorities/items/{featureId}/transitions",
        &["post"],
    ),
    ("/collections/priorities/items/{featureId}/notes", &["post"]),
    (
        "/collections/priorities/items/{featureId}/duplicates",
        &["get"],
    ),
    (
        "/collections/priorities/items/{featureId}/history",
        &["get"],
    ),
    ("/collections/councils/items/{code}/agenda", &["get", "put"]),
    ("/review-queue", &["get"]),
    ("/collections/priorities/changes", &["get"]),
    ("/tokens", &["get", "post"]),
    ("/tokens/self", &["get"]),
    ("/tokens/{id}", &["get", "delete"]),
    ("/webhooks", &["get", "post"]),
    ("/webhooks/{id}", &["get", "delete"]),
    ("/webhooks/{id}/deliveries", &["get"]),
    ("/health", &["get"]),
    ("/health/ready", &["get"]),
    ("/health/live", &["get"]),
    ("/tileMatrixSets", &["get"]),
    ("/tileMatrixSets/{tileMatrixSetId}", &["get"]),
    ("/collections/{collectionId}/tiles", &["get"]),
    (
        "/collections/{collectionId}/tiles/{tileMatrixSetId}",
        &["get"],
    ),
    (
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/tilejson.json",
        &["get"],
    ),
    (
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
        &["get"],
    ),
    ("/collections/priorities/feed.atom", &["get"]),
    ("/collections/priorities/clusters", &["get"]),
    ("/open311/v2/discovery.json", &["get"]),
    ("/open311/v2/discovery.xml", &["get"]),
    ("/open311/v2/services.json", &["get"]),
    ("/open311/v2/services.xml", &["get"]),
    ("/open311/v2/services/{service}", &["get"]),
    ("/open311/v2/requests.json", &["get", "post"]),
    ("/open311/v2/requests.xml", &["get", "post"]),
    ("/open311/v2/requests/{request}", &["get"]),
];

/// [`ROUTES`] with each collection's queryables and schema.
fn routes() -> Vec<(String, Vec<&'static str>)> {
    let mut all: Vec<(String, Vec<&str>)> = ROUTES
        .iter()
        .map(|(p, m)| (p.to_string(), m.to_vec()))
        .collect();
    for id in COLLECTIONS {
        for resource in ["queryables", "schema"] {
            all.push((format!("/collections/{id}/{resource}"), vec!["get"]));
        }
    }
    all
}

/// A documented path with its parameters filled in.
fn concrete(path: &str, id: &str, token_id: &str) -> String {
    path.replace("{collectionId}", "priorities")
        .replace("{tileMatrixSetId}", "WebMercatorQuad")
        // The whole world: it holds the test's priority.
        .replace("{tileMatrix}/{tileRow}/{tileCol}", "0/0/0")
        .replace("{featureId}", id)
        .replace("states/items/{code}", "states/items/01")
        .replace("municipalities/items/{code}", "municipalities/items/0101")
        .replace("parishes/items/{code}", "parishes/items/010101")
        .replace("councils/items/{code}", "councils/items/CC-1")
        .replace("communes/items/{code}", "communes/items/COM-1")
        .replace("/tokens/{id}", &format!("/tokens/{token_id}"))
        .replace("{service}", "water.json")
        .replace("{request}", &format!("{id}.xml"))
        // Its two required parameters.
        .replace("/clusters", "/clusters?zoom=6&bbox=-67.5,10,-66,11")
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_the_router_serves() {
    let app = spawn_seeded_app().await;
    let id = create_priority(&app, &priority()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let (_, tokens) = app.get_json("/tokens").await;
    let token_id = tokens["tokens"][0]["id"]
        .as_str()
        .expect("the tests' admin token")
        .to_owned();
    let commune = json!({"type": "Feature", "geometry": null, "properties": {"code": "COM-1", "name": "Comuna"}});
    assert_eq!(
        app.post_json("/collections/communes/items", &commune)
            .await
            .status(),
        StatusCode::CREATED
    );

    // A hook to GET (its receiver, on the discard port, is never called:
    // no priority changes after it is registered).
    let hook = app
        .post_json("/webhooks", &json!({"url": "http://127.0.0.1:9/"}))
        .await;
    assert_eq!(hook.status(), StatusCode::CREATED);
    let hook: serde_json::Value = hook.json().await.expect("the hook");
    let hook_id = hook["id"].as_str().expect("its id").to_owned();

    let doc = api(&app).await;

    let version = doc["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3.0."), "{version}");
    let paths = doc["paths"].as_object().expect("paths");
    let documented: BTreeSet<&str> = paths.keys().map(String::as_str).collect();
    let routes = routes();
    let served: BTreeSet<&str> = routes.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(documented, served);
    for (path, methods) in &routes {
        let described: BTreeSet<&str> = paths[path]
            .as_object()
            .expect("a path item")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(described, methods.iter().copied().collect(), "{path}");
    }
    // Each documented GET answers when its path parameters are filled in.
    for (path, methods) in &routes {
        if !methods.contains(&"get") {
            continue;
        }
        let concrete = concrete(path, &id, &token_id)
            .replace("/webhooks/{id}", &format!("/webhooks/{hook_id}"));
        assert_eq!(
            app.get(&concrete).await.status(),
            StatusCode::OK,
            "GET {concrete}"
        );
    }
}

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const EPSG_4326: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";
const EPSG_3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";

#[tokio::test]
async fn every_items_parameter_is_documented_and_accepted_and_others_are_rejected() {
    let app = spawn_seeded_app().await;
    // The one priority kept is marked the duplicate of another, deleted
    // since: every filter below keeps it, duplicate_of= too.
    let kept = create_priority(&app, &priority()).await;
    let original = create_priority(&app, &priority()).await;
    let (kept, original) = (
        kept["id"].as_str().unwrap(),
        original["id"].as_str().unwrap(),
    );
    let marked = app
        .post_json(
            &format!("{ITEMS}/{kept}/transitions"),
            &json!({"status": "duplicate", "duplicate_of": original}),
        )
        .await;
    assert_eq!(marked.status(), StatusCode::OK);
    let gone = app
        .client
        .delete(app.url(&format!("{ITEMS}/{original}")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let doc = api(&app).await;
    let documented: BTreeSet<String> = doc["paths"][ITEMS]["get"]["parameters"]
        .as_array()
        .expect("the items GET parameters")
        .iter()
        .map(|p| resolved(&doc, p))
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    let valid = [
        ("bbox", "bbox=-67,10,-66,11".to_owned()),
        ("limit", "limit=5".into()),
        ("offset", "offset=0".into()),
        ("datetime", "datetime=2020-01-01T00:00:00Z/..".into()),
        ("state", "state=01".into()),
        ("municipality", "municipality=0101".into()),
        ("parish", "parish=010101".into()),
        ("council", "council=CC-1".into()),
        ("category", "category=water".into()),
        ("status", "status=duplicate".into()),
        ("placement", "placement=by_council".into()),
        ("overdue", "overdue=false".into()),
        ("duplicate_of", format!("duplicate_of={original}")),
        ("has_duplicates", "has_duplicates=false".into()),
        ("point", "point=-66.9146,10.5061&radius=1000".into()),
        ("radius", "radius=1000&point=-66.9146,10.5061".into()),
        ("geometry_type", "geometry_type=point".into()),
        ("filter", "filter=category%20%3D%20%27water%27".into()),
        ("filter-lang", "filter-lang=cql2-text".into()),
        (
            "filter-crs",
            format!("filter-crs={CRS84}&filter=S_INTERSECTS(geometry,POINT(-66.9146 10.5061))"),
        ),
        (
            "bbox-crs",
            format!("bbox-crs={EPSG_3857}&bbox=-7460000,1160000,-7440000,1190000"),
        ),
        ("sortby", "sortby=-created_at,title".into()),
        ("properties", "properties=title,status".into()),
        ("crs", format!("crs={EPSG_4326}")),
        ("f", "f=json".into()),
    ];

    let expected: BTreeSet<String> = valid.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(documented, expected);
    for (name, query) in valid {
        let (status, body) = app.get_json(&format!("{ITEMS}?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        assert_eq!(
            body["numberMatched"], 1,
            "{name} keeps the priority: {body}"
        );
    }
    let r = app.get(&format!("{ITEMS}?colour=red")).await;
    assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", "colour")).await;
}

/// QGIS reads the page size from `components.parameters.limit.schema`;
/// GDAL (3.9 and later) follows the `$ref` naming `limit` among the GET
/// parameters of the collection's literal items path. Both must find the
/// limits the server applies.
#[tokio::test]
async fn qgis_and_gdal_read_the_servers_page_limits() {
    let app = spawn_seeded_app().await;
    let doc = api(&app).await;

    let qgis = &doc["components"]["parameters"]["limit"]["schema"];
    assert_eq!(qgis["maximum"].as_u64(), Some(MAX_LIMIT as u64));
    assert_eq!(qgis["default"].as_u64(), Some(DEFAULT_LIMIT as u64));
    assert_eq!(qgis["minimum"].as_u64(), Some(1));

    for id in COLLECTIONS {
        let path = format!("/collections/{id}/items");
        let params = doc["paths"][&path]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path} is a literal path with parameters"));
        let reference = params
            .iter()
            .filter_map(|p| p["$ref"].as_str())
            .find(|r| r.contains("limit"))
            .unwrap_or_else(|| panic!("{path}: a $ref to limit"));
        let limit = doc
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{reference} resolves"));
        assert_eq!(limit["name"], "limit", "{path}");
        assert_eq!(
            limit["schema"]["maximum"].as_u64(),
            Some(MAX_LIMIT as u64),
            "{path}"
        );
        // A territory level's page is by default the whole level (its cap).
        let is_level = ["states", "municipalities", "parishes"].contains(&id);
        let default = if is_level { MAX_LIMIT } else { DEFAULT_LIMIT };
        assert_eq!(
            limit["schema"]["default"].as_u64(),
            Some(default as u64),
            "{path}"
        );
        // The declared default is the one the server applies.
        let (status, page) = app.get_json(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {page}");
        let matched = page["numberMatched"].as_u64().unwrap();
        assert_eq!(
            page["numberReturned"].as_u64(),
            Some(matched.min(default as u64)),
            "{path}"
        );
    }

    // The maximum is accepted as such, and more is clamped to it.
    for limit in [MAX_LIMIT, MAX_LIMIT + 1] {
        let (status, body) = app.get_json(&format!("{ITEMS}?limit={limit}")).await;
        assert_eq!(status, StatusCode::OK, "limit={limit}: {body}");
    }
}

/// The header's values the document allows in `response`.
fn declared<'a>(response: &'a Value, name: &str) -> &'a Value {
    &response["headers"][name]["schema"]
}

#[tokio::test]
async fn options_and_geojson_responses_send_the_declared_headers() {
    let app = spawn_seeded_app().await;
    let id = create_priority(&app, &priority()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let doc = api(&app).await;
    let item_path = "/collections/priorities/items/{featureId}";

    for (path, url) in [
        (ITEMS.to_owned(), ITEMS.to_owned()),
        (item_path.to_owned(), format!("{ITEMS}/{id}")),
    ] {
        let op = &doc["paths"][&path]["options"];
        assert_eq!(op["responses"]["204"]["headers"]["Allow"]["required"], true);
        let r = app
            .client
            .request(Method::OPTIONS, app.url(&url))
            .send()
            .await
            .expect("OPTIONS");
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "OPTIONS {url}");
        let allow = header(&r, "allow").expect("Allow");
        assert!(
            allow.contains("GET") && allow.contains("OPTIONS"),
            "{allow}"
        );
    }

    let allowed = |path: &str| -> Vec<String> {
        let schema = declared(
            &doc["paths"][path]["get"]["responses"]["200"],
            "Content-Crs",
        );
        serde_json::from_value(schema["enum"].clone()).expect("an enum of Content-Crs values")
    };
    for (path, url, crs) in [
        (ITEMS, ITEMS.to_owned(), CRS84),
        (ITEMS, format!("{ITEMS}?crs={EPSG_3857}"), EPSG_3857),
        (
            item_path,
            format!("{ITEMS}/{id}?crs={EPSG_4326}"),
            EPSG_4326,
        ),
        (
            "/collections/states/items",
            "/collections/states/items".to_owned(),
            CRS84,
        ),
    ] {
        let r = app.get(&url).await;
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        let sent = header(&r, "content-crs").expect("Content-Crs");
        assert_eq!(sent, format!("<{crs}>"), "{url}");
        assert!(allowed(path).contains(&sent), "{url}: {sent}");
    }
}
