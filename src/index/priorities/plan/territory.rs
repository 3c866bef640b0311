//! The plan for territories of one level and nothing else.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

use crate::domain::codes::TerritoryCode;
use crate::domain::query::Page;
use crate::index::priorities::PriorityIndex;

use super::QueryPage;

/// Territories of one level (states, municipalities or parishes) and nothing
/// else: the count is the sizes of the parishes' row-key sets, and the page
/// is merged from those sets in row-key order, so a state with 100,000
/// priorities costs its parishes and the page, not its matches.
#[derive(Debug, PartialEq)]
pub struct Territories<'f> {
    pub codes: &'f [TerritoryCode],
}

impl Territories<'_> {
    pub fn page<'i>(&self, index: &'i PriorityIndex, page: Page) -> QueryPage<'i> {
        // Codes of one level name disjoint parish ranges once deduplicated.
        let mut codes = self.codes.to_vec();
        codes.sort_unstable();
        codes.dedup();
        let sets: Vec<&BTreeSet<i64>> = codes
            .iter()
            .flat_map(|t| {
                let (first, last) = t.parish_range();
                index.by_parish.range(first..=last).map(|(_, set)| set)
            })
            .collect();
        let matched = sets.iter().map(|set| set.len()).sum();
        let mut cursors: Vec<_> = sets.iter().map(|set| set.iter().copied()).collect();
        let mut heads: BinaryHeap<Reverse<(i64, usize)>> = cursors
            .iter_mut()
            .enumerate()
            .filter_map(|(i, cursor)| Some(Reverse((cursor.next()?, i))))
            .collect();
        let mut items = Vec::with_capacity(page.limit.min(matched));
        let mut skipped = 0;
        while items.len() < page.limit {
            let Some(Reverse((pk, i))) = heads.pop() else {
                break;
            };
            if skipped < page.offset {
                skipped += 1;
            } else {
                items.extend(index.entries.get(pk).map(|entry| (entry, None)));
            }
            if let Some(next) = cursors[i].next() {
                heads.push(Reverse((next, i)));
            }
        }
        QueryPage { matched, items }
    }
}
