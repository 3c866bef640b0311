//! OGC API – Features Part 3 (filtering) against the real server: each CQL2
//! expression returns, over all its pages, exactly the features a brute-force
//! evaluation written here selects from the unfiltered features; the
//! cql2-json form says the same; `filter` combines with the other items
//! parameters; bad filters are 400 problems naming the parameter.
//!
//! [`ogc_app`] seeds the data the other `ogc_*` modules and `gdal` share.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    CATEGORIES, CREATED_STATUSES, ITEMS, STATUSES, TestApp, assert_problem, each_case, features_of,
    follow_pages, ids, problem_type, spawn_app, territory,
};
use crate::queries::in_polygon;
use crate::queries_geodesic::vincenty_m;

/// How many priorities [`ogc_app`] seeds.
pub(crate) const SEEDED: usize = 36;

/// Councils of the seed: (code, parish, location).
const COUNCILS: [(&str, &str, [f64; 2]); 5] = [
    ("CC-1", "010101", [-66.985, 10.415]),
    ("CC-2", "010101", [-66.945, 10.435]),
    ("CC-3", "010102", [-66.905, 10.455]),
    ("CC-4", "010201", [-66.965, 10.475]),
    ("CC-5", "020101", [-66.925, 10.495]),
];

const TITLES: [&str; 7] = [
    "Agua potable",
    "Vialidad rural",
    "Ambulatorio",
    "Alumbrado público",
    "Gas doméstico",
    "Escuela básica",
    "agua servida",
];

const SEED_CATEGORIES: [&str; 6] = [
    "water",
    "roads",
    "health",
    "electricity",
    "gas",
    "education",
];

/// The centre of priority `i`: on a 0.02° grid, so that every geometry
/// (within 0.002° of its centre) lies wholly on one side of any box whose
/// edges are on multiples of 0.02° from -67, 10.4.
pub(crate) fn centre(i: usize) -> [f64; 2] {
    [
        -67.0 + (i % 6) as f64 * 0.02 + 0.005,
        10.4 + (i / 6) as f64 * 0.02 + 0.005,
    ]
}

/// Priority `i`'s geometry: a point, a line or a polygon by `i % 3`.
fn seed_geometry(i: usize) -> Value {
    let [x, y] = centre(i);
    let d = 0.002;
    match i % 3 {
        0 => json!({"type": "Point", "coordinates": [x, y]}),
        1 => json!({"type": "LineString", "coordinates": [[x - d, y - d], [x + d, y + d * 0.5]]}),
        _ => json!({"type": "Polygon", "coordinates": [[
            [x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]
        ]]}),
    }
}

/// Spawns an app with states `01`, `02`, municipalities, four parishes, the
/// councils of [`COUNCILS`] (with locations) and [`SEEDED`] priorities of
/// every geometry family, imported through the API with varied councils,
/// categories, statuses, creation times, titles and families (some none).
pub(crate) async fn ogc_app() -> TestApp {
    let app = spawn_app().await;
    let mut territories = vec![
        ("states", territory("01", "Distrito Capital")),
        ("states", territory("02", "Amazonas")),
        ("municipalities", territory("0101", "Libertador")),
        ("municipalities", territory("0102", "Chacao")),
        ("municipalities", territory("0201", "Atures")),
    ];
    for p in ["010101", "010102", "010201", "020101"] {
        territories.push(("parishes", territory(p, "Parroquia")));
    }
    for (code, parish, at) in COUNCILS {
        territories.push((
            "councils",
            json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": at},
                   "properties": {"code": code, "name": format!("Consejo {code}"), "parish": parish}}),
        ));
    }
    for (collection, body) in territories {
        let r = app
            .post_json(&format!("/collections/{collection}/items"), &body)
            .await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "seeding {collection}: {body}"
        );
    }
    let start: DateTime<Utc> = "2025-01-01T08:15:00Z".parse().unwrap();
    let features: Vec<Value> = (0..SEEDED)
        .map(|i| {
            let created = start
                + chrono::Duration::days(10 * i as i64)
                + chrono::Duration::hours((i % 4) as i64);
            let mut properties = json!({
                "council": COUNCILS[i % 5].0,
                "title": format!("{} {i}", TITLES[i % 7]),
                "category": SEED_CATEGORIES[(i / 2) % 6],
                "status": CREATED_STATUSES[(i / 3) % 5],
                "created_at": created.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            });
            if i % 4 != 0 {
                properties["families"] = json!((i * 13) % 250);
            }
            json!({"type": "Feature", "geometry": seed_geometry(i), "properties": properties})
        })
        .collect();
    assert_eq!(features.len(), SEEDED);
    app.import_ok(features).await;
    app
}

