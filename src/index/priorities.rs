//! The in-memory index of priorities: an R-tree of feature envelopes plus
//! lookups by id, council and parish, and each feature's GeoJSON text.
//!
//! Queries take candidates from the most selective structure (the R-tree for
//! spatial filters, the parish or council sets for territorial ones), then
//! check every filter exactly on each candidate, so results equal a
//! brute-force scan of the whole collection.
//!
//! # Units
//! Coordinates are `[longitude, latitude]` in WGS84 degrees; distances metres.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet};

use geo::Point;
use rstar::{AABB, Envelope, RTreeObject};
use uuid::Uuid;

use crate::domain::codes::{CouncilCode, TerritoryCode};
use crate::domain::geometry::{any_vertex, distance_m, intersects_rect};
use crate::domain::priority::{Placement, Priority};
use crate::domain::query::{Near, Page, PriorityFilter};
use crate::domain::time::Micros;
use crate::representation::relocate;

mod builder;
mod entries;
mod entry;
mod filter;
mod tally;
mod tree;

pub use builder::IndexBuilder;
pub use entry::{Entry, is_overdue, placement_of};
pub use tally::Tally;

use entries::Entries;
use filter::{facets_match, matches};
use tree::{Circle, Extent, Forest, Leaf, LeafKey, Metres, Reach};

/// Mean Earth radius used by the haversine distance, in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// One page of a query's result.
#[derive(Debug)]
pub struct QueryPage<'a> {
    /// How many priorities match in all pages.
    pub matched: usize,
    /// This page's priorities, each with its distance in metres for radius queries.
    pub items: Vec<(&'a Entry, Option<f64>)>,
}
/// Every priority, indexed.
#[derive(Debug, Default)]
pub struct PriorityIndex {
    entries: Entries,
    by_id: HashMap<Uuid, i64>,
    tree: Forest,
    by_parish: BTreeMap<TerritoryCode, BTreeSet<i64>>,
    by_council: HashMap<CouncilCode, BTreeSet<i64>>,
    /// Counts per parish, kept as priorities come and go.
    tallies: BTreeMap<TerritoryCode, Tally>,
    /// How many priorities have each creation time: the temporal extent
    /// without a scan, kept right through deletes.
    created: BTreeMap<Micros, u32>,
}

impl PriorityIndex {
    /// Builds the index in one pass; `parish_of` gives each council's parish;
    /// `boundaries_loaded` says whether priorities are placed by location.
    pub fn build(
        priorities: Vec<Priority>,
        parish_of: impl Fn(&CouncilCode) -> Option<TerritoryCode>,
        boundaries_loaded: bool,
    ) -> Result<Self, String> {
        let mut builder = IndexBuilder::default();
        builder.add(&priorities, parish_of, boundaries_loaded)?;
        Ok(builder.finish())
    }

    /// Number of priorities.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The priority with this id.
    pub fn get(&self, id: &Uuid) -> Option<&Entry> {
        self.by_id.get(id).and_then(|&pk| self.entries.get(pk))
    }

    /// Adds a stored priority whose council lies in `council_parish`,
    /// replacing the entry with the same row key.
    pub fn upsert(&mut self, p: &Priority, council_parish: TerritoryCode, boundaries_loaded: bool) {
        self.put(Entry::new(p, council_parish, boundaries_loaded));
    }

    /// Adds an entry built by [`Entry::for_stored`], replacing the entry with
    /// the same row key.
    pub fn put(&mut self, entry: Entry) {
        self.remove(entry.pk);
        let leaf = self.link(entry);
        self.tree.insert(leaf);
    }

    /// Removes the priority with row key `pk`, if present.
    pub fn remove(&mut self, pk: i64) {
        let Some((slot, old)) = self.entries.remove(pk) else {
            return;
        };
        self.by_id.remove(&old.id);
        let in_tree = self.tree.remove(&old.leaf(slot));
        // Every linked entry has its leaf; tests run with this checked.
        debug_assert!(in_tree, "priority {} had no leaf", old.id);
        remove_from(&mut self.by_parish, &old.parish, pk);
        if let Some(t) = self.tallies.get_mut(&old.parish) {
            t.count(&old, false);
        }
        if let Some(n) = self.created.get_mut(&old.created_at) {
            *n -= 1;
            if *n == 0 {
                self.created.remove(&old.created_at);
            }
        }
        if let Some(set) = self.by_council.get_mut(&old.council) {
            set.remove(&pk);
            if set.is_empty() {
                self.by_council.remove(&old.council);
            }
        }
    }

