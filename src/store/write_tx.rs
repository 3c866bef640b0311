//! Write transactions, and the rule that keeps a failed one from poisoning
//! the pool: a connection goes back to the pool only outside a transaction.
//!
//! Transactions are begun and ended with plain SQL on a pooled connection,
//! not with sqlx's `Transaction`, whose idea of the nesting depth can part
//! from the database's after a failure. SQLite ends a transaction by itself
//! on some errors (a full disk, an I/O error) and keeps it open on others
//! (a busy database or a deferred constraint at `COMMIT`); sqlx counts a
//! depth that only a successful `COMMIT` or `ROLLBACK` lowers, so a failed
//! one left the connection counting one level too many. Its next
//! transaction then began as a `SAVEPOINT` inside an open transaction and
//! "committed" with a `RELEASE`, which commits nothing: acknowledged writes
//! that lived only in that connection's open transaction, holding SQLite's
//! write lock against every other connection until the process stopped.
//!
//! Here a write ends in one of three ways, and only the first two return
//! the connection to the pool:
//! - `COMMIT` succeeded;
//! - anything failed, and a `ROLLBACK` then succeeded (on SQLite that
//!   proves a transaction was open and is now gone; on PostgreSQL the
//!   session is idle after it either way);
//! - anything else, including a `ROLLBACK` that failed or a write dropped
//!   half-way (its task cancelled): the connection is closed, which rolls
//!   back whatever it held, and the pool opens a new one.

use sqlx::pool::PoolConnection;
use sqlx::{Any, Executor};

use super::changes::{ChangeState, state_from_row};
use super::{Engine, Store, StoreError};

/// An open write transaction holding the change sequence.
pub(super) struct WriteTx {
    /// The connection, inside the transaction until the write ends.
    pub(super) conn: PoolConnection<Any>,
    pub(super) engine: Engine,
    /// Whether the transaction ended cleanly (committed or rolled back), so
    /// the connection may be used again.
    ended: bool,
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

    /// Rolls the transaction back after a failure. The connection is reused
    /// only if the `ROLLBACK` succeeded; otherwise it is closed on drop.
    async fn roll_back(mut self) {
        match self.conn.execute("ROLLBACK").await {
            Ok(_) => self.ended = true,
            Err(error) => {
                tracing::warn!(%error, "rollback failed; closing the connection");
            }
        }
    }

    /// The sequence after this transaction commits.
    fn after(&self) -> ChangeState {
        let if_changed = |changed: bool, before: i64| if changed { self.last } else { before };
        ChangeState {
            last_seq: self.last,
            councils_seq: if_changed(self.councils, self.before.councils_seq),
            territories_seq: if_changed(self.territories, self.before.territories_seq),
        }
    }
}

impl Drop for WriteTx {
    /// A transaction that did not end cleanly closes its connection: a
    /// connection never returns to the pool inside a transaction.
    fn drop(&mut self) {
        if !self.ended {
            self.conn.close_on_drop();
        }
    }
}

/// The statement that begins a write: SQLite takes its write lock at once,
/// so a writer waits for another at `BEGIN`, before it has read anything.
fn begin_sql(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "BEGIN IMMEDIATE",
        Engine::Postgres => "BEGIN",
    }
}

impl Store {
    /// Starts a write transaction: locks the change sequence first, so this
    /// transaction's reads see every earlier write and its numbers commit in
    /// order.
    pub(super) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let mut w = WriteTx {
            conn: self.pool.acquire().await?,
            engine: self.engine,
            // Until `BEGIN` succeeds there is no transaction to end: a
            // failed `BEGIN` closes the connection (the drop below).
            ended: false,
            before: ChangeState::default(),
            last: 0,
            taken: false,
            councils: false,
            territories: false,
        };
        w.conn.execute(begin_sql(self.engine)).await?;
        let locked = sqlx::query(
            "UPDATE change_sequence SET last_seq = last_seq WHERE id = 1
             RETURNING last_seq, councils_seq, territories_seq",
        )
        .fetch_one(&mut *w.conn)
        .await;
        match locked
            .map_err(StoreError::from)
            .and_then(|row| state_from_row(&row))
        {
            Ok(before) => {
                w.before = before;
                w.last = before.last_seq;
                Ok(w)
            }
            Err(e) => Err(self.fail(w, e).await),
        }
    }

    /// Ends a write begun by [`Store::begin_write`]: commits it when `result`
    /// is `Ok`, rolls it back otherwise.
    pub(super) async fn end_write<T>(
        &self,
        w: WriteTx,
        result: Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match result {
            Ok(value) => {
                self.commit(w).await?;
                Ok(value)
            }
            Err(e) => Err(self.fail(w, e).await),
        }
    }

    /// Rolls back a write that failed with `error`, and returns the error.
    async fn fail(&self, w: WriteTx, error: StoreError) -> StoreError {
        self.note_write_failure(&error);
        w.roll_back().await;
        error
    }

    /// Commits a write transaction with the numbers it took. On any failure
    /// (of the last statements or of `COMMIT` itself) nothing is committed
    /// and the transaction is rolled back.
    async fn commit(&self, mut w: WriteTx) -> Result<(), StoreError> {
        if w.councils || w.territories {
            w.take();
        }
        let done = async {
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
                .execute(&mut *w.conn)
                .await?;
                if w.engine == Engine::Postgres {
                    // Delivered at commit, and only if it commits.
                    w.conn.execute("NOTIFY prioridades_changes").await?;
                }
            }
            w.conn.execute("COMMIT").await?;
            Ok::<_, StoreError>(())
        }
        .await;
        if let Err(e) = done {
            return Err(self.fail(w, e).await);
        }
        w.ended = true;
        self.note_write_success();
        if w.taken {
            self.record_last_write(w.before, w.after());
        }
        Ok(())
    }
}
