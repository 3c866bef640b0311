//! The plan for no filter at all.

use crate::domain::query::Page;
use crate::index::priorities::PriorityIndex;

use super::QueryPage;

/// No filter at all: every priority counts, and the page is read in row-key
/// order.
#[derive(Debug, PartialEq)]
pub struct Everything;

impl Everything {
    pub fn page<'i>(&self, index: &'i PriorityIndex, page: Page) -> QueryPage<'i> {
        let items = index
            .entries
            .values()
            .skip(page.offset)
            .take(page.limit)
            .map(|entry| (entry, None))
            .collect();
        QueryPage {
            matched: index.entries.len(),
            items,
        }
    }
}
