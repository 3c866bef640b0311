//! Loading the index from the store: at start-up, and again when another
//! process changes territories.

use crate::index::Index;
use crate::store::{Store, StoreError};

/// Loads every territory, council, commune and priority from the store into
/// a fresh index. Priorities stream through in chunks: each chunk's entries
/// are built on every core while the chunk before is linked; then the
/// recorded transitions give the timelines of those that moved.
pub async fn load_index(store: &Store) -> Result<Index, StoreError> {
    let councils = store.load_councils().await?;
    let territories = store.load_territories().await?;
    let communes = store.load_communes().await?;
    // Read apart from the load, so possibly off by the writes between:
    // it only sizes the builder's tables.
    let expected = store.count_priorities().await?;
    let (mut index, maker) = Index::loading(territories, councils, communes, expected);
    store
        .load_prepared_priorities(
            move |chunk| maker.entries(&chunk).map_err(StoreError::Corrupt),
            |entries| {
                index.link(entries);
                Ok(())
            },
        )
        .await?;
    let mut index = index.finish();
    let transitions = store.load_transitions(None).await?;
    index
        .priorities
        .set_timelines(std::iter::empty(), transitions);
    Ok(index)
}
