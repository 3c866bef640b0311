//! Webhooks: registering, listing and deleting hooks, reading their
//! delivery log, and the dispatcher that delivers committed changes to them
//! (`dispatch.rs`, which POSTs through `send.rs`).
//!
//! Deliveries are derived from the change sequence: each hook keeps a
//! cursor in the store, the last change number examined for it, so the
//! write path never waits for a receiver and a restart resumes where the
//! cursor stands. See `docs/architecture.md#webhooks`.

mod dispatch;
mod send;

use std::time::Duration;

use uuid::Uuid;

use super::*;
use crate::domain::webhook::{self, Delivery, Webhook};

pub use dispatch::{DispatcherHandle, FilterParser};

/// How the dispatcher delivers (`serve`'s `--webhook-*` options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Attempts per delivery before it is `failed` (at least 1).
    pub max_attempts: u32,
    /// The wait after the first failed attempt; doubled after each.
    pub backoff: Duration,
    /// The longest wait between attempts.
    pub backoff_max: Duration,
    /// How often the dispatcher looks for new changes and due deliveries.
    pub poll: Duration,
    /// The connect timeout, and the timeout of a whole attempt.
    pub timeout: Duration,
}

impl Default for WebhookSettings {
    /// The command line's defaults.
    fn default() -> Self {
        WebhookSettings {
            max_attempts: 8,
            backoff: Duration::from_secs(1),
            backoff_max: Duration::from_secs(600),
            poll: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
        }
    }
}

fn no_hook(id: Uuid) -> ServiceError {
    ServiceError::NotFound(format!("no webhook with id {id}"))
}

impl Service {
    /// Registers a hook for `url` (checked by [`webhook::check_url`]) and
    /// `filter` (an items query string the caller checked), with a new
    /// secret. It is told about changes committed from now on. Admins only.
    pub async fn create_webhook(
        &self,
        who: Actor<'_>,
        url: String,
        filter: String,
        description: Option<String>,
    ) -> Result<Webhook, ServiceError> {
        administer(who)?;
        let hook = Webhook {
            id: Uuid::now_v7(),
            url,
            filter,
            description,
            secret: webhook::new_secret(),
            created_at: crate::domain::time::now(),
            cursor: self.store.change_state().await?.last_seq,
        };
        self.store.insert_webhook(&hook).await?;
        Ok(hook)
    }

    /// Every hook, by registration. Admins only.
    pub async fn webhooks(&self, who: Actor<'_>) -> Result<Vec<Webhook>, ServiceError> {
        administer(who)?;
        Ok(self.store.webhooks().await?)
    }

    /// The hook `id`. Admins only.
    pub async fn webhook(&self, who: Actor<'_>, id: Uuid) -> Result<Webhook, ServiceError> {
        administer(who)?;
        self.store.webhook(id).await?.ok_or_else(|| no_hook(id))
    }

    /// Deletes hook `id` with its delivery log; what it had pending is not
    /// sent. Admins only.
    pub async fn delete_webhook(&self, who: Actor<'_>, id: Uuid) -> Result<(), ServiceError> {
        administer(who)?;
        self.store.delete_webhook(id).await.map_err(|e| match e {
            StoreError::NotFound => no_hook(id),
            other => other.into(),
        })
    }

    /// Hook `id`'s deliveries, newest change first: `limit` after skipping
    /// `offset`. Admins only.
    pub async fn webhook_deliveries(
        &self,
        who: Actor<'_>,
        id: Uuid,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<Delivery>, ServiceError> {
        self.webhook(who, id).await?;
        let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        Ok(self
            .store
            .webhook_deliveries(id, as_i64(limit), as_i64(offset))
            .await?)
    }
}
