//! The index's entries, each kept in a slot of its own.
//!
//! A map query's walk ends with R-tree leaves and its page needs their
//! entries. Found by row key in an ordered map of a million entries, each
//! costs a descent through several nodes spread over memory, which under
//! load was a large share of a map page's time (docs/benchmarks.md,
//! "Figures behind the index's comments"). A leaf carries its entry's slot
//! instead, which is one read. The
//! row-key map remains, small (slots, not entries), for what runs in row-key
//! order: pages of territories and councils, lookups by key.

use std::collections::BTreeMap;

use super::Entry;

#[derive(Debug, Default)]
pub(super) struct Entries {
    /// Never shrinks: a removal empties a slot, which the next insert fills.
    slots: Vec<Option<Entry>>,
    /// Slots emptied by removals, filled again first.
    free: Vec<u32>,
    by_pk: BTreeMap<i64, u32>,
}

impl Entries {
    pub fn len(&self) -> usize {
        self.by_pk.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_pk.is_empty()
    }

    /// The entry with row key `pk`.
    pub fn get(&self, pk: i64) -> Option<&Entry> {
        self.by_pk.get(&pk).map(|&slot| self.at(slot))
    }

    /// The entry with row key `pk`, to change what no map or leaf keys on.
    pub fn get_mut(&mut self, pk: i64) -> Option<&mut Entry> {
        let slot = *self.by_pk.get(&pk)?;
        self.slots[slot as usize].as_mut()
    }

    /// The entry in `slot`, which a live leaf names.
    pub fn at(&self, slot: u32) -> &Entry {
        // Slots are emptied only together with their leaf, so a leaf of the
        // tree never names an empty one.
        match &self.slots[slot as usize] {
            Some(entry) => entry,
            None => unreachable!("slot {slot} is empty"),
        }
    }

    /// Keeps `entry` (its row key must be new) and returns its slot.
    pub fn insert(&mut self, entry: Entry) -> u32 {
        let pk = entry.pk;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(entry);
                slot
            }
            None => {
                // More than 4 billion priorities would need a wider slot.
                let slot = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
                self.slots.push(Some(entry));
                slot
            }
        };
        self.by_pk.insert(pk, slot);
        slot
    }

    /// Room for `more` entries without reallocating.
    pub fn reserve(&mut self, more: usize) {
        self.slots.reserve(more);
    }

    /// Keeps `entry`, whose row key is above every other, without entering
    /// it in the row-key map: [`Entries::map_row_keys`] builds that map once
    /// all are in (start-up). Returns its slot.
    pub fn push_unmapped(&mut self, entry: Entry) -> u32 {
        let slot = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        self.slots.push(Some(entry));
        slot
    }

    /// The row-key map of every entry, built in one pass: from keys in order
    /// the standard map fills its nodes, where inserting one key after
    /// another leaves each about half full.
    pub fn map_row_keys(&mut self) {
        self.by_pk = self
            .slots
            .iter()
            .zip(0..)
            .filter_map(|(entry, slot)| entry.as_ref().map(|e| (e.pk, slot)))
            .collect();
    }

    /// Takes out the entry with row key `pk`, with the slot it had.
    pub fn remove(&mut self, pk: i64) -> Option<(u32, Entry)> {
        let slot = self.by_pk.remove(&pk)?;
        let entry = self.slots[slot as usize].take()?;
        self.free.push(slot);
        Some((slot, entry))
    }

    /// Every entry, in row-key order.
    pub fn values(&self) -> impl Iterator<Item = &Entry> {
        self.by_pk.values().map(|&slot| self.at(slot))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::TerritoryCode;
    use crate::index::priorities::tests::random_priority;
    use rand::SeedableRng;

    #[test]
    fn slots_are_reused_and_row_key_order_kept() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let parish = TerritoryCode::parish(10_101);
        let originals: Vec<Entry> = (1..=40)
            .map(|pk| Entry::new(&random_priority(&mut rng, pk), parish, false))
            .collect();
        let mut entries = Entries::default();
        // Inserted out of row-key order.
        for entry in originals.iter().rev() {
            entries.insert(entry.clone());
        }
        let (slot, removed) = entries.remove(originals[5].pk).expect("present");
        assert_eq!(removed.pk, originals[5].pk);
        assert!(entries.get(originals[5].pk).is_none());
        assert!(entries.remove(originals[5].pk).is_none());
        assert_eq!(
            entries.insert(removed),
            slot,
            "the emptied slot is filled first"
        );
        let order: Vec<i64> = entries.values().map(|e| e.pk).collect();
        let want: Vec<i64> = originals.iter().map(|e| e.pk).collect();
        assert_eq!(order, want);
        assert_eq!(entries.len(), originals.len());
        for entry in &originals {
            assert_eq!(entries.get(entry.pk).map(|e| e.id), Some(entry.id));
        }
    }
}
