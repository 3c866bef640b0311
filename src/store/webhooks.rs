//! Webhooks and their deliveries. Deliveries are enqueued idempotently
//! (one per hook and change number), and claimed for a while before each
//! attempt, so replicas sharing a PostgreSQL database never send one
//! delivery at the same time.

use super::*;
use crate::domain::time::Micros;
use crate::domain::webhook::{Delivery, DeliveryStatus, Webhook};

const HOOK_COLUMNS: &str =
    "SELECT id, url, filter_query, description, secret, created_at, cursor_seq FROM webhooks";

const DELIVERY_COLUMNS: &str = "id, hook_id, seq, priority_id, event, payload, status, attempts,
     next_attempt_at, last_status, last_error, delivered_at";

fn uuid_column(row: &sqlx::any::AnyRow, name: &str) -> Result<Uuid, StoreError> {
    let text: String = row.try_get(name)?;
    Uuid::parse_str(&text).map_err(|e| corrupt(name, e))
}

fn hook_from_row(row: &sqlx::any::AnyRow) -> Result<Webhook, StoreError> {
    Ok(Webhook {
        id: uuid_column(row, "id")?,
        url: row.try_get("url")?,
        filter: row.try_get("filter_query")?,
        description: row.try_get("description")?,
        secret: row.try_get("secret")?,
        created_at: row.try_get("created_at")?,
        cursor: row.try_get("cursor_seq")?,
    })
}

fn delivery_from_row(row: &sqlx::any::AnyRow) -> Result<Delivery, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(Delivery {
        id: uuid_column(row, "id")?,
        hook_id: uuid_column(row, "hook_id")?,
        seq: row.try_get("seq")?,
        priority_id: uuid_column(row, "priority_id")?,
        event: row.try_get("event")?,
        payload: row.try_get("payload")?,
        status: status
            .parse::<DeliveryStatus>()
            .map_err(|e| corrupt("delivery status", e))?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_status: row.try_get("last_status")?,
        last_error: row.try_get("last_error")?,
        delivered_at: row.try_get("delivered_at")?,
    })
}

/// How an attempt ended, as the delivery log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The answer's HTTP status, if one came.
    pub status: Option<i64>,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// What the delivery becomes.
    pub outcome: DeliveryStatus,
    /// When the next attempt is due (a pending delivery's).
    pub next_attempt_at: Micros,
}

impl Store {
    /// Stores a new hook.
    pub async fn insert_webhook(&self, hook: &Webhook) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO webhooks (id, url, filter_query, description, secret, created_at, cursor_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(hook.id.to_string())
        .bind(&hook.url)
        .bind(&hook.filter)
        .bind(&hook.description)
        .bind(&hook.secret)
        .bind(hook.created_at)
        .bind(hook.cursor)
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        Ok(())
    }

    /// Every hook, by registration.
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{HOOK_COLUMNS} ORDER BY created_at, id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(hook_from_row).collect()
    }

    /// The hook `id`, if any.
    pub async fn webhook(&self, id: Uuid) -> Result<Option<Webhook>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!("{HOOK_COLUMNS} WHERE id = $1")))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(hook_from_row).transpose()
    }

    /// Deletes a hook and its deliveries; `NotFound` when no such id.
    pub async fn delete_webhook(&self, id: Uuid) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM webhooks WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// A hook's deliveries, newest change first, at most `limit` after
    /// skipping `offset`.
    pub async fn webhook_deliveries(
        &self,
        hook: Uuid,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE hook_id = $1
             ORDER BY seq DESC LIMIT $2 OFFSET $3"
        )))
        .bind(hook.to_string())
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// The hooks that were sent (or are to be sent) something other than a
    /// deletion about priority `id`: those a deletion of it concerns.
    pub async fn webhooks_told_about(&self, id: Uuid) -> Result<Vec<Uuid>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT hook_id FROM webhook_deliveries
             WHERE priority_id = $1 AND event <> 'deleted'",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| uuid_column(r, "hook_id")).collect()
    }

    /// Enqueues `deliveries` for `hook` (each at most once per change
    /// number: one already there is kept) and moves the hook's cursor
    /// forward to `cursor`. Enqueuing is idempotent, so a crash between the
    /// two, or another process doing the same, enqueues nothing twice.
    /// `NotFound` when the hook was deleted meanwhile.
    pub async fn enqueue_deliveries(
        &self,
        hook: Uuid,
        deliveries: &[Delivery],
        cursor: i64,
    ) -> Result<(), StoreError> {
        for d in deliveries {
            let done = sqlx::query(
                "INSERT INTO webhook_deliveries
                     (id, hook_id, seq, priority_id, event, payload, status, attempts, next_attempt_at)
                 SELECT $1, $2, $3, $4, $5, $6, 'pending', 0, $7
                 WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = $2)
                 ON CONFLICT (hook_id, seq) DO NOTHING",
            )
            .bind(d.id.to_string())
            .bind(hook.to_string())
            .bind(d.seq)
            .bind(d.priority_id.to_string())
            .bind(&d.event)
            .bind(&d.payload)
            .bind(d.next_attempt_at)
            .execute(&self.pool)
            .await;
            match done {
                Ok(_) => {}
                // The hook was deleted between the check and the insert.
                Err(e)
                    if e.as_database_error()
                        .is_some_and(|db| db.is_foreign_key_violation()) =>
                {
                    return Err(StoreError::NotFound);
                }
                Err(e) => return Err(e.into()),
            }
        }
        sqlx::query("UPDATE webhooks SET cursor_seq = $1 WHERE id = $2 AND cursor_seq < $1")
            .bind(cursor)
            .bind(hook.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Claims up to `limit` pending deliveries due at `now` that no process
    /// holds, holding them until `until`: one statement, whose conditions
    /// PostgreSQL checks again on each row it locks, so two processes
    /// never claim the same delivery.
    pub async fn claim_deliveries(
        &self,
        now: Micros,
        until: Micros,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "UPDATE webhook_deliveries SET claimed_until = $1
             WHERE status = 'pending' AND next_attempt_at <= $2 AND claimed_until <= $2
               AND id IN (SELECT id FROM webhook_deliveries
                          WHERE status = 'pending' AND next_attempt_at <= $2
                            AND claimed_until <= $2
                          ORDER BY next_attempt_at, seq LIMIT $3)
             RETURNING {DELIVERY_COLUMNS}"
        )))
        .bind(until)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = rows
            .iter()
            .map(delivery_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        claimed.sort_by_key(|d| (d.hook_id, d.seq));
        Ok(claimed)
    }

    /// Records an attempt at delivery `id` and releases it.
    pub async fn record_attempt(
        &self,
        id: Uuid,
        attempt: &Attempt,
        at: Micros,
    ) -> Result<(), StoreError> {
        let delivered_at = (attempt.outcome == DeliveryStatus::Delivered).then_some(at);
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1,
                 last_status = $2, last_error = $3, next_attempt_at = $4,
                 delivered_at = $5, claimed_until = 0
             WHERE id = $6",
        )
        .bind(attempt.outcome.as_str())
        .bind(attempt.status)
        .bind(&attempt.error)
        .bind(attempt.next_attempt_at)
        .bind(delivered_at)
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Releases claimed deliveries that were not attempted.
    pub async fn release_deliveries(&self, ids: &[Uuid]) -> Result<(), StoreError> {
        for id in ids {
            sqlx::query("UPDATE webhook_deliveries SET claimed_until = 0 WHERE id = $1")
                .bind(id.to_string())
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}
