//! The store: the only module with SQL, and the source of truth.
//!
//! Two engines stand behind one interface: SQLite, the embedded default,
//! and PostgreSQL, the shared store of several replicas. The SQL text is the
//! same for both (numbered `$N` parameters, which both accept, and types both
//! map to 64-bit integers and text); each engine has its own migrations.
//!
//! Every write runs in one transaction that also takes its numbers from the
//! change sequence (see [`changes`]). On SQLite the commit is fsynced in WAL
//! mode (`synchronous = FULL`), on PostgreSQL by its own WAL, so once a write
//! returns `Ok` it survives a crash of the process.
//!
//! `reads.rs` loads what start-up and the catalog need and reads single
//! rows; `writes.rs` holds every write; `tokens.rs` the tokens;
//! `write_tx.rs` begins and ends write transactions; `changes.rs` keeps the
//! change sequence; `batch.rs` writes many priorities in a few statements;
//! `rows.rs` reads rows back into domain values.

/// The columns every priority query returns, in [`priority_from_row`]'s terms;
/// start-up reads the same ones, in this order, as one JSON array a row
/// (`select_priorities_as_json`).
macro_rules! priority_columns {
    () => {
        "pk, id, council_code, title, description, category, status, rank, families, geometry,
         created_at, updated_at, version, located_parish, plan, duplicate_of"
    };
}

mod batch;
mod changes;
mod reads;
mod rows;
mod tokens;
mod transitions;
mod webhooks;
mod write_tx;
mod writes;

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, AssertSqlSafe, Executor, Row};
use uuid::Uuid;

pub use changes::{ChangeListener, ChangeState, PriorityChange};
use rows::{
    boundary_from_text, classify, corrupt, council_from_row, priority_from_json_row,
    priority_from_row, token_from_row,
};
pub use transitions::Transition;
pub use webhooks::Attempt;
use write_tx::WriteTx;
pub use writes::DuplicateLink;

use crate::domain::auth::StoredToken;
use crate::domain::codes::{Level, TerritoryCode};
use crate::domain::geometry::to_geojson;
use crate::domain::history::{self, Change};
use crate::domain::priority::{Priority, PriorityDraft};
use crate::domain::territory::{Commune, Council, Territory};
use crate::domain::time;
use crate::domain::workflow::Plan;

/// Store failures, each mapped to an HTTP status by the layer above.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No row with that key (404).
    #[error("not found")]
    NotFound,
    /// The row changed since the client read it (412).
    #[error("version mismatch: the current version is {current}")]
    VersionMismatch {
        /// The version the row is at.
        current: i64,
    },
    /// A row with that key exists already (409).
    #[error("{0}")]
    Conflict(String),
    /// Stored data could not be read back (500).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The database URL names no engine this service speaks.
    #[error("unsupported database URL {0:?}: use sqlite://FILE, a file path or postgres://…")]
    UnsupportedUrl(String),
    /// The disk (or the database's quota) is full: nothing was written,
    /// and writes succeed again once there is space (507).
    #[error("the database's storage is full: {0}")]
    StorageFull(sqlx::Error),
    /// The database cannot be reached: no connection could be had, or the
    /// one in use was lost (503).
    #[error("the database is unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// The database failed (500).
    #[error(transparent)]
    Database(sqlx::Error),
    /// Applying the schema failed (500).
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            _ if is_storage_full(&e) => StoreError::StorageFull(e),
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e),
            _ if is_connection_lost(&e) => StoreError::Unavailable(e),
            e => StoreError::Database(e),
        }
    }
}

/// Whether `e` says the disk is full: SQLite's `SQLITE_FULL` (13, also what
/// it answers when a write hits `ENOSPC` or `max_page_count`), PostgreSQL's
/// `disk_full` (53100).
fn is_storage_full(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("13" | "53100")),
        _ => false,
    }
}

/// Whether PostgreSQL says the connection went away or a new one is
/// refused: class 08 (connection exception), 28 (authorization), 3D000 (no
/// such database), 53300 (too many connections), 55000 (the database does
/// not accept connections now) and 57P01–57P03 (terminated by an
/// administrator, shutting down, cannot connect now).
fn is_connection_lost(e: &sqlx::Error) -> bool {
    let Some(pg) = e
        .as_database_error()
        .and_then(|db| db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>())
    else {
        return false;
    };
    let c = pg.code();
    c.starts_with("08")
        || c.starts_with("28")
        || matches!(c, "3D000" | "53300" | "55000" | "57P01" | "57P02" | "57P03")
}

/// How a batch of priorities treats ids that already exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// An existing id is a conflict (POST).
    CreateOnly,
    /// An existing id is updated in place (bulk import).
    Upsert,
}

/// The database engine behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// SQLite, a file of its own (the default).
    Sqlite,
    /// PostgreSQL, shared by replicas.
    Postgres,
}

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    /// The URL connected to (PostgreSQL listeners open their own connection).
    url: String,
    /// The sequence before and after the last write committed through this
    /// handle, so the service can tell its own writes from other processes'.
    last_write: Arc<Mutex<Option<(ChangeState, ChangeState)>>>,
    /// Whether the last write failed for lack of space (health reports it).
    storage_full: Arc<AtomicBool>,
    /// SQLite's `max_page_count` for every connection (0: never set, so
    /// SQLite's own).
    page_limit: Arc<AtomicU32>,
}

