//! Response times in `/statistics` (JSON and CSV) and on territory items,
//! compared with an oracle computed in the test from each priority's
//! history as `GET …/items/{id}/history` returns it: median and 90th
//! percentile days per interval (nearest rank), sample sizes, share
//! overdue, counts per status `as_of` an instant, `min_sample`; then again
//! after a restart (the index rebuilt from the store), once with the
//! history's instants moved apart in the store so durations are days long.

use std::collections::BTreeMap;

use chrono::Utc;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::StatusCode;
use serde_json::{Map, Value, json};

use crate::governance::{FUTURE, PAST, plan, transition};
use crate::helpers::{STATUSES, TestApp, assert_problem, database_url, spawn_app_in};
use crate::statistics::{Made, TERRITORIES, dataset, micros, spawn_app_with, statistics};
use crate::statistics_csv::parse_csv;
use prioridades::config::ServeArgs;

const ITEMS: &str = "/collections/priorities/items";
const MEASURES: [&str; 3] = [
    "proposed_to_approved",
    "approved_to_started",
    "started_to_done",
];
const DAY: f64 = 86_400_000_000.0;

/// Paths through the workflow, reopenings included.
const PATHS: [&[&str]; 9] = [
    &[],
    &["approved"],
    &["approved", "in_progress"],
    &["approved", "in_progress", "done"],
    &["rejected"],
    &["approved", "in_progress", "done", "proposed", "approved"],
    &["rejected", "proposed", "approved", "in_progress"],
    &["approved", "rejected", "proposed"],
    &["rejected", "proposed", "rejected", "proposed", "approved"],
];

/// A priority as the oracle sees it: where, what, and its history.
#[derive(Debug, Clone)]
struct Known {
    parish: &'static str,
    category: &'static str,
    status: String,
    created: i64,
    target: Option<String>,
    first: String,
    /// Each transition: instant, status moved to.
    moves: Vec<(i64, String)>,
}