    /// Keeps `entry` in the maps and returns its leaf, for the caller to
    /// put in the R-tree.
    fn link(&mut self, entry: Entry) -> Leaf {
        self.by_id.insert(entry.id, entry.pk);
        *self.created.entry(entry.created_at).or_default() += 1;
        self.by_parish
            .entry(entry.parish)
            .or_default()
            .insert(entry.pk);
        self.tallies
            .entry(entry.parish)
            .or_default()
            .count(&entry, true);
        // Looked up before `entry` would clone the code: most councils have
        // their set already, and start-up links a million entries in a row.
        match self.by_council.get_mut(&entry.council) {
            Some(set) => {
                set.insert(entry.pk);
            }
            None => {
                self.by_council
                    .insert(entry.council.clone(), BTreeSet::from([entry.pk]));
            }
        }
        let slot = self.entries.insert(entry);
        self.entries.at(slot).leaf(slot)
    }

    /// Places a priority anew (after boundaries changed): its parish and
    /// placement, and the Feature text that shows them.
    pub fn relocate(&mut self, pk: i64, parish: TerritoryCode, placement: Placement) {
        let Some(entry) = self.entries.get(pk) else {
            return;
        };
        if entry.parish == parish && entry.placement == placement {
            return;
        }
        let mut entry = entry.clone();
        self.remove(pk);
        entry.feature = relocate(&entry.feature, parish, placement).into();
        entry.parish = parish;
        entry.placement = placement;
        let leaf = self.link(entry);
        self.tree.insert(leaf);
    }

    /// The priority with row key `pk`.
    pub fn entry(&self, pk: i64) -> Option<&Entry> {
        self.entries.get(pk)
    }

    /// The parish a priority's location was found in, as the store keeps it
    /// (`Some(None)` when it was not placed by location).
    pub fn located(&self, pk: i64) -> Option<Option<TerritoryCode>> {
        self.entries.get(pk).map(|e| match e.placement {
            Placement::InsideCouncilParish | Placement::OutsideCouncilParish => Some(e.parish),
            Placement::ByCouncil | Placement::OutsideEveryParish => None,
        })
    }

