//! The index built in one pass, a chunk of priorities at a time, as
//! start-up and imports load it.

use std::collections::HashMap;

use crate::domain::codes::{CouncilCode, TerritoryCode};
use crate::domain::priority::Priority;
use crate::domain::time::Micros;

use super::tree::{Forest, Leaf};
use super::{Entry, PriorityIndex};

/// Builds a [`PriorityIndex`] from priorities given a chunk at a time, so a
/// million of them never sit in memory as rows, parsed priorities and
/// entries all at once.
///
/// The ordered maps are built at the end from the row keys gathered in
/// order: built that way their nodes are full, while inserting a million
/// increasing keys one at a time leaves every node about half full (more
/// memory, and more of it to touch).
#[derive(Debug, Default)]
pub struct IndexBuilder {
    index: PriorityIndex,
    /// Leaves of single points, and of everything else (see [`Forest`]).
    points: Vec<Leaf>,
    shapes: Vec<Leaf>,
    /// Row keys of each parish and council, increasing.
    by_parish: HashMap<TerritoryCode, Vec<i64>>,
    by_council: HashMap<CouncilCode, Vec<i64>>,
    created: Vec<Micros>,
    /// Each duplicate's original and row key, counted on the original
    /// once every entry is in.
    marked: Vec<(uuid::Uuid, i64)>,
}

impl IndexBuilder {
    /// A builder with room for `expected` priorities: its largest tables
    /// are allocated once at their size, instead of doubled and copied a
    /// dozen times, each time into fresh memory the kernel must zero.
    pub fn with_capacity(expected: usize) -> Self {
        let mut builder = IndexBuilder::default();
        builder.index.entries.reserve(expected);
        builder.index.by_id.reserve(expected);
        // Pages of the unused part are never touched, so never resident.
        builder.points.reserve(expected);
        builder.created.reserve(expected);
        builder
    }

    /// Adds stored priorities (in `pk` order across calls); `parish_of` gives
    /// each council's parish; `boundaries_loaded` says whether priorities are
    /// placed by location.
    pub fn add(
        &mut self,
        priorities: &[Priority],
        parish_of: impl Fn(&CouncilCode) -> Option<TerritoryCode>,
        boundaries_loaded: bool,
    ) -> Result<(), String> {
        self.link(Self::entries_for(priorities, parish_of, boundaries_loaded)?);
        Ok(())
    }

    /// The entries of stored priorities, built on every core: the part of
    /// [`IndexBuilder::add`] that needs no builder, so start-up builds a
    /// chunk's entries while the chunk before is linked.
    pub fn entries_for(
        priorities: &[Priority],
        parish_of: impl Fn(&CouncilCode) -> Option<TerritoryCode>,
        boundaries_loaded: bool,
    ) -> Result<Vec<Entry>, String> {
        let placed = priorities
            .iter()
            .map(|p| {
                parish_of(&p.council)
                    .map(|parish| (p, parish))
                    .ok_or_else(|| format!("priority {} has unknown council {}", p.id, p.council))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Entry::for_stored(&placed, boundaries_loaded))
    }

    /// Links entries of [`IndexBuilder::entries_for`] (in `pk` order across
    /// calls) into the index being built.
    pub fn link(&mut self, entries: Vec<Entry>) {
        // Gathering the entries is sequential; it mirrors `PriorityIndex::link`.
        for entry in entries {
            let pk = entry.pk;
            self.index.by_id.insert(entry.id, pk);
            if let Some(original) = entry.duplicate_of() {
                self.marked.push((original, pk));
            }
            self.index
                .tallies
                .entry(entry.parish)
                .or_default()
                .add(&entry);
            self.index.pyramid.count_finest(&entry);
            // Timelines come later (`set_timelines`): only plans count now.
            self.index.kept_times.count(&entry, None, true);
            self.created.push(entry.created_at);
            self.by_parish.entry(entry.parish).or_default().push(pk);
            // Looked up before `entry` would clone the code: most councils
            // have their list already.
            match self.by_council.get_mut(&entry.council) {
                Some(pks) => pks.push(pk),
                None => {
                    self.by_council.insert(entry.council.clone(), vec![pk]);
                }
            }
            let slot = self.index.entries.push_unmapped(entry);
            let leaf = self.index.entries.at(slot).leaf(slot);
            match leaf.point() {
                Some(_) => self.points.push(leaf),
                None => self.shapes.push(leaf),
            }
        }
    }

    /// The index: its ordered maps built from the gathered keys, its R-tree
    /// bulk-loaded.
    pub fn finish(self) -> PriorityIndex {
        let mut index = self.index;
        index.entries.map_row_keys();
        index.by_parish = self
            .by_parish
            .into_iter()
            .map(|(parish, pks)| (parish, pks.into_iter().collect()))
            .collect();
        index.by_council = self
            .by_council
            .into_iter()
            .map(|(council, pks)| (council, pks.into_iter().collect()))
            .collect();
        let mut created = self.created;
        created.sort_unstable();
        index.created = created
            .chunk_by(|a, b| a == b)
            .map(|same| (same[0], same.len() as u32))
            .collect();
        for (original, pk) in self.marked {
            index.duplicates.entry(original).or_default().insert(pk);
            let families = index.entries.get(pk).map_or(0, |e| e.families);
            index.carry(original, families, true);
        }
        index.pyramid.sum_levels();
        index.tree = Forest::bulk_load(self.points, self.shapes);
        index
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::priorities::tests::random_priority;
    use uuid::Uuid;

    /// The builder's maps, made in one pass at the end, hold what linking
    /// the same priorities one at a time gives.
    #[test]
    fn a_built_index_holds_what_upserting_one_at_a_time_gives() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let priorities: Vec<Priority> = (1..=5_000)
            .map(|pk| {
                let mut p = random_priority(&mut rng, pk);
                // Creation times shared by several priorities.
                p.created_at = 1_735_689_600_000_000 + pk % 97;
                p
            })
            .collect();
        let parish_of = |c: &CouncilCode| {
            let last = c.as_str().bytes().last().unwrap_or(0);
            Some(TerritoryCode::parish(10_101 + u32::from(last % 3)))
        };
        let mut builder = IndexBuilder::default();
        for chunk in priorities.chunks(700) {
            builder
                .add(chunk, parish_of, false)
                .expect("known councils");
        }
        let built = builder.finish();
        let mut one_by_one = PriorityIndex::default();
        for p in &priorities {
            one_by_one.upsert(p, parish_of(&p.council).expect("parish"), false);
        }
        assert_eq!(built.by_id, one_by_one.by_id);
        assert_eq!(built.by_parish, one_by_one.by_parish);
        assert_eq!(built.by_council, one_by_one.by_council);
        assert_eq!(built.tallies, one_by_one.tallies);
        assert_eq!(built.created, one_by_one.created);
        assert_eq!(built.pyramid, one_by_one.pyramid);
        assert_eq!(built.by_parish.len(), 3);
        assert!(built.created.values().any(|&n| n > 1));
        let keys = |index: &PriorityIndex| -> Vec<(i64, Uuid)> {
            index.entries().map(|e| (e.pk, e.id)).collect()
        };
        assert_eq!(keys(&built), keys(&one_by_one));
        for p in &priorities {
            assert_eq!(built.get(&p.id).map(|e| e.pk), Some(p.pk));
        }
    }
}
