//! Every write, each in one transaction begun by `begin_write` that also
//! takes its change numbers, with its history entries.

use super::*;

impl Store {
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

    /// Adds a commune.
    pub async fn insert_commune(&self, commune: &Commune) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let result = async {
            sqlx::query("INSERT INTO communes (code, name, created_at) VALUES ($1, $2, $3)")
                .bind(commune.code.as_str())
                .bind(&commune.name)
                .bind(commune.created_at.unwrap_or_else(time::now))
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
    /// With `link`, its `duplicate_of` is set or cleared in the same
    /// transaction, and the original's history records it.
    pub async fn update_priority(
        &self,
        id: Uuid,
        expected_versions: Option<&[i64]>,
        draft: &PriorityDraft,
        change: &Change,
        link: Option<DuplicateLink>,
    ) -> Result<Priority, StoreError> {
        let mut w = self.begin_write().await?;
        let result = async {
            let before = current(&mut w, id).await?.ok_or(StoreError::NotFound)?;
            check_version(before.version, expected_versions)?;
            if let Some(link) = link {
                relink(&mut w, id, link, change).await?;
            }
            let query = sqlx::query(concat!(
                "UPDATE priorities SET council_code = $1, title = $2, description = $3, category = $4,
                         status = $5, rank = $6, families = $7, geometry = $8, located_parish = $9,
                         plan = $10, updated_at = $11, version = version + 1
                     WHERE id = $12 RETURNING ",
                priority_columns!()
            ));
            let row = bind_draft(query, draft)
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

/// A priority marked as the duplicate of `original` (`marked`), or
/// reopened from being one (not `marked`).
#[derive(Debug, Clone, Copy)]
pub struct DuplicateLink {
    /// The priority it duplicates (or duplicated).
    pub original: Uuid,
    /// Set (`true`) or cleared.
    pub marked: bool,
}

/// Sets or clears `id`'s `duplicate_of`, and records on the original's
/// history a `note` entry whose changes are `{"duplicates": {"from":
/// null, "to": id}}` when marked, the reverse when cleared.
async fn relink(
    w: &mut WriteTx,
    id: Uuid,
    link: DuplicateLink,
    change: &Change,
) -> Result<(), StoreError> {
    let (column, from, to) = match link.marked {
        true => (Some(link.original.to_string()), None, Some(id.to_string())),
        false => (None, Some(id.to_string()), None),
    };
    sqlx::query("UPDATE priorities SET duplicate_of = $1 WHERE id = $2")
        .bind(column)
        .bind(id.to_string())
        .execute(&mut *w.conn)
        .await?;
    let changes = serde_json::json!({"duplicates": {"from": from, "to": to}});
    sqlx::query(
        "INSERT INTO priority_history (priority_id, at, actor, action, changes, note)
         VALUES ($1, $2, $3, 'note', $4, $5)",
    )
    .bind(link.original.to_string())
    .bind(time::now())
    .bind(&change.actor)
    .bind(changes.to_string())
    .bind(&change.note)
    .execute(&mut *w.conn)
    .await?;
    Ok(())
}

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
/// in the write's transaction. The entry is dated by the new version's
/// `updated_at`, so the index dates a transition as the history does.
async fn record(
    w: &mut WriteTx,
    before: Option<&Priority>,
    after: Option<&Priority>,
    change: &Change,
) -> Result<(), StoreError> {
    let at = after.map_or_else(time::now, |a| a.updated_at);
    batch::record_many(w, &[(before, after)], change, at).await
}

/// `query` with a draft's columns bound, in the order `council_code, title,
/// description, category, status, rank, families, geometry,
/// located_parish, plan`.
pub(super) fn bind_draft<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    draft: &PriorityDraft,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    query
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
        "INSERT INTO councils (code, name, parish_code, location, commune_code, spokespeople,
                               created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(c.code.as_str())
    .bind(&c.name)
    .bind(c.parish.to_string())
    .bind(c.location.map(|p| to_geojson(&geo::Geometry::Point(p))))
    .bind(c.commune.as_ref().map(|m| m.to_string()))
    .bind(i64::from(c.spokespeople))
    .bind(c.created_at.unwrap_or_else(time::now))
    .execute(&mut *w.conn)
    .await
    .map_err(classify)?;
    w.councils_changed();
    Ok(())
}
