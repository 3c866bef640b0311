//! Counts of priorities per territory, kept as priorities come and go.

use crate::domain::priority::{Category, Status};

use super::Entry;

/// The number of (status, category) pairs.
pub const KINDS: usize = Status::ALL.len() * Category::ALL.len();

/// Priority counts of a territory, for choropleth maps and coverage figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Priorities counted.
    pub priorities: u64,
    /// Families benefited, summed ([`Entry::counted_families`]).
    pub families: u64,
    /// Counts in the order of [`Status::ALL`].
    pub by_status: [u64; Status::ALL.len()],
    /// Counts in the order of [`Category::ALL`].
    pub by_category: [u64; Category::ALL.len()],
    /// Counts per (status, category), at [`kind`]`(status, category)`.
    pub by_kind: [u64; KINDS],
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            priorities: 0,
            families: 0,
            by_status: [0; Status::ALL.len()],
            by_category: [0; Category::ALL.len()],
            by_kind: [0; KINDS],
        }
    }
}

/// Where a (status, category) pair is counted in [`Tally::by_kind`].
pub fn kind(status: Status, category: Category) -> usize {
    status as usize * Category::ALL.len() + category as usize
}

impl Tally {
    /// Counts `entry` in.
    pub fn add(&mut self, entry: &Entry) {
        self.count(entry, true);
    }

    /// Counts `entry` in (`add`) or out.
    pub(super) fn count(&mut self, entry: &Entry, add: bool) {
        let step = |n: &mut u64, by: u64| *n = if add { *n + by } else { n.saturating_sub(by) };
        step(&mut self.priorities, 1);
        step(&mut self.families, entry.counted_families());
        step(&mut self.by_status[entry.status as usize], 1);
        step(&mut self.by_category[entry.category as usize], 1);
        step(&mut self.by_kind[kind(entry.status, entry.category)], 1);
    }

    /// How many have one of `statuses` and one of `categories` (an empty
    /// list: any).
    pub fn of_kinds(&self, statuses: &[Status], categories: &[Category]) -> u64 {
        match (statuses.is_empty(), categories.is_empty()) {
            (true, true) => self.priorities,
            (false, true) => statuses.iter().map(|&s| self.by_status[s as usize]).sum(),
            (true, false) => categories
                .iter()
                .map(|&c| self.by_category[c as usize])
                .sum(),
            (false, false) => statuses
                .iter()
                .flat_map(|&s| categories.iter().map(move |&c| kind(s, c)))
                .map(|k| self.by_kind[k])
                .sum(),
        }
    }

    /// Adds another territory's counts to these.
    pub fn merge(&mut self, other: &Tally) {
        self.priorities += other.priorities;
        self.families += other.families;
        self.by_status
            .iter_mut()
            .zip(other.by_status)
            .for_each(|(a, b)| *a += b);
        self.by_category
            .iter_mut()
            .zip(other.by_category)
            .for_each(|(a, b)| *a += b);
        self.by_kind
            .iter_mut()
            .zip(other.by_kind)
            .for_each(|(a, b)| *a += b);
    }
}

/// Counts per territory of the priorities that pass a filter: the index's
/// own counts when the filter holds nothing, else counts per parish made in
/// one pass over the matches.
#[derive(Debug)]
pub enum Counts {
    /// Every priority: [`super::PriorityIndex::tally`].
    All,
    /// The matches' counts per parish.
    Filtered(std::collections::BTreeMap<crate::domain::codes::TerritoryCode, Tally>),
}

impl super::PriorityIndex {
    /// The counts of the priorities passing `filter`, per territory.
    pub fn counts(&self, filter: &crate::domain::query::PriorityFilter) -> Counts {
        if *filter == crate::domain::query::PriorityFilter::default() {
            return Counts::All;
        }
        let everything = crate::domain::query::Page {
            limit: usize::MAX,
            offset: 0,
        };
        let mut per_parish = std::collections::BTreeMap::new();
        for (entry, _) in self.query(filter, everything).items {
            per_parish
                .entry(entry.parish)
                .or_insert_with(Tally::default)
                .add(entry);
        }
        Counts::Filtered(per_parish)
    }

    /// A territory's counts under `counts`.
    pub fn tally_under(
        &self,
        counts: &Counts,
        territory: crate::domain::codes::TerritoryCode,
    ) -> Tally {
        match counts {
            Counts::All => self.tally(territory),
            Counts::Filtered(per_parish) => {
                let (first, last) = territory.parish_range();
                let mut tally = Tally::default();
                per_parish
                    .range(first..=last)
                    .for_each(|(_, t)| tally.merge(t));
                tally
            }
        }
    }
}
