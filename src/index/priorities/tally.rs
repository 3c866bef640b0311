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
