//! The change feed: what changed after a given change number, for clients
//! that keep a copy of the priorities (field apps, caches, other systems).

use uuid::Uuid;

use super::{Service, ServiceError};
use crate::domain::query::MAX_LIMIT;
use crate::domain::time::Micros;
use crate::index::priorities::placement_of;
use crate::representation::priority_feature;

/// What happened to a priority, as seen by a client that synced up to `since`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAction {
    /// Created after `since` (and not deleted since).
    Created,
    /// Existed at `since` and changed after.
    Updated,
    /// Deleted after `since`.
    Deleted,
}

impl ChangeAction {
    /// The action as the feed names it.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeAction::Created => "created",
            ChangeAction::Updated => "updated",
            ChangeAction::Deleted => "deleted",
        }
    }
}

/// One entry of the feed: a priority's latest change.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    /// The change's number in the store's change sequence.
    pub seq: i64,
    /// What happened to the priority.
    pub action: ChangeAction,
    /// The priority's id.
    pub id: Uuid,
    /// Its version after the change.
    pub version: i64,
    /// When the change was committed.
    pub at: Micros,
    /// The priority's Feature as stored now (`None` once deleted).
    pub feature: Option<String>,
}

/// A page of the feed.
#[derive(Debug, Clone)]
pub struct FeedPage {
    /// The entries, in change order.
    pub entries: Vec<FeedEntry>,
    /// The store's last change number when the page was read.
    pub latest: i64,
}

impl Service {
    /// The priorities changed after change number `after`, each once, at its
    /// latest change, in change order; at most `limit`. A priority that
    /// changes again while a client pages moves to a later page, so paging
    /// by the last `seq` seen misses nothing and repeats nothing. `since`
    /// (at most `after`) is where the client's sync began: a priority
    /// created after it is `created`, an older one `updated`.
    pub async fn changes(
        &self,
        since: i64,
        after: i64,
        limit: usize,
    ) -> Result<FeedPage, ServiceError> {
        let latest = self.store.change_state().await?.last_seq;
        let rows = self
            .store
            .priority_changes_with_rows(after, limit.clamp(1, MAX_LIMIT) as i64)
            .await?;
        let index = self.index.read();
        let by_location = index.places_by_location();
        let entries = rows
            .into_iter()
            .map(|(change, row)| {
                let feature = row.map(|p| {
                    let (parish, placement) = placement_of(
                        p.located_parish,
                        super::council_parish(&index, &p),
                        by_location,
                    );
                    priority_feature(&p, parish, placement)
                });
                let action = if change.deleted {
                    ChangeAction::Deleted
                } else if change.created_seq > since {
                    ChangeAction::Created
                } else {
                    ChangeAction::Updated
                };
                FeedEntry {
                    seq: change.seq,
                    action,
                    id: change.id,
                    version: change.version,
                    at: change.at,
                    feature,
                }
            })
            .collect();
        Ok(FeedPage {
            entries,
            latest: latest.max(after),
        })
    }
}
