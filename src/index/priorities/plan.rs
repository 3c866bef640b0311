//! The query planner: what a filter holds picks how its page is found, each
//! way a type of its own.
//!
//! [`Scan`] answers any filter: candidates from the most selective structure
//! (the R-tree for a circle or a box, the council or parish sets), every
//! filter checked exactly on each, so its result equals a brute-force scan
//! of the whole collection. The other plans give the same for the shapes
//! asked most, without looking at every match:
//!
//! - [`Everything`]: no filter at all;
//! - [`Territories`]: territories of one level, nothing else;
//! - [`MapPage`]: a circle or a box, nothing else.

mod circle;
mod everything;
mod map;
mod rect;
pub(super) mod scan;
mod territory;
#[cfg(test)]
mod tests;

use crate::domain::codes::TerritoryCode;
use crate::domain::query::{Page, PriorityFilter};

use super::{Entry, PriorityIndex};

pub use everything::Everything;
pub use map::MapPage;
pub use scan::Scan;
pub use territory::Territories;

/// One page of a query's result.
#[derive(Debug)]
pub struct QueryPage<'a> {
    /// How many priorities match in all pages.
    pub matched: usize,
    /// This page's priorities, each with its distance in metres for radius queries.
    pub items: Vec<(&'a Entry, Option<f64>)>,
}

/// How a query is answered.
#[derive(Debug, PartialEq)]
pub enum Plan<'f> {
    Everything(Everything),
    Territories(Territories<'f>),
    Map(MapPage<'f>),
    Scan(Scan<'f>),
}

impl<'f> Plan<'f> {
    /// The plan for `filter`, by which of its filters are given.
    pub fn choose(filter: &'f PriorityFilter) -> Self {
        // Taken apart whole, so that a filter added to `PriorityFilter` does
        // not compile until it is said here which plans may take it.
        let PriorityFilter {
            bbox,
            near,
            datetime,
            states,
            municipalities,
            parishes,
            councils,
            categories,
            statuses,
            placements,
            overdue,
            duplicate_of,
            has_duplicates,
            filter: cql,
        } = filter;
        // Filters that only `Scan` checks, and those `Territories` also can.
        let checked = datetime.is_some()
            || overdue.is_some()
            || !duplicate_of.is_empty()
            || has_duplicates.is_some()
            || cql.is_some()
            || !councils.is_empty()
            || !placements.is_empty();
        let kinds = !categories.is_empty() || !statuses.is_empty();
        let mut levels = [states, municipalities, parishes]
            .into_iter()
            .filter(|codes| !codes.is_empty());
        let territories: Option<&[TerritoryCode]> = match (levels.next(), levels.next()) {
            (_, Some(_)) => return Plan::Scan(Scan::new(filter)),
            (codes, None) => codes.map(Vec::as_slice),
        };
        match (checked, kinds, near, bbox, territories) {
            (false, false, None, None, None) => Plan::Everything(Everything),
            (false, _, None, None, Some(codes)) => Plan::Territories(Territories {
                codes,
                statuses,
                categories,
            }),
            (false, false, Some(near), None, None) => Plan::Map(MapPage::Circle(near)),
            (false, false, None, Some(bbox), None) => Plan::Map(MapPage::Box(bbox)),
            _ => Plan::Scan(Scan::new(filter)),
        }
    }

    /// The requested page of the plan's result, and how many match.
    pub fn page<'i>(&self, index: &'i PriorityIndex, page: Page) -> QueryPage<'i> {
        match self {
            Plan::Everything(plan) => plan.page(index, page),
            Plan::Territories(plan) => plan.page(index, page),
            Plan::Map(plan) => plan.page(index, page),
            Plan::Scan(plan) => plan.page(index, page),
        }
    }
}

impl PriorityIndex {
    /// Answers a query: every priority matching all of `filter`, ordered by
    /// row key (or by distance, then row key, for radius queries), and the
    /// requested page of them.
    pub fn query(&self, filter: &PriorityFilter, page: Page) -> QueryPage<'_> {
        Plan::choose(filter).page(self, page)
    }
}

/// Orders `hits` by `order` as far as `page` reaches: the first
/// `offset + limit` are selected in linear time and only they are sorted, so
/// a page of 100 out of 50,000 matches does not sort 50,000.
pub(super) fn sort_page<T>(
    hits: &mut [T],
    page: Page,
    order: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    let reach = page.offset.saturating_add(page.limit);
    if reach < hits.len() {
        hits.select_nth_unstable_by(reach, &order);
        hits[..reach].sort_unstable_by(&order);
    } else {
        hits.sort_unstable_by(&order);
    }
}
