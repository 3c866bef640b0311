//! `/statistics`: priority counts (and councils, families benefited) grouped
//! by state, municipality or parish, filtered like the items endpoint — the
//! coverage figures a cabinet reports — as JSON or CSV.

use std::collections::{BTreeMap, HashSet};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use chrono::Utc;
use serde_json::{Map, Value, json};

use super::extract::{Endpoint, Query};
use super::params::{FORMAT_TABLE, ParamSpec};
use super::priorities::{BBOX, priority_filters};
use super::priority_filter::parse_filter;
use super::problem::ApiError;
use super::statistics_times::{self, AS_OF, MIN_SAMPLE};
use super::{AppState, JSON, typed};
use crate::domain::codes::{CouncilCode, Level, TerritoryCode};
use crate::domain::priority::{Category, Status};
use crate::domain::query::{Page, PriorityFilter};
use crate::index::Index;
use crate::index::priorities::Tally;

/// `group_by`.
const GROUP_BY: ParamSpec = ParamSpec {
    name: "group_by",
    description: "The level rows are grouped by: state (default), municipality or parish.",
    schema: r#"{"type": "string", "enum": ["state", "municipality", "parish"], "default": "state"}"#,
    example: r#""parish""#,
};

/// `/statistics`' parameters: `group_by`, the items filters (without
/// paging) and `f` (a unit test holds them equal to the items' list).
pub struct Statistics;
impl Endpoint for Statistics {
    const PARAMS: &'static [ParamSpec] =
        priority_filters![[GROUP_BY, BBOX], [AS_OF, MIN_SAMPLE, FORMAT_TABLE]];
}

pub fn router() -> Router<AppState> {
    Router::new().route("/statistics", get(statistics))
}

/// One row: a territory and what lies in it.
struct Row {
    code: TerritoryCode,
    name: String,
    councils: u64,
    councils_with_priorities: u64,
    tally: Tally,
}

/// Whether `t` and `c` overlap: one lies in the other.
fn overlaps(t: TerritoryCode, c: TerritoryCode) -> bool {
    t.is_within(c) || c.is_within(t)
}

/// The rows of a grouping: every territory of `level` that overlaps the
/// territorial filters, with the councils and matching priorities inside.
fn rows(index: &Index, level: Level, filter: &PriorityFilter) -> Vec<Row> {
    let lists: Vec<&Vec<TerritoryCode>> =
        [&filter.states, &filter.municipalities, &filter.parishes]
            .into_iter()
            .filter(|l| !l.is_empty())
            .collect();
    let in_filter =
        |code: TerritoryCode| lists.iter().all(|l| l.iter().any(|c| overlaps(code, *c)));
    let everything = Page {
        limit: usize::MAX,
        offset: 0,
    };
    let mut tallies: BTreeMap<TerritoryCode, (Tally, HashSet<&CouncilCode>)> = BTreeMap::new();
    for (entry, _) in index.priorities.query(filter, everything).items {
        if let Some(group) = entry.parish.at_level(level) {
            let (tally, councils) = tallies.entry(group).or_default();
            tally.add(entry);
            councils.insert(&entry.council);
        }
    }
    // Registered councils: those inside both the row and the filters.
    let mut registered: BTreeMap<TerritoryCode, u64> = BTreeMap::new();
    for council in index.catalog.councils(&[]) {
        let inside = lists
            .iter()
            .all(|l| l.iter().any(|c| council.parish.is_within(*c)))
            && (filter.councils.is_empty() || filter.councils.contains(&council.code));
        if inside && let Some(group) = council.parish.at_level(level) {
            *registered.entry(group).or_default() += 1;
        }
    }
    index
        .catalog
        .territories(level, &[])
        .into_iter()
        .filter(|t| in_filter(t.code))
        .map(|t| {
            let (tally, councils) = tallies.remove(&t.code).unwrap_or_default();
            Row {
                code: t.code,
                name: t.name.clone(),
                councils: registered.get(&t.code).copied().unwrap_or(0),
                councils_with_priorities: councils.len() as u64,
                tally,
            }
        })
        .collect()
}

/// The columns of a row, in table order.
fn columns(level: Level) -> Vec<String> {
    let mut cols = vec!["code".to_string(), "name".to_string()];
    cols.extend(
        Level::ALL
            .iter()
            .filter(|l| **l < level)
            .map(|l| l.as_str().to_string()),
    );
    cols.extend(
        [
            "councils",
            "councils_with_priorities",
            "priorities",
            "families",
        ]
        .map(String::from),
    );
    cols.extend(Status::ALL.iter().map(|s| format!("status_{s}")));
    cols.extend(Category::ALL.iter().map(|c| format!("category_{c}")));
    cols
}

