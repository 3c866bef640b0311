//! Response times per territory: how long priorities took from proposed to
//! approved, approved to started and started to done, how many open ones
//! are overdue, and how many stood in each status at a past instant.
//!
//! A filter of territories and categories alone (or none) without `as_of`
//! is read from the samples the index keeps per parish and category (see
//! [`super::kept_times`]), without visiting the priorities. Any other is
//! made in one pass over the priorities the filter selects, which the query
//! plan finds without visiting the others (a parish's query reads only that
//! parish's priorities); the instants come from the timelines the index
//! keeps (see [`super::timeline`]), never from the store.
//!
//! # Units
//! Durations are microseconds here; the HTTP layer shows days.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::codes::TerritoryCode;
use crate::domain::priority::Status;
use crate::domain::query::{Page, PriorityFilter};
use crate::domain::time::Micros;
use crate::domain::workflow::is_open;

use super::timeline::Timeline;
use super::{PriorityIndex, is_overdue};

/// The three measured intervals, in the order of [`Sample::durations`].
pub const MEASURES: [&str; 3] = [
    "proposed_to_approved",
    "approved_to_started",
    "started_to_done",
];

/// What response times of a territory are computed from.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Sample {
    /// Durations in microseconds of each of [`MEASURES`], in no order.
    pub durations: [Vec<i64>; 3],
    /// Open priorities (proposed, approved, in progress).
    pub open: u64,
    /// Of those, the overdue ones ([`is_overdue`]).
    pub overdue: u64,
    /// Priorities per status at the instant asked for, in the order of
    /// [`Status::ALL`]; zero when no instant was asked for.
    pub as_of: [u64; Status::ALL.len()],
}

impl Sample {
    /// Adds another territory's sample to this one.
    pub fn merge(&mut self, other: &Sample) {
        for (mine, theirs) in self.durations.iter_mut().zip(&other.durations) {
            mine.extend_from_slice(theirs);
        }
        self.open += other.open;
        self.overdue += other.overdue;
        for (a, b) in self.as_of.iter_mut().zip(other.as_of) {
            *a += b;
        }
    }
}

/// The samples per parish, to be summed over territories of any level.
#[derive(Debug, Default)]
pub struct Samples(BTreeMap<TerritoryCode, Sample>);

impl Samples {
    /// The sample of `territory` (any level): its parishes' merged.
    pub fn under(&self, territory: TerritoryCode) -> Sample {
        let (first, last) = territory.parish_range();
        let mut sample = Sample::default();
        for (_, s) in self.0.range(first..=last) {
            sample.merge(s);
        }
        sample
    }

    /// Every parish's sample merged.
    pub fn total(&self) -> Sample {
        let mut sample = Sample::default();
        self.0.values().for_each(|s| sample.merge(s));
        sample
    }
}

/// The nearest-rank percentile `p` (1 to 100) of `sorted` (ascending): the
/// smallest value with at least `p`% of the values at or below it.
pub fn nearest_rank(sorted: &[i64], p: u64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (p * n).div_ceil(100).max(1);
    sorted.get((rank - 1) as usize).copied()
}

impl PriorityIndex {
    /// The response-time samples per parish of the priorities `filter`
    /// selects; `as_of` counts them per status at that instant (those
    /// created after it are not counted); `today` decides which are overdue.
    pub fn samples(
        &self,
        filter: &PriorityFilter,
        as_of: Option<Micros>,
        today: NaiveDate,
    ) -> Samples {
        if as_of.is_none() && super::kept_times::KeptTimes::answers(filter) {
            return self.kept_samples(filter, today);
        }
        self.scanned_samples(filter, as_of, today)
    }

    /// The samples of a filter of territories and categories alone, from
    /// the kept samples: one per parish inside every territory list given.
    pub(super) fn kept_samples(&self, filter: &PriorityFilter, today: NaiveDate) -> Samples {
        let lists = [&filter.states, &filter.municipalities, &filter.parishes];
        let inside = |p: &TerritoryCode| {
            lists
                .iter()
                .all(|l| l.is_empty() || l.iter().any(|t| p.is_within(*t)))
        };
        let per_parish = self
            .tallies
            .iter()
            .filter(|(parish, _)| inside(parish))
            .map(|(parish, tally)| {
                let sample = self
                    .kept_times
                    .sample(*parish, &filter.categories, tally, today);
                (*parish, sample)
            })
            .collect();
        Samples(per_parish)
    }

    /// The samples of any filter, in one pass over its matches.
    pub fn scanned_samples(
        &self,
        filter: &PriorityFilter,
        as_of: Option<Micros>,
        today: NaiveDate,
    ) -> Samples {
        let everything = Page {
            limit: usize::MAX,
            offset: 0,
        };
        let mut per_parish: BTreeMap<TerritoryCode, Sample> = BTreeMap::new();
        for (entry, _) in self.query(filter, everything).items {
            let sample = per_parish.entry(entry.parish).or_default();
            if is_open(entry.status) {
                sample.open += 1;
                sample.overdue += u64::from(is_overdue(entry, today));
            }
            let still;
            let timeline = match self.timeline(entry.pk) {
                Some(t) => t,
                None => {
                    still = Timeline::new(entry.status);
                    &still
                }
            };
            if let Some(at) = as_of
                && let Some(status) = timeline.status_at(entry.created_at, at)
            {
                sample.as_of[status as usize] += 1;
            }
            if timeline.moves.is_empty() {
                continue;
            }
            let cycle = timeline.latest_cycle(entry.created_at);
            for (list, d) in sample.durations.iter_mut().zip(cycle.durations()) {
                list.extend(d);
            }
        }
        Samples(per_parish)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(nearest_rank(&v, 50), Some(5));
        assert_eq!(nearest_rank(&v, 90), Some(9));
        assert_eq!(nearest_rank(&v[..1], 90), Some(1));
        assert_eq!(nearest_rank(&v[..3], 50), Some(2));
        assert_eq!(nearest_rank(&v[..3], 90), Some(3));
        assert_eq!(nearest_rank(&[], 50), None);
    }
}
