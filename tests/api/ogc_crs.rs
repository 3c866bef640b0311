//! OGC API – Features Part 2 (coordinate reference systems) against the
//! real server: `crs` reprojects every coordinate as the closed-form
//! transforms written here say, `Content-Crs` names the CRS of the body,
//! `bbox-crs` reads the box in its CRS, and unsupported CRSs are 400s.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{ITEMS, assert_problem, each_case, features_of, header, ids};
use crate::ogc_filter::{enc, ogc_app};

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const EPSG4326: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";
const EPSG3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";

/// Web Mercator (EPSG:3857) of `[lon, lat]` degrees, in metres.
fn mercator([lon, lat]: [f64; 2]) -> [f64; 2] {
    const R: f64 = 6_378_137.0;
    [
        R * lon.to_radians(),
        R * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
            .tan()
            .ln(),
    ]
}

/// Every position of a geometry's coordinates, in order.
fn positions(coordinates: &Value) -> Vec<Vec<f64>> {
    match coordinates.as_array() {
        Some(a) if a.first().is_some_and(Value::is_number) => {
            vec![a.iter().map(|n| n.as_f64().unwrap()).collect()]
        }
        Some(a) => a.iter().flat_map(positions).collect(),
        None => Vec::new(),
    }
}

/// id → positions of every feature of `query`, after checking the body's
/// `Content-Crs` is `<crs>`.
async fn geometries(
    app: &crate::helpers::TestApp,
    query: &str,
    crs: &str,
) -> BTreeMap<String, (String, Vec<Vec<f64>>)> {
    let r = app.get(&format!("{ITEMS}?limit=1000&{query}")).await;
    assert_eq!(r.status(), StatusCode::OK, "{query}");
    assert_eq!(
        header(&r, "content-crs").as_deref(),
        Some(format!("<{crs}>").as_str()),
        "Content-Crs of {query}"
    );
    let body: Value = r.json().await.unwrap();
    features_of(&body)
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                (
                    f["geometry"]["type"].as_str().unwrap().to_owned(),
                    positions(&f["geometry"]["coordinates"]),
                ),
            )
        })
        .collect()
}

#[tokio::test]
async fn epsg_4326_swaps_the_axes_of_every_coordinate_and_3857_is_the_closed_form_projection() {
    let app = ogc_app().await;
    let lon_lat = geometries(&app, "", CRS84).await;
    let lat_lon = geometries(&app, &format!("crs={}", enc(EPSG4326)), EPSG4326).await;
    let metres = geometries(&app, &format!("crs={}", enc(EPSG3857)), EPSG3857).await;
    assert_eq!(lon_lat.len(), crate::ogc_filter::SEEDED);
    assert_eq!(
        lat_lon.keys().collect::<Vec<_>>(),
        lon_lat.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        metres.keys().collect::<Vec<_>>(),
        lon_lat.keys().collect::<Vec<_>>()
    );
    for (id, (kind, positions)) in &lon_lat {
        let (kind_4326, swapped) = &lat_lon[id];
        let (kind_3857, projected) = &metres[id];
        assert_eq!((kind, kind), (kind_4326, kind_3857), "{id}");
        assert_eq!(swapped.len(), positions.len(), "{id}");
        assert_eq!(projected.len(), positions.len(), "{id}");
        for ((p, s), m) in positions.iter().zip(swapped).zip(projected) {
            assert_eq!(s, &vec![p[1], p[0]], "{id}: EPSG:4326 is lat, lon");
            let [x, y] = mercator([p[0], p[1]]);
            assert!(
                (m[0] - x).abs() < 0.01 && (m[1] - y).abs() < 0.01,
                "{id}: {p:?} projects to {x}, {y}; got {m:?}"
            );
        }
    }
}

