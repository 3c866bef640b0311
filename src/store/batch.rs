//! Writing many priorities in a few statements: one multi-row `INSERT` for
//! the priorities of a batch, one `SELECT` of the keys the database gave
//! them, one `INSERT` for their history entries and one for their change
//! numbers, instead of four round trips per priority. The SQL
//! text is built for the batch's size with numbered parameters, which both
//! engines accept.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::rows::{classify, corrupt, priority_from_row};
use super::write_tx::WriteTx;
use super::writes::bind_draft;
use super::{Engine, StoreError, WriteMode};
use crate::domain::history::{self, Change};
use crate::domain::priority::{Priority, PriorityDraft};
use crate::domain::time::Micros;

/// Most rows per statement: 1,000 priorities of 13 parameters stay far below
/// SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.
const MAX_ROWS: usize = 1_000;

/// `($1, $2, …), (…)` for `rows` rows of `columns` parameters each, every
/// row followed by `suffix` (extra literal columns, e.g. `, 1`). SQLite gets
/// plain `?`: sqlx looks every numbered parameter up by name, which SQLite
/// answers by walking a list, so thousands of `$N` cost quadratic time.
fn values(engine: Engine, rows: usize, columns: usize, suffix: &str) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            match engine {
                Engine::Sqlite => sql.push('?'),
                // Writing to a String cannot fail.
                Engine::Postgres => {
                    let _ = write!(sql, "${}", row * columns + column + 1);
                }
            }
        }
        sql.push_str(suffix);
        sql.push(')');
    }
    sql
}

