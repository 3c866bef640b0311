//! The plan for a circle or a box and nothing else, as a map asks when it
//! pans: counted from the R-tree's node counts and paged best-first (see
//! [`tree`]), so the cost follows the page and the edge of the area, not
//! every priority inside it.

use geo::Point;
use rstar::{AABB, Envelope, RTreeObject};

use crate::domain::geometry::{any_vertex, distance_m, intersects_rect};
use crate::domain::query::{Bbox, Near, Page};
use crate::index::priorities::PriorityIndex;
use crate::index::priorities::tree::{self, Circle, Extent, Leaf, LeafKey, Metres, Reach};

use super::circle::radius_envelopes;
use super::{QueryPage, sort_page};

/// A circle or a box, alone.
#[derive(Debug, PartialEq)]
pub enum MapPage<'f> {
    Circle(&'f Near),
    Box(&'f Bbox),
}

/// A count, and matches in the page's order at least as far as it reaches,
/// each with its distance in metres for a circle.
type Hits<'i> = (usize, Vec<(Option<f64>, &'i Leaf)>);

impl MapPage<'_> {
    pub fn page<'i>(&self, index: &'i PriorityIndex, page: Page) -> QueryPage<'i> {
        let (matched, hits) = match *self {
            MapPage::Circle(near) => circle_hits(index, near, page),
            MapPage::Box(bbox) => box_hits(index, bbox, page),
        };
        let items = hits
            .into_iter()
            .skip(page.offset)
            .take(page.limit)
            .map(|(d, leaf)| (index.entries.at(leaf.slot), d))
            .collect();
        QueryPage { matched, items }
    }
}

/// A circle's matches, nearest first.
fn circle_hits<'i>(index: &'i PriorityIndex, near: &Near, page: Page) -> Hits<'i> {
    let roots = index.tree.roots();
    let wanted = page.offset.saturating_add(page.limit);
    // Up to `cap` matches are collected while counting, then sorted;
    // beyond, the page is found best-first. A box's matches cost only
    // their row keys to collect, a circle's their distances: on the index
    // bench's million, for a page of 100, a box of 615 matches was
    // faster collected (31 vs 41 µs) and one of 5,772 best-first (145 vs
    // 181 µs); a circle of 1,531 best-first (135 vs 313 µs).
    let cap = wanted.saturating_mul(2).max(512);
    let circle = Circle::new(near.center, near.radius_m);
    let boxes = radius_envelopes(near);
    let in_boxes = |rect: &AABB<[f64; 2]>| boxes.iter().any(|b| b.intersects(rect));
    let reach = |rect: &AABB<[f64; 2]>| match in_boxes(rect) {
        true => circle.reach(rect),
        false => Reach::Outside,
    };
    // A line or polygon is measured from its entry unless its box,
    // or one of its vertices well inside, decides.
    let exact = |leaf: &Leaf| distance_m(&index.entries.at(leaf.slot).geometry, near.center);
    let within = |leaf: &Leaf| match leaf.spot() {
        Some(spot) => in_boxes(&leaf.envelope) && circle.holds(spot),
        None => match reach(&leaf.envelope) {
            Reach::Outside => false,
            Reach::Inside => true,
            Reach::Partly => {
                let geometry = &index.entries.at(leaf.slot).geometry;
                if any_vertex(geometry, |c| circle.surely_holds(Point(c))) {
                    true
                } else if circle.surely_misses(geometry) {
                    false
                } else {
                    distance_m(geometry, near.center) <= near.radius_m
                }
            }
        },
    };
    let distance = |leaf: &Leaf| {
        let d = match leaf.spot() {
            Some(spot) if in_boxes(&leaf.envelope) => circle.distance_within(spot)?,
            None if !matches!(reach(&leaf.envelope), Reach::Outside) => exact(leaf),
            _ => return None,
        };
        (d <= near.radius_m).then_some(Metres(d))
    };
    let nearest = |extent: &Extent| {
        let d = in_boxes(&extent.rect).then(|| circle.nearest_m(&extent.rect))?;
        (d <= near.radius_m).then_some(Metres(d))
    };
    let (count, collected) = tree::survey(&roots, cap, |e| reach(&e.rect), within, distance);
    let found = match collected {
        Some(mut all) => {
            sort_page(&mut all, page, by_key_then_row);
            all
        }
        None => {
            let known = |leaf: &Leaf| match leaf.point() {
                Some(_) => distance(leaf).map(LeafKey::Exact),
                None => nearest(&leaf.envelope()).map(LeafKey::AtLeast),
            };
            tree::first(&roots, wanted, nearest, known, distance)
        }
    };
    let hits = found
        .into_iter()
        .map(|(Metres(d), leaf)| (Some(d), leaf))
        .collect();
    (count, hits)
}

/// A box's matches, by row key.
fn box_hits<'i>(index: &'i PriorityIndex, bbox: &Bbox, page: Page) -> Hits<'i> {
    let roots = index.tree.roots();
    let wanted = page.offset.saturating_add(page.limit);
    let cap = wanted.saturating_mul(4).max(2048);
    let rect = bbox.0;
    let (min, max) = (rect.min(), rect.max());
    let query = AABB::from_corners([min.x, min.y], [max.x, max.y]);
    let reach = |extent: &Extent| {
        if !query.intersects(&extent.rect) {
            Reach::Outside
        } else if query.contains_envelope(&extent.rect) {
            Reach::Inside
        } else {
            Reach::Partly
        }
    };
    // A point whose leaf meets the box lies in it (edges included);
    // a line or polygon does when its own box or one of its vertices
    // does, else geo decides.
    let inside = |leaf: &Leaf| {
        let hit = query.intersects(&leaf.envelope)
            && (leaf.point().is_some() || query.contains_envelope(&leaf.envelope) || {
                let geometry = &index.entries.at(leaf.slot).geometry;
                any_vertex(geometry, |c| query.contains_point(&[c.x, c.y]))
                    || intersects_rect(geometry, &rect)
            });
        hit.then_some(leaf.pk)
    };
    let (count, collected) =
        tree::survey(&roots, cap, reach, |leaf| inside(leaf).is_some(), inside);
    let found = match collected {
        Some(mut all) => {
            sort_page(&mut all, page, by_key_then_row);
            all
        }
        None => tree::first(
            &roots,
            wanted,
            |e| query.intersects(&e.rect).then_some(e.min_pk),
            |leaf| inside(leaf).map(LeafKey::Exact),
            inside,
        ),
    };
    let hits = found.into_iter().map(|(_, leaf)| (None, leaf)).collect();
    (count, hits)
}

/// The order of map pages: by key (distance or row key), then row key.
fn by_key_then_row<K: Ord>(a: &(K, &Leaf), b: &(K, &Leaf)) -> std::cmp::Ordering {
    (&a.0, a.1.pk).cmp(&(&b.0, b.1.pk))
}
