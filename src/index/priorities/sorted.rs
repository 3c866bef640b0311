//! Pages in the order a `sortby` asks for.

use crate::domain::cql::{Record, Scalar};
use crate::domain::query::{Page, PriorityFilter};
use crate::domain::sort::{SortKey, compare};

use super::plan::{QueryPage, sort_page};
use super::{Entry, PriorityIndex};

impl PriorityIndex {
    /// Answers a query in the order of `keys`, ties broken by row key, so
    /// that pages are stable and each match is on exactly one page. Without
    /// keys, the order is [`PriorityIndex::query`]'s (row key, or distance
    /// for radius queries). The matches are all found and their keys read
    /// once; only the reach of the page is sorted.
    pub fn query_sorted(
        &self,
        filter: &PriorityFilter,
        keys: &[SortKey],
        page: Page,
    ) -> QueryPage<'_> {
        if keys.is_empty() {
            return self.query(filter, page);
        }
        let all = self.query(
            filter,
            Page {
                limit: usize::MAX,
                offset: 0,
            },
        );
        let mut keyed: Vec<(Vec<Scalar<'_>>, &Entry, Option<f64>)> = all
            .items
            .into_iter()
            .map(|(entry, d)| {
                (
                    keys.iter().map(|k| entry.value(k.position)).collect(),
                    entry,
                    d,
                )
            })
            .collect();
        sort_page(&mut keyed, page, |a, b| {
            keys.iter()
                .zip(a.0.iter().zip(&b.0))
                .map(|(key, (x, y))| compare(x, y, *key))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.1.pk.cmp(&b.1.pk))
        });
        let items = keyed
            .into_iter()
            .skip(page.offset)
            .take(page.limit)
            .map(|(_, entry, d)| (entry, d))
            .collect();
        QueryPage {
            matched: all.matched,
            items,
        }
    }
}
