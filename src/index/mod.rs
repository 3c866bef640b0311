//! The in-memory state queries are answered from: the catalog of territories
//! and councils, and the spatial index of priorities.
//!
//! Built at start-up from what the store holds (the service reads it and
//! hands it over, see [`Index::loading`]) and changed only after a write
//! commits.

pub mod boundaries;
pub mod catalog;
pub mod priorities;

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub use boundaries::BoundaryIndex;
pub use catalog::Catalog;
pub use priorities::{Entry, IndexBuilder, PriorityIndex, QueryPage};

use crate::domain::codes::{CouncilCode, Level, TerritoryCode};
use crate::domain::priority::Priority;
use crate::domain::territory::{Commune, Council, Territory};

/// Everything in memory, guarded as one unit so a reader never sees a
/// priority without its council or territory.
#[derive(Debug, Default)]
pub struct Index {
    /// Territories, councils and communes.
    pub catalog: Catalog,
    /// The priorities.
    pub priorities: PriorityIndex,
    /// Parish boundaries; empty until they are imported.
    pub parishes: BoundaryIndex,
}

impl Index {
    /// Starts an index from every territory, council and commune; its
    /// priorities are then linked in by [`IndexLoad::link`], a chunk at a
    /// time, from entries an [`EntryMaker`] builds. `expected`, the number of
    /// priorities to come, only sizes the tables.
    pub fn loading(
        territories: Vec<Territory>,
        councils: Vec<Council>,
        communes: Vec<Commune>,
        expected: usize,
    ) -> (IndexLoad, EntryMaker) {
        // Each loaded priority looks its council's parish up: hashed, since
        // the catalog's ordered map compared council codes many times a
        // lookup, which showed in start-up's profile (docs/benchmarks.md,
        // "Figures behind the index's comments").
        let parish_of: HashMap<CouncilCode, TerritoryCode> = councils
            .iter()
            .map(|c| (c.code.clone(), c.parish))
            .collect();
        let catalog = Catalog::new(territories, councils, communes);
        let parishes = BoundaryIndex::build(catalog.boundaries(Level::Parish));
        let maker = EntryMaker {
            parish_of,
            boundaries_loaded: !parishes.is_empty(),
        };
        let load = IndexLoad {
            catalog,
            parishes,
            builder: IndexBuilder::with_capacity(expected),
        };
        (load, maker)
    }

    /// Whether priorities are placed by their location.
    pub fn places_by_location(&self) -> bool {
        !self.parishes.is_empty()
    }
}

/// An [`Index`] being loaded: its catalog and parish boundaries built, its
/// priorities linked in a chunk at a time (see [`Index::loading`]).
#[derive(Debug)]
pub struct IndexLoad {
    catalog: Catalog,
    parishes: BoundaryIndex,
    builder: IndexBuilder,
}

impl IndexLoad {
    /// Links the entries of a chunk of priorities (in `pk` order across
    /// calls), as [`EntryMaker::entries`] built them.
    pub fn link(&mut self, entries: Vec<Entry>) {
        self.builder.link(entries);
    }

    /// The index, once every chunk is linked.
    pub fn finish(self) -> Index {
        Index {
            catalog: self.catalog,
            priorities: self.builder.finish(),
            parishes: self.parishes,
        }
    }
}

/// Builds the index entries of stored priorities: owned, so it can run on
/// every core while the chunk before is linked.
#[derive(Debug)]
pub struct EntryMaker {
    /// Each council's parish.
    parish_of: HashMap<CouncilCode, TerritoryCode>,
    /// Whether priorities are placed by their location.
    boundaries_loaded: bool,
}

impl EntryMaker {
    /// The entries of a chunk of stored priorities; an error names a
    /// priority whose council is not in the catalog.
    pub fn entries(&self, chunk: &[Priority]) -> Result<Vec<Entry>, String> {
        IndexBuilder::entries_for(
            chunk,
            |code| self.parish_of.get(code).copied(),
            self.boundaries_loaded,
        )
    }
}

/// A shared handle on the [`Index`].
#[derive(Debug, Clone, Default)]
pub struct SharedIndex(Arc<RwLock<Index>>);

impl SharedIndex {
    /// A handle on `index`, shared from now on.
    pub fn new(index: Index) -> Self {
        SharedIndex(Arc::new(RwLock::new(index)))
    }

    /// A read view. Never hold it across an `.await`.
    pub fn read(&self) -> RwLockReadGuard<'_, Index> {
        // Mutations neither index out of bounds nor unwrap, so a poisoned
        // lock is not expected; should one happen, serving the index as the
        // panic left it beats failing every later request, and a restart
        // rebuilds it from the store.
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    /// A write view. Never hold it across an `.await`.
    pub fn write(&self) -> RwLockWriteGuard<'_, Index> {
        // See `read` on poisoning.
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
}