/// Reads what the oracle needs of priority `id` through the API.
async fn known(app: &TestApp, id: &str, m: &Made) -> Known {
    let (status, feature) = app.get_json(&format!("{ITEMS}/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.get_json(&format!("{ITEMS}/{id}/history")).await;
    assert_eq!(status, StatusCode::OK);
    let entries = body["entries"].as_array().unwrap();
    assert_eq!(entries[0]["action"], "create");
    let p = &feature["properties"];
    Known {
        parish: m.parish,
        category: m.category,
        status: p["status"].as_str().unwrap().into(),
        created: micros(p["created_at"].as_str().unwrap()),
        target: p["plan"]["target_date"].as_str().map(String::from),
        first: entries[0]["changes"]["status"]["to"]
            .as_str()
            .unwrap()
            .into(),
        moves: entries
            .iter()
            .filter(|e| e["action"] == "transition")
            .map(|e| {
                (
                    micros(e["at"].as_str().unwrap()),
                    e["changes"]["status"]["to"].as_str().unwrap().into(),
                )
            })
            .collect(),
    }
}

impl Known {
    /// The durations of the latest cycle, by brute force: the instant it
    /// was last proposed, then the first approval, start and completion
    /// after it.
    fn durations(&self) -> [Option<i64>; 3] {
        if self.moves.is_empty() {
            return [None; 3];
        }
        let last_proposal = (0..self.moves.len())
            .rev()
            .find(|&i| self.moves[i].1 == "proposed");
        let (proposed, rest) = match last_proposal {
            Some(i) => (Some(self.moves[i].0), &self.moves[i + 1..]),
            None if self.first == "proposed" => (Some(self.created), &self.moves[..]),
            None => (None, &self.moves[..]),
        };
        let first_in = |s: &str| rest.iter().find(|(_, t)| t == s).map(|(at, _)| *at);
        let (a, st, d) = (
            first_in("approved"),
            first_in("in_progress"),
            first_in("done"),
        );
        let span = |x: Option<i64>, y: Option<i64>| Some(y? - x?);
        [span(proposed, a), span(a, st), span(st, d)]
    }

    fn status_at(&self, t: i64) -> Option<&str> {
        if self.created > t {
            return None;
        }
        let mut status = self.first.as_str();
        for (at, s) in &self.moves {
            if *at <= t {
                status = s;
            }
        }
        Some(status)
    }

    fn open(&self) -> bool {
        ["proposed", "approved", "in_progress"].contains(&self.status.as_str())
    }

    fn overdue(&self) -> bool {
        let today = Utc::now().date_naive().to_string();
        ["approved", "in_progress"].contains(&self.status.as_str())
            && self.target.as_ref().is_some_and(|t| *t < today)
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The nearest-rank percentile `p` of `values`.
fn percentile(values: &[i64], p: usize) -> Option<i64> {
    let mut v = values.to_vec();
    v.sort();
    let rank = (p * v.len()).div_ceil(100).max(1);
    v.get(rank - 1).copied()
}

/// The response-time figures of `inside`, as the API names them.
fn figures(inside: &[&Known], min_sample: u64, as_of: Option<i64>) -> Map<String, Value> {
    let mut row = Map::new();
    for (i, m) in MEASURES.iter().enumerate() {
        let values: Vec<i64> = inside.iter().filter_map(|k| k.durations()[i]).collect();
        let n = values.len() as u64;
        let days = |p| {
            percentile(&values, p)
                .filter(|_| n >= min_sample)
                .map_or(Value::Null, |d| round3(d as f64 / DAY).into())
        };
        row.insert(format!("{m}_n"), n.into());
        row.insert(format!("{m}_median_days"), days(50));
        row.insert(format!("{m}_p90_days"), days(90));
    }
    let open = inside.iter().filter(|k| k.open()).count() as u64;
    let overdue = inside.iter().filter(|k| k.overdue()).count() as u64;
    row.insert("open".into(), open.into());
    row.insert("overdue".into(), overdue.into());
    let share = (open > 0 && open >= min_sample).then(|| round3(overdue as f64 / open as f64));
    row.insert(
        "share_overdue".into(),
        share.map_or(Value::Null, Value::from),
    );
    if let Some(t) = as_of {
        for s in STATUSES {
            let n = inside.iter().filter(|k| k.status_at(t) == Some(s)).count();
            row.insert(format!("as_of_{s}"), n.into());
        }
    }
    row
}

/// A request's filters as the oracle applies them.
struct Case {
    query: String,
    categories: Vec<&'static str>,
    statuses: Vec<&'static str>,
    within: Option<&'static str>,
    min_sample: u64,
    as_of: Option<i64>,
}

impl Case {
    fn selects(&self, k: &Known, within: bool) -> bool {
        (self.categories.is_empty() || self.categories.contains(&k.category))
            && (self.statuses.is_empty() || self.statuses.contains(&k.status.as_str()))
            && (!within || self.within.is_none_or(|w| k.parish.starts_with(w)))
    }

    /// The figures of `territory`; `within` applies the case's `state=`.
    fn expected(&self, known: &[Known], territory: &str, within: bool) -> Map<String, Value> {
        let inside: Vec<&Known> = known
            .iter()
            .filter(|k| self.selects(k, within) && k.parish.starts_with(territory))
            .collect();
        figures(&inside, self.min_sample, self.as_of)
    }
}

/// The cases compared: filters, a minimum sample, instants between moves.
fn cases(known: &[Known]) -> Vec<Case> {
    let mut instants: Vec<i64> = known
        .iter()
        .flat_map(|k| k.moves.iter().map(|m| m.0))
        .collect();
    instants.sort();
    let middle = instants[instants.len() / 2];
    let early = instants[instants.len() / 5];
    let case = |query: String, categories, statuses, within, min_sample, as_of| Case {
        query,
        categories,
        statuses,
        within,
        min_sample,
        as_of,
    };
    let iso = |t: i64| {
        chrono::DateTime::from_timestamp_micros(t)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    };
    let date = chrono::DateTime::from_timestamp_micros(middle)
        .unwrap()
        .date_naive();
    let end_of_date = date.and_hms_micro_opt(23, 59, 59, 999_999).unwrap();
    vec![
        case(String::new(), vec![], vec![], None, 1, None),
        case("min_sample=3".into(), vec![], vec![], None, 3, None),
        case(
            "category=water,roads,health,education,housing".into(),
            vec!["water", "roads", "health", "education", "housing"],
            vec![],
            None,
            2,
            Some(middle),
        )
        .with_query(format!("&min_sample=2&as_of={}", iso(middle))),
        case(
            "status=approved,in_progress,done&state=01".into(),
            vec![],
            vec!["approved", "in_progress", "done"],
            Some("01"),
            1,
            Some(early),
        )
        .with_query(format!("&as_of={}", iso(early))),
        case(
            format!("as_of={date}"),
            vec![],
            vec![],
            None,
            1,
            Some(end_of_date.and_utc().timestamp_micros()),
        ),
    ]
}

impl Case {
    fn with_query(mut self, more: String) -> Self {
        self.query.push_str(&more);
        self
    }
}

/// Compares `/statistics` (JSON, CSV) and territory items with the oracle.
async fn compare(app: &TestApp, known: &[Known]) {
    for case in cases(known) {
        for (level, digits) in [("state", 2), ("municipality", 4), ("parish", 6)] {
            let query = match case.query.as_str() {
                "" => format!("group_by={level}"),
                more => format!("group_by={level}&{more}"),
            };
            let body = statistics(app, &query).await;
            let rows = body["rows"].as_array().unwrap();
            assert!(!rows.is_empty(), "{query}");
            for row in rows {
                let code = row["code"].as_str().unwrap();
                assert_eq!(code.len(), digits);
                for (key, want) in case.expected(known, code, true) {
                    assert_eq!(row[&key], want, "{query}: {code} {key}");
                }
            }
            let everywhere = case.within.unwrap_or("");
            for (key, want) in case.expected(known, everywhere, true) {
                assert_eq!(body["totals"][&key], want, "{query}: totals {key}");
            }
            compare_csv(app, &query, &body).await;
        }
        compare_items(app, known, &case).await;
    }
}

/// The CSV of `query` holds the JSON's response-time fields, nulls empty.
async fn compare_csv(app: &TestApp, query: &str, body: &Value) {
    let r = app.get(&format!("/statistics?{query}&f=csv")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let records = parse_csv(&r.text().await.unwrap());
    let columns: Vec<&str> = body["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(records[0], columns, "{query}");
    let first = columns
        .iter()
        .position(|c| *c == "proposed_to_approved_n")
        .unwrap();
    for (record, row) in records[1..].iter().zip(body["rows"].as_array().unwrap()) {
        for (field, column) in record.iter().zip(&columns).skip(first) {
            let want = match &row[*column] {
                Value::Null => String::new(),
                other => other.to_string(),
            };
            assert_eq!(*field, want, "{query}: {column}");
        }
    }
}

/// Territory items of every level (and one by code) carry the same figures.
async fn compare_items(app: &TestApp, known: &[Known], case: &Case) {
    // Territory items take the attribute filters; `state=` narrows parishes.
    let query = case.query.replace("&state=01", "");
    let within = case
        .within
        .map(|w| format!("&state={w}"))
        .unwrap_or_default();
    for collection in ["states", "municipalities", "parishes"] {
        let url = format!("/collections/{collection}/items?{query}{within}");
        let url = if collection == "states" {
            url.replace("&state=01", "")
        } else {
            url
        };
        let (status, body) = app.get_json(&url).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        for f in body["features"].as_array().unwrap() {
            let code = f["properties"]["code"].as_str().unwrap();
            for (key, want) in case.expected(known, code, false) {
                assert_eq!(f["properties"][&key], want, "{url}: {code} {key}");
            }
        }
    }
    let url = format!("/collections/municipalities/items/0101?{query}");
    let (status, one) = app.get_json(&url).await;
    assert_eq!(status, StatusCode::OK, "{url}: {one}");
    for (key, want) in case.expected(known, "0101", false) {
        assert_eq!(one["properties"][&key], want, "{url}: {key}");
    }
}

/// 48 priorities proposed in 2024, moved along seeded paths through the API.
async fn moved_app() -> (TestApp, Vec<(String, Made)>) {
    let made: Vec<Made> = dataset()
        .into_iter()
        .take(48)
        .map(|m| Made {
            status: "proposed",
            ..m
        })
        .collect();
    let app = spawn_app_with(&made).await;
    let (status, body) = app
        .get_json(&format!("{ITEMS}?limit=100&sortby=created_at"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut by_created: BTreeMap<i64, String> = BTreeMap::new();
    for f in body["features"].as_array().unwrap() {
        let created = micros(f["properties"]["created_at"].as_str().unwrap());
        by_created.insert(created, f["id"].as_str().unwrap().into());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let mut pairs = Vec::new();
    for m in made {
        let id = by_created[&m.created].clone();
        let path = PATHS[rng.random_range(0..PATHS.len())];
        let target = if rng.random_range(0..2) == 0 {
            PAST
        } else {
            FUTURE
        };
        for to in path {
            let mut body = json!({"status": to});
            if *to == "approved" {
                body["plan"] = plan(target);
            }
            let r = transition(&app, &app.client, &id, &body).await;
            assert_eq!(r.status(), StatusCode::OK, "{id} to {to}");
        }
        pairs.push((id, m));
    }
    (app, pairs)
}

async fn all_known(app: &TestApp, pairs: &[(String, Made)]) -> Vec<Known> {
    let mut all = Vec::new();
    for (id, m) in pairs {
        all.push(known(app, id, m).await);
    }
    all
}

/// Moves every recorded transition to days after the one before it (the
/// first days after its priority's creation), in the store itself.
async fn spread_transitions(url: &str, known: &[Known], pairs: &[(String, Made)]) {
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for ((id, _), k) in pairs.iter().zip(known) {
        let seqs: Vec<i64> = sqlx::query_scalar(
            "SELECT seq FROM priority_history WHERE priority_id = $1 AND action = 'transition' ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(seqs.len(), k.moves.len());
        let mut at = k.created;
        for seq in seqs {
            at += rng.random_range(3_600_000_000i64..90 * 86_400_000_000);
            sqlx::query("UPDATE priority_history SET at = $1 WHERE seq = $2")
                .bind(at)
                .bind(seq)
                .execute(&pool)
                .await
                .unwrap();
        }
    }
    pool.close().await;
}

#[tokio::test]
async fn response_times_equal_an_oracle_over_the_histories_before_and_after_restarts() {
    let (app, pairs) = moved_app().await;
    let known = all_known(&app, &pairs).await;
    assert!(
        known.iter().any(|k| k.durations()[2].is_some()),
        "some are done"
    );
    assert!(known.iter().any(|k| k.overdue()), "some are overdue");
    compare(&app, &known).await;

    // Restarted, the index's timelines come from the history: the same.
    let before = statistics(&app, "group_by=parish&as_of=2030-01-01").await;
    let dir = app.stop().await;
    let url = database_url(&dir);
    let app = spawn_app_in(dir, ServeArgs::for_database(url.clone())).await;
    let after = statistics(&app, "group_by=parish&as_of=2030-01-01").await;
    assert_eq!(before["rows"], after["rows"]);
    assert_eq!(before["totals"], after["totals"]);

    // Transitions days apart, as the store records them.
    let dir = app.stop().await;
    spread_transitions(&url, &known, &pairs).await;
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    let known = all_known(&app, &pairs).await;
    let started: Vec<i64> = known.iter().filter_map(|k| k.durations()[1]).collect();
    assert!(started.iter().any(|d| *d > 86_400_000_000), "{started:?}");
    compare(&app, &known).await;
}

#[tokio::test]
async fn bad_response_time_parameters_are_refused_naming_them() {
    let app = spawn_app_with(&[]).await;
    for (path, name) in [
        ("/statistics?as_of=yesterday", "as_of"),
        ("/statistics?as_of=2026-02-30", "as_of"),
        ("/statistics?min_sample=0", "min_sample"),
        ("/statistics?min_sample=-1", "min_sample"),
        ("/statistics?min_sample=x", "min_sample"),
        ("/collections/parishes/items?min_sample=1.5", "min_sample"),
        ("/collections/states/items/01?as_of=2026-13-01", "as_of"),
    ] {
        assert_problem(
            app.get(path).await,
            StatusCode::BAD_REQUEST,
            ("parameter", name),
        )
        .await;
    }
    // An empty store: samples of zero, figures null.
    let body = statistics(&app, "").await;
    assert_eq!(body["totals"]["proposed_to_approved_n"], 0);
    assert_eq!(
        body["totals"]["proposed_to_approved_median_days"],
        Value::Null
    );
    assert_eq!(body["totals"]["share_overdue"], Value::Null);
    assert_eq!(
        TERRITORIES.iter().filter(|t| t.0.len() == 2).count(),
        body["rows"].as_array().unwrap().len()
    );
}
