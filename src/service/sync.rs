//! Keeping the in-memory index current with the store's change sequence.
//!
//! A process's own writes reach its index directly (under the write gate).
//! Writes by other processes sharing the store (replicas on one PostgreSQL,
//! or a command-line import beside a server on one SQLite file) are found
//! by number: every change after the last one the index reflects. A
//! follower task does that when PostgreSQL notifies a commit, and every
//! [`POLL_INTERVAL`] in any case, so a lost notification or a dropped
//! connection delays a change by at most that long and never loses it.
//! Every write also catches up first, so it is checked against the latest
//! state, not a stale copy.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::MutexGuard;
use uuid::Uuid;

use super::{Service, ServiceError};
use crate::domain::priority::Priority;
use crate::index::priorities::Entry;
use crate::index::{Index, PriorityIndex};
use crate::store::{ChangeListener, ChangeState, PriorityChange, StoreError};

/// How often a follower looks for changes without being notified.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Changes read per round trip while catching up.
const CATCH_UP_PAGE: i64 = 1_000;

/// What the index reflects of the change sequence; changed only under the
/// write gate.
#[derive(Debug, Default)]
pub(super) struct SyncState {
    pub(super) applied: ChangeState,
}

/// The write gate, held by one write at a time. Dropping it records the
/// write just committed as reflected when nothing else came between.
pub(super) struct Gate<'a> {
    state: MutexGuard<'a, SyncState>,
    service: &'a Service,
}

impl Gate<'_> {
    /// Records a write, its sequence before and after its commit, as in the
    /// index. If the sequence was where the index stood when the write
    /// began, the index now reflects everything up to the write's number.
    /// Otherwise another process wrote in between, and the next catch-up
    /// reads its changes.
    pub(super) fn reflect(&mut self, write: Option<(ChangeState, ChangeState)>) {
        if let Some((before, after)) = write
            && before == self.state.applied
        {
            self.service.publish(&mut self.state, after);
        }
    }
}

impl Drop for Gate<'_> {
    /// The index already holds this process's last write, unless the write
    /// panicked between its commit and the index: then the write is left
    /// to the next catch-up, which finds the index does not reflect it.
    fn drop(&mut self) {
        let write = self.service.store.take_last_write();
        if !std::thread::panicking() {
            self.reflect(write);
        }
    }
}

impl Service {
    /// The change sequence number up to which the index reflects every
    /// change: what a response reflects.
    pub fn applied_seq(&self) -> i64 {
        self.applied_seq.load(Ordering::Acquire)
    }

    fn publish(&self, state: &mut SyncState, applied: ChangeState) {
        state.applied = applied;
        self.applied_seq.store(applied.last_seq, Ordering::Release);
    }

