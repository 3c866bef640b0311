//! Response-time samples kept per parish and category as priorities come,
//! go and move: each priority's latest-cycle durations in sorted lists and
//! the target dates of its plan while approved or in progress, so that
//! response times over territories and categories alone are read from
//! these lists, without a pass over the priorities (`samples` falls back to
//! that pass for every other filter and for `as_of`).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::codes::TerritoryCode;
use crate::domain::priority::{Category, Status};
use crate::domain::query::PriorityFilter;
use crate::domain::workflow::is_open;

use super::Entry;
use super::response_times::Sample;
use super::tally::Tally;
use super::timeline::Timeline;

/// What one parish's priorities of one category give.
#[derive(Debug, Default, Clone, PartialEq)]
struct Kept {
    /// The durations of each measure, ascending.
    durations: [Vec<i64>; 3],
    /// How many approved or in-progress priorities have each target date.
    targets: BTreeMap<NaiveDate, u32>,
}

impl Kept {
    fn is_empty(&self) -> bool {
        self.targets.is_empty() && self.durations.iter().all(Vec::is_empty)
    }
}

/// The kept samples, by parish and category.
#[derive(Debug, Default, PartialEq)]
pub struct KeptTimes(BTreeMap<(TerritoryCode, Category), Kept>);

impl KeptTimes {
    /// Counts `entry`, whose timeline is `timeline` (none when it never
    /// moved), in (`add`) or out.
    pub(super) fn count(&mut self, entry: &Entry, timeline: Option<&Timeline>, add: bool) {
        let durations = timeline
            .filter(|t| !t.moves.is_empty())
            .map(|t| t.latest_cycle(entry.created_at).durations())
            .unwrap_or_default();
        let target = entry
            .target_date
            .filter(|_| matches!(entry.status, Status::Approved | Status::InProgress));
        if target.is_none() && durations.iter().all(Option::is_none) {
            return;
        }
        let key = (entry.parish, entry.category);
        let kept = self.0.entry(key).or_default();
        for (list, d) in kept.durations.iter_mut().zip(durations) {
            let Some(d) = d else { continue };
            let at = list.partition_point(|x| *x < d);
            if add {
                list.insert(at, d);
            } else if list.get(at) == Some(&d) {
                list.remove(at);
            }
        }
        if let Some(t) = target {
            let n = kept.targets.entry(t).or_default();
            *n = if add { *n + 1 } else { n.saturating_sub(1) };
            if *n == 0 {
                kept.targets.remove(&t);
            }
        }
        if kept.is_empty() {
            self.0.remove(&key);
        }
    }

    /// Whether `filter` selects by territories and categories alone (or not
    /// at all): what the kept samples answer.
    pub fn answers(filter: &PriorityFilter) -> bool {
        let PriorityFilter {
            states,
            municipalities,
            parishes,
            categories,
            ..
        } = filter;
        *filter
            == PriorityFilter {
                states: states.clone(),
                municipalities: municipalities.clone(),
                parishes: parishes.clone(),
                categories: categories.clone(),
                ..PriorityFilter::default()
            }
    }

    /// The sample of `parish` for `categories` (every one when empty), its
    /// counts being `tally`; `today` decides which are overdue.
    pub(super) fn sample(
        &self,
        parish: TerritoryCode,
        categories: &[Category],
        tally: &Tally,
        today: NaiveDate,
    ) -> Sample {
        let categories = if categories.is_empty() {
            Category::ALL
        } else {
            categories
        };
        let open: Vec<Status> = Status::ALL
            .iter()
            .copied()
            .filter(|s| is_open(*s))
            .collect();
        let mut sample = Sample {
            open: tally.of_kinds(&open, categories),
            ..Sample::default()
        };
        for c in categories {
            let Some(kept) = self.0.get(&(parish, *c)) else {
                continue;
            };
            for (list, kept) in sample.durations.iter_mut().zip(&kept.durations) {
                list.extend_from_slice(kept);
            }
            sample.overdue += kept
                .targets
                .range(..today)
                .map(|(_, n)| u64::from(*n))
                .sum::<u64>();
        }
        sample
    }
}

#[cfg(test)]
mod tests {
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::domain::codes::{CouncilCode, Level};
    use crate::domain::priority::Priority;
    use crate::domain::workflow::Plan;
    use crate::index::priorities::tests::random_priority;
    use crate::index::priorities::{IndexBuilder, PriorityIndex};

    const DAY: i64 = 86_400_000_000;

