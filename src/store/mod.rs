//! The store: the only module with SQL, and the source of truth.
//!
//! SQLite is the embedded default. Every write runs in one transaction that
//! commits with `synchronous = FULL` in WAL mode, so once a write returns `Ok`
//! it survives a crash of the process (and of the machine).
//! The interface is deliberately narrow (load everything, read one priority,
//! write batches, update, delete) so another engine can stand behind it.

use std::str::FromStr;
use std::time::Duration;

use geo::Point;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqlitePool};
use uuid::Uuid;

use crate::domain::auth::Role;
use crate::domain::codes::{CouncilCode, Level, TerritoryCode};
use crate::domain::geometry::{parse_geometry, parse_geometry_limited, to_geojson};
use crate::domain::history::{self, Change};
use crate::domain::priority::{Priority, PriorityDraft};
use crate::domain::territory::{Commune, Council, Territory};
use crate::domain::time::{self, Micros};
use crate::domain::workflow::Plan;

/// The columns every priority query returns, in [`priority_from_row`]'s terms.
macro_rules! priority_columns {
    () => {
        "pk, id, council_code, title, description, category, status, rank, families, geometry,
         created_at, updated_at, version, located_parish, plan"
    };
}

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
    /// The database failed (500).
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Applying the schema failed (500).
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// How a batch of priorities treats ids that already exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// An existing id is a conflict (POST).
    CreateOnly,
    /// An existing id is updated in place (bulk import).
    Upsert,
}

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

/// Turns `DATABASE_URL` forms into SQLite options: `sqlite://path`,
/// `sqlite:path` or a bare file path.
fn sqlite_options(url: &str) -> Result<SqliteConnectOptions, sqlx::Error> {
    let options = if url.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(url)?
    } else {
        SqliteConnectOptions::new().filename(url)
    };
    Ok(options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a commit is fsynced before it returns, so an acknowledged
        // write survives even a power cut, not only a killed process.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10)))
}

