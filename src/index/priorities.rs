//! The in-memory index of priorities: an R-tree of feature envelopes plus
//! lookups by id, council and parish, and each feature's GeoJSON text.
//!
//! Queries are answered by the plan their filters pick (see `plan.rs`), each
//! giving what a brute-force scan of the whole collection gives. Entries,
//! counts, the builder and the R-tree are in modules of their own; this one
//! keeps the maps right as priorities come, go and move.
//!
//! # Units
//! Coordinates are `[longitude, latitude]` in WGS84 degrees; distances metres.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use uuid::Uuid;

use crate::domain::codes::{CouncilCode, TerritoryCode};
use crate::domain::priority::{Placement, Priority};
use crate::domain::time::Micros;
use crate::representation::relocate;

mod builder;
#[cfg(test)]
mod cql_tests;
#[cfg(test)]
mod duplicates_tests;
mod entries;
mod entry;
mod filter;
mod in_rect;
pub mod kept_times;
mod nearby;
mod plan;
pub mod pyramid;
mod record;
pub mod response_times;
mod sorted;
mod tally;
pub mod timeline;
mod tree;

pub use builder::IndexBuilder;
pub use entry::{Entry, is_overdue, placement_of};
pub use in_rect::Found;
pub use plan::QueryPage;
pub use tally::{Counts, Tally};

/// Whether `entry` passes every filter of `f`: the exact test each query
/// plan's result equals (webhooks check one changed priority with it).
pub fn entry_matches(entry: &Entry, f: &crate::domain::query::PriorityFilter) -> bool {
    filter::matches(entry, f).is_some()
}