#[tokio::test]
async fn content_crs_names_the_requested_crs_on_items_and_single_items_and_crs84_by_default() {
    let app = ogc_app().await;
    let (_, body) = app.get_json(&format!("{ITEMS}?limit=1")).await;
    let id = ids(features_of(&body))[0].clone();
    let item = format!("{ITEMS}/{id}");
    let cases = vec![
        ("items_by_default", (format!("{ITEMS}?limit=3"), CRS84)),
        ("one_item_by_default", (item.clone(), CRS84)),
        (
            "items_with_properties",
            (format!("{ITEMS}?properties=title"), CRS84),
        ),
        (
            "items_in_crs84_asked",
            (format!("{ITEMS}?crs={}", enc(CRS84)), CRS84),
        ),
        (
            "items_in_4326",
            (format!("{ITEMS}?crs={}", enc(EPSG4326)), EPSG4326),
        ),
        (
            "items_in_3857_as_a_safe_curie",
            (format!("{ITEMS}?crs={}", enc("[EPSG:3857]")), EPSG3857),
        ),
        (
            "one_item_in_4326",
            (format!("{item}?crs={}", enc(EPSG4326)), EPSG4326),
        ),
        (
            "one_item_in_3857",
            (format!("{item}?crs={}", enc(EPSG3857)), EPSG3857),
        ),
    ];
    let app = &app;
    each_case(cases, async |(path, crs)| {
        let r = app.get(&path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&r, "content-crs"),
            Some(format!("<{crs}>")),
            "{path}"
        );
    })
    .await;

    // One item in 4326 is the CRS84 one with its axes swapped.
    let (_, plain) = app.get_json(&item).await;
    let (_, swapped) = app.get_json(&format!("{item}?crs={}", enc(EPSG4326))).await;
    let p = positions(&plain["geometry"]["coordinates"]);
    let s = positions(&swapped["geometry"]["coordinates"]);
    assert_eq!(
        s,
        p.iter().map(|v| vec![v[1], v[0]]).collect::<Vec<_>>(),
        "{id}"
    );
}

#[tokio::test]
async fn a_bbox_in_epsg_4326_or_3857_selects_what_the_same_box_in_crs84_does() {
    let app = ogc_app().await;
    for [x0, y0, x1, y1] in [
        [-66.98, 10.42, -66.92, 10.46],
        [-67.0, 10.4, -66.94, 10.5],
        [-66.9, 10.44, -66.86, 10.52],
    ] {
        let plain = crate::helpers::ids_for(&app, &format!("bbox={x0},{y0},{x1},{y1}")).await;
        assert!(!plain.is_empty() && plain.len() < crate::ogc_filter::SEEDED);
        let lat_lon = crate::helpers::ids_for(
            &app,
            &format!("bbox={y0},{x0},{y1},{x1}&bbox-crs={}", enc(EPSG4326)),
        )
        .await;
        assert_eq!(lat_lon, plain, "EPSG:4326 is minLat,minLon,maxLat,maxLon");
        let [mx0, my0] = mercator([x0, y0]);
        let [mx1, my1] = mercator([x1, y1]);
        let metres = crate::helpers::ids_for(
            &app,
            &format!("bbox={mx0},{my0},{mx1},{my1}&bbox-crs={}", enc(EPSG3857)),
        )
        .await;
        assert_eq!(metres, plain, "EPSG:3857");
    }
}

#[tokio::test]
async fn an_unsupported_crs_is_a_400_naming_its_parameter() {
    let app = ogc_app().await;
    let (_, body) = app.get_json(&format!("{ITEMS}?limit=1")).await;
    let id = ids(features_of(&body))[0].clone();
    let utm = enc("http://www.opengis.net/def/crs/EPSG/0/32619");
    let cases = vec![
        ("crs_on_items", (format!("{ITEMS}?crs={utm}"), "crs")),
        (
            "crs_on_one_item",
            (format!("{ITEMS}/{id}?crs={utm}"), "crs"),
        ),
        ("a_bare_word_crs", (format!("{ITEMS}?crs=mercator"), "crs")),
        (
            "bbox_crs",
            (
                format!("{ITEMS}?bbox=-67,10,-66,11&bbox-crs={utm}"),
                "bbox-crs",
            ),
        ),
        (
            "filter_crs",
            (
                format!("{ITEMS}?filter={}&filter-crs={utm}", enc("families > 1")),
                "filter-crs",
            ),
        ),
    ];
    let app = &app;
    each_case(cases, async |(path, parameter)| {
        let r = app.get(&path).await;
        assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", parameter)).await;
    })
    .await;
}

#[tokio::test]
async fn every_collection_lists_its_crs_and_storage_crs() {
    let app = ogc_app().await;
    let (status, body) = app.get_json("/collections").await;
    assert_eq!(status, StatusCode::OK);
    let collections = body["collections"].as_array().unwrap();
    assert!(collections.len() >= 5, "{body}");
    for c in collections {
        let id = c["id"].as_str().unwrap();
        let crs: Vec<&str> = c["crs"]
            .as_array()
            .unwrap_or_else(|| panic!("{id} lists crs: {c}"))
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(crs.contains(&CRS84), "{id}: {crs:?}");
        let storage = c["storageCrs"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: {c}"));
        assert_eq!(storage, CRS84, "{id}");
        let (status, one) = app.get_json(&format!("/collections/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(one["storageCrs"], storage, "{id}");
        assert_eq!(one["crs"], c["crs"], "{id}");
    }
    let priorities = collections
        .iter()
        .find(|c| c["id"] == "priorities")
        .unwrap();
    for crs in [CRS84, EPSG4326, EPSG3857] {
        assert!(
            priorities["crs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == crs),
            "{crs}"
        );
    }
}
