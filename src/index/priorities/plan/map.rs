//! The plan for a circle or a box and nothing else, as a map asks when it
//! pans: counted from the R-tree's node counts and paged best-first (see
//! [`tree`]), so the cost follows the page and the edge of the area, not
//! every priority inside it.

use crate::domain::query::{Bbox, Near, Page};
use crate::index::priorities::PriorityIndex;
use crate::index::priorities::tree::{self, Metres, Region};

use super::QueryPage;
use super::circle::CircleRegion;
use super::rect::BoxRegion;

/// A circle or a box, alone.
#[derive(Debug, PartialEq)]
pub enum MapPage<'f> {
    /// Nearest first.
    Circle(&'f Near),
    /// By row key.
    Box(&'f Bbox),
}

impl MapPage<'_> {
    pub fn page<'i>(&self, index: &'i PriorityIndex, page: Page) -> QueryPage<'i> {
        match *self {
            MapPage::Circle(near) => {
                let region = CircleRegion::new(&index.entries, near);
                walk(index, &region, page, |Metres(d)| Some(d))
            }
            MapPage::Box(bbox) => {
                walk(index, &BoxRegion::new(&index.entries, bbox), page, |_| None)
            }
        }
    }
}

/// The page of `region`: counted by [`tree::survey`], which also collects
/// the matches while they are few (then paged by [`tree::first_among`]),
/// else found by
/// [`tree::first`]; `metres` tells a match's distance by its key.
fn walk<'i, R: Region>(
    index: &'i PriorityIndex,
    region: &R,
    page: Page,
    metres: impl Fn(R::Key) -> Option<f64>,
) -> QueryPage<'i> {
    let roots = index.tree.roots();
    let wanted = page.offset.saturating_add(page.limit);
    let (matched, collected) = tree::survey(&roots, region.cap(wanted), region);
    let found = match collected {
        Some(all) => tree::first_among(all, wanted, region),
        None => tree::first(&roots, wanted, region),
    };
    let items = found
        .into_iter()
        .skip(page.offset)
        .take(page.limit)
        .map(|(key, leaf)| (index.entries.at(leaf.slot), metres(key)))
        .collect();
    QueryPage { matched, items }
}
