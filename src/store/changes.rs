//! The change sequence: one counter every write transaction takes its
//! numbers from, and the latest change of each priority by number.
//!
//! A write locks the counter's row with its first statement and releases it
//! at commit, so writers (of any process, on either engine) commit one after
//! another and numbers become visible in order. That is what makes "every
//! change after N" a complete answer, for replicas catching up and for
//! clients reading the change feed. On PostgreSQL the commit also sends a
//! notification so replicas wake at once instead of at their next poll.

use sqlx::Row;
use sqlx::postgres::PgListener;
use uuid::Uuid;

use super::rows::{corrupt, priority_from_row};
use super::{Engine, Store, StoreError};
use crate::domain::priority::Priority;
use crate::domain::time::Micros;

/// The PostgreSQL channel a commit notifies.
const CHANNEL: &str = "prioridades_changes";

/// Where the sequence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeState {
    /// The last number committed.
    pub last_seq: i64,
    /// The number of the last change to councils or communes.
    pub councils_seq: i64,
    /// The number of the last change to territories or boundaries.
    pub territories_seq: i64,
}

pub(super) fn state_from_row(row: &sqlx::any::AnyRow) -> Result<ChangeState, StoreError> {
    Ok(ChangeState {
        last_seq: row.try_get("last_seq")?,
        councils_seq: row.try_get("councils_seq")?,
        territories_seq: row.try_get("territories_seq")?,
    })
}

/// The latest change of one priority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityChange {
    /// The change's number in the store's change sequence.
    pub seq: i64,
    /// The priority's id.
    pub id: Uuid,
    /// The row key of the priority (of the deleted row, for a deletion).
    pub pk: i64,
    /// Its version after the change.
    pub version: i64,
    /// Whether the change deleted it.
    pub deleted: bool,
    /// The change that created the priority's current row.
    pub created_seq: i64,
    /// When the change was committed.
    pub at: Micros,
}

/// The columns of a change, aliased so they cannot clash with a priority's.
macro_rules! change_columns {
    () => {
        "SELECT c.seq AS change_seq, c.priority_id AS change_id, c.pk AS change_pk,
                c.version AS change_version, c.deleted AS change_deleted,
                c.created_seq AS change_created, c.at AS change_at"
    };
}

const CHANGES: &str = concat!(
    change_columns!(),
    " FROM priority_changes c WHERE c.seq > $1 ORDER BY c.seq LIMIT $2"
);

const CHANGES_WITH_ROWS: &str = concat!(
    change_columns!(),
    ", p.* FROM priority_changes c
     LEFT JOIN priorities p ON p.id = c.priority_id AND c.deleted = 0
     WHERE c.seq > $1 ORDER BY c.seq LIMIT $2"
);

fn change_from_row(row: &sqlx::any::AnyRow) -> Result<PriorityChange, StoreError> {
    let id: String = row.try_get("change_id")?;
    Ok(PriorityChange {
        seq: row.try_get("change_seq")?,
        id: Uuid::parse_str(&id).map_err(|e| corrupt("change id", e))?,
        pk: row.try_get("change_pk")?,
        version: row.try_get("change_version")?,
        deleted: row.try_get::<i64, _>("change_deleted")? != 0,
        created_seq: row.try_get("change_created")?,
        at: row.try_get("change_at")?,
    })
}

/// Waits for PostgreSQL's notifications of commits.
pub struct ChangeListener(PgListener);

impl ChangeListener {
    /// Waits for the next commit notification: `Ok(true)` when one came,
    /// `Ok(false)` when the connection was lost (it reconnects on the next
    /// call; notifications sent meanwhile are lost, so catch up by number).
    pub async fn wait(&mut self) -> Result<bool, StoreError> {
        Ok(self.0.try_recv().await?.is_some())
    }
}

impl Store {
    /// Where the change sequence stands.
    pub async fn change_state(&self) -> Result<ChangeState, StoreError> {
        let row = sqlx::query(
            "SELECT last_seq, councils_seq, territories_seq FROM change_sequence WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        state_from_row(&row)
    }

    /// The sequence before and after the last write committed through this
    /// handle, taken once: the service compares it with what its index
    /// reflects to tell whether another process wrote in between.
    pub fn take_last_write(&self) -> Option<(ChangeState, ChangeState)> {
        self.last_write
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// Records the sequence before and after a write this handle committed.
    pub(super) fn record_last_write(&self, before: ChangeState, after: ChangeState) {
        *self.last_write.lock().unwrap_or_else(|e| e.into_inner()) = Some((before, after));
    }

    /// The latest changes of priorities numbered after `after`, in order,
    /// at most `limit`.
    pub async fn priority_changes(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<PriorityChange>, StoreError> {
        let rows = sqlx::query(CHANGES)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(change_from_row).collect()
    }

    /// Like [`Store::priority_changes`], each with the priority as stored
    /// (`None` for deletions), read in the same statement.
    pub async fn priority_changes_with_rows(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(PriorityChange, Option<Priority>)>, StoreError> {
        let rows = sqlx::query(CHANGES_WITH_ROWS)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let change = change_from_row(row)?;
                let priority = if change.deleted {
                    None
                } else {
                    Some(priority_from_row(row)?)
                };
                Ok((change, priority))
            })
            .collect()
    }

    /// A listener for commit notifications (PostgreSQL only: SQLite
    /// replicas, processes on one file, poll).
    pub async fn listen(&self) -> Result<Option<ChangeListener>, StoreError> {
        if self.engine != Engine::Postgres {
            return Ok(None);
        }
        let mut listener = PgListener::connect(&self.url).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(ChangeListener(listener)))
    }
}