/// The engine a `DATABASE_URL` names and the URL sqlx should open: SQLite
/// accepts `sqlite://path`, `sqlite:path` or a bare file path, and the file
/// is created when missing.
fn resolve_url(url: &str) -> Result<(Engine, String), StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Engine::Postgres, url.to_owned()));
    }
    if url.contains("://") && !url.starts_with("sqlite://") {
        return Err(StoreError::UnsupportedUrl(url.to_owned()));
    }
    let mut sqlite = if url.starts_with("sqlite:") {
        url.to_owned()
    } else {
        format!("sqlite://{url}")
    };
    if !sqlite.contains("mode=") {
        sqlite.push_str(if sqlite.contains('?') {
            "&mode=rwc"
        } else {
            "?mode=rwc"
        });
    }
    Ok((Engine::Sqlite, sqlite))
}

/// Priorities in one write from which it is a bulk write (an import's batch).
const BULK_WRITE: usize = 1_000;

/// SQLite's page cache for a connection that has written a bulk batch. A
/// batch inserts into three indexes keyed by random ids (priority, history,
/// change), so it touches nearly every leaf page of each; with SQLite's
/// default 2 MiB cache the transaction spilled dirty pages to the WAL and
/// wrote many of them again and again (system calls and import times in
/// docs/benchmarks.md). At national scale those indexes are about the size
/// of this cache. The connection keeps the larger cache until the pool
/// closes it (idle for 10 minutes); only the pages touched are allocated.
const BULK_CACHE: &str = "PRAGMA cache_size = -262144"; // KiB: 256 MiB

/// Settings every SQLite connection gets before use.
const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA busy_timeout = 10000",
    "PRAGMA journal_mode = WAL",
    // FULL: a commit is fsynced before it returns, so an acknowledged write
    // survives even a power cut, not only a killed process.
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
];

/// Applies the SQLite migrations. sqlx takes no lock on SQLite, so two
/// processes opening a new file together can both try the first migration;
/// the loser fails on tables that now exist. It tries again, and finds the
/// migrations applied.
async fn migrate_sqlite(pool: &AnyPool) -> Result<(), StoreError> {
    let migrator = sqlx::migrate!("./migrations/sqlite");
    let mut attempt = 1;
    loop {
        match migrator.run(pool).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt < 5 => {
                tracing::info!(error = %e, attempt, "migrating raced another process; retrying");
                tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

impl Store {
    /// Opens the database at `url` (creating an SQLite file when missing)
    /// and applies the migrations of its engine.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (engine, sqlx_url) = resolve_url(url)?;
        let page_limit = Arc::new(AtomicU32::new(0));
        let options = match engine {
            // SQLite has one writer at a time; a few readers suffice.
            Engine::Sqlite => {
                let on_connect = Arc::clone(&page_limit);
                let on_acquire = Arc::clone(&page_limit);
                AnyPoolOptions::new()
                    .max_connections(4)
                    .after_connect(move |conn, _meta| {
                        let limit = on_connect.load(Ordering::Acquire);
                        Box::pin(async move {
                            for pragma in SQLITE_PRAGMAS {
                                conn.execute(pragma).await?;
                            }
                            apply_page_limit(conn, limit).await
                        })
                    })
                    .before_acquire(move |conn, _meta| {
                        let limit = on_acquire.load(Ordering::Acquire);
                        Box::pin(async move {
                            apply_page_limit(conn, limit).await?;
                            Ok(true)
                        })
                    })
            }
            Engine::Postgres => AnyPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10)),
        };
        let pool = options.connect(&sqlx_url).await?;
        match engine {
            Engine::Sqlite => migrate_sqlite(&pool).await?,
            // sqlx holds an advisory lock while it migrates PostgreSQL, so
            // replicas starting together apply each migration once.
            Engine::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        Ok(Store {
            pool,
            engine,
            url: sqlx_url,
            last_write: Arc::default(),
            storage_full: Arc::default(),
            page_limit,
        })
    }

    /// Whether the last write through this handle failed because the
    /// storage was full (cleared by the next write that commits).
    pub fn storage_full(&self) -> bool {
        self.storage_full.load(Ordering::Acquire)
    }

    fn note_write_failure(&self, error: &StoreError) {
        if matches!(error, StoreError::StorageFull(_)) {
            self.storage_full.store(true, Ordering::Release);
        }
    }

    fn note_write_success(&self) {
        self.storage_full.store(false, Ordering::Release);
    }

    /// Caps an SQLite database at `pages` pages (`None`: SQLite's own
    /// limit), on every connection from its next use: how the tests fill
    /// the "disk" at a chosen point. No effect on PostgreSQL.
    #[doc(hidden)]
    pub fn set_sqlite_page_limit(&self, pages: Option<u32>) {
        self.page_limit
            .store(pages.unwrap_or(SQLITE_MAX_PAGES), Ordering::Release);
    }

    /// The engine behind this store.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Closes every connection (SQLite checkpoints its write-ahead log).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether the store holds no territories, councils or priorities.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM states) + (SELECT count(*) FROM councils)
                  + (SELECT count(*) FROM priorities)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>(0)? == 0)
    }

    /// How many priorities are stored.
    pub async fn count_priorities(&self) -> Result<usize, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM priorities")
            .fetch_one(&self.pool)
            .await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }
}

/// Sets SQLite's `max_page_count` to `limit`, unless no limit was ever set
/// (`0`): then there is nothing to do, and connections cost no statement.
async fn apply_page_limit(conn: &mut sqlx::AnyConnection, limit: u32) -> Result<(), sqlx::Error> {
    if limit != 0 {
        conn.execute(AssertSqlSafe(format!("PRAGMA max_page_count = {limit}")))
            .await?;
    }
    Ok(())
}

/// SQLite's default `max_page_count` (its largest).
const SQLITE_MAX_PAGES: u32 = 4_294_967_294;

const SELECT_PRIORITY_BY_ID: &str = concat!(
    "SELECT ",
    priority_columns!(),
    " FROM priorities WHERE id = $1"
);