    /// The priorities of a council, in row-key order.
    pub fn of_council<'a>(&'a self, council: &CouncilCode) -> impl Iterator<Item = &'a Entry> + 'a {
        self.by_council
            .get(council)
            .into_iter()
            .flatten()
            .filter_map(|&pk| self.entries.get(pk))
    }

    /// Every priority, in row-key order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// The counts of every priority inside `territory` (any level).
    pub fn tally(&self, territory: TerritoryCode) -> Tally {
        let (first, last) = territory.parish_range();
        let mut total = Tally::default();
        for (_, t) in self.tallies.range(first..=last) {
            total.merge(t);
        }
        total
    }

    /// The bounding box of every priority, `[minLon, minLat, maxLon, maxLat]`.
    pub fn extent(&self) -> Option<[f64; 4]> {
        let e = self.tree.extent()?;
        Some([e.lower()[0], e.lower()[1], e.upper()[0], e.upper()[1]])
    }

    /// The earliest and latest creation times.
    pub fn time_extent(&self) -> Option<(Micros, Micros)> {
        Some((
            *self.created.first_key_value()?.0,
            *self.created.last_key_value()?.0,
        ))
    }

    /// Answers a query: every priority matching all of `filter`, ordered by
    /// row key (or by distance, then row key, for radius queries), and the
    /// requested page of them.
    pub fn query(&self, filter: &PriorityFilter, page: Page) -> QueryPage<'_> {
        let fast = self
            .everything_page(filter, page)
            .or_else(|| self.territory_page(filter, page))
            .or_else(|| self.map_page(filter, page));
        if let Some(answer) = fast {
            return answer;
        }
        let mut hits: Vec<(f64, i64)> = Vec::new();
        // Candidates from the R-tree come in tree order and need sorting;
        // the other sources are walked in row-key order already.
        let mut sorted = false;
        let consider = |hits: &mut Vec<(f64, i64)>, entry: &Entry| {
            if let Some(d) = matches(entry, filter) {
                hits.push((d.unwrap_or(0.0), entry.pk));
            }
        };
        // A map's query (a circle or a box, with filters the leaf carries)
        // is decided for points, most priorities, by their R-tree leaf,
        // which is the point itself: their entries, scattered over memory,
        // are read only for the page.
        let by_leaf = leaves_decide(filter);
        if let Some(near) = &filter.near {
            let envelopes = radius_envelopes(near);
            let circle = Circle::new(near.center, near.radius_m);
            // Only two boxes (across the antimeridian) can meet a leaf twice.
            let mut seen = HashSet::new();
            for envelope in &envelopes {
                self.tree.for_each_intersecting(*envelope, |leaf| {
                    if envelopes.len() > 1 && !seen.insert(leaf.pk) {
                        return;
                    }
                    match leaf.spot() {
                        Some(spot) if by_leaf => {
                            if !facets_match(&leaf.facets, filter) {
                                return;
                            }
                            if let Some(d) = circle.distance_within(spot) {
                                hits.push((d, leaf.pk));
                            }
                        }
                        _ => consider(&mut hits, self.entries.at(leaf.slot)),
                    }
                });
            }
        } else if let Some(bbox) = &filter.bbox {
            let (min, max) = (bbox.0.min(), bbox.0.max());
            let envelope = AABB::from_corners([min.x, min.y], [max.x, max.y]);
            self.tree.for_each_intersecting(envelope, |leaf| {
                // A point whose leaf meets the box lies in it (edges included).
                if by_leaf && leaf.point().is_some() {
                    if facets_match(&leaf.facets, filter) {
                        hits.push((0.0, leaf.pk));
                    }
                } else {
                    consider(&mut hits, self.entries.at(leaf.slot));
                }
            });
        } else if !filter.councils.is_empty() {
            sorted = true;
            let pks: BTreeSet<i64> = filter
                .councils
                .iter()
                .filter_map(|c| self.by_council.get(c))
                .flatten()
                .copied()
                .collect();
            pks.iter()
                .filter_map(|&pk| self.entries.get(pk))
                .for_each(|entry| consider(&mut hits, entry));
        } else if let Some(territories) = [&filter.parishes, &filter.municipalities, &filter.states]
            .into_iter()
            .find(|list| !list.is_empty())
        {
            // The finest level given narrows most; the others are checked on each candidate.
            sorted = true;
            let mut pks = BTreeSet::new();
            for territory in territories {
                let (first, last) = territory.parish_range();
                for (_, set) in self.by_parish.range(first..=last) {
                    pks.extend(set.iter().copied());
                }
            }
            pks.iter()
                .filter_map(|&pk| self.entries.get(pk))
                .for_each(|entry| consider(&mut hits, entry));
        } else {
            sorted = true;
            self.entries
                .values()
                .for_each(|entry| consider(&mut hits, entry));
        }
        if filter.near.is_some() {
            sort_page(&mut hits, page, |a, b| {
                a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
            });
        } else if !sorted {
            sort_page(&mut hits, page, |a, b| a.1.cmp(&b.1));
        }
        let matched = hits.len();
        let items = hits
            .iter()
            .skip(page.offset)
            .take(page.limit)
            .filter_map(|&(d, pk)| Some((self.entries.get(pk)?, filter.near.map(|_| d))))
            .collect();
        QueryPage { matched, items }
    }
}

