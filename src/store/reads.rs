//! Reading the store: start-up's load in chunks, the catalog, one
//! priority, a history.

use super::*;

impl Store {
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
            "SELECT code, name, parish_code, location, commune_code, spokespeople, created_at
             FROM councils",
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
        let (chunks, arriving) = tokio::sync::mpsc::channel::<String>(1);
        let reader = tokio::spawn(read_chunks(self.pool.clone(), self.engine, chunk, chunks));
        let (parsed_chunks, mut parsed) = tokio::sync::mpsc::channel(1);
        let parser = tokio::spawn(parse_chunks(arriving, Arc::new(prepare), parsed_chunks));
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

    /// Every commune.
    pub async fn load_communes(&self) -> Result<Vec<Commune>, StoreError> {
        let rows = sqlx::query("SELECT code, name, created_at FROM communes")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let code: String = row.try_get("code")?;
                Ok(Commune {
                    code: code.parse().map_err(|e| corrupt("commune code", e))?,
                    name: row.try_get("name")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
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
}

/// Reads every priority in one read transaction, a chunk of at most
/// `chunk` rows at a time (one text, see [`select_priority_chunk`]), and
/// sends each chunk on `chunks`.
async fn read_chunks(
    pool: AnyPool,
    engine: Engine,
    chunk: usize,
    chunks: tokio::sync::mpsc::Sender<String>,
) -> Result<(), StoreError> {
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
    Ok(())
}

/// Parses each chunk `arriving` into priorities (sorted by row key) and
/// turns them by `prepare` into what is sent on `parsed`.
async fn parse_chunks<T: Send + 'static>(
    mut arriving: tokio::sync::mpsc::Receiver<String>,
    prepare: Arc<impl Fn(Vec<Priority>) -> Result<T, StoreError> + Send + Sync + 'static>,
    parsed: tokio::sync::mpsc::Sender<Result<T, StoreError>>,
) -> Result<(), StoreError> {
    while let Some(text) = arriving.recv().await {
        let prepare = Arc::clone(&prepare);
        // Off the async threads: this is seconds of CPU at national scale.
        let prepared = tokio::task::spawn_blocking(move || {
            let rows: Vec<&str> = text.split(ROW_SEPARATOR).collect();
            let mut priorities = crate::parallel::map(&rows, |row| priority_from_json_row(row))
                .into_iter()
                .collect::<Result<Vec<_>, _>>()?;
            // In the order of the scan, nearly always; sorted for sure.
            priorities.sort_unstable_by_key(|p| p.pk);
            prepare(priorities)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("parsing priorities: {e}")))?;
        if parsed.send(prepared).await.is_err() {
            break;
        }
    }
    Ok(())
}

/// Priorities read and parsed per chunk at start-up. Enough for both cores
/// to share (`parallel::map` splits from 4,096); small enough that a chunk
/// reuses the memory the chunk before freed instead of fresh pages the
/// kernel must zero (figures: docs/benchmarks.md, "Figures behind the
/// code's choices").
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
                                             version, located_parish, duplicate_of), ']'),
                            geometry, ifnull(plan, 'null')),
                     char(30))
             FROM priorities WHERE pk > $1 AND pk <= $2"
        }
        Engine::Postgres => {
            "SELECT string_agg(json_build_array(pk, id, council_code, title, description, category,
                     status, rank, families, created_at, updated_at, version, located_parish,
                     duplicate_of, geometry::json, plan::json)::text, chr(30))
             FROM priorities WHERE pk > $1 AND pk <= $2"
        }
    }
}
