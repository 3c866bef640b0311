//! `/statistics` compared with a brute-force aggregation of a seeded random
//! dataset: 300 priorities of 6 councils in 4 parishes of 2 states (and a
//! parish with no council), grouped by state, municipality or parish, with
//! and without filters, as JSON here and as CSV in `statistics_csv`.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::StatusCode;
use serde_json::{Map, Value, json};

use crate::helpers::{
    CATEGORIES, CREATED_STATUSES, STATUSES, Square, TestApp, council, ring, spawn_app,
};

pub(crate) const PRIORITIES: usize = 300;

/// Every territory: code, name, boundary.
pub(crate) const TERRITORIES: [(&str, &str, Square); 10] = [
    ("01", "Distrito Capital", [-67.0, 10.0, -66.6, 11.0]),
    ("02", "Miranda", [-66.6, 10.0, -66.0, 11.0]),
    ("0101", "Libertador", [-67.0, 10.0, -66.75, 11.0]),
    ("0102", "Chacao", [-66.75, 10.0, -66.6, 11.0]),
    ("0201", "Sucre", [-66.6, 10.0, -66.0, 11.0]),
    ("010101", "Catedral", [-66.95, 10.45, -66.85, 10.55]),
    ("010102", "Sucre, Antímano", [-66.85, 10.45, -66.75, 10.55]),
    ("010201", "El \"Rosal\"", [-66.75, 10.45, -66.65, 10.55]),
    ("020101", "Petare", [-66.55, 10.45, -66.45, 10.55]),
    ("020102", "Leoncio Martínez", [-66.45, 10.45, -66.35, 10.55]),
];

/// Councils and their parishes; the last two never write a priority.
pub(crate) const COUNCILS: [(&str, &str); 8] = [
    ("CC-01", "010101"),
    ("CC-02", "010101"),
    ("CC-03", "010102"),
    ("CC-04", "010201"),
    ("CC-05", "020101"),
    ("CC-06", "020101"),
    ("CC-07", "020101"),
    ("CC-08", "010102"),
];
pub(crate) const ACTIVE_COUNCILS: usize = 6;

/// A priority as the test created it.
#[derive(Debug, Clone)]
pub(crate) struct Made {
    pub(crate) council: &'static str,
    /// Where it lies (its council's parish, unless placed elsewhere on purpose).
    pub(crate) parish: &'static str,
    pub(crate) category: &'static str,
    pub(crate) status: &'static str,
    pub(crate) families: u64,
    /// Microseconds since the epoch.
    pub(crate) created: i64,
    pub(crate) lon: f64,
    pub(crate) lat: f64,
}

pub(crate) fn square_of(code: &str) -> Square {
    TERRITORIES.iter().find(|t| t.0 == code).unwrap().2
}

/// The boundary file of the level whose codes have `digits` digits.
pub(crate) fn boundary_file(digits: usize) -> Value {
    let features: Vec<Value> = TERRITORIES
        .iter()
        .filter(|t| t.0.len() == digits)
        .map(|(code, name, square)| {
            json!({"type": "Feature",
                   "geometry": {"type": "Polygon", "coordinates": [ring(*square)]},
                   "properties": {"code": code, "name": name}})
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// The 300 priorities of the dataset, the same on every call.
pub(crate) fn dataset() -> Vec<Made> {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let start = NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_micros();
    (0..PRIORITIES)
        .map(|_| {
            let (council, parish) = COUNCILS[rng.random_range(0..ACTIVE_COUNCILS)];
            let [x0, y0, x1, y1] = square_of(parish);
            let minutes: i64 = rng.random_range(0..366 * 24 * 60);
            Made {
                council,
                parish,
                category: CATEGORIES[rng.random_range(0..CATEGORIES.len())],
                status: CREATED_STATUSES[rng.random_range(0..CREATED_STATUSES.len())],
                families: if rng.random_range(0..4) == 0 {
                    0
                } else {
                    rng.random_range(1..500)
                },
                created: start + minutes * 60_000_000,
                lon: rng.random_range(x0 + 0.002..x1 - 0.002),
                lat: rng.random_range(y0 + 0.002..y1 - 0.002),
            }
        })
        .collect()
}

pub(crate) fn rfc3339(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .unwrap()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) fn micros(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_micros()
}

pub(crate) fn feature_of(m: &Made, i: usize) -> Value {
    let mut properties = json!({
        "council": m.council,
        "title": format!("Prioridad {i}"),
        "category": m.category,
        "status": m.status,
        "created_at": rfc3339(m.created),
    });
    // A quarter leave families out; they count as 0.
    if m.families > 0 {
        properties["families"] = m.families.into();
    }
    json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [m.lon, m.lat]},
           "properties": properties})
}

