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

/// The columns every priority query returns, in [`priority_from_row`]'s terms;
/// start-up reads the same ones, in this order, as one JSON array a row
/// (`select_priorities_as_json`).
macro_rules! priority_columns {
    () => {
        "pk, id, council_code, title, description, category, status, rank, families, geometry,
         created_at, updated_at, version, located_parish, plan"
    };
}

mod batch;
mod changes;
mod rows;
mod write_tx;

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
use write_tx::WriteTx;

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
    VersionMismatch { current: i64 },
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
    Sqlite,
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

    /// Every territory of every level.
    pub async fn load_territories(&self) -> Result<Vec<Territory>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, name, boundary FROM states
             UNION ALL SELECT code, name, boundary FROM municipalities
             UNION ALL SELECT code, name, boundary FROM parishes",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let code: String = row.try_get("code")?;
                let level = match code.len() {
                    2 => Level::State,
                    4 => Level::Municipality,
                    _ => Level::Parish,
                };
                let boundary: Option<String> = row.try_get("boundary")?;
                Ok(Territory {
                    code: TerritoryCode::parse(level, &code).map_err(StoreError::Corrupt)?,
                    name: row.try_get("name")?,
                    boundary: boundary.map(|text| boundary_from_text(&text)).transpose()?,
                })
            })
            .collect()
    }

    /// Every council.
    pub async fn load_councils(&self) -> Result<Vec<Council>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, name, parish_code, location, commune_code, spokespeople FROM councils",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(council_from_row).collect()
    }

    /// Every priority, in `pk` order, handed to `take` a chunk at a time.
    ///
    /// The database hands over each chunk as one text, its rows' JSON arrays
    /// joined (see [`select_priority_chunk`]). Three stages overlap, each in a
    /// task of its own: reading a chunk (in one read transaction), parsing
    /// (and preparing, see [`Store::load_prepared_priorities`]) the chunk
    /// before on every core, and taking the one before that; memory holds at
    /// most a few chunks.
    pub async fn load_priorities(
        &self,
        take: impl FnMut(Vec<Priority>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.load_priorities_in_chunks(LOAD_CHUNK, Ok, take).await
    }

    /// [`Store::load_priorities`], each chunk turned by `prepare` in the
    /// parsing stage (on every core, while the chunk before is taken) into
    /// what `take` receives.
    pub async fn load_prepared_priorities<T: Send + 'static>(
        &self,
        prepare: impl Fn(Vec<Priority>) -> Result<T, StoreError> + Send + Sync + 'static,
        take: impl FnMut(T) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.load_priorities_in_chunks(LOAD_CHUNK, prepare, take)
            .await
    }

    /// [`Store::load_prepared_priorities`] with chunks of at most `chunk`
    /// priorities (for tests: start-up's chunks hold thousands).
    #[doc(hidden)]
    pub async fn load_priorities_in_chunks<T: Send + 'static>(
        &self,
        chunk: usize,
        prepare: impl Fn(Vec<Priority>) -> Result<T, StoreError> + Send + Sync + 'static,
        mut take: impl FnMut(T) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let prepare = Arc::new(prepare);
        let (chunks, mut arriving) = tokio::sync::mpsc::channel::<String>(1);
        let pool = self.pool.clone();
        let engine = self.engine;
        let reader = tokio::spawn(async move {
            // One snapshot for every chunk, as a single query would see. The
            // connection is closed when the load ends rather than returned to
            // the pool, so one whose transaction failed half-way is never
            // reused (see `write_tx`); loads are rare (start-up, a boundary
            // import).
            let mut tx = pool.acquire().await?;
            tx.close_on_drop();
            tx.execute("BEGIN").await?;
            if engine == Engine::Postgres {
                tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?;
            }
            let (first, last): (Option<i64>, Option<i64>) =
                sqlx::query_as("SELECT min(pk), max(pk) FROM priorities")
                    .fetch_one(&mut *tx)
                    .await?;
            let (Some(first), Some(last)) = (first, last) else {
                return Ok(());
            };
            let width = i64::try_from(chunk).unwrap_or(i64::MAX);
            // Chunks are ranges of row keys: at most `chunk` rows each, fewer
            // where rows were deleted.
            let mut after = first.saturating_sub(1);
            while after < last {
                let upto = after.saturating_add(width).min(last);
                let text: Option<String> = sqlx::query_scalar(select_priority_chunk(engine))
                    .bind(after)
                    .bind(upto)
                    .fetch_one(&mut *tx)
                    .await?;
                after = upto;
                let Some(text) = text else { continue };
                if chunks.send(text).await.is_err() {
                    // The loader stopped on an error of its own.
                    break;
                }
            }
            tx.execute("ROLLBACK").await?;
            Ok::<_, StoreError>(())
        });
        let (parsed_chunks, mut parsed) = tokio::sync::mpsc::channel(1);
        let parser = tokio::spawn(async move {
            while let Some(text) = arriving.recv().await {
                let prepare = Arc::clone(&prepare);
                // Off the async threads: this is seconds of CPU at national scale.
                let prepared = tokio::task::spawn_blocking(move || {
                    let rows: Vec<&str> = text.split(ROW_SEPARATOR).collect();
                    let mut priorities =
                        crate::parallel::map(&rows, |row| priority_from_json_row(row))
                            .into_iter()
                            .collect::<Result<Vec<_>, _>>()?;
                    // In the order of the scan, nearly always; sorted for sure.
                    priorities.sort_unstable_by_key(|p| p.pk);
                    prepare(priorities)
                })
                .await
                .map_err(|e| StoreError::Corrupt(format!("parsing priorities: {e}")))?;
                if parsed_chunks.send(prepared).await.is_err() {
                    break;
                }
            }
            Ok::<_, StoreError>(())
        });
        // Taken while the next chunk is parsed.
        while let Some(prepared) = parsed.recv().await {
            take(prepared?)?;
        }
        // Each channel closes when its sender ends: with every row, or with
        // an error of its own.
        let ended = |e: tokio::task::JoinError| StoreError::Corrupt(format!("loading: {e}"));
        parser.await.map_err(ended)??;
        reader.await.map_err(ended)?
    }

    /// One priority by id.
    pub async fn get_priority(&self, id: Uuid) -> Result<Option<Priority>, StoreError> {
        let row = sqlx::query(SELECT_PRIORITY_BY_ID)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(priority_from_row).transpose()
    }

    /// Adds a territory; its parent must exist.
    pub async fn insert_territory(&self, territory: &Territory) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let result = async {
            insert_territory(&mut w, territory, false).await?;
            Ok(())
        }
        .await;
        self.end_write(w, result).await
    }

    /// Every commune.
    pub async fn load_communes(&self) -> Result<Vec<Commune>, StoreError> {
        let rows = sqlx::query("SELECT code, name FROM communes")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let code: String = row.try_get("code")?;
                Ok(Commune {
                    code: code.parse().map_err(|e| corrupt("commune code", e))?,
                    name: row.try_get("name")?,
                })
            })
            .collect()
    }

    /// Adds a commune.
    pub async fn insert_commune(&self, commune: &Commune) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let result = async {
            sqlx::query("INSERT INTO communes (code, name) VALUES ($1, $2)")
                .bind(commune.code.as_str())
                .bind(&commune.name)
                .execute(&mut *w.conn)
                .await
                .map_err(classify)?;
            w.councils_changed();
            Ok(())
        }
        .await;
        self.end_write(w, result).await
    }

    /// Changes a council's name, location, commune and spokespeople (its
    /// code and parish stay).
    pub async fn update_council(&self, c: &Council) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let result = async {
            let done = sqlx::query(
                "UPDATE councils SET name = $1, location = $2, commune_code = $3, spokespeople = $4
                 WHERE code = $5",
            )
            .bind(&c.name)
            .bind(c.location.map(|p| to_geojson(&geo::Geometry::Point(p))))
            .bind(c.commune.as_ref().map(|m| m.to_string()))
            .bind(i64::from(c.spokespeople))
            .bind(c.code.as_str())
            .execute(&mut *w.conn)
            .await
            .map_err(classify)?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            w.councils_changed();
            Ok(())
        }
        .await;
        self.end_write(w, result).await
    }

    /// Adds a council; its parish must exist.
    pub async fn insert_council(&self, council: &Council) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let result = async {
            insert_council(&mut w, council).await?;
            Ok(())
        }
        .await;
        self.end_write(w, result).await
    }

    /// Writes a batch of priorities in one transaction: all or none.
    /// Returns them as stored, in the batch's order.
    pub async fn write_priorities(
        &self,
        drafts: &[PriorityDraft],
        mode: WriteMode,
        change: &Change,
    ) -> Result<Vec<Priority>, StoreError> {
        let mut w = self.begin_write().await?;
        let result = async {
            if self.engine == Engine::Sqlite && drafts.len() >= BULK_WRITE {
                // Kept by the connection; SQLite fills it only as pages are touched.
                sqlx::query(BULK_CACHE).execute(&mut *w.conn).await?;
            }
            let stored = batch::write_batch(&mut w, drafts, mode, time::now(), change).await?;
            Ok(stored)
        }
        .await;
        self.end_write(w, result).await
    }

    /// Replaces the fields of priority `id` with `draft` (its id and
    /// creation time are kept). With `expected_versions`, fails with
    /// [`StoreError::VersionMismatch`] unless the row is at one of them.
    pub async fn update_priority(
        &self,
        id: Uuid,
        expected_versions: Option<&[i64]>,
        draft: &PriorityDraft,
        change: &Change,
    ) -> Result<Priority, StoreError> {
        let mut w = self.begin_write().await?;
        let result = async {
            let before = current(&mut w, id).await?.ok_or(StoreError::NotFound)?;
            check_version(before.version, expected_versions)?;
            let row = sqlx::query(concat!(
                "UPDATE priorities SET council_code = $1, title = $2, description = $3, category = $4,
                         status = $5, rank = $6, families = $7, geometry = $8, located_parish = $9,
                         plan = $10, updated_at = $11, version = version + 1
                     WHERE id = $12 RETURNING ",
                priority_columns!()
            ))
            .bind(draft.council.as_str())
            .bind(&draft.title)
            .bind(&draft.description)
            .bind(draft.category.as_str())
            .bind(draft.status.as_str())
            .bind(draft.rank.map(i64::from))
            .bind(draft.families.map(i64::from))
            .bind(to_geojson(&draft.geometry))
            .bind(draft.located_parish.map(|c| c.to_string()))
            .bind(draft.plan.as_ref().map(Plan::to_text))
            .bind(time::now())
            .bind(id.to_string())
            .fetch_one(&mut *w.conn)
            .await
            .map_err(classify)?;
            let priority = priority_from_row(&row)?;
            record(&mut w, Some(&before), Some(&priority), change).await?;
            Ok(priority)
        }
        .await;
        self.end_write(w, result).await
    }

    /// Sets the ranks of several priorities at once (an agenda reordered),
    /// each a new version with its history entry; all or none.
    pub async fn set_ranks(
        &self,
        ranks: &[(Uuid, Option<u8>)],
        change: &Change,
    ) -> Result<Vec<Priority>, StoreError> {
        let mut w = self.begin_write().await?;
        let result = async {
            let mut befores = Vec::with_capacity(ranks.len());
            for (id, _) in ranks {
                befores.push(current(&mut w, *id).await?.ok_or(StoreError::NotFound)?);
            }
            let mut stored = Vec::with_capacity(ranks.len());
            let now = time::now();
            for ((id, rank), before) in ranks.iter().zip(&befores) {
                let row = sqlx::query(concat!(
                    "UPDATE priorities SET rank = $1, updated_at = $2, version = version + 1
                     WHERE id = $3 RETURNING ",
                    priority_columns!()
                ))
                .bind(rank.map(i64::from))
                .bind(now)
                .bind(id.to_string())
                .fetch_one(&mut *w.conn)
                .await
                .map_err(classify)?;
                let after = priority_from_row(&row)?;
                record(&mut w, Some(before), Some(&after), change).await?;
                stored.push(after);
            }
            Ok(stored)
        }
        .await;
        self.end_write(w, result).await
    }

    /// Records a note on a priority without changing it (no change number:
    /// the priority is the same).
    pub async fn annotate(&self, id: Uuid, change: &Change) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO priority_history (priority_id, at, actor, action, changes, note)
             VALUES ($1, $2, $3, 'note', '{}', $4)",
        )
        .bind(id.to_string())
        .bind(time::now())
        .bind(&change.actor)
        .bind(&change.note)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The history of priority `id` (also after it was deleted), oldest first.
    pub async fn history(&self, id: Uuid) -> Result<Vec<history::Entry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, priority_id, at, actor, action, changes, note FROM priority_history
             WHERE priority_id = $1 ORDER BY seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let changes: String = row.try_get("changes")?;
                Ok(history::Entry {
                    seq: row.try_get("seq")?,
                    priority_id: row.try_get("priority_id")?,
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    changes: serde_json::from_str(&changes).map_err(|e| corrupt("history", e))?,
                    note: row.try_get("note")?,
                })
            })
            .collect()
    }

    /// Stores a token (only the hash of its secret).
    pub async fn insert_token(&self, token: &StoredToken) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tokens (id, hash, role, scope, label, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&token.id)
        .bind(&token.hash)
        .bind(token.role.name())
        .bind(token.role.scope())
        .bind(&token.label)
        .bind(token.created_at)
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        Ok(())
    }

    /// Every token, revoked ones included, by creation.
    pub async fn tokens(&self) -> Result<Vec<StoredToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, hash, role, scope, label, created_at, revoked_at FROM tokens
             ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// The token whose secret hashes to `hash`.
    pub async fn token_by_hash(&self, hash: &str) -> Result<Option<StoredToken>, StoreError> {
        let row = sqlx::query(
            "SELECT id, hash, role, scope, label, created_at, revoked_at FROM tokens
             WHERE hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    /// Revokes a token; `NotFound` when no such id.
    pub async fn revoke_token(&self, id: &str) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2")
                .bind(time::now())
                .bind(id)
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deletes priority `id` (at one of `expected_versions`, when given) and
    /// returns its row key.
    pub async fn delete_priority(
        &self,
        id: Uuid,
        expected_versions: Option<&[i64]>,
        change: &Change,
    ) -> Result<i64, StoreError> {
        let mut w = self.begin_write().await?;
        let result = async {
            let before = current(&mut w, id).await?.ok_or(StoreError::NotFound)?;
            check_version(before.version, expected_versions)?;
            sqlx::query("DELETE FROM priorities WHERE id = $1")
                .bind(id.to_string())
                .execute(&mut *w.conn)
                .await?;
            record(&mut w, Some(&before), None, change).await?;
            Ok(before.pk)
        }
        .await;
        self.end_write(w, result).await
    }

    /// Replaces the boundaries of one level in one transaction: every
    /// territory of `level` loses its boundary, then each of `territories` is
    /// added or updated with its name and boundary; `placements` (row key →
    /// located parish) are written to priorities in the same transaction, so
    /// boundaries and the placements computed from them change together.
    /// Each moved priority takes a change number (its Feature now names
    /// another territory), without a new version: its fields did not change.
    pub async fn replace_boundaries(
        &self,
        level: Level,
        territories: &[Territory],
        placements: &[(i64, Option<TerritoryCode>)],
    ) -> Result<(), StoreError> {
        let clear = match level {
            Level::State => "UPDATE states SET boundary = NULL",
            Level::Municipality => "UPDATE municipalities SET boundary = NULL",
            Level::Parish => "UPDATE parishes SET boundary = NULL",
        };
        let mut w = self.begin_write().await?;
        let result = async {
            sqlx::query(clear).execute(&mut *w.conn).await?;
            for t in territories {
                insert_territory(&mut w, t, true).await?;
            }
            let now = time::now();
            for (pk, parish) in placements {
                sqlx::query("UPDATE priorities SET located_parish = $1 WHERE pk = $2")
                    .bind(parish.map(|c| c.to_string()))
                    .bind(pk)
                    .execute(&mut *w.conn)
                    .await?;
                let seq = w.take();
                sqlx::query(
                    "UPDATE priority_changes SET seq = $1, at = $2
                     WHERE priority_id = (SELECT id FROM priorities WHERE pk = $3)",
                )
                .bind(seq)
                .bind(now)
                .bind(pk)
                .execute(&mut *w.conn)
                .await?;
            }
            w.territories_changed();
            Ok(())
        }
        .await;
        self.end_write(w, result).await
    }

    /// Loads a whole dataset (territories, councils, priorities) in one
    /// transaction: used for the demo, so a half-loaded demo cannot exist.
    pub async fn load_dataset(
        &self,
        territories: &[Territory],
        councils: &[Council],
        priorities: &[PriorityDraft],
    ) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let result = async {
            for t in territories {
                insert_territory(&mut w, t, false).await?;
            }
            for c in councils {
                insert_council(&mut w, c).await?;
            }
            let change = Change::by("demo");
            batch::write_batch(
                &mut w,
                priorities,
                WriteMode::CreateOnly,
                time::now(),
                &change,
            )
            .await?;
            Ok(())
        }
        .await;
        self.end_write(w, result).await
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

/// Priorities read and parsed per chunk at start-up. Enough for both cores
/// to share (`parallel::map` splits from 4,096); small enough that a chunk
/// reuses the memory the chunk before freed instead of fresh pages the
/// kernel must zero: 8,192 started 1,000,000 priorities ≈ 0.5 s sooner than
/// 50,000.
const LOAD_CHUNK: usize = 8_192;

/// Between the rows of a chunk: the ASCII record separator, which valid JSON
/// text never contains (control characters are escaped inside strings and
/// are not whitespace outside them). Each row is parsed whole, so a stored
/// text that is not JSON fails its row's parse rather than splitting a chunk
/// into rows silently.
const ROW_SEPARATOR: char = '\u{1e}';

/// Start-up's query: the priorities with row keys in (`$1`, `$2`] as one
/// text, each row one JSON array of its columns (geometry and plan as JSON
/// inside it), joined by [`ROW_SEPARATOR`]; NULL when there are none. A row
/// at a time, the drivers spent more than the parsing: sqlx's SQLite worker
/// hands every row over a channel, and the `Any` driver copies every value
/// of every row. Neither a `LIMIT` nor an `ORDER BY` inside the aggregate:
/// either made SQLite copy the rows into a temporary table on disk first
/// (the loader sorts each chunk instead).
fn select_priority_chunk(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => {
            // The stored geometry and plan are spliced in as they are, after
            // the other columns' array with its closing bracket trimmed, in
            // one `printf`: through `json()` SQLite parsed and rewrote each
            // (a share of start-up's profile, docs/benchmarks.md), and each
            // `||` would copy the row again. The service writes both texts as JSON
            // (`to_geojson`, `Plan::to_text`) and the loader parses every
            // row whole, so a damaged one is still an error, never misread.
            "SELECT group_concat(
                     printf('%s,%s,%s]',
                            rtrim(json_array(pk, id, council_code, title, description, category,
                                             status, rank, families, created_at, updated_at,
                                             version, located_parish), ']'),
                            geometry, ifnull(plan, 'null')),
                     char(30))
             FROM priorities WHERE pk > $1 AND pk <= $2"
        }
        Engine::Postgres => {
            "SELECT string_agg(json_build_array(pk, id, council_code, title, description, category,
                     status, rank, families, created_at, updated_at, version, located_parish,
                     geometry::json, plan::json)::text, chr(30))
             FROM priorities WHERE pk > $1 AND pk <= $2"
        }
    }
}