impl PriorityIndex {
    /// No filter at all: every priority counts, the page is read in row-key
    /// order.
    fn everything_page(&self, filter: &PriorityFilter, page: Page) -> Option<QueryPage<'_>> {
        if *filter != PriorityFilter::default() {
            return None;
        }
        let items = self
            .entries
            .values()
            .skip(page.offset)
            .take(page.limit)
            .map(|entry| (entry, None))
            .collect();
        Some(QueryPage {
            matched: self.entries.len(),
            items,
        })
    }

    /// A circle or a box and nothing else, as a map asks when it pans:
    /// counted from the R-tree's node counts and paged best-first (see
    /// [`tree`]), so the cost follows the page and the edge of the area, not
    /// every priority inside it.
    fn map_page(&self, filter: &PriorityFilter, page: Page) -> Option<QueryPage<'_>> {
        let only_place = PriorityFilter {
            near: filter.near,
            bbox: filter.bbox,
            ..PriorityFilter::default()
        };
        if *filter != only_place || filter.near.is_some() == filter.bbox.is_some() {
            return None;
        }
        let roots = self.tree.roots();
        let wanted = page.offset.saturating_add(page.limit);
        // Up to `cap` matches are collected while counting, then sorted;
        // beyond, the page is found best-first. A box's matches cost only
        // their row keys to collect, a circle's their distances: on the index
        // bench's million, for a page of 100, a box of 615 matches was
        // faster collected (31 vs 41 µs) and one of 5,772 best-first (145 vs
        // 181 µs); a circle of 1,531 best-first (135 vs 313 µs).
        let hits: Vec<(Option<f64>, &Leaf)>;
        let matched;
        if let Some(near) = &filter.near {
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
            let exact = |leaf: &Leaf| distance_m(&self.entries.at(leaf.slot).geometry, near.center);
            let within = |leaf: &Leaf| match leaf.spot() {
                Some(spot) => in_boxes(&leaf.envelope) && circle.holds(spot),
                None => match reach(&leaf.envelope) {
                    Reach::Outside => false,
                    Reach::Inside => true,
                    Reach::Partly => {
                        let geometry = &self.entries.at(leaf.slot).geometry;
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
            let (count, collected) =
                tree::survey(&roots, cap, |e| reach(&e.rect), within, distance);
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
            matched = count;
            hits = found
                .into_iter()
                .map(|(Metres(d), leaf)| (Some(d), leaf))
                .collect();
        } else {
            let cap = wanted.saturating_mul(4).max(2048);
            let rect = filter.bbox?.0;
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
                        let geometry = &self.entries.at(leaf.slot).geometry;
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
            matched = count;
            hits = found.into_iter().map(|(_, leaf)| (None, leaf)).collect();
        }
        let items = hits
            .into_iter()
            .skip(page.offset)
            .take(page.limit)
            .map(|(d, leaf)| (self.entries.at(leaf.slot), d))
            .collect();
        Some(QueryPage { matched, items })
    }

    /// A query by territory alone (states, municipalities or parishes, one
    /// level): the count is the sizes of the parishes' row-key sets, and the
    /// page is merged from those sets in row-key order, so a state with
    /// 100,000 priorities costs its parishes and the page, not its matches.
    fn territory_page(&self, filter: &PriorityFilter, page: Page) -> Option<QueryPage<'_>> {
        let levels = [&filter.states, &filter.municipalities, &filter.parishes];
        let mut given = levels.into_iter().filter(|list| !list.is_empty());
        let (Some(territories), None) = (given.next(), given.next()) else {
            return None;
        };
        let only_territory = PriorityFilter {
            states: filter.states.clone(),
            municipalities: filter.municipalities.clone(),
            parishes: filter.parishes.clone(),
            ..PriorityFilter::default()
        };
        if *filter != only_territory {
            return None;
        }
        // Codes of one level name disjoint parish ranges once deduplicated.
        let mut codes = territories.clone();
        codes.sort_unstable();
        codes.dedup();
        let sets: Vec<&BTreeSet<i64>> = codes
            .iter()
            .flat_map(|t| {
                let (first, last) = t.parish_range();
                self.by_parish.range(first..=last).map(|(_, set)| set)
            })
            .collect();
        let matched = sets.iter().map(|set| set.len()).sum();
        let mut cursors: Vec<_> = sets.iter().map(|set| set.iter().copied()).collect();
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
            if skipped < page.offset {
                skipped += 1;
            } else {
                items.extend(self.entries.get(pk).map(|entry| (entry, None)));
            }
            if let Some(next) = cursors[i].next() {
                heads.push(Reverse((next, i)));
            }
        }
        Some(QueryPage { matched, items })
    }
}

/// The order of map pages: by key (distance or row key), then row key.
fn by_key_then_row<K: Ord>(a: &(K, &Leaf), b: &(K, &Leaf)) -> std::cmp::Ordering {
    (&a.0, a.1.pk).cmp(&(&b.0, b.1.pk))
}

/// Orders `hits` by `order` as far as `page` reaches: the first
/// `offset + limit` are selected in linear time and only they are sorted, so
/// a page of 100 out of 50,000 matches does not sort 50,000.
fn sort_page<T>(hits: &mut [T], page: Page, order: impl Fn(&T, &T) -> std::cmp::Ordering) {
    let reach = page.offset.saturating_add(page.limit);
    if reach < hits.len() {
        hits.select_nth_unstable_by(reach, &order);
        hits[..reach].sort_unstable_by(&order);
    } else {
        hits.sort_unstable_by(&order);
    }
}

/// Whether a point's leaf decides `filter`: a circle or a box (not both),
/// and no filter that needs the entry (councils, overdue plans).
fn leaves_decide(filter: &PriorityFilter) -> bool {
    filter.near.is_some() != filter.bbox.is_some()
        && filter.councils.is_empty()
        && filter.overdue.is_none()
}

