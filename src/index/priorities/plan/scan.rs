//! The plan for every other filter: candidates from the most selective
//! structure, every filter checked on each.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashSet};

use rstar::AABB;
use uuid::Uuid;

use crate::domain::codes::{CouncilCode, TerritoryCode};
use crate::domain::geometry::distance_m;
use crate::domain::query::{Bbox, Near, Page, PriorityFilter};
use crate::index::priorities::filter::{facets_match, matches};
use crate::index::priorities::tree::Disc;
use crate::index::priorities::tree::Metres;
use crate::index::priorities::{Entry, PriorityIndex};

use super::circle::radius_envelopes;
use super::{QueryPage, sort_page};

/// Any filter: candidates are taken from the most selective structure, and
/// every filter is checked exactly on each, as [`matches()`] does.
#[derive(Debug, PartialEq)]
pub struct Scan<'f> {
    pub filter: &'f PriorityFilter,
    pub source: Source<'f>,
}

/// Where a scan's candidates come from, the first the filter gives of:
#[derive(Debug, PartialEq)]
pub enum Source<'f> {
    /// the row-key sets of the duplicates of these originals;
    Originals(&'f [Uuid]),
    /// the R-tree's leaves in the boxes around a circle;
    Circle(&'f Near),
    /// the R-tree's leaves that meet a box;
    Box(&'f Bbox),
    /// the councils' row-key sets;
    Councils(&'f [CouncilCode]),
    /// the row-key sets of the parishes in territories, of the finest level
    /// given (it narrows most; the others are checked on each candidate);
    Territories(&'f [TerritoryCode]),
    /// the originals of marked duplicates (`has_duplicates=true`);
    WithDuplicates,
    /// every entry.
    All,
}

/// Matches with their distance (0 without a circle), row key, and whether
/// the distance is exact or only a bound below it (a point's, known from
/// the sphere until the page needs it).
type Hits = Vec<(f64, i64, bool)>;

impl<'f> Scan<'f> {
    pub fn new(filter: &'f PriorityFilter) -> Self {
        let finest = [&filter.parishes, &filter.municipalities, &filter.states]
            .into_iter()
            .find(|list| !list.is_empty());
        let source = if !filter.duplicate_of.is_empty() {
            Source::Originals(&filter.duplicate_of)
        } else if let Some(near) = &filter.near {
            Source::Circle(near)
        } else if let Some(bbox) = &filter.bbox {
            Source::Box(bbox)
        } else if !filter.councils.is_empty() {
            Source::Councils(&filter.councils)
        } else if let Some(territories) = finest {
            Source::Territories(territories)
        } else if filter.has_duplicates == Some(true) {
            Source::WithDuplicates
        } else {
            Source::All
        };
        Scan { filter, source }
    }

    pub fn page<'i>(&self, index: &'i PriorityIndex, page: Page) -> QueryPage<'i> {
        let mut hits = Vec::new();
        let in_row_order = self.candidates(index, &mut hits);
        if let Some(near) = &self.filter.near {
            nearest_first(&mut hits, page, |pk| {
                index
                    .entries
                    .get(pk)
                    .map_or(f64::INFINITY, |e| distance_m(&e.geometry, near.center))
            });
        } else if !in_row_order {
            sort_page(&mut hits, page, |a, b| a.1.cmp(&b.1));
        }
        let matched = hits.len();
        let items = hits
            .iter()
            .skip(page.offset)
            .take(page.limit)
            .filter_map(|&(d, pk, _)| Some((index.entries.get(pk)?, self.filter.near.map(|_| d))))
            .collect();
        QueryPage { matched, items }
    }

    /// Checks the candidates of the source into `hits`; whether they came in
    /// row-key order. Candidates from the R-tree come in tree order and need
    /// sorting; the other sources are walked in row-key order already.
    fn candidates(&self, index: &PriorityIndex, hits: &mut Hits) -> bool {
        match self.source {
            Source::Circle(near) => self.circle(index, near, hits),
            Source::Box(bbox) => self.rect(index, bbox, hits),
            Source::Councils(councils) => {
                let pks: BTreeSet<i64> = councils
                    .iter()
                    .filter_map(|c| index.by_council.get(c))
                    .flatten()
                    .copied()
                    .collect();
                self.check_each(index, &pks, hits);
            }
            Source::Territories(territories) => {
                let mut pks = BTreeSet::new();
                for territory in territories {
                    let (first, last) = territory.parish_range();
                    for (_, set) in index.by_parish.range(first..=last) {
                        pks.extend(set.iter().copied());
                    }
                }
                self.check_each(index, &pks, hits);
            }
            Source::Originals(originals) => {
                let pks: BTreeSet<i64> = originals
                    .iter()
                    .flat_map(|o| index.duplicates_marked(o))
                    .collect();
                self.check_each(index, &pks, hits);
            }
            Source::WithDuplicates => {
                let pks: BTreeSet<i64> = index
                    .originals()
                    .filter_map(|o| index.get(o).map(|e| e.pk))
                    .collect();
                self.check_each(index, &pks, hits);
            }
            Source::All => index
                .entries
                .values()
                .for_each(|entry| self.consider(hits, entry)),
        }
        !matches!(self.source, Source::Circle(_) | Source::Box(_))
    }

    /// Adds `entry` to `hits` if it matches.
    fn consider(&self, hits: &mut Hits, entry: &Entry) {
        if let Some(d) = matches(entry, self.filter) {
            hits.push((d.unwrap_or(0.0), entry.pk, true));
        }
    }

    /// Checks the entries of `pks`, in row-key order.
    fn check_each(&self, index: &PriorityIndex, pks: &BTreeSet<i64>, hits: &mut Hits) {
        pks.iter()
            .filter_map(|&pk| index.entries.get(pk))
            .for_each(|entry| self.consider(hits, entry));
    }

    /// Whether a point's leaf decides the filter: a circle or a box (not
    /// both), and no filter that needs the entry
    /// ([`PriorityFilter::needs_entry`]).
    ///
    /// A map's query (a circle or a box, with filters the leaf carries) is
    /// decided for points, most priorities, by their R-tree leaf, which is
    /// the point itself: their entries, scattered over memory, are read only
    /// for the page.
    fn leaves_decide(&self) -> bool {
        let f = self.filter;
        f.near.is_some() != f.bbox.is_some() && !f.needs_entry()
    }

    /// The matches among the leaves in the boxes around a circle.
    fn circle(&self, index: &PriorityIndex, near: &Near, hits: &mut Hits) {
        let by_leaf = self.leaves_decide();
        let envelopes = radius_envelopes(near);
        let circle = Disc::new(near.center, near.radius_m);
        // Only two boxes (across the antimeridian) can meet a leaf twice.
        let mut seen = HashSet::new();
        for envelope in &envelopes {
            index.tree.for_each_intersecting(*envelope, |leaf| {
                if envelopes.len() > 1 && !seen.insert(leaf.pk) {
                    return;
                }
                match leaf.spot() {
                    Some(spot) if by_leaf => {
                        if !facets_match(&leaf.facets, self.filter) {
                            return;
                        }
                        if circle.holds(spot) {
                            let d = circle.at_least_m(spot).unwrap_or(0.0);
                            hits.push((d, leaf.pk, false));
                        }
                    }
                    _ => self.consider(hits, index.entries.at(leaf.slot)),
                }
            });
        }
    }

    /// The matches among the leaves that meet a box.
    fn rect(&self, index: &PriorityIndex, bbox: &Bbox, hits: &mut Hits) {
        let by_leaf = self.leaves_decide();
        let (min, max) = (bbox.0.min(), bbox.0.max());
        let envelope = AABB::from_corners([min.x, min.y], [max.x, max.y]);
        index.tree.for_each_intersecting(envelope, |leaf| {
            // A point whose leaf meets the box lies in it (edges included).
            if by_leaf && leaf.point().is_some() {
                if facets_match(&leaf.facets, self.filter) {
                    hits.push((0.0, leaf.pk, true));
                }
            } else {
                self.consider(hits, index.entries.at(leaf.slot));
            }
        });
    }
}

/// Orders the first `offset + limit` of `hits` by exact distance, then row
/// key, as far as `page` reaches: a hit known by a bound is queued by it
/// and given its exact distance (`exact` of its row key) only when it comes
/// up before the page is full, so a page of 100 among thousands of points
/// computes about 100 geodesics.
fn nearest_first(hits: &mut Hits, page: Page, exact: impl Fn(i64) -> f64) {
    let reach = page.offset.saturating_add(page.limit).min(hits.len());
    // Ordered by distance, then bounds before exact distances (a bound may
    // turn out equal with a smaller row key), then row key.
    let key = |&(d, pk, known): &(f64, i64, bool)| Reverse((Metres(d), known, pk));
    let mut heap: BinaryHeap<_> = hits.iter().map(key).collect();
    let mut ordered = Vec::with_capacity(reach);
    while ordered.len() < reach {
        let Some(Reverse((Metres(d), known, pk))) = heap.pop() else {
            break;
        };
        if known {
            ordered.push((d, pk, true));
        } else {
            heap.push(Reverse((Metres(exact(pk)), true, pk)));
        }
    }
    let rest = heap
        .into_iter()
        .map(|Reverse((Metres(d), known, pk))| (d, pk, known));
    *hits = ordered.into_iter().chain(rest).collect();
}
