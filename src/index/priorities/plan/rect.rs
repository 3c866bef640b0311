//! A box query, as the tree's walks read it.

use geo::Rect;
use rstar::{AABB, Envelope};

use crate::domain::geometry::{any_vertex, intersects_rect};
use crate::domain::query::Bbox;
use crate::index::priorities::entries::Entries;
use crate::index::priorities::tree::{Extent, Leaf, Reach, Region};

/// Priorities that meet a box, keyed by their row key: a point whose leaf
/// meets the box lies in it (edges included); a line or polygon does when its
/// own box or one of its vertices does, else geo decides.
pub struct BoxRegion<'i> {
    entries: &'i Entries,
    rect: Rect<f64>,
    query: AABB<[f64; 2]>,
}

impl<'i> BoxRegion<'i> {
    pub fn new(entries: &'i Entries, bbox: &Bbox) -> Self {
        let rect = bbox.0;
        let (min, max) = (rect.min(), rect.max());
        BoxRegion {
            entries,
            rect,
            query: AABB::from_corners([min.x, min.y], [max.x, max.y]),
        }
    }
}

// The walks call these for every node and leaf they look at: inline, as
// the closures they replace were.
impl Region for BoxRegion<'_> {
    type Key = i64;

    #[inline]
    fn cap(&self, wanted: usize) -> usize {
        // Collecting costs each match only its row key: see
        // docs/benchmarks.md, "Collected or best-first".
        wanted.saturating_mul(4).max(2048)
    }

    #[inline]
    fn reach(&self, extent: &Extent) -> Reach {
        if !self.query.intersects(&extent.rect) {
            Reach::Outside
        } else if self.query.contains_envelope(&extent.rect) {
            Reach::Inside
        } else {
            Reach::Partly
        }
    }

    #[inline]
    fn key(&self, leaf: &Leaf) -> Option<i64> {
        let query = &self.query;
        let hit = query.intersects(&leaf.envelope)
            && (leaf.point().is_some() || query.contains_envelope(&leaf.envelope) || {
                let geometry = &self.entries.at(leaf.slot).geometry;
                any_vertex(geometry, |c| query.contains_point(&[c.x, c.y]))
                    || intersects_rect(geometry, &self.rect)
            });
        hit.then_some(leaf.pk)
    }

    #[inline]
    fn bound(&self, extent: &Extent) -> Option<i64> {
        self.query.intersects(&extent.rect).then_some(extent.min_pk)
    }
}