/// `s` percent-encoded for a query string.
pub(crate) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the oracle reads of a feature.
pub(crate) struct Row {
    pub id: String,
    pub council: String,
    pub state: String,
    pub parish: String,
    pub title: String,
    pub category: String,
    pub status: String,
    pub families: Option<i64>,
    pub created: DateTime<Utc>,
    pub family: &'static str,
    pub vertices: Vec<[f64; 2]>,
}

fn text(f: &Value, name: &str) -> String {
    f["properties"][name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} of {f}"))
        .to_owned()
}

/// Every `[x, y]` of a GeoJSON geometry's coordinates.
pub(crate) fn vertices(coordinates: &Value) -> Vec<[f64; 2]> {
    match coordinates.as_array() {
        Some(a) if a.len() >= 2 && a[0].is_number() => {
            vec![[a[0].as_f64().unwrap(), a[1].as_f64().unwrap()]]
        }
        Some(a) => a.iter().flat_map(vertices).collect(),
        None => Vec::new(),
    }
}

pub(crate) fn row(f: &Value) -> Row {
    let family = match f["geometry"]["type"].as_str().unwrap() {
        "Point" | "MultiPoint" => "point",
        "LineString" | "MultiLineString" => "line",
        _ => "polygon",
    };
    Row {
        id: f["id"].as_str().unwrap().to_owned(),
        council: text(f, "council"),
        state: text(f, "state"),
        parish: text(f, "parish"),
        title: text(f, "title"),
        category: text(f, "category"),
        status: text(f, "status"),
        families: f["properties"]["families"].as_i64(),
        created: text(f, "created_at").parse().unwrap(),
        family,
        vertices: vertices(&f["geometry"]["coordinates"]),
    }
}

/// Every seeded feature, fetched without a filter.
pub(crate) async fn all_rows(app: &TestApp) -> Vec<Row> {
    let (status, body) = app.get_json(&format!("{ITEMS}?limit=1000")).await;
    assert_eq!(status, StatusCode::OK);
    let rows: Vec<Row> = features_of(&body).iter().map(row).collect();
    assert_eq!(rows.len(), SEEDED);
    rows
}

// ---------------------------------------------------------------- the oracle

type Truth = Option<bool>;

fn cmp(v: Option<i64>, f: impl Fn(i64) -> bool) -> Truth {
    v.map(f)
}
fn and(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}
fn or(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}
fn not(a: Truth) -> Truth {
    a.map(|b| !b)
}

/// SQL's LIKE with `%` and `_`, on characters.
fn like(value: &str, pattern: &str) -> bool {
    fn go(v: &[char], p: &[char]) -> bool {
        match p.first() {
            None => v.is_empty(),
            Some('%') => (0..=v.len()).any(|k| go(&v[k..], &p[1..])),
            Some('_') => !v.is_empty() && go(&v[1..], &p[1..]),
            Some(c) => v.first() == Some(c) && go(&v[1..], &p[1..]),
        }
    }
    let v: Vec<char> = value.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    go(&v, &p)
}

/// `[min x, min y, max x, max y]`
pub(crate) type Boxed = [f64; 4];