    /// Takes the write gate, after catching up with other processes' writes.
    pub(super) async fn gate(&self) -> Result<Gate<'_>, ServiceError> {
        self.writers_waiting.fetch_add(1, Ordering::AcqRel);
        let state = self.writes.lock().await;
        self.writers_waiting.fetch_sub(1, Ordering::AcqRel);
        let mut state = state;
        self.catch_up_locked(&mut state).await?;
        Ok(Gate {
            state,
            service: self,
        })
    }

    /// Brings the index up to date with every change committed to the store.
    pub async fn catch_up(&self) -> Result<(), StoreError> {
        let mut state = self.writes.lock().await;
        self.catch_up_locked(&mut state).await
    }

    /// Rebuilds the index from the store after territories or boundaries
    /// changed elsewhere, and publishes `latest` as applied.
    async fn rebuild(&self, state: &mut SyncState, latest: ChangeState) -> Result<(), StoreError> {
        // Territories or boundaries changed elsewhere: placements may
        // have moved everywhere, so the index is rebuilt (off the lock;
        // reads go on from the current one meanwhile). Rare: an
        // administrator's boundary import.
        let mut fresh = super::load_index(&self.store).await?;
        let mut index = self.index.write();
        fresh.catalog.succeed(&index.catalog);
        *index = fresh;
        drop(index);
        // Changes committed during the load are in the new index already;
        // reading them again later is harmless.
        tracing::info!(
            seq = latest.last_seq,
            "index rebuilt after a territory change"
        );
        self.publish(state, latest);
        Ok(())
    }

    async fn catch_up_locked(&self, state: &mut SyncState) -> Result<(), StoreError> {
        let latest = self.store.change_state().await?;
        if latest == state.applied {
            return Ok(());
        }
        if latest.territories_seq != state.applied.territories_seq {
            return self.rebuild(state, latest).await;
        }
        if latest.councils_seq != state.applied.councils_seq {
            let councils = self.store.load_councils().await?;
            let communes = self.store.load_communes().await?;
            self.index
                .write()
                .catalog
                .replace_councils(councils, communes);
        }
        let mut after = state.applied.last_seq;
        loop {
            let changes = self.store.priority_changes(after, CATCH_UP_PAGE).await?;
            let Some(last) = changes.last() else {
                break;
            };
            let stale = {
                let index = self.index.read();
                changes.iter().any(|c| !reflects(&index.priorities, c))
            };
            if !stale {
                after = last.seq;
                continue;
            }
            // Read the rows in one statement; the page may have shifted if
            // priorities changed again since, which only moves them later.
            let rows = self
                .store
                .priority_changes_with_rows(after, CATCH_UP_PAGE)
                .await?;
            let Some((last, _)) = rows.last() else {
                break;
            };
            after = last.seq;
            // Entries are built from a read view (the gate is held, so
            // nothing else changes the index meanwhile), then put in.
            let entries = super::entries_for(
                &self.index.read(),
                rows.iter().filter_map(|(_, row)| row.as_ref()),
            );
            apply_changes(&mut self.index.write(), &rows, entries);
            // Every transition, also those between two polls.
            let ids: Vec<Uuid> = rows.iter().map(|(change, _)| change.id).collect();
            let transitions = self.store.load_transitions(Some(&ids)).await?;
            self.index
                .write()
                .priorities
                .set_timelines(ids, transitions);
            // Every change up to `after` is in the index now.
            self.publish(
                state,
                ChangeState {
                    last_seq: after,
                    ..state.applied
                },
            );
        }
        self.publish(
            state,
            ChangeState {
                last_seq: latest.last_seq.max(after),
                ..latest
            },
        );
        Ok(())
    }

    /// Follows other processes' writes until the task is aborted: woken by
    /// PostgreSQL's notifications, and every [`POLL_INTERVAL`] regardless.
    pub fn spawn_follower(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let service = Arc::clone(self);
        tokio::spawn(async move {
            let mut listener: Option<ChangeListener> = None;
            let mut poll = tokio::time::interval(POLL_INTERVAL);
            poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                if listener.is_none() {
                    listener = service.store.listen().await.unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "cannot listen for changes; polling");
                        None
                    });
                }
                tokio::select! {
                    _ = poll.tick() => {}
                    woken = notified(&mut listener) => {
                        if let Err(e) = woken {
                            tracing::warn!(error = %e, "change notifications lost; reconnecting");
                            listener = None;
                        }
                    }
                }
                if let Err(e) = service.catch_up().await {
                    tracing::warn!(error = %e, "catching up with the store failed; retrying");
                }
            }
        })
    }
}

/// Puts priorities read from the store into the index, removing deleted
/// ones and rows replaced by a new row of the same id.
/// `entries` are those of the rows present, in order.
fn apply_changes(
    index: &mut Index,
    rows: &[(PriorityChange, Option<Priority>)],
    entries: Vec<Entry>,
) {
    let mut entries = entries.into_iter();
    for (change, row) in rows {
        if let Some(old) = index.priorities.get(&change.id).map(|e| e.pk)
            && (change.deleted || old != change.pk)
        {
            index.priorities.remove(old);
        }
        if row.is_some()
            && let Some(entry) = entries.next()
        {
            index.priorities.put(entry);
        }
    }
}

/// Waits for a notification, or forever when there is no listener.
async fn notified(listener: &mut Option<ChangeListener>) -> Result<bool, StoreError> {
    match listener {
        Some(l) => l.wait().await,
        None => std::future::pending().await,
    }
}

/// Whether the index holds the priority as of `change`.
fn reflects(priorities: &PriorityIndex, change: &PriorityChange) -> bool {
    match priorities.get(&change.id) {
        None => change.deleted,
        Some(entry) => !change.deleted && entry.pk == change.pk && entry.version == change.version,
    }
}
