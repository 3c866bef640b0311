//! Open311 GeoReport v2: the listing compared with a brute-force filter of
//! the seeded dataset of `queries`, every record's members with the
//! specification's examples, the XML form with the JSON form member by
//! member, and requests created with a spokesperson's token.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{CATEGORIES, TestApp, assert_problem, spawn_seeded_app};
use crate::queries::{Item, Shape, micros_to_rfc3339, seeded};

/// The members of a service request in the specification's example of
/// `GET requests` (wiki.open311.org/GeoReport_v2).
const REQUEST_MEMBERS: [&str; 17] = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];
/// The members of a service in the example of `GET services`.
const SERVICE_MEMBERS: [&str; 7] = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
];

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.get_json(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// The XML form's records, each as (member, text) pairs.
async fn xml_records(app: &TestApp, path: &str, item: &str) -> Vec<Vec<(String, String)>> {
    let r = app.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    let text = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    doc.root_element()
        .children()
        .filter(|n| n.has_tag_name(item))
        .map(|record| {
            record
                .children()
                .filter(|n| n.is_element())
                .map(|m| {
                    (
                        m.tag_name().name().to_owned(),
                        m.text().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .collect()
}

/// A JSON value as the XML form writes it.
fn as_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn services_are_the_categories_in_both_forms() {
    let app = spawn_seeded_app().await;
    let services = get_json(&app, "/open311/v2/services.json").await;
    let list = services.as_array().unwrap();
    let codes: Vec<&str> = list
        .iter()
        .map(|s| s["service_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, CATEGORIES);
    for s in list {
        assert_eq!(keys(s), SERVICE_MEMBERS.into_iter().collect());
    }
    let xml = xml_records(&app, "/open311/v2/services.xml", "service").await;
    assert_eq!(xml.len(), list.len());
    for (json, xml) in list.iter().zip(&xml) {
        let members: Vec<(String, String)> = json
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), as_text(v)))
            .collect();
        assert_eq!(&members, xml);
    }
    let definition = get_json(&app, "/open311/v2/services/water.json").await;
    assert_eq!(definition["service_code"], "water");
    let codes: Vec<&str> = definition["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["council", "families"]);
    assert_problem(
        app.get("/open311/v2/services/lava.json").await,
        StatusCode::NOT_FOUND,
        ("parameter", "service_code"),
    )
    .await;
    assert_problem(
        app.get("/open311/v2/services/water.csv").await,
        StatusCode::NOT_FOUND,
        ("parameter", "service_code"),
    )
    .await;
}

/// The brute-force listing: created in the window, of the services and
/// Open311 statuses asked for, most recent first.
pub(crate) fn expected(
    items: &[Item],
    start: i64,
    end: i64,
    services: &[&str],
    open: Option<bool>,
) -> Vec<String> {
    let mut hits: Vec<&Item> = items
        .iter()
        .filter(|i| start <= i.created && i.created <= end)
        .filter(|i| services.is_empty() || services.contains(&i.category))
        .filter(|i| open.is_none_or(|o| o == !matches!(i.status, "done" | "rejected")))
        .collect();
    hits.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    hits.into_iter().map(|i| i.id.clone()).collect()
}

#[tokio::test]
async fn requests_equal_a_brute_force_listing_in_both_forms() {
    let (app, data) = seeded(311).await;
    let day = 86_400_000_000i64;
    let first = 1_735_689_600_000_000i64; // 2025-01-01, the dataset's start
    for (k, (services, status)) in [
        (vec![], None),
        (vec!["water"], Some(true)),
        (vec!["health", "roads"], Some(false)),
    ]
    .into_iter()
    .enumerate()
    {
        let start = first + (100 + 150 * k as i64) * day;
        let end = start + 90 * day;
        let mut query = format!(
            "start_date={}&end_date={}",
            micros_to_rfc3339(start),
            micros_to_rfc3339(end)
        );
        if !services.is_empty() {
            query.push_str(&format!("&service_code={}", services.join(",")));
        }
        if let Some(open) = status {
            query.push_str(if open {
                "&status=open"
            } else {
                "&status=closed"
            });
        }
        let query = query.replace('+', "%2B");
        let list = get_json(&app, &format!("/open311/v2/requests.json?{query}")).await;
        let got: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["service_request_id"].as_str().unwrap().to_owned())
            .collect();
        let want = expected(&data.items, start, end, &services, status);
        assert!(!want.is_empty(), "{query}");
        assert_eq!(got, want, "{query}");
        for r in list.as_array().unwrap() {
            assert_eq!(keys(r), REQUEST_MEMBERS.into_iter().collect());
            let item = data
                .items
                .iter()
                .find(|i| i.id == r["service_request_id"])
                .unwrap();
            assert_eq!(r["service_code"], item.category);
            assert_eq!(r["status_notes"], item.status);
            let open = !matches!(item.status, "done" | "rejected");
            assert_eq!(r["status"], if open { "open" } else { "closed" });
            assert_eq!(r["address_id"], item.parish);
            assert_eq!(r["address"], "Parroquia, Municipio, Estado");
            let requested =
                chrono::DateTime::parse_from_rfc3339(r["requested_datetime"].as_str().unwrap())
                    .unwrap();
            assert_eq!(requested.timestamp_micros(), item.created);
            if let Shape::Points(p) = &item.shape
                && p.len() == 1
            {
                assert_eq!(
                    [r["long"].as_f64().unwrap(), r["lat"].as_f64().unwrap()],
                    p[0]
                );
            }
        }
        // Pages of 7 put together are the whole list.
        let mut paged = Vec::new();
        for page in 1.. {
            let part = get_json(
                &app,
                &format!("/open311/v2/requests.json?{query}&page_size=7&page={page}"),
            )
            .await;
            let part = part.as_array().unwrap().clone();
            if part.is_empty() {
                break;
            }
            paged.extend(
                part.iter()
                    .map(|r| r["service_request_id"].as_str().unwrap().to_owned()),
            );
        }
        assert_eq!(paged, got);
        // The XML form holds the same records, member by member.
        let xml = xml_records(
            &app,
            &format!("/open311/v2/requests.xml?{query}"),
            "request",
        )
        .await;
        assert_eq!(xml.len(), got.len());
        for (json, xml) in list.as_array().unwrap().iter().zip(&xml) {
            for ((k, v), (xk, xv)) in json.as_object().unwrap().iter().zip(xml) {
                assert_eq!(k, xk);
                match v {
                    Value::Number(n) => assert_eq!(n.as_f64().unwrap(), xv.parse::<f64>().unwrap()),
                    _ => assert_eq!(&as_text(v), xv, "{k}"),
                }
            }
        }
    }
    // By id, whatever the dates.
    let one = &data.items[3];
    let got = get_json(&app, &format!("/open311/v2/requests/{}.json", one.id)).await;
    assert_eq!(got[0]["service_request_id"], one.id);
    let many = get_json(
        &app,
        &format!(
            "/open311/v2/requests.json?service_request_id={},{}",
            data.items[0].id, one.id
        ),
    )
    .await;
    assert_eq!(many.as_array().unwrap().len(), 2);
    assert_problem(
        app.get("/open311/v2/requests.json?start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z").await,
        StatusCode::BAD_REQUEST,
        ("parameter", "end_date"),
    )
    .await;
    assert_problem(
        app.get("/open311/v2/requests.json?status=pending").await,
        StatusCode::BAD_REQUEST,
        ("parameter", "status"),
    )
    .await;
}

/// POSTs a form to `path`, as GeoReport clients send it.
async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(form).unwrap())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_spokesperson_creates_a_proposed_priority_and_bad_forms_store_nothing() {
    let app = spawn_seeded_app().await;
    let key = app.token("spokesperson", Some("CC-1")).await;
    let good = [
        ("api_key", key.as_str()),
        ("service_code", "water"),
        ("lat", "10.5061"),
        ("long", "-66.9146"),
        (
            "description",
            "Tubería rota en la calle 3\nPerdemos agua desde hace una semana.",
        ),
        ("attribute[families]", "40"),
        ("email", "vecina@example.org"),
    ];
    for (form, status, member) in [
        (
            vec![
                ("service_code", "water"),
                ("lat", "10.5"),
                ("long", "-66.9"),
                ("description", "x"),
            ],
            StatusCode::UNAUTHORIZED,
            None,
        ),
        (
            vec![
                ("api_key", "nope"),
                ("service_code", "water"),
                ("lat", "10.5"),
                ("long", "-66.9"),
                ("description", "x"),
            ],
            StatusCode::UNAUTHORIZED,
            None,
        ),
        (
            vec![
                ("api_key", key.as_str()),
                ("service_code", "lava"),
                ("lat", "10.5"),
                ("long", "-66.9"),
                ("description", "x"),
            ],
            StatusCode::BAD_REQUEST,
            Some("service_code"),
        ),
        (
            vec![
                ("api_key", key.as_str()),
                ("service_code", "water"),
                ("long", "-66.9"),
                ("description", "x"),
            ],
            StatusCode::BAD_REQUEST,
            Some("lat"),
        ),
        (
            vec![
                ("api_key", key.as_str()),
                ("service_code", "water"),
                ("lat", "95"),
                ("long", "-66.9"),
                ("description", "x"),
            ],
            StatusCode::BAD_REQUEST,
            Some("lat"),
        ),
        (
            vec![
                ("api_key", key.as_str()),
                ("service_code", "water"),
                ("lat", "10.5"),
                ("long", "-66.9"),
            ],
            StatusCode::BAD_REQUEST,
            Some("description"),
        ),
        (
            vec![
                ("api_key", key.as_str()),
                ("service_code", "water"),
                ("lat", "10.5"),
                ("long", "-66.9"),
                ("description", "x"),
                ("colour", "red"),
            ],
            StatusCode::BAD_REQUEST,
            Some("colour"),
        ),
    ] {
        let r = post_form(&app, "/open311/v2/requests.json", &form).await;
        match member {
            Some(m) => {
                let body = assert_problem(r, status, ("parameter", m)).await;
                assert!(body["detail"].is_string());
            }
            None => assert_eq!(r.status(), status, "{form:?}"),
        }
    }
    let json_body = reqwest::Client::new()
        .post(app.url("/open311/v2/requests.json"))
        .json(&json!({"api_key": key}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        app.priority_count().await,
        0,
        "nothing stored by a refused form"
    );

    let r = post_form(&app, "/open311/v2/requests.json", &good).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, feature) = app
        .get_json(&format!("/collections/priorities/items/{id}"))
        .await;
    let p = &feature["properties"];
    assert_eq!(p["status"], "proposed");
    assert_eq!(p["category"], "water");
    assert_eq!(p["council"], "CC-1");
    assert_eq!(p["title"], "Tubería rota en la calle 3");
    assert_eq!(p["families"], 40);
    assert_eq!(
        feature["geometry"]["coordinates"],
        json!([-66.9146, 10.5061])
    );
    let listed = get_json(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(listed[0]["status"], "open");
    assert_eq!(
        listed[0]["address"],
        "Catedral, Libertador, Distrito Capital"
    );
    // In XML too.
    let r = post_form(&app, "/open311/v2/requests.xml", &good).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let text = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert!(
        doc.descendants()
            .any(|n| n.has_tag_name("service_request_id"))
    );
    assert_eq!(app.priority_count().await, 2);
}
