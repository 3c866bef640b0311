//! Reading the workflow transitions the history recorded: what the index's
//! timelines are built from, at start-up and when catching up.

use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use super::rows::corrupt;
use super::{Store, StoreError};
use crate::domain::priority::Status;
use crate::domain::time::Micros;

/// One recorded transition: the priority, when, from which status to which.
pub type Transition = (Uuid, Micros, Status, Status);

/// Ids per statement when reading some priorities' transitions.
const IDS_PER_READ: usize = 500;

/// The `status` member of a transition's changes.
#[derive(serde::Deserialize)]
struct Changes {
    status: FromTo,
}

#[derive(serde::Deserialize)]
struct FromTo {
    from: Status,
    to: Status,
}

impl Store {
    /// Every recorded transition (`None`), or those of priorities `ids`,
    /// each priority's in history order. Deleted priorities' transitions
    /// are included.
    pub async fn load_transitions(
        &self,
        ids: Option<&[Uuid]>,
    ) -> Result<Vec<Transition>, StoreError> {
        const SELECT: &str = "SELECT priority_id, at, changes FROM priority_history
             WHERE action = 'transition'";
        let Some(ids) = ids else {
            let rows = sqlx::query(AssertSqlSafe(format!("{SELECT} ORDER BY seq")))
                .fetch_all(&self.pool)
                .await?;
            return rows.iter().map(transition_from_row).collect();
        };
        let mut out = Vec::new();
        for part in ids.chunks(IDS_PER_READ) {
            let placeholders: Vec<String> = (1..=part.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "{SELECT} AND priority_id IN ({}) ORDER BY seq",
                placeholders.join(",")
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for id in part {
                query = query.bind(id.to_string());
            }
            for row in query.fetch_all(&self.pool).await? {
                out.push(transition_from_row(&row)?);
            }
        }
        Ok(out)
    }
}

fn transition_from_row(row: &sqlx::any::AnyRow) -> Result<Transition, StoreError> {
    let id: String = row.try_get("priority_id")?;
    let changes: String = row.try_get("changes")?;
    let changes: Changes = serde_json::from_str(&changes).map_err(|e| corrupt("transition", e))?;
    Ok((
        id.parse().map_err(|e| corrupt("history id", e))?,
        row.try_get("at")?,
        changes.status.from,
        changes.status.to,
    ))
}
