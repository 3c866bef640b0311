//! Counts of priorities per territory, kept as priorities come and go.

use crate::domain::priority::{Category, Status};

use super::Entry;

/// Priority counts of a territory, for choropleth maps and coverage figures.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Priorities counted.
    pub priorities: u64,
    /// Families benefited, summed.
    pub families: u64,
    /// Counts in the order of [`Status::ALL`].
    pub by_status: [u64; Status::ALL.len()],
    /// Counts in the order of [`Category::ALL`].
    pub by_category: [u64; Category::ALL.len()],
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
        step(&mut self.families, u64::from(entry.families));
        step(&mut self.by_status[entry.status as usize], 1);
        step(&mut self.by_category[entry.category as usize], 1);
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