/// An app with every territory (and boundary), every council and `made`.
pub(crate) async fn spawn_app_with(made: &[Made]) -> TestApp {
    let app = spawn_app().await;
    for (collection, digits) in [("states", 2), ("municipalities", 4), ("parishes", 6)] {
        let r = app
            .post_raw(
                &format!("/collections/{collection}/import"),
                "application/geo+json",
                boundary_file(digits).to_string(),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "importing {collection}");
    }
    for (code, parish) in COUNCILS {
        let r = app
            .post_json(
                "/collections/councils/items",
                &council(code, &format!("Consejo {code}"), parish),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let features: Vec<Value> = made
        .iter()
        .enumerate()
        .map(|(i, m)| feature_of(m, i))
        .collect();
    let r = app
        .post_raw(
            "/collections/priorities/import",
            "application/geo+json",
            json!({"type": "FeatureCollection", "features": features}).to_string(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["created"], made.len(), "{report}");
    assert_eq!(report["errors"], json!([]), "{report}");
    app
}

pub(crate) async fn spawn_dataset_app() -> (TestApp, Vec<Made>) {
    let made = dataset();
    let app = spawn_app_with(&made).await;
    (app, made)
}

// ---------------------------------------------------------------- the oracle

/// The filters of a statistics request, as the oracle applies them.
#[derive(Debug, Default, Clone)]
pub(crate) struct Filter {
    pub(crate) categories: Vec<&'static str>,
    pub(crate) statuses: Vec<&'static str>,
    pub(crate) states: Vec<&'static str>,
    pub(crate) municipalities: Vec<&'static str>,
    pub(crate) parishes: Vec<&'static str>,
    pub(crate) councils: Vec<&'static str>,
    pub(crate) bbox: Option<Square>,
    pub(crate) placements: Vec<&'static str>,
    /// Inclusive bounds, in microseconds.
    pub(crate) from: Option<i64>,
    pub(crate) to: Option<i64>,
}

impl Filter {
    fn territorial(&self) -> Vec<&Vec<&'static str>> {
        [&self.states, &self.municipalities, &self.parishes]
            .into_iter()
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// Whether a parish lies in every territorial list.
    fn holds_parish(&self, parish: &str) -> bool {
        self.territorial()
            .iter()
            .all(|l| l.iter().any(|c| parish.starts_with(c)))
    }

    fn matches(&self, m: &Made) -> bool {
        let listed = |list: &[&str], v: &str| list.is_empty() || list.contains(&v);
        listed(&self.categories, m.category)
            && listed(&self.statuses, m.status)
            && listed(&self.councils, m.council)
            && listed(&self.placements, placement_of(m))
            && self.holds_parish(m.parish)
            && self.bbox.is_none_or(|[x0, y0, x1, y1]| {
                (x0..=x1).contains(&m.lon) && (y0..=y1).contains(&m.lat)
            })
            && self.from.is_none_or(|t| m.created >= t)
            && self.to.is_none_or(|t| m.created <= t)
    }
}

/// How the service should place `m`: parish boundaries are loaded.
pub(crate) fn placement_of(m: &Made) -> &'static str {
    let council_parish = COUNCILS.iter().find(|c| c.0 == m.council).unwrap().1;
    if council_parish == m.parish {
        "inside_council_parish"
    } else {
        "outside_council_parish"
    }
}

pub(crate) fn columns(digits: usize) -> Vec<String> {
    let mut cols: Vec<String> = vec!["code".into(), "name".into()];
    if digits >= 4 {
        cols.push("state".into());
    }
    if digits == 6 {
        cols.push("municipality".into());
    }
    for c in [
        "councils",
        "councils_with_priorities",
        "priorities",
        "families",
    ] {
        cols.push(c.into());
    }
    cols.extend(STATUSES.iter().map(|s| format!("status_{s}")));
    cols.extend(CATEGORIES.iter().map(|c| format!("category_{c}")));
    cols
}

/// The rows and totals `/statistics` should answer, counted one priority at a time.
pub(crate) fn expected(made: &[Made], digits: usize, filter: &Filter) -> (Vec<Value>, Value) {
    let lists = filter.territorial();
    let overlaps = |t: &str| {
        lists
            .iter()
            .all(|l| l.iter().any(|c| t.starts_with(c) || c.starts_with(t)))
    };
    let matching: Vec<&Made> = made.iter().filter(|m| filter.matches(m)).collect();
    let mut rows = Vec::new();
    for (code, name, _) in TERRITORIES.iter().filter(|t| t.0.len() == digits) {
        if !overlaps(code) {
            continue;
        }
        let inside: Vec<&&Made> = matching
            .iter()
            .filter(|m| m.parish.starts_with(code))
            .collect();
        let mut row = Map::new();
        row.insert("code".into(), (*code).into());
        row.insert("name".into(), (*name).into());
        if digits >= 4 {
            row.insert("state".into(), code[..2].into());
        }
        if digits == 6 {
            row.insert("municipality".into(), code[..4].into());
        }
        let registered = COUNCILS
            .iter()
            .filter(|(c, p)| {
                p.starts_with(code)
                    && filter.holds_parish(p)
                    && (filter.councils.is_empty() || filter.councils.contains(c))
            })
            .count();
        row.insert("councils".into(), registered.into());
        let with_priorities: BTreeSet<&str> = inside.iter().map(|m| m.council).collect();
        row.insert(
            "councils_with_priorities".into(),
            with_priorities.len().into(),
        );
        row.insert("priorities".into(), inside.len().into());
        row.insert(
            "families".into(),
            inside.iter().map(|m| m.families).sum::<u64>().into(),
        );
        for s in STATUSES {
            let n = inside.iter().filter(|m| m.status == s).count();
            row.insert(format!("status_{s}"), n.into());
        }
        for c in CATEGORIES {
            let n = inside.iter().filter(|m| m.category == c).count();
            row.insert(format!("category_{c}"), n.into());
        }
        rows.push(Value::Object(row));
    }
    let mut totals = Map::new();
    for column in columns(digits).iter().skip_while(|c| *c != "councils") {
        let sum: u64 = rows.iter().map(|r| r[column].as_u64().unwrap()).sum();
        totals.insert(column.clone(), sum.into());
    }
    (rows, Value::Object(totals))
}

/// Filters to compare under, each with its query string.
pub(crate) fn filters() -> Vec<(&'static str, Filter)> {
    vec![
        ("", Filter::default()),
        (
            "category=water,health",
            Filter {
                categories: vec!["water", "health"],
                ..Default::default()
            },
        ),
        (
            "status=done",
            Filter {
                statuses: vec!["done"],
                ..Default::default()
            },
        ),
        (
            "state=02",
            Filter {
                states: vec!["02"],
                ..Default::default()
            },
        ),
        (
            "municipality=0101",
            Filter {
                municipalities: vec!["0101"],
                ..Default::default()
            },
        ),
        (
            "parish=010102,020102",
            Filter {
                parishes: vec!["010102", "020102"],
                ..Default::default()
            },
        ),
        (
            "council=CC-01,CC-05",
            Filter {
                councils: vec!["CC-01", "CC-05"],
                ..Default::default()
            },
        ),
        (
            "bbox=-66.9,10.47,-66.5,10.52",
            Filter {
                bbox: Some([-66.9, 10.47, -66.5, 10.52]),
                ..Default::default()
            },
        ),
        (
            "datetime=2024-03-01T00:00:30Z/2024-07-01T00:00:30Z",
            Filter {
                from: Some(micros("2024-03-01T00:00:30Z")),
                to: Some(micros("2024-07-01T00:00:30Z")),
                ..Default::default()
            },
        ),
        (
            "datetime=../2024-02-01T00:00:30Z",
            Filter {
                to: Some(micros("2024-02-01T00:00:30Z")),
                ..Default::default()
            },
        ),
        (
            "datetime=2024-05-05/2024-05-20",
            Filter {
                from: Some(micros("2024-05-05T00:00:00Z")),
                to: Some(micros("2024-05-20T23:59:59.999999Z")),
                ..Default::default()
            },
        ),
        (
            "state=01&status=approved,proposed&category=roads,water,gas",
            Filter {
                states: vec!["01"],
                statuses: vec!["approved", "proposed"],
                categories: vec!["roads", "water", "gas"],
                ..Default::default()
            },
        ),
        (
            "state=01&parish=020101",
            Filter {
                states: vec!["01"],
                parishes: vec!["020101"],
                ..Default::default()
            },
        ),
        (
            "state=01,02&municipality=0102&council=CC-04,CC-05",
            Filter {
                states: vec!["01", "02"],
                municipalities: vec!["0102"],
                councils: vec!["CC-04", "CC-05"],
                ..Default::default()
            },
        ),
        (
            "placement=inside_council_parish",
            Filter {
                placements: vec!["inside_council_parish"],
                ..Default::default()
            },
        ),
        (
            "placement=outside_council_parish,outside_every_parish",
            Filter {
                placements: vec!["outside_council_parish", "outside_every_parish"],
                ..Default::default()
            },
        ),
    ]
}

pub(crate) async fn statistics(app: &TestApp, query: &str) -> Value {
    let (status, body) = app.get_json(&format!("/statistics?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

/// Compares `/statistics?group_by=LEVEL&...` with the oracle under every filter.
pub(crate) async fn compare_every_filter(app: &TestApp, made: &[Made], level: &str, digits: usize) {
    for (query, filter) in filters() {
        let body = statistics(app, &format!("group_by={level}&{query}")).await;
        let (rows, totals) = expected(made, digits, &filter);
        assert_eq!(body["group_by"], level, "{query}");
        // The counts' columns come first; response times follow
        // (statistics_times.rs checks those).
        let counted = columns(digits);
        assert_eq!(
            body["columns"].as_array().unwrap()[..counted.len()],
            json!(counted).as_array().unwrap()[..],
            "{query}"
        );
        let got = body["rows"].as_array().unwrap();
        assert_eq!(got.len(), rows.len(), "{level} {query}: row count");
        for (g, e) in got.iter().zip(&rows) {
            assert_eq!(&only_keys_of(g, e), e, "{level} {query}: row {}", e["code"]);
        }
        assert_eq!(
            only_keys_of(&body["totals"], &totals),
            totals,
            "{level} {query}: totals"
        );
    }
}

/// `got`'s members that `want` has.
fn only_keys_of(got: &Value, want: &Value) -> Value {
    let keys = want.as_object().unwrap().keys();
    Value::Object(keys.map(|k| (k.clone(), got[k].clone())).collect())
}

// ---------------------------------------------------------------- JSON

#[tokio::test]
async fn statistics_by_state_equal_a_brute_force_aggregation_under_every_filter() {
    let (app, made) = spawn_dataset_app().await;
    compare_every_filter(&app, &made, "state", 2).await;
    // By state is the default.
    let default = statistics(&app, "").await;
    let by_state = statistics(&app, "group_by=state").await;
    assert_eq!(default["group_by"], "state");
    assert_eq!(default["rows"], by_state["rows"]);
    assert_eq!(default["totals"]["priorities"], PRIORITIES);
    assert!(
        DateTime::parse_from_rfc3339(default["timeStamp"].as_str().unwrap()).is_ok(),
        "{default}"
    );
}

#[tokio::test]
async fn statistics_by_municipality_equal_a_brute_force_aggregation_under_every_filter() {
    let (app, made) = spawn_dataset_app().await;
    compare_every_filter(&app, &made, "municipality", 4).await;
}

#[tokio::test]
async fn statistics_by_parish_equal_a_brute_force_aggregation_under_every_filter() {
    let (app, made) = spawn_dataset_app().await;
    compare_every_filter(&app, &made, "parish", 6).await;
    // The parish with no council has a row of zeros.
    let body = statistics(&app, "group_by=parish").await;
    let empty = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "020102")
        .unwrap();
    assert_eq!(empty["councils"], 0);
    assert_eq!(empty["priorities"], 0);
    assert_eq!(empty["name"], "Leoncio Martínez");
}

#[tokio::test]
async fn every_level_adds_up_to_the_same_totals() {
    let (app, made) = spawn_dataset_app().await;
    let mut by = Vec::new();
    for query in ["group_by=state", "group_by=municipality", "group_by=parish"] {
        by.push(statistics(&app, query).await);
    }
    let families: u64 = made.iter().map(|m| m.families).sum();
    for body in &by {
        assert_eq!(
            body["totals"]["priorities"], PRIORITIES,
            "{}",
            body["group_by"]
        );
        assert_eq!(body["totals"]["families"], families);
        assert_eq!(body["totals"]["councils"], COUNCILS.len());
        assert_eq!(body["totals"]["councils_with_priorities"], ACTIVE_COUNCILS);
        assert_eq!(
            body["totals"]["status_done"],
            by[0]["totals"]["status_done"]
        );
    }
}

#[tokio::test]
async fn statistics_agree_with_the_counts_on_territory_features() {
    let (app, _) = spawn_dataset_app().await;
    for (level, collection) in [
        ("state", "states"),
        ("municipality", "municipalities"),
        ("parish", "parishes"),
    ] {
        let body = statistics(&app, &format!("group_by={level}")).await;
        let (_, features) = app
            .get_json(&format!("/collections/{collection}/items"))
            .await;
        let features = features["features"].as_array().unwrap();
        let rows = body["rows"].as_array().unwrap();
        assert_eq!(rows.len(), features.len(), "{level}");
        for (row, feature) in rows.iter().zip(features) {
            let props = &feature["properties"];
            assert_eq!(row["code"], props["code"]);
            for column in body["columns"].as_array().unwrap() {
                let column = column.as_str().unwrap();
                if column != "councils_with_priorities" {
                    assert_eq!(row[column], props[column], "{level} {column}");
                }
            }
        }
    }
}

#[tokio::test]
async fn statistics_count_a_priority_where_it_is_located() {
    let mut made = dataset();
    made.truncate(20);
    // A priority of CC-01 (parish 010101) located in 020102, in the other state.
    made.push(Made {
        council: "CC-01",
        parish: "020102",
        category: "gas",
        status: "done",
        families: 7,
        created: micros("2024-06-01T12:00:00Z"),
        lon: -66.4,
        lat: 10.5,
    });
    let app = spawn_app_with(&made).await;
    let (status, items) = app
        .get_json("/collections/priorities/items?placement=outside_council_parish")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(items["numberMatched"], 1);

    for (level, digits) in [("state", 2), ("municipality", 4), ("parish", 6)] {
        let body = statistics(&app, &format!("group_by={level}")).await;
        let (rows, _) = expected(&made, digits, &Filter::default());
        let got = body["rows"].as_array().unwrap();
        assert_eq!(got.len(), rows.len());
        for (g, e) in got.iter().zip(&rows) {
            for column in [
                "priorities",
                "families",
                "status_done",
                "category_gas",
                "councils",
            ] {
                assert_eq!(g[column], e[column], "{level} {} {column}", e["code"]);
            }
        }
    }
    let body = statistics(&app, "group_by=parish&parish=020102").await;
    assert_eq!(body["rows"][0]["priorities"], 1);
    assert_eq!(body["rows"][0]["families"], 7);
    assert_eq!(body["rows"][0]["councils"], 0);
}