impl Store {
    /// Opens (creating when missing) the database at `url` and applies the
    /// migrations in `migrations/sqlite`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(sqlite_options(url)?)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Store { pool })
    }

    /// Closes every connection, checkpointing the write-ahead log.
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

    /// Every priority, in `pk` order.
    pub async fn load_priorities(&self) -> Result<Vec<Priority>, StoreError> {
        let rows = sqlx::query(SELECT_PRIORITY_ORDERED)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(priority_from_row).collect()
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
        let mut tx = self.pool.begin().await?;
        insert_territory(&mut tx, territory, false).await?;
        tx.commit().await?;
        Ok(())
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
                    code: CouncilCode::from_str(&code).map_err(|e| corrupt("commune code", e))?,
                    name: row.try_get("name")?,
                })
            })
            .collect()
    }

    /// Adds a commune.
    pub async fn insert_commune(&self, commune: &Commune) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO communes (code, name) VALUES (?, ?)")
            .bind(commune.code.as_str())
            .bind(&commune.name)
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        Ok(())
    }

    /// Changes a council's name, location, commune and spokespeople (its
    /// code and parish stay).
    pub async fn update_council(&self, c: &Council) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE councils SET name = ?, location = ?, commune_code = ?, spokespeople = ? WHERE code = ?",
        )
        .bind(&c.name)
        .bind(c.location.map(|p| to_geojson(&geo::Geometry::Point(p))))
        .bind(c.commune.as_ref().map(|m| m.to_string()))
        .bind(i64::from(c.spokespeople))
        .bind(c.code.as_str())
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Adds a council; its parish must exist.
    pub async fn insert_council(&self, council: &Council) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        insert_council(&mut tx, council).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes a batch of priorities in one transaction: all or none.
    /// Returns them as stored, in the batch's order.
    pub async fn write_priorities(
        &self,
        drafts: &[PriorityDraft],
        mode: WriteMode,
        change: &Change,
    ) -> Result<Vec<Priority>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut stored = Vec::with_capacity(drafts.len());
        let now = time::now();
        for draft in drafts {
            stored.push(write_priority(&mut tx, draft, mode, now, change).await?);
        }
        tx.commit().await?;
        Ok(stored)
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
        let mut tx = self.pool.begin().await?;
        let before = current(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        check_version(before.version, expected_versions)?;
        let row = sqlx::query(concat!(
            "UPDATE priorities SET council_code = ?, title = ?, description = ?, category = ?,
                     status = ?, rank = ?, families = ?, geometry = ?, located_parish = ?,
                     plan = ?, updated_at = ?, version = version + 1
                 WHERE id = ? RETURNING ",
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
        .bind(draft.plan.as_ref().map(|p| p.to_json().to_string()))
        .bind(time::now())
        .bind(id.to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let priority = priority_from_row(&row)?;
        record(&mut tx, Some(&before), Some(&priority), change).await?;
        tx.commit().await?;
        Ok(priority)
    }

    /// Sets the ranks of several priorities at once (an agenda reordered),
    /// each a new version with its history entry; all or none.
    pub async fn set_ranks(
        &self,
        ranks: &[(Uuid, Option<u8>)],
        change: &Change,
    ) -> Result<Vec<Priority>, StoreError> {
        let mut tx = self.pool.begin().await?;
        // Clear first, so ranks can swap without ever colliding mid-way.
        let mut befores = Vec::with_capacity(ranks.len());
        for (id, _) in ranks {
            befores.push(current(&mut tx, *id).await?.ok_or(StoreError::NotFound)?);
        }
        let mut stored = Vec::with_capacity(ranks.len());
        let now = time::now();
        for ((id, rank), before) in ranks.iter().zip(&befores) {
            let row = sqlx::query(concat!(
                "UPDATE priorities SET rank = ?, updated_at = ?, version = version + 1 WHERE id = ? RETURNING ",
                priority_columns!()
            ))
            .bind(rank.map(i64::from))
            .bind(now)
            .bind(id.to_string())
            .fetch_one(&mut *tx)
            .await
            .map_err(classify)?;
            let after = priority_from_row(&row)?;
            record(&mut tx, Some(before), Some(&after), change).await?;
            stored.push(after);
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// Records a note on a priority without changing it.
    pub async fn annotate(&self, id: Uuid, change: &Change) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO priority_history (priority_id, at, actor, action, changes, note)
             VALUES (?, ?, ?, 'note', '{}', ?)",
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
             WHERE priority_id = ? ORDER BY seq",
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
        sqlx::query("INSERT INTO tokens (id, hash, role, scope, label, created_at) VALUES (?, ?, ?, ?, ?, ?)")
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
        let rows = sqlx::query("SELECT id, hash, role, scope, label, created_at, revoked_at FROM tokens ORDER BY created_at, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// The token whose secret hashes to `hash`.
    pub async fn token_by_hash(&self, hash: &str) -> Result<Option<StoredToken>, StoreError> {
        let row = sqlx::query("SELECT id, hash, role, scope, label, created_at, revoked_at FROM tokens WHERE hash = ?")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    /// Revokes a token; `NotFound` when no such id.
    pub async fn revoke_token(&self, id: &str) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?")
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
        let mut tx = self.pool.begin().await?;
        let before = current(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        check_version(before.version, expected_versions)?;
        sqlx::query("DELETE FROM priorities WHERE id = ?")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        record(&mut tx, Some(&before), None, change).await?;
        tx.commit().await?;
        Ok(before.pk)
    }

    /// Replaces the boundaries of one level in one transaction: every
    /// territory of `level` loses its boundary, then each of `territories` is
    /// added or updated with its name and boundary; `placements` (row key →
    /// located parish) are written to priorities in the same transaction, so
    /// boundaries and the placements computed from them change together.
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
        let mut tx = self.pool.begin().await?;
        sqlx::query(clear).execute(&mut *tx).await?;
        for t in territories {
            insert_territory(&mut tx, t, true).await?;
        }
        for (pk, parish) in placements {
            sqlx::query("UPDATE priorities SET located_parish = ? WHERE pk = ?")
                .bind(parish.map(|c| c.to_string()))
                .bind(pk)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Loads a whole dataset (territories, councils, priorities) in one
    /// transaction: used for the demo, so a half-loaded demo cannot exist.
    pub async fn load_dataset(
        &self,
        territories: &[Territory],
        councils: &[Council],
        priorities: &[PriorityDraft],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for t in territories {
            insert_territory(&mut tx, t, false).await?;
        }
        for c in councils {
            insert_council(&mut tx, c).await?;
        }
        let now = time::now();
        let change = Change::by("demo");
        for p in priorities {
            write_priority(&mut tx, p, WriteMode::CreateOnly, now, &change).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

const SELECT_PRIORITY_ORDERED: &str = concat!(
    "SELECT ",
    priority_columns!(),
    " FROM priorities ORDER BY pk"
);
const SELECT_PRIORITY_BY_ID: &str = concat!(
    "SELECT ",
    priority_columns!(),
    " FROM priorities WHERE id = ?"
);

/// The stored priority `id`, read inside the transaction about to change it.
async fn current(tx: &mut Tx<'_>, id: Uuid) -> Result<Option<Priority>, StoreError> {
    let row = sqlx::query(SELECT_PRIORITY_BY_ID)
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(priority_from_row).transpose()
}

/// Appends what a write changed to the history, in the write's transaction.
async fn record(
    tx: &mut Tx<'_>,
    before: Option<&Priority>,
    after: Option<&Priority>,
    change: &Change,
) -> Result<(), StoreError> {
    let Some(id) = after.or(before).map(|p| p.id) else {
        return Ok(());
    };
    sqlx::query("INSERT INTO priority_history (priority_id, at, actor, action, changes, note) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(id.to_string())
        .bind(time::now())
        .bind(&change.actor)
        .bind(history::action(before, after))
        .bind(history::diff(before, after).to_string())
        .bind(&change.note)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn check_version(current: i64, expected: Option<&[i64]>) -> Result<(), StoreError> {
    match expected {
        Some(versions) if !versions.contains(&current) => {
            Err(StoreError::VersionMismatch { current })
        }
        _ => Ok(()),
    }
}

async fn write_priority(
    tx: &mut Tx<'_>,
    draft: &PriorityDraft,
    mode: WriteMode,
    now: Micros,
    change: &Change,
) -> Result<Priority, StoreError> {
    let id = draft.id.unwrap_or_else(Uuid::new_v4);
    let before = match (mode, draft.id) {
        (WriteMode::Upsert, Some(id)) => current(tx, id).await?,
        _ => None,
    };
    let sql = match mode {
        WriteMode::CreateOnly => {
            concat!(
                "INSERT INTO priorities (id, council_code, title, description, category, status,
                     rank, families, geometry, located_parish, plan, created_at, updated_at, version)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING ",
                priority_columns!()
            )
        }
        // An existing id keeps its row key and creation time; it is a new version.
        WriteMode::Upsert => {
            concat!(
                "INSERT INTO priorities (id, council_code, title, description, category, status,
                     rank, families, geometry, located_parish, plan, created_at, updated_at, version)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                 ON CONFLICT (id) DO UPDATE SET council_code = excluded.council_code,
                     title = excluded.title, description = excluded.description,
                     category = excluded.category, status = excluded.status, rank = excluded.rank,
                     families = excluded.families, geometry = excluded.geometry,
                     located_parish = excluded.located_parish, plan = excluded.plan,
                     updated_at = excluded.updated_at, version = priorities.version + 1
                 RETURNING ",
                priority_columns!()
            )
        }
    };
    let row = sqlx::query(sql)
        .bind(id.to_string())
        .bind(draft.council.as_str())
        .bind(&draft.title)
        .bind(&draft.description)
        .bind(draft.category.as_str())
        .bind(draft.status.as_str())
        .bind(draft.rank.map(i64::from))
        .bind(draft.families.map(i64::from))
        .bind(to_geojson(&draft.geometry))
        .bind(draft.located_parish.map(|c| c.to_string()))
        .bind(draft.plan.as_ref().map(|p| p.to_json().to_string()))
        .bind(draft.created_at.unwrap_or(now))
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(classify)?;
    let after = priority_from_row(&row)?;
    record(tx, before.as_ref(), Some(&after), change).await?;
    Ok(after)
}

/// The statement that adds a territory of `level`, binding code, name,
/// boundary and (below states) parent; `upsert` replaces name and boundary of
/// an existing code instead of failing.
fn territory_sql(level: Level, upsert: bool) -> &'static str {
    match (level, upsert) {
        (Level::State, false) => "INSERT INTO states (code, name, boundary) VALUES (?, ?, ?)",
        (Level::State, true) => {
            "INSERT INTO states (code, name, boundary) VALUES (?, ?, ?)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, boundary = excluded.boundary"
        }
        (Level::Municipality, false) => {
            "INSERT INTO municipalities (code, name, boundary, state_code) VALUES (?, ?, ?, ?)"
        }
        (Level::Municipality, true) => {
            "INSERT INTO municipalities (code, name, boundary, state_code) VALUES (?, ?, ?, ?)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, boundary = excluded.boundary"
        }
        (Level::Parish, false) => {
            "INSERT INTO parishes (code, name, boundary, municipality_code) VALUES (?, ?, ?, ?)"
        }
        (Level::Parish, true) => {
            "INSERT INTO parishes (code, name, boundary, municipality_code) VALUES (?, ?, ?, ?)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, boundary = excluded.boundary"
        }
    }
}

async fn insert_territory(tx: &mut Tx<'_>, t: &Territory, upsert: bool) -> Result<(), StoreError> {
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
    query.execute(&mut **tx).await.map_err(classify)?;
    Ok(())
}

async fn insert_council(tx: &mut Tx<'_>, c: &Council) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO councils (code, name, parish_code, location, commune_code, spokespeople)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(c.code.as_str())
    .bind(&c.name)
    .bind(c.parish.to_string())
    .bind(c.location.map(|p| to_geojson(&geo::Geometry::Point(p))))
    .bind(c.commune.as_ref().map(|m| m.to_string()))
    .bind(i64::from(c.spokespeople))
    .execute(&mut **tx)
    .await
    .map_err(classify)?;
    Ok(())
}

/// Turns constraint violations into conflicts the client can act on.
fn classify(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StoreError::Conflict("a record with that key exists already".into());
        }
        if db.is_foreign_key_violation() {
            return StoreError::Conflict("a referenced record does not exist".into());
        }
    }
    StoreError::Database(e)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// A stored boundary (Polygon or MultiPolygon GeoJSON) as a MultiPolygon.
fn boundary_from_text(text: &str) -> Result<geo::MultiPolygon<f64>, StoreError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| corrupt("boundary", e))?;
    match parse_geometry_limited(&value, "", usize::MAX).map_err(|e| corrupt("boundary", e))? {
        geo::Geometry::Polygon(p) => Ok(geo::MultiPolygon(vec![p])),
        geo::Geometry::MultiPolygon(mp) => Ok(mp),
        _ => Err(corrupt("boundary", "not a polygon")),
    }
}

/// A token as stored: never its secret.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredToken {
    pub id: String,
    /// SHA-256 of the secret, hex.
    pub hash: String,
    pub role: Role,
    pub label: Option<String>,
    pub created_at: Micros,
    pub revoked_at: Option<Micros>,
}

fn token_from_row(row: &SqliteRow) -> Result<StoredToken, StoreError> {
    let role: String = row.try_get("role")?;
    let scope: Option<String> = row.try_get("scope")?;
    Ok(StoredToken {
        id: row.try_get("id")?,
        hash: row.try_get("hash")?,
        role: Role::parse(&role, scope.as_deref()).map_err(|e| corrupt("token role", e))?,
        label: row.try_get("label")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn council_from_row(row: &SqliteRow) -> Result<Council, StoreError> {
    let location: Option<String> = row.try_get("location")?;
    let location = match location {
        None => None,
        Some(text) => {
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| corrupt("location", e))?;
            match parse_geometry(&value, "").map_err(|e| corrupt("location", e))? {
                geo::Geometry::Point(p) => Some(p),
                _ => return Err(corrupt("location", "not a point")),
            }
        }
    };
    let code: String = row.try_get("code")?;
    let parish: String = row.try_get("parish_code")?;
    Ok(Council {
        code: CouncilCode::from_str(&code).map_err(|e| corrupt("council code", e))?,
        name: row.try_get("name")?,
        parish: TerritoryCode::parse(Level::Parish, &parish)
            .map_err(|e| corrupt("parish code", e))?,
        location: location.map(|p: Point<f64>| p),
        commune: {
            let commune: Option<String> = row.try_get("commune_code")?;
            commune
                .map(|c| CouncilCode::from_str(&c).map_err(|e| corrupt("commune code", e)))
                .transpose()?
        },
        spokespeople: {
            let n: i64 = row.try_get("spokespeople")?;
            n as u32
        },
    })
}

fn priority_from_row(row: &SqliteRow) -> Result<Priority, StoreError> {
    let id: String = row.try_get("id")?;
    let council: String = row.try_get("council_code")?;
    let category: String = row.try_get("category")?;
    let status: String = row.try_get("status")?;
    let geometry: String = row.try_get("geometry")?;
    let geometry: serde_json::Value =
        serde_json::from_str(&geometry).map_err(|e| corrupt("geometry", e))?;
    let rank: Option<i64> = row.try_get("rank")?;
    let families: Option<i64> = row.try_get("families")?;
    let located: Option<String> = row.try_get("located_parish")?;
    let plan: Option<String> = row.try_get("plan")?;
    let plan = match plan {
        None => None,
        Some(text) => {
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| corrupt("plan", e))?;
            Some(Plan::from_json(&value, "").map_err(|e| corrupt("plan", e))?)
        }
    };
    Ok(Priority {
        pk: row.try_get("pk")?,
        id: Uuid::parse_str(&id).map_err(|e| corrupt("id", e))?,
        council: CouncilCode::from_str(&council).map_err(|e| corrupt("council", e))?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        category: category.parse().map_err(|e| corrupt("category", e))?,
        status: status.parse().map_err(|e| corrupt("status", e))?,
        rank: rank.map(|r| r as u8),
        families: families.map(|f| f as u32),
        plan,
        geometry: parse_geometry(&geometry, "").map_err(|e| corrupt("geometry", e))?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
        located_parish: located
            .map(|code| TerritoryCode::parse(Level::Parish, &code))
            .transpose()
            .map_err(|e| corrupt("located parish", e))?,
    })
}