fn remove_from<K: Ord>(map: &mut BTreeMap<K, BTreeSet<i64>>, key: &K, pk: i64) {
    if let Some(set) = map.get_mut(key) {
        set.remove(&pk);
        if set.is_empty() {
            map.remove(key);
        }
    }
}
/// Boxes (in degrees) that hold every point within `near.radius_m` metres of
/// the centre: one box, or two when the circle crosses the antimeridian.
///
/// A metre radius is not a fixed number of degrees: a degree of longitude
/// shrinks with latitude, so the box widens by the spherical bound
/// `asin(sin δ / cos φ)` where δ is the radius as an angle.
fn radius_envelopes(near: &Near) -> Vec<AABB<[f64; 2]>> {
    let Point(center) = near.center;
    let delta = near.radius_m / EARTH_RADIUS_M;
    let dlat = delta.to_degrees() * (1.0 + 1e-9) + 1e-9;
    let min_lat = (center.y - dlat).max(-90.0);
    let max_lat = (center.y + dlat).min(90.0);
    let phi = center.y.to_radians();
    let reaches_pole = max_lat >= 90.0 || min_lat <= -90.0;
    let dlon = if reaches_pole || delta.sin() >= phi.cos() {
        180.0
    } else {
        (delta.sin() / phi.cos()).asin().to_degrees() * (1.0 + 1e-9) + 1e-9
    };
    if dlon >= 180.0 {
        return vec![AABB::from_corners([-180.0, min_lat], [180.0, max_lat])];
    }
    let (west, east) = (center.x - dlon, center.x + dlon);
    let mut boxes = vec![AABB::from_corners(
        [west.max(-180.0), min_lat],
        [east.min(180.0), max_lat],
    )];
    if west < -180.0 {
        boxes.push(AABB::from_corners(
            [west + 360.0, min_lat],
            [180.0, max_lat],
        ));
    }
    if east > 180.0 {
        boxes.push(AABB::from_corners(
            [-180.0, min_lat],
            [east - 360.0, max_lat],
        ));
    }
    boxes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::priority::{Category, Status};
    use geo::{Distance, Geometry, Haversine};

    #[test]
    fn radius_boxes_hold_every_point_of_the_circle() {
        for (lon, lat, r) in [
            (-66.9, 10.5, 100_000.0),
            (179.9, 60.0, 50_000.0),
            (0.0, 89.5, 80_000.0),
        ] {
            let near = Near {
                center: Point::new(lon, lat),
                radius_m: r,
            };
            let boxes = radius_envelopes(&near);
            for bearing in 0..360 {
                let p = geo::Destination::destination(
                    &Haversine,
                    near.center,
                    bearing as f64,
                    r * 0.999_999,
                );
                let d = Haversine.distance(p, near.center);
                assert!(d <= r);
                let inside = boxes.iter().any(|b| {
                    let (lo, hi) = (b.lower(), b.upper());
                    p.x() >= lo[0] && p.x() <= hi[0] && p.y() >= lo[1] && p.y() <= hi[1]
                });
                assert!(
                    inside,
                    "({lon},{lat}) r={r} bearing {bearing}: {p:?} outside {boxes:?}"
                );
            }
        }
    }

    /// A random priority near Caracas: points, lines and polygons, some of
    /// them sharing a location (ties in distance).
    pub(super) fn random_priority(rng: &mut rand_chacha::ChaCha8Rng, pk: i64) -> Priority {
        use geo::{Coord, LineString, Polygon};
        use rand::RngExt;
        let c = if rng.random_range(0..20) == 0 {
            Coord { x: -66.9, y: 10.5 }
        } else {
            Coord {
                x: rng.random_range(-67.0..-66.8),
                y: rng.random_range(10.4..10.6),
            }
        };
        let d = rng.random_range(0.0001..0.01);
        let geometry = match rng.random_range(0..100) {
            0..80 => Geometry::Point(Point(c)),
            80..90 => Geometry::LineString(LineString::from(vec![
                c,
                Coord {
                    x: c.x + d,
                    y: c.y - d / 2.0,
                },
            ])),
            _ => Geometry::Polygon(Polygon::new(
                LineString::from(vec![
                    c,
                    Coord { x: c.x + d, y: c.y },
                    Coord { x: c.x, y: c.y + d },
                    c,
                ]),
                vec![],
            )),
        };
        let i = pk as usize;
        Priority {
            pk,
            id: Uuid::from_u128(pk as u128),
            council: format!("C-{}", i % 7).parse().expect("code"),
            title: "Arreglo de la cancha".into(),
            description: None,
            category: Category::ALL[i % Category::ALL.len()],
            status: Status::ALL[i % Status::ALL.len()],
            rank: None,
            families: None,
            plan: None,
            geometry,
            created_at: 1_735_689_600_000_000 + pk,
            updated_at: 1_735_689_600_000_000,
            version: 1,
            located_parish: None,
        }
    }

    /// What a scan of every entry gives: the matches in the query's order.
    fn scan(index: &PriorityIndex, filter: &PriorityFilter) -> Vec<(Option<f64>, i64)> {
        let mut all: Vec<(Option<f64>, i64)> = index
            .entries()
            .filter_map(|e| matches(e, filter).map(|d| (d, e.pk)))
            .collect();
        all.sort_by(|a, b| {
            let (da, db) = (a.0.unwrap_or(0.0), b.0.unwrap_or(0.0));
            da.total_cmp(&db).then(a.1.cmp(&b.1))
        });
        all
    }

    /// Circles and boxes alone are counted from node counts and paged
    /// best-first: both must equal a scan, page after page, also after
    /// inserts and removals have changed the tree the counts live in.
    #[test]
    fn map_queries_equal_a_scan_after_inserts_and_removals() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let parish = TerritoryCode::parish(10_101);
        let first: Vec<Priority> = (1..=3_000)
            .map(|pk| random_priority(&mut rng, pk))
            .collect();
        let mut index = PriorityIndex::build(first, |_| Some(parish), false).expect("index");
        let mut next_pk = 3_001;
        for round in 0..4 {
            for _ in 0..700 {
                let p = random_priority(&mut rng, next_pk);
                next_pk += 1;
                index.upsert(&p, parish, false);
                let gone = rng.random_range(1..next_pk);
                index.remove(gone);
            }
            for _ in 0..25 {
                let center =
                    Point::new(rng.random_range(-67.0..-66.8), rng.random_range(10.4..10.6));
                let filter = if rng.random_range(0..2) == 0 {
                    let radius_m = [50.0, 500.0, 3_000.0, 40_000.0][rng.random_range(0..4)];
                    PriorityFilter {
                        near: Some(Near { center, radius_m }),
                        ..PriorityFilter::default()
                    }
                } else {
                    let size = [0.001, 0.02, 0.1, 1.0][rng.random_range(0..4)];
                    PriorityFilter {
                        bbox: Some(crate::domain::query::Bbox(geo::Rect::new(
                            (center.x(), center.y()),
                            (center.x() + size, center.y() + size * 0.7),
                        ))),
                        ..PriorityFilter::default()
                    }
                };
                let expected = scan(&index, &filter);
                for (offset, limit) in [(0, 10), (0, 100), (7, 31), (95, 200), (0, 10_000)] {
                    let got = index.query(&filter, Page { limit, offset });
                    assert_eq!(got.matched, expected.len(), "round {round} {filter:?}");
                    let got: Vec<(Option<f64>, i64)> =
                        got.items.iter().map(|(e, d)| (*d, e.pk)).collect();
                    let want: Vec<_> = expected.iter().skip(offset).take(limit).copied().collect();
                    assert_eq!(
                        got, want,
                        "round {round} {filter:?} offset {offset} limit {limit}"
                    );
                }
            }
        }
        let everything = index.query(
            &PriorityFilter::default(),
            Page {
                limit: 50,
                offset: 10,
            },
        );
        assert_eq!(everything.matched, index.len());
        let pks: Vec<i64> = everything.items.iter().map(|(e, _)| e.pk).collect();
        let want: Vec<i64> = index.entries().skip(10).take(50).map(|e| e.pk).collect();
        assert_eq!(pks, want);
    }

    #[test]
    fn parish_ranges_cover_exactly_the_territory() {
        use crate::domain::codes::Level;
        let state = TerritoryCode::parse(Level::State, "01").unwrap();
        let (a, b) = state.parish_range();
        assert_eq!(
            (a.to_string().as_str(), b.to_string().as_str()),
            ("010000", "019999")
        );
        let parish = TerritoryCode::parse(Level::Parish, "010203").unwrap();
        assert_eq!(parish.parish_range(), (parish, parish));
    }
}
