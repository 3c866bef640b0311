//! The change sequence: one counter every write transaction takes its
//! numbers from, and the latest change of each priority by number.
//!
//! A write locks the counter's row with its first statement and releases it
//! at commit, so writers (of any process, on either engine) commit one after
//! another and numbers become visible in order. That is what makes "every
//! change after N" a complete answer, for replicas catching up and for
//! clients reading the change feed. On PostgreSQL the commit also sends a
//! notification so replicas wake at once instead of at their next poll.

use sqlx::postgres::PgListener;
use sqlx::{Any, Row};
use uuid::Uuid;

use super::rows::{corrupt, priority_from_row};
use super::{Engine, Store, StoreError};
use crate::domain::priority::Priority;
use crate::domain::time::Micros;

/// The PostgreSQL channel a commit notifies.
const CHANNEL: &str = "prioridades_changes";

/// An open write transaction holding the change sequence.
pub(super) struct WriteTx {
    pub(super) tx: sqlx::Transaction<'static, Any>,
    pub(super) engine: Engine,
    /// The sequence as this transaction found it.
    before: ChangeState,
    /// The last number taken (or the sequence's value when none was).
    last: i64,
    taken: bool,
    councils: bool,
    territories: bool,
}

impl WriteTx {
    /// The next change number.
    pub(super) fn take(&mut self) -> i64 {
        self.last += 1;
        self.taken = true;
        self.last
    }

    /// Marks the transaction as changing councils or communes.
    pub(super) fn councils_changed(&mut self) {
        self.councils = true;
    }

    /// Marks the transaction as changing territories or boundaries.
    pub(super) fn territories_changed(&mut self) {
        self.territories = true;
    }
}

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

fn state_from_row(row: &sqlx::any::AnyRow) -> Result<ChangeState, StoreError> {
    Ok(ChangeState {
        last_seq: row.try_get("last_seq")?,
        councils_seq: row.try_get("councils_seq")?,
        territories_seq: row.try_get("territories_seq")?,
    })
}

/// The latest change of one priority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityChange {
    pub seq: i64,
    pub id: Uuid,
    /// The row key of the priority (of the deleted row, for a deletion).
    pub pk: i64,
    pub version: i64,
    pub deleted: bool,
    /// The change that created the priority's current row.
    pub created_seq: i64,
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
    /// Starts a write transaction: locks the change sequence first, so this
    /// transaction's reads see every earlier write and its numbers commit in
    /// order.
    pub(super) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE change_sequence SET last_seq = last_seq WHERE id = 1
             RETURNING last_seq, councils_seq, territories_seq",
        )
        .fetch_one(&mut *tx)
        .await?;
        let before = state_from_row(&row)?;
        Ok(WriteTx {
            tx,
            engine: self.engine,
            before,
            last: before.last_seq,
            taken: false,
            councils: false,
            territories: false,
        })
    }

    /// Commits a write transaction with the numbers it took.
    pub(super) async fn commit(&self, mut w: WriteTx) -> Result<(), StoreError> {
        if w.councils || w.territories {
            w.take();
        }
        if w.taken {
            sqlx::query(
                "UPDATE change_sequence SET last_seq = $1,
                     councils_seq = CASE WHEN $2 = 1 THEN $1 ELSE councils_seq END,
                     territories_seq = CASE WHEN $3 = 1 THEN $1 ELSE territories_seq END
                 WHERE id = 1",
            )
            .bind(w.last)
            .bind(i64::from(w.councils))
            .bind(i64::from(w.territories))
            .execute(&mut *w.tx)
            .await?;
            if self.engine == Engine::Postgres {
                // Delivered at commit, and only if it commits.
                sqlx::query("NOTIFY prioridades_changes")
                    .execute(&mut *w.tx)
                    .await?;
            }
        }
        w.tx.commit().await?;
        if w.taken {
            let after = ChangeState {
                last_seq: w.last,
                councils_seq: if w.councils {
                    w.last
                } else {
                    w.before.councils_seq
                },
                territories_seq: if w.territories {
                    w.last
                } else {
                    w.before.territories_seq
                },
            };
            *self.last_write.lock().unwrap_or_else(|e| e.into_inner()) = Some((w.before, after));
        }
        Ok(())
    }

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