/// Appends what writes changed to the history and gives each its change
/// number, in the writes' transaction: `(before, after)` per priority, at
/// most one pair per priority.
pub(super) async fn record_many(
    w: &mut WriteTx,
    writes: &[(Option<&Priority>, Option<&Priority>)],
    change: &Change,
    now: Micros,
) -> Result<(), StoreError> {
    let writes: Vec<_> = writes
        .iter()
        .filter_map(|&(before, after)| Some((before, after, after.or(before)?)))
        .collect();
    for part in writes.chunks(MAX_ROWS) {
        let sql = format!(
            "INSERT INTO priority_history (priority_id, at, actor, action, changes, note) VALUES {}",
            values(w.engine, part.len(), 6, "")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (before, after, latest) in part {
            query = query
                .bind(latest.id.to_string())
                .bind(now)
                .bind(change.actor.clone())
                .bind(history::action(*before, *after))
                .bind(history::diff_text(*before, *after))
                .bind(change.note.clone());
        }
        query.execute(&mut *w.conn).await?;

        // One row per priority: its latest change. A deleted id created
        // again (a new row key) starts a new life, so a new creation number.
        let sql = format!(
            "INSERT INTO priority_changes (priority_id, seq, created_seq, pk, version, deleted, at)
             VALUES {}
             ON CONFLICT (priority_id) DO UPDATE SET seq = excluded.seq, pk = excluded.pk,
                 version = excluded.version, deleted = excluded.deleted, at = excluded.at,
                 created_seq = CASE
                     WHEN priority_changes.deleted = 1 OR priority_changes.pk <> excluded.pk
                     THEN excluded.created_seq ELSE priority_changes.created_seq END",
            values(w.engine, part.len(), 7, "")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (_, after, latest) in part {
            let seq = w.take();
            query = query
                .bind(latest.id.to_string())
                .bind(seq)
                .bind(seq)
                .bind(latest.pk)
                .bind(latest.version)
                .bind(i64::from(after.is_none()))
                .bind(now);
        }
        query.execute(&mut *w.conn).await?;
    }
    Ok(())
}

/// Writes drafts (created, or with `Upsert` created or updated by id), with
/// their history and change numbers; returns them as stored, in order.
pub(super) async fn write_batch(
    w: &mut WriteTx,
    drafts: &[PriorityDraft],
    mode: WriteMode,
    now: Micros,
    change: &Change,
) -> Result<Vec<Priority>, StoreError> {
    // Ids the server assigns are time-ordered (UUID version 7, monotonic
    // within the process): each store keeps three indexes keyed by id
    // (priorities, history, changes), and ascending keys are appended to
    // their last pages where random ones rewrite pages all over them.
    let ids: Vec<Uuid> = drafts
        .iter()
        .map(|d| d.id.unwrap_or_else(Uuid::now_v7))
        .collect();
    let mut stored = Vec::with_capacity(drafts.len());
    let mut start = 0;
    while start < drafts.len() {
        // A segment holds each id once, so no statement touches a row twice
        // (PostgreSQL refuses that in one upsert) and each "before" is read
        // after the previous segment wrote it.
        let mut seen = HashSet::new();
        let mut end = start;
        while end < drafts.len() && end - start < MAX_ROWS && seen.insert(ids[end]) {
            end += 1;
        }
        let segment = write_segment(w, &drafts[start..end], &ids[start..end], mode, now, change);
        stored.extend(segment.await?);
        start = end;
    }
    Ok(stored)
}

async fn write_segment(
    w: &mut WriteTx,
    drafts: &[PriorityDraft],
    ids: &[Uuid],
    mode: WriteMode,
    now: Micros,
    change: &Change,
) -> Result<Vec<Priority>, StoreError> {
    let befores = match mode {
        WriteMode::CreateOnly => HashMap::new(),
        WriteMode::Upsert => current_many(w, drafts, ids).await?,
    };
    let sql = insert_sql(w.engine, drafts.len(), mode);
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for (draft, id) in drafts.iter().zip(ids) {
        query = bind_draft(query.bind(id.to_string()), draft)
            .bind(draft.created_at.unwrap_or(now))
            .bind(now);
    }
    query.execute(&mut *w.conn).await.map_err(classify)?;
    let afters = stored(drafts, ids, stored_keys(w, ids).await?, &befores)?;
    let writes: Vec<_> = afters
        .iter()
        .map(|after| (befores.get(&after.id), Some(after)))
        .collect();
    record_many(w, &writes, change, now).await?;
    Ok(afters)
}

/// The statement that inserts `rows` drafts, or for [`WriteMode::Upsert`]
/// updates those whose id exists.
fn insert_sql(engine: Engine, rows: usize, mode: WriteMode) -> String {
    let conflict = match mode {
        WriteMode::CreateOnly => "",
        // An existing id keeps its row key and creation time; it is a new version.
        WriteMode::Upsert => {
            " ON CONFLICT (id) DO UPDATE SET council_code = excluded.council_code,
                 title = excluded.title, description = excluded.description,
                 category = excluded.category, status = excluded.status, rank = excluded.rank,
                 families = excluded.families, geometry = excluded.geometry,
                 located_parish = excluded.located_parish, plan = excluded.plan,
                 updated_at = excluded.updated_at, version = priorities.version + 1"
        }
    };
    format!(
        "INSERT INTO priorities (id, council_code, title, description, category, status,
             rank, families, geometry, located_parish, plan, created_at, updated_at, version)
         VALUES {}{conflict}",
        values(engine, rows, 13, ", 1"),
    )
}

/// The priorities the drafts became, each completed with the [`Keys`] the
/// database set for its id.
fn stored(
    drafts: &[PriorityDraft],
    ids: &[Uuid],
    mut by_id: HashMap<Uuid, Keys>,
    befores: &HashMap<Uuid, Priority>,
) -> Result<Vec<Priority>, StoreError> {
    drafts
        .iter()
        .zip(ids)
        .map(|(draft, id)| {
            let (pk, created_at, updated_at, version) = by_id
                .remove(id)
                .ok_or_else(|| corrupt("batch", format!("priority {id} was not returned")))?;
            Ok(Priority {
                pk,
                id: *id,
                council: draft.council.clone(),
                title: draft.title.clone(),
                description: draft.description.clone(),
                category: draft.category,
                status: draft.status,
                rank: draft.rank,
                families: draft.families,
                plan: draft.plan.clone(),
                geometry: draft.geometry.clone(),
                created_at,
                updated_at,
                version,
                located_parish: draft.located_parish,
                // An upsert leaves the column as it was.
                duplicate_of: befores.get(id).and_then(|b| b.duplicate_of),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()
}

/// Row key, creation and update times and version of each row of `ids`, as
/// the database set them.
type Keys = (i64, Micros, Micros, i64);

/// The [`Keys`] of the rows of `ids`, read in the transaction. Only these
/// columns are the database's to decide: the rest is the drafts', so the
/// batch's geometries are not parsed a second time. They come back as one
/// value, the rows joined by `;`: rows returned one by one (`RETURNING`)
/// cross from sqlx's SQLite thread one at a time, which cost a 1,000,000
/// import seconds.
async fn stored_keys(w: &mut WriteTx, ids: &[Uuid]) -> Result<HashMap<Uuid, Keys>, StoreError> {
    let aggregate = match w.engine {
        Engine::Sqlite => "group_concat",
        Engine::Postgres => "string_agg",
    };
    let sql = format!(
        "SELECT {aggregate}(id || ' ' || pk || ' ' || created_at || ' ' || updated_at || ' ' || version, ';')
         FROM priorities WHERE id IN {}",
        values(w.engine, 1, ids.len(), "")
    );
    let mut query = sqlx::query_scalar::<_, Option<String>>(AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(id.to_string());
    }
    let joined = query.fetch_one(&mut *w.conn).await?.unwrap_or_default();
    let mut keys = HashMap::with_capacity(ids.len());
    for row in joined.split(';').filter(|r| !r.is_empty()) {
        let mut fields = row.split(' ');
        let mut next = |name: &str| {
            fields
                .next()
                .ok_or_else(|| corrupt("batch", format!("no {name} in {row:?}")))
        };
        let id = Uuid::parse_str(next("id")?).map_err(|e| corrupt("id", e))?;
        let mut number = |name: &str| -> Result<i64, StoreError> {
            next(name)?.parse().map_err(|e| corrupt(name, e))
        };
        keys.insert(
            id,
            (
                number("pk")?,
                number("created_at")?,
                number("updated_at")?,
                number("version")?,
            ),
        );
    }
    Ok(keys)
}

/// The stored rows of the drafts that name an id, read in the transaction.
async fn current_many(
    w: &mut WriteTx,
    drafts: &[PriorityDraft],
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Priority>, StoreError> {
    let named: Vec<&Uuid> = drafts
        .iter()
        .zip(ids)
        .filter(|(d, _)| d.id.is_some())
        .map(|(_, id)| id)
        .collect();
    if named.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT {} FROM priorities WHERE id IN {}",
        priority_columns!(),
        values(w.engine, 1, named.len(), "")
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in named {
        query = query.bind(id.to_string());
    }
    let rows = query.fetch_all(&mut *w.conn).await?;
    rows.iter()
        .map(|row| priority_from_row(row).map(|p| (p.id, p)))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_the_parameters_of_every_row() {
        use super::Engine::{Postgres, Sqlite};
        assert_eq!(super::values(Postgres, 1, 1, ""), "($1)");
        assert_eq!(
            super::values(Postgres, 2, 3, ", 1"),
            "($1, $2, $3, 1), ($4, $5, $6, 1)"
        );
        assert_eq!(super::values(Sqlite, 2, 2, ""), "(?, ?), (?, ?)");
    }
}