pub(crate) fn in_box(b: Boxed, [x, y]: [f64; 2]) -> bool {
    b[0] <= x && x <= b[2] && b[1] <= y && y <= b[3]
}

/// Whether a feature meets the region `inside` tells apart: all of its
/// vertices are on the same side (which the seed's grid makes so for the
/// regions used here; checked), so any vertex inside says it.
pub(crate) fn meets(r: &Row, inside: impl Fn([f64; 2]) -> bool) -> bool {
    let n = r.vertices.iter().filter(|v| inside(**v)).count();
    assert!(
        n == 0 || n == r.vertices.len(),
        "the oracle's precondition: {} lies wholly on one side",
        r.id
    );
    n > 0
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const BOX: Boxed = [-66.98, 10.42, -66.92, 10.46];
const TRIANGLE: [[f64; 2]; 4] = [[-67.0, 10.4], [-66.88, 10.4], [-67.0, 10.52], [-67.0, 10.4]];

type Oracle = Box<dyn Fn(&Row) -> Truth + Send + Sync>;

/// (cql2-text, its cql2-json form where written, the oracle).
fn cases() -> Vec<(&'static str, Option<Value>, Oracle)> {
    vec![
        (
            "category = 'water'",
            Some(json!({"op": "=", "args": [{"property": "category"}, "water"]})),
            Box::new(|r| Some(r.category == "water")),
        ),
        (
            "category <> 'water'",
            Some(json!({"op": "<>", "args": [{"property": "category"}, "water"]})),
            Box::new(|r| Some(r.category != "water")),
        ),
        (
            "families > 100",
            Some(json!({"op": ">", "args": [{"property": "families"}, 100]})),
            Box::new(|r| cmp(r.families, |f| f > 100)),
        ),
        (
            "families >= 50 AND families < 200",
            Some(json!({"op": "and", "args": [
                {"op": ">=", "args": [{"property": "families"}, 50]},
                {"op": "<", "args": [{"property": "families"}, 200]}]})),
            Box::new(|r| and(cmp(r.families, |f| f >= 50), cmp(r.families, |f| f < 200))),
        ),
        (
            "families <= 30 OR category = 'gas'",
            None,
            Box::new(|r| or(cmp(r.families, |f| f <= 30), Some(r.category == "gas"))),
        ),
        (
            "NOT (families > 100)",
            Some(
                json!({"op": "not", "args": [{"op": ">", "args": [{"property": "families"}, 100]}]}),
            ),
            Box::new(|r| not(cmp(r.families, |f| f > 100))),
        ),
        (
            "families * 2 > 200",
            None,
            Box::new(|r| cmp(r.families, |f| f * 2 > 200)),
        ),
        (
            "status IN ('proposed', 'done')",
            Some(json!({"op": "in", "args": [{"property": "status"}, ["proposed", "done"]]})),
            Box::new(|r| Some(["proposed", "done"].contains(&r.status.as_str()))),
        ),
        (
            "status NOT IN ('proposed', 'done')",
            None,
            Box::new(|r| Some(!["proposed", "done"].contains(&r.status.as_str()))),
        ),
        (
            "council IN ('CC-1', 'CC-3')",
            None,
            Box::new(|r| Some(r.council == "CC-1" || r.council == "CC-3")),
        ),
        (
            "parish = '010102'",
            None,
            Box::new(|r| Some(r.parish == "010102")),
        ),
        ("state = '02'", None, Box::new(|r| Some(r.state == "02"))),
        (
            "title LIKE 'Agua%'",
            Some(json!({"op": "like", "args": [{"property": "title"}, "Agua%"]})),
            Box::new(|r| Some(like(&r.title, "Agua%"))),
        ),
        (
            "title LIKE '%rural%'",
            None,
            Box::new(|r| Some(like(&r.title, "%rural%"))),
        ),
        (
            "title NOT LIKE 'A%'",
            None,
            Box::new(|r| Some(!like(&r.title, "A%"))),
        ),
        (
            "CASEI(title) LIKE CASEI('agua%')",
            Some(json!({"op": "like", "args": [
                {"op": "casei", "args": [{"property": "title"}]},
                {"op": "casei", "args": ["agua%"]}]})),
            Box::new(|r| Some(like(&r.title.to_lowercase(), "agua%"))),
        ),
        (
            "category LIKE 'e%'",
            Some(json!({"op": "like", "args": [{"property": "category"}, "e%"]})),
            Box::new(|r| Some(like(&r.category, "e%"))),
        ),
        (
            "title LIKE 'Gas dom_stico%'",
            None,
            Box::new(|r| Some(like(&r.title, "Gas dom_stico%"))),
        ),
        (
            "families BETWEEN 50 AND 150",
            Some(json!({"op": "between", "args": [{"property": "families"}, 50, 150]})),
            Box::new(|r| cmp(r.families, |f| (50..=150).contains(&f))),
        ),
        (
            "families NOT BETWEEN 50 AND 150",
            None,
            Box::new(|r| not(cmp(r.families, |f| (50..=150).contains(&f)))),
        ),
        (
            "families IS NULL",
            Some(json!({"op": "isNull", "args": [{"property": "families"}]})),
            Box::new(|r| Some(r.families.is_none())),
        ),
        (
            "families IS NOT NULL",
            None,
            Box::new(|r| Some(r.families.is_some())),
        ),
        (
            "S_INTERSECTS(geometry, BBOX(-66.98, 10.42, -66.92, 10.46))",
            Some(json!({"op": "s_intersects", "args": [
                {"property": "geometry"}, {"bbox": [-66.98, 10.42, -66.92, 10.46]}]})),
            Box::new(|r| Some(meets(r, |p| in_box(BOX, p)))),
        ),
        (
            "S_INTERSECTS(geometry, POLYGON((-67 10.4, -66.88 10.4, -67 10.52, -67 10.4)))",
            Some(json!({"op": "s_intersects", "args": [
                {"property": "geometry"},
                {"type": "Polygon", "coordinates": [TRIANGLE]}]})),
            Box::new(|r| Some(meets(r, |p| in_polygon(&[TRIANGLE.to_vec()], p)))),
        ),
        (
            "NOT S_INTERSECTS(geometry, BBOX(-66.98, 10.42, -66.92, 10.46)) AND category = 'roads'",
            None,
            Box::new(|r| Some(!meets(r, |p| in_box(BOX, p)) && r.category == "roads")),
        ),
        (
            "geometry_type = 'polygon'",
            None,
            Box::new(|r| Some(r.family == "polygon")),
        ),
        (
            "T_AFTER(created_at, TIMESTAMP('2025-06-01T00:00:00Z'))",
            Some(json!({"op": "t_after", "args": [
                {"property": "created_at"}, {"timestamp": "2025-06-01T00:00:00Z"}]})),
            Box::new(|r| Some(r.created > at("2025-06-01T00:00:00Z"))),
        ),
        (
            "T_BEFORE(created_at, TIMESTAMP('2025-04-01T00:00:00Z'))",
            None,
            Box::new(|r| Some(r.created < at("2025-04-01T00:00:00Z"))),
        ),
        (
            "T_DURING(created_at, INTERVAL('2025-03-01T00:00:00Z', '2025-09-01T00:00:00Z'))",
            Some(json!({"op": "t_during", "args": [
                {"property": "created_at"},
                {"interval": ["2025-03-01T00:00:00Z", "2025-09-01T00:00:00Z"]}]})),
            Box::new(|r| {
                Some(
                    r.created > at("2025-03-01T00:00:00Z")
                        && r.created < at("2025-09-01T00:00:00Z"),
                )
            }),
        ),
        (
            "created_at >= TIMESTAMP('2025-05-01T00:00:00Z') AND status = 'approved'",
            None,
            Box::new(|r| Some(r.created >= at("2025-05-01T00:00:00Z") && r.status == "approved")),
        ),
        (
            "(category = 'water' OR category = 'health') AND NOT (status = 'rejected')",
            Some(json!({"op": "and", "args": [
                {"op": "or", "args": [
                    {"op": "=", "args": [{"property": "category"}, "water"]},
                    {"op": "=", "args": [{"property": "category"}, "health"]}]},
                {"op": "not", "args": [{"op": "=", "args": [{"property": "status"}, "rejected"]}]}]})),
            Box::new(|r| {
                Some((r.category == "water" || r.category == "health") && r.status != "rejected")
            }),
        ),
        (
            "council = 'CC-2' OR (families > 200 AND state = '01')",
            None,
            Box::new(|r| {
                or(
                    Some(r.council == "CC-2"),
                    and(cmp(r.families, |f| f > 200), Some(r.state == "01")),
                )
            }),
        ),
    ]
}

/// The ids (in order) and `numberMatched` of every page of `query`, 7 at a
/// time; every page must report the same `numberMatched`.
async fn paged(app: &TestApp, query: &str) -> (Vec<String>, u64) {
    let pages = follow_pages(app, &format!("{ITEMS}?limit=7&{query}")).await;
    let matched = pages[0]["numberMatched"].as_u64().expect("numberMatched");
    let mut all = Vec::new();
    for page in &pages {
        assert_eq!(page["numberMatched"], matched, "{query}");
        all.extend(ids(features_of(page)));
    }
    (all, matched)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn every_cql2_text_and_json_filter_returns_over_its_pages_what_a_brute_force_evaluation_selects()
 {
    let app = ogc_app().await;
    let rows = all_rows(&app).await;
    let app = &app;
    let rows = &rows;
    let labelled = cases().into_iter().map(|c| (c.0, c)).collect();
    each_case(labelled, async |(text, json_form, oracle)| {
        let expected: Vec<String> = sorted(
            rows.iter()
                .filter(|r| oracle(r) == Some(true))
                .map(|r| r.id.clone())
                .collect(),
        );
        assert!(
            !expected.is_empty() && expected.len() < SEEDED,
            "{text} tells the seeded features apart: {} match",
            expected.len()
        );
        let (got, matched) = paged(app, &format!("filter={}", enc(text))).await;
        assert_eq!(matched as usize, expected.len(), "numberMatched of {text}");
        assert_eq!(got.len(), expected.len(), "each feature once: {text}");
        assert_eq!(sorted(got), expected, "{text}");
        let (legacy, _) = paged(app, &format!("filter-lang=cql-text&filter={}", enc(text))).await;
        assert_eq!(sorted(legacy), expected, "cql-text {text}");
        if let Some(json_form) = json_form {
            let (got, matched) = paged(
                app,
                &format!(
                    "filter-lang=cql2-json&filter={}",
                    enc(&json_form.to_string())
                ),
            )
            .await;
            assert_eq!(matched as usize, expected.len(), "cql2-json {json_form}");
            assert_eq!(sorted(got), expected, "cql2-json {json_form}");
        }
    })
    .await;
    let nulls = rows.iter().filter(|r| r.families.is_none()).count();
    assert_eq!(nulls, SEEDED / 4);
}

#[tokio::test]
async fn ilike_in_legacy_cql_text_matches_without_case() {
    let app = ogc_app().await;
    let rows = all_rows(&app).await;
    let expected = sorted(
        rows.iter()
            .filter(|r| like(&r.title.to_lowercase(), "agua%"))
            .map(|r| r.id.clone())
            .collect(),
    );
    let (got, _) = paged(
        &app,
        &format!("filter-lang=cql-text&filter={}", enc("title ILIKE 'AGUA%'")),
    )
    .await;
    assert_eq!(sorted(got), expected);
    assert!(expected.len() >= 2, "both spellings of agua are seeded");
}

#[tokio::test]
async fn a_filter_combines_with_parish_bbox_and_point_radius_keeping_nearest_first() {
    let app = ogc_app().await;
    let rows = all_rows(&app).await;
    let pick = |keep: &dyn Fn(&Row) -> bool| -> Vec<String> {
        sorted(
            rows.iter()
                .filter(|r| keep(r))
                .map(|r| r.id.clone())
                .collect(),
        )
    };

    let (got, matched) = paged(
        &app,
        &format!("parish=010101&filter={}", enc("families IS NOT NULL")),
    )
    .await;
    let expected = pick(&|r| r.parish == "010101" && r.families.is_some());
    assert_eq!(matched as usize, expected.len());
    assert_eq!(sorted(got), expected, "parish and filter");

    let (got, matched) = paged(
        &app,
        &format!(
            "bbox=-66.98,10.42,-66.92,10.46&filter={}",
            enc("category IN ('water', 'roads', 'gas')")
        ),
    )
    .await;
    let expected = pick(&|r| {
        meets(r, |p| in_box(BOX, p)) && ["water", "roads", "gas"].contains(&r.category.as_str())
    });
    assert_eq!(matched as usize, expected.len());
    assert_eq!(sorted(got), expected, "bbox and filter");

    // Points only, so that the oracle's distance is Vincenty's geodesic.
    let here = [-66.95, 10.45];
    let radius = 4000.0;
    let filter = "geometry_type = 'point' AND status <> 'rejected'";
    let mut near: Vec<(f64, String)> = rows
        .iter()
        .filter(|r| r.family == "point" && r.status != "rejected")
        .map(|r| (vincenty_m(here, r.vertices[0]), r.id.clone()))
        .inspect(|(d, id)| assert!((d - radius).abs() > 50.0, "{id} is clear of the edge"))
        .filter(|(d, _)| *d <= radius)
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(near.len() >= 2, "the circle holds several points");
    let (status, body) = app
        .get_json(&format!(
            "{ITEMS}?limit=100&point=-66.95,10.45&radius=4000&filter={}",
            enc(filter)
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        ids(features_of(&body)),
        near.iter().map(|n| n.1.clone()).collect::<Vec<_>>(),
        "nearest first"
    );
    assert_eq!(body["numberMatched"], near.len());
}

#[tokio::test]
async fn geometry_type_returns_exactly_its_families() {
    let app = ogc_app().await;
    let rows = all_rows(&app).await;
    for (query, families) in [
        ("polygon", &["polygon"][..]),
        ("point,line", &["point", "line"][..]),
        ("line", &["line"][..]),
    ] {
        let (got, matched) = paged(&app, &format!("geometry_type={query}")).await;
        let expected = sorted(
            rows.iter()
                .filter(|r| families.contains(&r.family))
                .map(|r| r.id.clone())
                .collect(),
        );
        assert!(!expected.is_empty());
        assert_eq!(matched as usize, expected.len(), "{query}");
        assert_eq!(sorted(got), expected, "{query}");
    }
}

#[tokio::test]
async fn bad_filters_are_400_problems_naming_the_parameter() {
    let app = ogc_app().await;
    let deep = format!("{}category = 'water'{}", "(".repeat(40), ")".repeat(40));
    let mut deep_json = json!({"op": "=", "args": [{"property": "category"}, "water"]});
    for _ in 0..40 {
        deep_json = json!({"op": "not", "args": [deep_json]});
    }
    let cases = vec![
        (
            "an_unknown_property_names_filter",
            ("filter=colour%20%3D%20'red'".to_owned(), "filter", None),
        ),
        (
            "bad_syntax_names_filter_and_the_position",
            (
                format!("filter={}", enc("category = = 'water'")),
                "filter",
                Some("1:"),
            ),
        ),
        (
            "an_unknown_function_names_filter",
            (
                format!("filter={}", enc("FROB(title) = 'x'")),
                "filter",
                None,
            ),
        ),
        (
            "a_number_compared_with_text_names_filter",
            (
                format!("filter={}", enc("families = 'many'")),
                "filter",
                None,
            ),
        ),
        (
            "a_category_outside_its_enum_names_filter",
            (format!("filter={}", enc("category = 5")), "filter", None),
        ),
        (
            "a_category_that_is_not_one_names_filter",
            (
                format!("filter={}", enc("category = 'lava'")),
                "filter",
                None,
            ),
        ),
        (
            "too_deep_nesting_names_filter",
            (format!("filter={}", enc(&deep)), "filter", None),
        ),
        (
            "too_deep_json_nesting_names_filter",
            (
                format!(
                    "filter-lang=cql2-json&filter={}",
                    enc(&deep_json.to_string())
                ),
                "filter",
                None,
            ),
        ),
        (
            "malformed_cql2_json_names_filter",
            (
                format!("filter-lang=cql2-json&filter={}", enc(r#"{"op": "="#)),
                "filter",
                None,
            ),
        ),
        (
            "an_unknown_filter_lang_names_it",
            (
                format!("filter-lang=sql&filter={}", enc("category = 'water'")),
                "filter-lang",
                None,
            ),
        ),
        (
            "an_unknown_filter_crs_names_it",
            (
                format!(
                    "filter-crs={}&filter={}",
                    enc("http://www.opengis.net/def/crs/EPSG/0/9999"),
                    enc("category = 'water'")
                ),
                "filter-crs",
                None,
            ),
        ),
    ];
    let app = &app;
    each_case(cases, async |(query, parameter, position)| {
        let r = app.get(&format!("{ITEMS}?{query}")).await;
        let body = assert_problem(r, StatusCode::BAD_REQUEST, ("parameter", parameter)).await;
        assert_eq!(body["type"], problem_type("invalid-parameter"), "{body}");
        let detail = body["detail"].as_str().unwrap();
        if let Some(position) = position {
            assert!(
                detail.contains(position) || detail.contains("character"),
                "the message says where: {detail}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn conformance_declares_filtering_and_queryables_describe_every_filtered_property() {
    let app = ogc_app().await;
    let (status, body) = app.get_json("/conformance").await;
    assert_eq!(status, StatusCode::OK);
    let classes: Vec<&str> = body["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for class in [
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/arithmetic",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    ] {
        assert!(classes.contains(&class), "{class} in {classes:?}");
    }

    let r = app.get("/collections/priorities/queryables").await;
    assert_eq!(r.status(), StatusCode::OK);
    let content_type = crate::helpers::header(&r, "content-type").unwrap();
    assert!(
        content_type.starts_with("application/schema+json"),
        "{content_type}"
    );
    let doc: Value = r.json().await.unwrap();
    let props = &doc["properties"];
    let types = [
        ("id", "string"),
        ("council", "string"),
        ("state", "string"),
        ("parish", "string"),
        ("title", "string"),
        ("category", "string"),
        ("status", "string"),
        ("families", "integer"),
        ("created_at", "string"),
        ("geometry_type", "string"),
    ];
    for (name, kind) in types {
        assert_eq!(props[name]["type"], kind, "{name}: {doc}");
    }
    assert_eq!(props["created_at"]["format"], "date-time");
    assert!(props["geometry"].is_object(), "{doc}");
    let set = |v: &Value| -> BTreeSet<String> {
        v.as_array()
            .unwrap_or_else(|| panic!("an enum: {v}"))
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    let names = |n: &[&str]| -> BTreeSet<String> { n.iter().map(|s| s.to_string()).collect() };
    assert_eq!(set(&props["category"]["enum"]), names(&CATEGORIES));
    assert_eq!(set(&props["status"]["enum"]), names(&STATUSES));
    assert_eq!(
        set(&props["geometry_type"]["enum"]),
        names(&["point", "line", "polygon"])
    );
}
