//! Response times as `/statistics` computes them (samples per parish from
//! the matches, merged per row, sorted for the median and 90th percentile),
//! over the generator's national data (seed 1) given synthetic workflow
//! histories: every priority not proposed moved there through the
//! workflow, each step 1 to 120 days after the one before.
//!
//! Cases: the densest parish (rows: that parish), its state (rows: its
//! municipalities) and the whole country (rows: the states): read from the
//! samples the index keeps, by a pass over the matches (`_scanned`, what
//! any other filter takes), and with `as_of` counts (a pass too).
//!
//! Run with `cargo bench --bench response_times`;
//! `PRIORIDADES_BENCH_COUNT=1000000 cargo bench --bench response_times`
//! for the national million.

use std::collections::HashMap;
use std::hint::black_box;

mod national;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use national::national_dataset;
use prioridades::domain::codes::{Level, TerritoryCode};
use prioridades::domain::priority::Status;
use prioridades::domain::query::PriorityFilter;
use prioridades::index::PriorityIndex;
use prioridades::index::priorities::response_times::nearest_rank;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const DAY: i64 = 86_400_000_000;

fn count() -> usize {
    std::env::var("PRIORIDADES_BENCH_COUNT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}

/// Gives every priority the transitions that led to its status.
fn add_histories(index: &mut PriorityIndex) {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut transitions = Vec::new();
    for e in index.entries() {
        let path: &[Status] = match e.status {
            Status::Proposed => &[],
            Status::Approved => &[Status::Approved],
            Status::InProgress => &[Status::Approved, Status::InProgress],
            Status::Done => &[Status::Approved, Status::InProgress, Status::Done],
            Status::Rejected => &[Status::Rejected],
            Status::Duplicate => &[Status::Duplicate],
        };
        let (mut at, mut from) = (e.created_at, Status::Proposed);
        for to in path {
            at += rng.random_range(DAY..120 * DAY);
            transitions.push((e.id, at, from, *to));
            from = *to;
        }
    }
    index.set_timelines(std::iter::empty(), transitions);
}

/// The parish holding the most priorities.
fn densest(parishes: &[TerritoryCode]) -> TerritoryCode {
    let mut counts: HashMap<TerritoryCode, usize> = HashMap::new();
    for p in parishes {
        *counts.entry(*p).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(code, n)| (*n, std::cmp::Reverse(*code)))
        .expect("parishes")
        .0
}

/// What `/statistics` does for response times: samples, then per row the
/// median and 90th percentile of each interval.
fn statistics(
    index: &PriorityIndex,
    filter: &PriorityFilter,
    rows: &[TerritoryCode],
    as_of: Option<i64>,
    scan: bool,
) -> i64 {
    let today = Utc::now().date_naive();
    let samples = match scan {
        true => index.scanned_samples(filter, as_of, today),
        false => index.samples(filter, as_of, today),
    };
    let mut checksum = 0;
    for row in rows {
        let mut sample = samples.under(*row);
        for values in &mut sample.durations {
            values.sort_unstable();
            checksum += nearest_rank(values, 50).unwrap_or(0);
            checksum += nearest_rank(values, 90).unwrap_or(0);
        }
        checksum += sample.open as i64 + sample.as_of[0] as i64;
    }
    checksum
}

fn response_times(c: &mut Criterion) {
    let count = count();
    let (mut index, parishes) = national_dataset(count);
    add_histories(&mut index);
    let parish = densest(&parishes);
    let state = parish.at_level(Level::State).expect("a state");
    let mut municipalities: Vec<TerritoryCode> = parishes
        .iter()
        .filter(|p| p.is_within(state))
        .filter_map(|p| p.at_level(Level::Municipality))
        .collect();
    municipalities.sort();
    municipalities.dedup();
    let mut states: Vec<TerritoryCode> = parishes
        .iter()
        .filter_map(|p| p.at_level(Level::State))
        .collect();
    states.sort();
    states.dedup();
    let as_of = index.time_extent().map(|(a, b)| a + (b - a) / 2);
    let cases = [
        (
            "parish",
            PriorityFilter {
                parishes: vec![parish],
                ..Default::default()
            },
            vec![parish],
        ),
        (
            "state",
            PriorityFilter {
                states: vec![state],
                ..Default::default()
            },
            municipalities,
        ),
        ("country", PriorityFilter::default(), states),
    ];
    let mut group = c.benchmark_group(format!("response_times_{count}"));
    group.sample_size(10);
    for (name, filter, rows) in &cases {
        group.bench_function(*name, |b| {
            b.iter(|| black_box(statistics(&index, filter, rows, None, false)))
        });
        group.bench_function(format!("{name}_scanned"), |b| {
            b.iter(|| black_box(statistics(&index, filter, rows, None, true)))
        });
        group.bench_function(format!("{name}_as_of"), |b| {
            b.iter(|| black_box(statistics(&index, filter, rows, as_of, false)))
        });
    }
    group.finish();
}

criterion_group!(benches, response_times);
criterion_main!(benches);
