//! The plan for territories of one level and nothing else.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

use crate::domain::codes::TerritoryCode;
use crate::domain::priority::{Category, Status};
use crate::domain::query::Page;
use crate::index::priorities::PriorityIndex;

use super::QueryPage;

/// Territories of one level (states, municipalities or parishes), and
/// perhaps statuses and categories, nothing else: the count is the sizes of
/// the parishes' row-key sets, or their counts per status and category
/// (each parish's [`super::super::Tally`]), and the page is merged from
/// those sets in row-key order, each entry's status and category checked,
/// so a state with 100,000 priorities costs its parishes and the page, not
/// its matches.
#[derive(Debug, PartialEq)]
pub struct Territories<'f> {
    pub codes: &'f [TerritoryCode],
    /// Any of these statuses (empty: any status).
    pub statuses: &'f [Status],
    /// Any of these categories (empty: any category).
    pub categories: &'f [Category],
}

impl Territories<'_> {
    pub fn page<'i>(&self, index: &'i PriorityIndex, page: Page) -> QueryPage<'i> {
        // Codes of one level name disjoint parish ranges once deduplicated.
        let mut codes = self.codes.to_vec();
        codes.sort_unstable();
        codes.dedup();
        let (statuses, categories) = (deduped(self.statuses), deduped(self.categories));
        let parishes: Vec<(&TerritoryCode, &BTreeSet<i64>)> = codes
            .iter()
            .flat_map(|t| {
                let (first, last) = t.parish_range();
                index.by_parish.range(first..=last)
            })
            .collect();
        let matched = parishes
            .iter()
            .map(
                |(parish, set)| match (statuses.is_empty(), categories.is_empty()) {
                    (true, true) => set.len(),
                    _ => index
                        .tallies
                        .get(*parish)
                        .map_or(0, |t| t.of_kinds(&statuses, &categories) as usize),
                },
            )
            .sum();
        let mut cursors: Vec<_> = parishes
            .iter()
            .map(|(_, set)| set.iter().copied())
            .collect();
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
            if let Some(next) = cursors[i].next() {
                heads.push(Reverse((next, i)));
            }
            let Some(entry) = index.entries.get(pk) else {
                continue;
            };
            let kept = (statuses.is_empty() || statuses.contains(&entry.status))
                && (categories.is_empty() || categories.contains(&entry.category));
            if !kept {
                continue;
            }
            if skipped < page.offset {
                skipped += 1;
            } else {
                items.push((entry, None));
            }
        }
        QueryPage { matched, items }
    }
}

/// `list` without repeats (a repeated value must not be counted twice).
fn deduped<T: Copy + Ord>(list: &[T]) -> Vec<T> {
    let mut list = list.to_vec();
    list.sort_unstable();
    list.dedup();
    list
}
