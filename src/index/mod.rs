//! The in-memory state queries are answered from: the catalog of territories
//! and councils, and the spatial index of priorities.
//!
//! Built from the store at start-up and changed only after a write commits.

pub mod boundaries;
pub mod catalog;
pub mod priorities;

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub use boundaries::BoundaryIndex;
pub use catalog::Catalog;
pub use priorities::{Entry, IndexBuilder, PriorityIndex, QueryPage};

use crate::domain::codes::{CouncilCode, Level, TerritoryCode};
use crate::store::{Store, StoreError};

/// Everything in memory, guarded as one unit so a reader never sees a
/// priority without its council or territory.
#[derive(Debug, Default)]
pub struct Index {
    pub catalog: Catalog,
    pub priorities: PriorityIndex,
    /// Parish boundaries; empty until they are imported.
    pub parishes: BoundaryIndex,
}

impl Index {
    /// Loads every territory, council and priority from the store.
    pub async fn load(store: &Store) -> Result<Index, StoreError> {
        let councils = store.load_councils().await?;
        // Each loaded priority looks its council's parish up: hashed, since
        // the catalog's ordered map compared council codes many times a
        // lookup, which showed in start-up's profile (docs/benchmarks.md,
        // "Figures behind the index's comments").
        let parish_of: HashMap<CouncilCode, TerritoryCode> = councils
            .iter()
            .map(|c| (c.code.clone(), c.parish))
            .collect();
        let catalog = Catalog::new(
            store.load_territories().await?,
            councils,
            store.load_communes().await?,
        );
        let parishes = BoundaryIndex::build(catalog.boundaries(Level::Parish));
        let boundaries_loaded = !parishes.is_empty();
        // Read apart from the load, so possibly off by the writes between:
        // it only sizes the builder's tables.
        let expected = store.count_priorities().await?;
        let mut builder = IndexBuilder::with_capacity(expected);
        store
            .load_prepared_priorities(
                move |chunk| {
                    IndexBuilder::entries_for(
                        &chunk,
                        |code| parish_of.get(code).copied(),
                        boundaries_loaded,
                    )
                    .map_err(StoreError::Corrupt)
                },
                |entries| {
                    builder.link(entries);
                    Ok(())
                },
            )
            .await?;
        let priorities = builder.finish();
        Ok(Index {
            catalog,
            priorities,
            parishes,
        })
    }

    /// Whether priorities are placed by their location.
    pub fn places_by_location(&self) -> bool {
        !self.parishes.is_empty()
    }
}

/// A shared handle on the [`Index`].
#[derive(Debug, Clone, Default)]
pub struct SharedIndex(Arc<RwLock<Index>>);

impl SharedIndex {
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