const SELECT_PRIORITY_BY_ID: &str = concat!(
    "SELECT ",
    priority_columns!(),
    " FROM priorities WHERE id = $1"
);

/// The stored priority `id`, read inside the transaction about to change it
/// (after the change sequence is locked, so no other writer is between the
/// read and the write, on either engine).
async fn current(w: &mut WriteTx, id: Uuid) -> Result<Option<Priority>, StoreError> {
    let row = sqlx::query(SELECT_PRIORITY_BY_ID)
        .bind(id.to_string())
        .fetch_optional(&mut *w.conn)
        .await?;
    row.as_ref().map(priority_from_row).transpose()
}

/// Appends what a write changed to the history and takes its change number,
/// in the write's transaction.
async fn record(
    w: &mut WriteTx,
    before: Option<&Priority>,
    after: Option<&Priority>,
    change: &Change,
) -> Result<(), StoreError> {
    batch::record_many(w, &[(before, after)], change, time::now()).await
}

fn check_version(current: i64, expected: Option<&[i64]>) -> Result<(), StoreError> {
    match expected {
        Some(versions) if !versions.contains(&current) => {
            Err(StoreError::VersionMismatch { current })
        }
        _ => Ok(()),
    }
}

/// The statement that adds a territory of `level`, binding code, name,
/// boundary and (below states) parent; `upsert` replaces name and boundary of
/// an existing code instead of failing.
fn territory_sql(level: Level, upsert: bool) -> &'static str {
    match (level, upsert) {
        (Level::State, false) => "INSERT INTO states (code, name, boundary) VALUES ($1, $2, $3)",
        (Level::State, true) => {
            "INSERT INTO states (code, name, boundary) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, boundary = excluded.boundary"
        }
        (Level::Municipality, false) => {
            "INSERT INTO municipalities (code, name, boundary, state_code) VALUES ($1, $2, $3, $4)"
        }
        (Level::Municipality, true) => {
            "INSERT INTO municipalities (code, name, boundary, state_code) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, boundary = excluded.boundary"
        }
        (Level::Parish, false) => {
            "INSERT INTO parishes (code, name, boundary, municipality_code)
             VALUES ($1, $2, $3, $4)"
        }
        (Level::Parish, true) => {
            "INSERT INTO parishes (code, name, boundary, municipality_code)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, boundary = excluded.boundary"
        }
    }
}

async fn insert_territory(w: &mut WriteTx, t: &Territory, upsert: bool) -> Result<(), StoreError> {
    let boundary = t
        .boundary
        .as_ref()
        .map(|b| to_geojson(&geo::Geometry::MultiPolygon(b.clone())));
    let mut query = sqlx::query(territory_sql(t.code.level(), upsert))
        .bind(t.code.to_string())
        .bind(&t.name)
        .bind(boundary);
    if let Some(parent) = t.code.parent() {
        query = query.bind(parent.to_string());
    }
    query.execute(&mut *w.conn).await.map_err(classify)?;
    w.territories_changed();
    Ok(())
}

async fn insert_council(w: &mut WriteTx, c: &Council) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO councils (code, name, parish_code, location, commune_code, spokespeople)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(c.code.as_str())
    .bind(&c.name)
    .bind(c.parish.to_string())
    .bind(c.location.map(|p| to_geojson(&geo::Geometry::Point(p))))
    .bind(c.commune.as_ref().map(|m| m.to_string()))
    .bind(i64::from(c.spokespeople))
    .execute(&mut *w.conn)
    .await
    .map_err(classify)?;
    w.councils_changed();
    Ok(())
}
