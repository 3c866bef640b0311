//! The plan for a circle or a box and nothing else, as a map asks when it
//! pans: counted from the R-tree's node counts and paged best-first (see
//! [`tree`]), so the cost follows the page and the edge of the area, not
//! every priority inside it.

use crate::domain::query::{Bbox, Near, Page};
use crate::index::priorities::PriorityIndex;
use crate::index::priorities::tree::{self, Leaf, Metres, Region};

use super::circle::CircleRegion;
use super::rect::BoxRegion;
use super::{QueryPage, sort_page};

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
/// the matches while they are few (then sorted), else found by
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
        Some(mut all) => {
            sort_page(&mut all, page, by_key_then_row);
            all
        }
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

/// The order of map pages: by key (distance or row key), then row key.
fn by_key_then_row<K: Ord>(a: &(K, &Leaf), b: &(K, &Leaf)) -> std::cmp::Ordering {
    (&a.0, a.1.pk).cmp(&(&b.0, b.1.pk))
}
