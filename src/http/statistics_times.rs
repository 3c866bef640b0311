//! Response times in `/statistics` rows and territory items: median and
//! 90th percentile days of each workflow interval with its sample size,
//! the share of open priorities overdue, and counts per status at an
//! instant (`as_of=`); `min_sample=` hides figures of small samples.
//!
//! # Units
//! Durations in days (fractional, 3 decimals); shares from 0 to 1
//! (3 decimals).

use serde_json::{Map, Value};

use super::params::{ParamSpec, Params};
use super::problem::ApiError;
use crate::domain::codes::{Level, TerritoryCode};
use crate::domain::priority::Status;
use crate::domain::query::PriorityFilter;
use crate::domain::time::{self, Micros};
use crate::index::Index;
use crate::index::priorities::response_times::{MEASURES, Sample, Samples, nearest_rank};

/// `as_of`.
pub const AS_OF: ParamSpec = ParamSpec {
    name: "as_of",
    description: "Also count priorities per status at this instant, from their history (as_of_<status>): an RFC 3339 date-time, or a date YYYY-MM-DD meaning the end of that day (UTC). Priorities created later are not counted; deleted ones neither.",
    schema: r#"{"type": "string"}"#,
    example: r#""2026-06-30""#,
};

/// `min_sample`.
pub const MIN_SAMPLE: ParamSpec = ParamSpec {
    name: "min_sample",
    description: "The smallest sample a median, 90th percentile or share is given for; below it the figure is null (its sample size is still given).",
    schema: r#"{"type": "integer", "minimum": 1, "maximum": 1000000000, "default": 1}"#,
    example: "5",
};

/// Microseconds in a day.
const DAY: f64 = 86_400_000_000.0;

/// What the caller asked of the response times.
#[derive(Debug, Clone, Copy)]
pub struct TimesQuery {
    /// The instant counts per status are taken at, if asked.
    pub as_of: Option<Micros>,
    /// The smallest sample figures are given for.
    pub min_sample: u64,
}

impl Default for TimesQuery {
    fn default() -> Self {
        TimesQuery {
            as_of: None,
            min_sample: 1,
        }
    }
}

/// Reads `as_of` and `min_sample`.
pub fn times_query(params: &Params) -> Result<TimesQuery, ApiError> {
    let as_of = params.parsed("as_of", |s| match time::parse_date(s) {
        Some((_, end)) => Ok(end),
        None => time::parse_datetime(s)
            .map_err(|_| format!("as_of is a date YYYY-MM-DD or an RFC 3339 date-time; got {s:?}")),
    })?;
    let min_sample = params
        .parsed("min_sample", |s| {
            s.parse::<u64>()
                .ok()
                .filter(|n| (1..=1_000_000_000).contains(n))
                .ok_or_else(|| format!("min_sample is an integer from 1 to 1000000000; got {s:?}"))
        })?
        .unwrap_or(1);
    Ok(TimesQuery { as_of, min_sample })
}

/// The columns response times add, in table order (after every other).
pub fn columns(query: &TimesQuery) -> Vec<String> {
    let mut cols = Vec::new();
    for m in MEASURES {
        cols.extend([
            format!("{m}_n"),
            format!("{m}_median_days"),
            format!("{m}_p90_days"),
        ]);
    }
    cols.extend(["open", "overdue", "share_overdue"].map(String::from));
    if query.as_of.is_some() {
        cols.extend(Status::ALL.iter().map(|s| format!("as_of_{s}")));
    }
    cols
}

/// `x` rounded to 3 decimals.
fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A number, or null when `None`.
fn number(x: Option<f64>) -> Value {
    x.map_or(Value::Null, Value::from)
}

/// Puts the figures of `sample` in `row`, under [`columns`]' names.
pub fn insert(row: &mut Map<String, Value>, mut sample: Sample, query: &TimesQuery) {
    let enough = |n: u64| n >= query.min_sample;
    for (m, values) in MEASURES.iter().zip(sample.durations.iter_mut()) {
        values.sort_unstable();
        let n = values.len() as u64;
        let days = |p| {
            nearest_rank(values, p)
                .filter(|_| enough(n))
                .map(|d| round3(d as f64 / DAY))
        };
        row.insert(format!("{m}_median_days"), number(days(50)));
        row.insert(format!("{m}_p90_days"), number(days(90)));
        row.insert(format!("{m}_n"), n.into());
    }
    row.insert("open".into(), sample.open.into());
    row.insert("overdue".into(), sample.overdue.into());
    let share = (sample.open > 0 && enough(sample.open))
        .then(|| round3(sample.overdue as f64 / sample.open as f64));
    row.insert("share_overdue".into(), number(share));
    if query.as_of.is_some() {
        for (s, n) in Status::ALL.iter().zip(sample.as_of) {
            row.insert(format!("as_of_{s}"), n.into());
        }
    }
}

/// `filter` narrowed to `territories` (of one level, any of them), so that
/// samples for them read only their priorities; unchanged when the filter
/// already names territories of that level.
pub fn narrowed(mut filter: PriorityFilter, territories: &[TerritoryCode]) -> PriorityFilter {
    let Some(first) = territories.first() else {
        return filter;
    };
    let list = match first.level() {
        Level::State => &mut filter.states,
        Level::Municipality => &mut filter.municipalities,
        Level::Parish => &mut filter.parishes,
    };
    if list.is_empty() {
        list.extend_from_slice(territories);
    }
    filter
}

/// Response-time samples with what the caller asked of them: what a
/// territory item's figures are read from.
#[derive(Debug)]
pub struct Times {
    samples: Samples,
    query: TimesQuery,
}

impl Times {
    /// The samples of the priorities `filter` selects inside `territories`
    /// (of one level; every territory when empty).
    pub fn of(
        index: &Index,
        filter: PriorityFilter,
        territories: &[TerritoryCode],
        query: TimesQuery,
    ) -> Times {
        let samples = index.priorities.samples(
            &narrowed(filter, territories),
            query.as_of,
            chrono::Utc::now().date_naive(),
        );
        Times { samples, query }
    }

    /// Puts the figures of `territory` in `row`.
    pub fn insert(&self, row: &mut Map<String, Value>, territory: TerritoryCode) {
        insert(row, self.samples.under(territory), &self.query);
    }
}