    fn parish_of(c: &CouncilCode) -> Option<TerritoryCode> {
        let last = u32::from(c.as_str().bytes().last().unwrap_or(0));
        Some(TerritoryCode::parish(
            [10_101, 10_102, 10_201, 20_101][last as usize % 4],
        ))
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 15).expect("date")
    }

    /// A random priority, some with plans whose target dates straddle
    /// [`today`].
    fn random(rng: &mut ChaCha8Rng, pk: i64) -> Priority {
        let mut p = random_priority(rng, pk);
        p.status = Status::ALL[rng.random_range(0..Status::ALL.len())];
        p.updated_at = p.created_at + rng.random_range(DAY..200 * DAY);
        if rng.random_range(0..3) == 0 {
            let day = NaiveDate::from_ymd_opt(2026, 1, rng.random_range(1..29)).expect("date");
            p.plan = Some(Plan::due(day));
        }
        p
    }

    /// Random transitions of `ids`, each timeline a few moves after its
    /// creation, some reopened.
    fn transitions(
        rng: &mut ChaCha8Rng,
        index: &PriorityIndex,
        ids: &[uuid::Uuid],
    ) -> Vec<(uuid::Uuid, i64, Status, Status)> {
        let mut out = Vec::new();
        for id in ids {
            let Some(e) = index.get(id) else { continue };
            let (mut at, mut from) = (e.created_at, Status::Proposed);
            for _ in 0..rng.random_range(0..5) {
                let to = Status::ALL[rng.random_range(0..Status::ALL.len())];
                at += rng.random_range(DAY..90 * DAY);
                out.push((*id, at, from, to));
                from = to;
            }
        }
        out
    }

    /// The kept samples equal a pass over the matches, for every territory
    /// of every level, under filters of territories and categories.
    fn check(index: &PriorityIndex, when: &str) {
        let code = |level, s| TerritoryCode::parse(level, s).expect("code");
        let filters = [
            PriorityFilter::default(),
            PriorityFilter {
                categories: vec![Category::ALL[0], Category::ALL[3]],
                ..PriorityFilter::default()
            },
            PriorityFilter {
                states: vec![code(Level::State, "01")],
                ..PriorityFilter::default()
            },
            PriorityFilter {
                municipalities: vec![code(Level::Municipality, "0101")],
                parishes: vec![code(Level::Parish, "010102"), code(Level::Parish, "020101")],
                categories: vec![Category::ALL[1]],
                ..PriorityFilter::default()
            },
        ];
        let sorted = |mut s: Sample| {
            s.durations.iter_mut().for_each(|d| d.sort_unstable());
            s
        };
        let territories = [
            "01", "02", "0101", "0102", "0201", "010101", "010102", "010201", "020101",
        ];
        for f in &filters {
            assert!(KeptTimes::answers(f));
            let kept = index.kept_samples(f, today());
            let scanned = index.scanned_samples(f, None, today());
            for t in territories {
                let level = [Level::State, Level::Municipality, Level::Parish][t.len() / 2 - 1];
                let t = code(level, t);
                assert_eq!(
                    sorted(kept.under(t)),
                    sorted(scanned.under(t)),
                    "{when}: {t} {f:?}"
                );
            }
            let total = sorted(scanned.total());
            assert_eq!(sorted(kept.total()), total, "{when}: {f:?}");
            if *f == PriorityFilter::default() {
                assert!(total.durations.iter().all(|d| !d.is_empty()), "{when}");
                assert!(total.overdue > 0 && total.overdue < total.open, "{when}");
            }
        }
    }

    #[test]
    fn kept_samples_equal_a_pass_over_the_priorities_as_they_change() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let first: Vec<Priority> = (1..=1_200).map(|pk| random(&mut rng, pk)).collect();
        let mut builder = IndexBuilder::default();
        builder.add(&first, parish_of, false).expect("councils");
        let mut index = builder.finish();
        let ids: Vec<uuid::Uuid> = first.iter().map(|p| p.id).collect();
        let moves = transitions(&mut rng, &index, &ids);
        index.set_timelines(std::iter::empty(), moves);
        check(&index, "loaded");
        let mut rows: Vec<Priority> = first;
        for round in 0..4 {
            for _ in 0..250 {
                let i = rng.random_range(0..rows.len());
                match rng.random_range(0..4) {
                    // A move (or an edit): the index extends the timeline.
                    0 | 1 => {
                        let mut p = random(&mut rng, rows[i].pk);
                        p.id = rows[i].id;
                        p.council = rows[i].council.clone();
                        p.created_at = rows[i].created_at;
                        index.upsert(&p, parish_of(&p.council).expect("parish"), false);
                        rows[i] = p;
                    }
                    2 => {
                        index.remove(rows[i].pk);
                        rows.swap_remove(i);
                    }
                    _ => {
                        let pk = 10_000 + rng.random_range(0..1_000_000);
                        if index.entry(pk).is_none() {
                            let p = random(&mut rng, pk);
                            index.upsert(&p, parish_of(&p.council).expect("parish"), false);
                            rows.push(p);
                        }
                    }
                }
            }
            // A replica's catch-up: some timelines replaced from the history.
            let some: Vec<uuid::Uuid> = (0..60)
                .map(|_| rows[rng.random_range(0..rows.len())].id)
                .collect();
            let moves = transitions(&mut rng, &index, &some);
            index.set_timelines(some, moves);
            check(&index, &format!("round {round}"));
        }
    }
}