use entries::Entries;
use tree::{Forest, Leaf};

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
    /// Counts per cell of a fine grid, for the clusters of low-zoom tiles.
    pyramid: pyramid::Pyramid,
    /// The workflow timelines of the priorities that ever moved, by row key.
    timelines: HashMap<i64, timeline::Timeline>,
    /// Response-time samples per parish and category, kept with every link,
    /// removal and timeline change.
    kept_times: kept_times::KeptTimes,
    /// The row keys of the priorities marked duplicates of each original
    /// (by the original's id, which may be deleted or not yet loaded).
    duplicates: HashMap<Uuid, BTreeSet<i64>>,
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

    /// Whether it holds no priority.
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
    /// A change of status extends its timeline, the transition dated by
    /// the entry's `updatedAt` (the instant its history records).
    pub fn put(&mut self, entry: Entry) {
        let moved = self
            .entries
            .get(entry.pk)
            .filter(|old| old.status != entry.status)
            .map(|old| (old.status, old.created_at));
        // Unlinked with the timeline it was counted with, linked with the
        // timeline extended.
        self.unlink(entry.pk);
        if let Some((first, created_at)) = moved {
            let at = crate::representation::updated_at_of(&entry.feature).unwrap_or(created_at);
            self.timelines
                .entry(entry.pk)
                .or_insert_with(|| timeline::Timeline::new(first))
                .moves
                .push((at, entry.status));
        }
        let leaf = self.link(entry);
        self.tree.insert(leaf);
    }

    /// Removes the priority with row key `pk`, if present, with its timeline.
    pub fn remove(&mut self, pk: i64) {
        self.unlink(pk);
        self.timelines.remove(&pk);
    }

    /// The timeline of the priority with row key `pk`, when it ever moved.
    pub fn timeline(&self, pk: i64) -> Option<&timeline::Timeline> {
        self.timelines.get(&pk)
    }

    /// Replaces the timelines of the priorities `transitions` name (by id,
    /// each `(at, from, to)` in history order) with those transitions; the
    /// priorities in `ids` that have none lose theirs. Ids not in the index
    /// (deleted priorities) are skipped.
    pub fn set_timelines(
        &mut self,
        ids: impl IntoIterator<Item = Uuid>,
        transitions: impl IntoIterator<
            Item = (
                Uuid,
                Micros,
                crate::domain::priority::Status,
                crate::domain::priority::Status,
            ),
        >,
    ) {
        let transitions: Vec<_> = transitions.into_iter().collect();
        let mut changed: Vec<i64> = ids
            .into_iter()
            .chain(transitions.iter().map(|t| t.0))
            .filter_map(|id| self.by_id.get(&id).copied())
            .collect();
        changed.sort_unstable();
        changed.dedup();
        self.count_times(&changed, false);
        for pk in &changed {
            self.timelines.remove(pk);
        }
        for (id, at, from, to) in transitions {
            if let Some(&pk) = self.by_id.get(&id) {
                self.timelines
                    .entry(pk)
                    .or_insert_with(|| timeline::Timeline::new(from))
                    .moves
                    .push((at, to));
            }
        }
        self.count_times(&changed, true);
    }

    /// Counts the priorities with row keys `pks` in the kept response times
    /// (`add`) or out, with their timelines as they are.
    fn count_times(&mut self, pks: &[i64], add: bool) {
        for &pk in pks {
            if let Some(entry) = self.entries.get(pk) {
                self.kept_times.count(entry, self.timelines.get(&pk), add);
            }
        }
    }

    /// Takes the priority with row key `pk` out of every map but the
    /// timelines.
    fn unlink(&mut self, pk: i64) {
        let Some((slot, old)) = self.entries.remove(pk) else {
            return;
        };
        self.by_id.remove(&old.id);
        let in_tree = self.tree.remove(&old.leaf(slot));
        // Every linked entry has its leaf; tests run with this checked.
        debug_assert!(in_tree, "priority {} had no leaf", old.id);
        remove_from(&mut self.by_parish, &old.parish, pk);
        self.kept_times.count(&old, self.timelines.get(&pk), false);
        if let Some(original) = old.duplicate_of() {
            if let Some(set) = self.duplicates.get_mut(&original) {
                set.remove(&pk);
                if set.is_empty() {
                    self.duplicates.remove(&original);
                }
            }
            self.carry(original, old.families, false);
        }
        if let Some(t) = self.tallies.get_mut(&old.parish) {
            t.count(&old, false);
        }
        self.pyramid.count(&old, false);
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
    fn link(&mut self, mut entry: Entry) -> Leaf {
        entry.set_duplicates(self.duplicates_of(entry.id));
        if let Some(original) = entry.duplicate_of() {
            self.duplicates
                .entry(original)
                .or_default()
                .insert(entry.pk);
            self.carry(original, entry.families, true);
        }
        self.by_id.insert(entry.id, entry.pk);
        self.kept_times
            .count(&entry, self.timelines.get(&entry.pk), true);
        *self.created.entry(entry.created_at).or_default() += 1;
        self.by_parish
            .entry(entry.parish)
            .or_default()
            .insert(entry.pk);
        self.tallies
            .entry(entry.parish)
            .or_default()
            .count(&entry, true);
        self.pyramid.count(&entry, true);
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

    /// What the priorities marked duplicates of `original` bring to it.
    fn duplicates_of(&self, original: Uuid) -> entry::Duplicates {
        let mut sum = entry::Duplicates::default();
        for pk in self.duplicates.get(&original).into_iter().flatten() {
            if let Some(e) = self.entries.get(*pk) {
                sum.count += 1;
                sum.families = sum.families.saturating_add(e.families);
            }
        }
        sum
    }

    /// Counts one duplicate with `families` on its original (`add`) or no
    /// longer, when the original is in the index: its entry and its
    /// parish's tally.
    fn carry(&mut self, original: Uuid, families: u32, add: bool) {
        let Some(&pk) = self.by_id.get(&original) else {
            return;
        };
        let Some(entry) = self.entries.get_mut(pk) else {
            return;
        };
        let tally = self.tallies.entry(entry.parish).or_default();
        tally.count(entry, false);
        let mut d = entry.duplicates();
        if add {
            d.count += 1;
            d.families = d.families.saturating_add(families);
        } else {
            d.count = d.count.saturating_sub(1);
            d.families = d.families.saturating_sub(families);
        }
        entry.set_duplicates(d);
        tally.count(entry, true);
    }

    /// The row keys of the priorities marked duplicates of `original`.
    pub fn duplicates_marked(&self, original: &Uuid) -> impl Iterator<Item = i64> + '_ {
        self.duplicates.get(original).into_iter().flatten().copied()
    }

    /// The ids of every priority with marked duplicates (present or not).
    pub fn originals(&self) -> impl Iterator<Item = &Uuid> + '_ {
        self.duplicates.keys()
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
        self.unlink(pk);
        entry.feature = relocate(&entry.feature, parish, placement).into();
        entry.parish = parish;
        entry.placement = placement;
        let leaf = self.link(entry);
        self.tree.insert(leaf);
    }

    /// The counts per cell low-zoom tiles cluster from.
    pub fn pyramid(&self) -> &pyramid::Pyramid {
        &self.pyramid
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
}

fn remove_from<K: Ord>(map: &mut BTreeMap<K, BTreeSet<i64>>, key: &K, pk: i64) {
    if let Some(set) = map.get_mut(key) {
        set.remove(&pk);
        if set.is_empty() {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::priority::{Category, Status};
    use geo::{Geometry, Point};

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
            duplicate_of: None,
        }
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