fn counts(row: &mut Map<String, Value>, councils: u64, with_priorities: u64, tally: &Tally) {
    row.insert("councils".into(), councils.into());
    row.insert("councils_with_priorities".into(), with_priorities.into());
    row.insert("priorities".into(), tally.priorities.into());
    row.insert("families".into(), tally.families.into());
    for (s, n) in Status::ALL.iter().zip(tally.by_status) {
        row.insert(format!("status_{s}"), n.into());
    }
    for (c, n) in Category::ALL.iter().zip(tally.by_category) {
        row.insert(format!("category_{c}"), n.into());
    }
}

fn row_object(level: Level, row: &Row) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("code".into(), row.code.to_string().into());
    m.insert("name".into(), row.name.clone().into());
    for l in Level::ALL.iter().filter(|l| **l < level) {
        if let Some(a) = row.code.at_level(*l) {
            m.insert(l.as_str().into(), a.to_string().into());
        }
    }
    counts(
        &mut m,
        row.councils,
        row.councils_with_priorities,
        &row.tally,
    );
    m
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
fn csv_field(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        // A figure withheld (a sample too small): an empty field.
        Value::Null => String::new(),
        other => other.to_string(),
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

async fn statistics(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Query<Statistics>,
) -> Result<Response, ApiError> {
    let level = match params.get("group_by").unwrap_or("state") {
        "state" => Level::State,
        "municipality" => Level::Municipality,
        "parish" => Level::Parish,
        other => {
            return Err(ApiError::parameter(
                "group_by",
                format!("group_by is state, municipality or parish; got {other:?}"),
            ));
        }
    };
    let wants_csv = match params.get("f") {
        Some(f) => f == "csv",
        None => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/csv")),
    };
    let times = statistics_times::times_query(&params)?;
    let (rows, total_sample) = {
        let index = state.service.index().read();
        let filter = parse_filter(&params, &index.catalog)?;
        let samples = index
            .priorities
            .samples(&filter, times.as_of, Utc::now().date_naive());
        let rows: Vec<Map<String, Value>> = rows(&index, level, &filter)
            .iter()
            .map(|r| {
                let mut row = row_object(level, r);
                statistics_times::insert(&mut row, samples.under(r.code), &times);
                row
            })
            .collect();
        (rows, samples.total())
    };
    let counted = columns(level);
    let mut columns = counted.clone();
    columns.extend(statistics_times::columns(&times));
    if wants_csv {
        let mut out = columns.join(",");
        out.push_str("\r\n");
        for row in &rows {
            let fields: Vec<String> = columns
                .iter()
                .map(|c| csv_field(row.get(c).unwrap_or(&Value::Null)))
                .collect();
            out.push_str(&fields.join(","));
            out.push_str("\r\n");
        }
        return Ok(typed(StatusCode::OK, "text/csv; charset=utf-8", out));
    }
    let mut totals = Map::new();
    for column in counted.iter().skip_while(|c| *c != "councils") {
        let sum: u64 = rows
            .iter()
            .filter_map(|r| r.get(column).and_then(Value::as_u64))
            .sum();
        totals.insert(column.clone(), sum.into());
    }
    // Response times of every row's priorities together.
    statistics_times::insert(&mut totals, total_sample, &times);
    let body = json!({
        "group_by": level.as_str(),
        "timeStamp": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "columns": columns,
        "rows": rows,
        "totals": totals,
    });
    Ok(typed(StatusCode::OK, JSON, body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::priorities::Items;

    /// `/statistics` takes the items' filters: every items parameter but
    /// the paging, the order, the shape of features and the format, in the
    /// same order.
    #[test]
    fn the_parameters_are_the_items_filters() {
        let names = |specs: &[ParamSpec]| -> Vec<&str> { specs.iter().map(|p| p.name).collect() };
        let filters: Vec<&str> = names(Items::PARAMS)
            .into_iter()
            .filter(|n| {
                !matches!(
                    *n,
                    "limit" | "offset" | "sortby" | "properties" | "crs" | "f"
                )
            })
            .collect();
        let ours = names(Statistics::PARAMS);
        assert_eq!(ours[0], "group_by");
        // Then the response times' own: as_of and min_sample.
        assert_eq!(ours[1..ours.len() - 3], filters[..]);
        assert_eq!(
            ours[ours.len() - 3..ours.len() - 1],
            ["as_of", "min_sample"]
        );
        assert_eq!(
            Statistics::PARAMS.last().unwrap().schema,
            FORMAT_TABLE.schema
        );
    }
}
