//! Every priority of a filter whose geometry meets a box, found from the
//! R-tree without a page or an order: what a map tile draws or clusters.

use geo::{Point, Rect};
use rstar::AABB;

use crate::domain::geometry::intersects_rect;
use crate::domain::priority::{Category, Status};
use crate::domain::query::PriorityFilter;

use super::filter::{facets_match, matches};
use super::tree::Leaf;
use super::{Entry, PriorityIndex};

/// A priority found in a box.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    /// Its row key.
    pub pk: i64,
    /// Where it is drawn when it is counted as one position: a point itself,
    /// any other geometry the centre of its bounding box.
    pub position: Point<f64>,
    /// Its status.
    pub status: Status,
    /// Its category.
    pub category: Category,
    slot: u32,
    index: &'a PriorityIndex,
}

impl<'a> Found<'a> {
    fn new(leaf: &Leaf, index: &'a PriorityIndex) -> Self {
        let [x0, y0] = leaf.envelope.lower();
        let [x1, y1] = leaf.envelope.upper();
        Found {
            pk: leaf.pk,
            position: Point::new((x0 + x1) / 2.0, (y0 + y1) / 2.0),
            status: leaf.facets.status,
            category: leaf.facets.category,
            slot: leaf.slot,
            index,
        }
    }

    /// Its entry: geometry, Feature text and the rest.
    pub fn entry(&self) -> &'a Entry {
        self.index.entries.at(self.slot)
    }
}

impl PriorityIndex {
    /// Calls `visit` with every priority that matches `filter` and whose
    /// geometry meets `rect` (edges included), in no particular order; the
    /// same set as the query of `filter` with `rect` as its box.
    ///
    /// A point whose filter its leaf decides (no circle, no box, nothing
    /// [`PriorityFilter::needs_entry`]) is found without reading its entry.
    pub fn for_each_in<'s>(
        &'s self,
        filter: &PriorityFilter,
        rect: Rect<f64>,
        mut visit: impl FnMut(Found<'s>),
    ) {
        let by_leaf = filter.near.is_none() && filter.bbox.is_none() && !filter.needs_entry();
        let (min, max) = (rect.min(), rect.max());
        let envelope = AABB::from_corners([min.x, min.y], [max.x, max.y]);
        self.tree.for_each_intersecting(envelope, |leaf| {
            let point = leaf.point().is_some();
            let found = if point && by_leaf {
                facets_match(&leaf.facets, filter)
            } else {
                let entry = self.entries.at(leaf.slot);
                matches(entry, filter).is_some()
                    && (point || intersects_rect(&entry.geometry, &rect))
            };
            if found {
                visit(Found::new(leaf, self));
            }
        });
    }
}
