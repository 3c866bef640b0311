//! Built tiles kept while the data they were built from is unchanged: a tile
//! of a million priorities at a national zoom takes milliseconds to build,
//! and a map asks for the same few hundred tiles again and again.
//!
//! The cache holds tiles of one state of the data only — the change
//! sequence and boundary generation it was built at — and empties itself
//! when either moves on (conservative invalidation: any write empties it),
//! or when it grows past [`TileCache::MAX_BYTES`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::tiles::TileId;

/// What a tile's bytes depend on besides the data: the collection, the tile,
/// and the request's query string (its filters).
pub type TileKey = (String, TileId, String);

/// The cache; see the module's documentation.
#[derive(Debug, Default)]
pub struct TileCache(Mutex<Inner>);

#[derive(Debug, Default)]
struct Inner {
    /// The change sequence and boundary generation the tiles were built at.
    state: (i64, u64),
    tiles: HashMap<TileKey, Arc<[u8]>>,
    bytes: usize,
}

impl TileCache {
    /// Most bytes kept; past it the cache starts again empty.
    pub const MAX_BYTES: usize = 64 << 20;

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves a map that is still whole.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The tile built at `state`, if kept.
    pub fn get(&self, state: (i64, u64), key: &TileKey) -> Option<Arc<[u8]>> {
        let inner = self.lock();
        (inner.state == state).then(|| inner.tiles.get(key).cloned())?
    }

    /// Keeps a tile built at `state` (a later state empties the cache first;
    /// a tile of an earlier state than the cache's is not kept).
    pub fn put(&self, state: (i64, u64), key: TileKey, tile: Arc<[u8]>) {
        let mut inner = self.lock();
        if state > inner.state || inner.bytes + tile.len() > Self::MAX_BYTES {
            if state < inner.state {
                return;
            }
            inner.tiles.clear();
            inner.bytes = 0;
            inner.state = state;
        }
        if state == inner.state {
            inner.bytes += tile.len();
            inner.tiles.insert(key, tile);
        }
    }
}
