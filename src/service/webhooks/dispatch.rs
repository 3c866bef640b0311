//! The dispatcher: a background task that enqueues a delivery for each
//! committed change matching a hook's filter, then attempts the deliveries
//! that are due.
//!
//! - **Enqueuing** reads the change sequence after the smallest hook cursor
//!   (the priority as stored, in the same statement), builds each changed
//!   priority's index entry with the catalog in memory and checks it against
//!   each hook's filter, and stores the deliveries with the hook's new
//!   cursor. A deletion goes to hooks with no filter and to hooks that
//!   were sent something else about the priority before (its position is
//!   gone, so it cannot be matched again). The change sequence keeps one row
//!   per priority, so changes to one priority committed between two reads
//!   arrive as one delivery of the latest (as in the change feed).
//! - **Delivering** claims due deliveries in the store for a while (so
//!   replicas sharing a database never send the same delivery at once),
//!   POSTs each, and records the attempt: 2xx is delivered; anything else is
//!   retried after an exponential backoff until the attempts run out. A
//!   crash between a receiver's 2xx and its recording sends that delivery
//!   again after the claim expires (at least once; receivers deduplicate
//!   by `X-Prioridades-Delivery`).

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::json;
use uuid::Uuid;

use super::send::{self, HttpClient};
use super::{Service, ServiceError, WebhookSettings};
use crate::domain::priority::Priority;
use crate::domain::query::PriorityFilter;
use crate::domain::time;
use crate::domain::webhook::{self, Delivery, DeliveryStatus, Webhook};
use crate::index::priorities::{entry_matches, placement_of};
use crate::index::{Catalog, Entry, Index, IndexBuilder};
use crate::representation::priority_feature;
use crate::store::{Attempt, PriorityChange, StoreError};

/// Reads a hook's filter (an items query string) against the catalog: the
/// HTTP layer's parser, handed to the dispatcher at start-up so both read
/// filters the same way.
pub type FilterParser = Arc<dyn Fn(&str, &Catalog) -> Result<PriorityFilter, String> + Send + Sync>;

/// Changes read per round.
const CHANGES_PER_ROUND: i64 = 500;
/// Deliveries claimed per round.
const CLAIMS_PER_ROUND: usize = 16;
/// Hooks delivered to at once.
const HOOKS_AT_ONCE: usize = 8;

struct Dispatcher {
    service: Arc<Service>,
    settings: WebhookSettings,
    parse: FilterParser,
    client: HttpClient,
    /// Becomes true when the dispatcher is asked to stop.
    stopping: tokio::sync::watch::Receiver<bool>,
}

/// The running dispatcher: [`DispatcherHandle::stop`] lets the round in
/// progress finish (each attempt is bounded by the timeout), so a graceful
/// stop leaves no delivery claimed; dropping it aborts the task.
pub struct DispatcherHandle {
    stop: tokio::sync::watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl DispatcherHandle {
    /// Stops the dispatcher after its round in progress, waiting at most
    /// `patience` for it (then aborting it).
    pub async fn stop(mut self, patience: std::time::Duration) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(patience, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for DispatcherHandle {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

impl Service {
    /// Starts the dispatcher: until it is stopped, every `settings.poll` it
    /// enqueues the deliveries of new changes and attempts those due.
    pub fn spawn_dispatcher(
        self: &Arc<Self>,
        settings: WebhookSettings,
        parse: FilterParser,
    ) -> DispatcherHandle {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let dispatcher = Dispatcher {
            service: Arc::clone(self),
            settings,
            parse,
            client: send::client(settings.timeout),
            stopping: stopped.clone(),
        };
        let task = tokio::spawn(async move {
            let mut poll = tokio::time::interval(settings.poll);
            poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = poll.tick() => {}
                    _ = stopped.changed() => {}
                }
                if *stopped.borrow() {
                    return;
                }
                if let Err(e) = dispatcher.enqueue().await {
                    tracing::warn!(error = %e, "webhooks: cannot enqueue deliveries");
                }
                if let Err(e) = dispatcher.deliver().await {
                    tracing::warn!(error = %e, "webhooks: cannot attempt deliveries");
                }
            }
        });
        DispatcherHandle {
            stop,
            task: Some(task),
        }
    }
}

/// A change read for enqueuing, with what every hook checks.
struct Examined {
    change: PriorityChange,
    /// The priority's index entry and Feature text (`None` once deleted).
    now: Option<(Entry, String)>,
    /// For a deletion: the hooks told about the priority before.
    told: Vec<Uuid>,
}

impl Dispatcher {
    /// Enqueues the deliveries of the changes after the hooks' cursors.
    async fn enqueue(&self) -> Result<(), ServiceError> {
        let store = self.service.store();
        let hooks = store.webhooks().await?;
        // A hook whose filter no longer parses is skipped (and logged), so
        // it cannot hold the others' window back.
        let hooks: Vec<(Webhook, PriorityFilter)> = {
            let index = self.service.index().read();
            hooks
                .into_iter()
                .filter_map(|hook| match (self.parse)(&hook.filter, &index.catalog) {
                    Ok(filter) => Some((hook, filter)),
                    Err(e) => {
                        tracing::warn!(hook = %hook.id, error = %e, "webhooks: filter no longer parses");
                        None
                    }
                })
                .collect()
        };
        let Some(from) = hooks.iter().map(|(h, _)| h.cursor).min() else {
            return Ok(());
        };
        let rows = store
            .priority_changes_with_rows(from, CHANGES_PER_ROUND)
            .await?;
        let Some(last) = rows.last().map(|(c, _)| c.seq) else {
            return Ok(());
        };
        let mut told = HashMap::new();
        for (change, _) in rows.iter().filter(|(c, _)| c.deleted) {
            told.insert(change.id, store.webhooks_told_about(change.id).await?);
        }
        let (planned, last) = {
            let index = self.service.index().read();
            let mut examined = Vec::with_capacity(rows.len());
            let mut last = last;
            for (change, row) in rows {
                let now = match row.map(|p| entry_and_feature(&index, p)) {
                    None => None,
                    Some(Some(now)) => Some(now),
                    // A council this replica's catalog does not hold yet:
                    // stop before it, and read it again next round.
                    Some(None) => {
                        last = change.seq - 1;
                        break;
                    }
                };
                let told = told.remove(&change.id).unwrap_or_default();
                examined.push(Examined { change, now, told });
            }
            let planned: Vec<_> = hooks
                .iter()
                .map(|(hook, filter)| (hook.id, deliveries(hook, filter, &examined)))
                .collect();
            (planned, last)
        };
        for (hook, deliveries) in planned {
            match store.enqueue_deliveries(hook, &deliveries, last).await {
                Ok(()) | Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Attempts the deliveries that are due: one hook's in change order,
    /// several hooks at once.
    async fn deliver(&self) -> Result<(), ServiceError> {
        let store = self.service.store();
        let now = time::now();
        let lease = self
            .settings
            .timeout
            .saturating_mul(CLAIMS_PER_ROUND as u32 + 1);
        let until = now.saturating_add(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX));
        let claimed = store
            .claim_deliveries(now, until, CLAIMS_PER_ROUND as i64)
            .await?;
        if claimed.is_empty() {
            return Ok(());
        }
        let hooks: HashMap<Uuid, Webhook> = store
            .webhooks()
            .await?
            .into_iter()
            .map(|h| (h.id, h))
            .collect();
        let mut groups: Vec<(Webhook, Vec<Delivery>)> = Vec::new();
        for d in claimed {
            // A hook deleted meanwhile took its deliveries with it.
            let Some(hook) = hooks.get(&d.hook_id) else {
                continue;
            };
            match groups.last_mut() {
                Some((h, list)) if h.id == hook.id => list.push(d),
                _ => groups.push((hook.clone(), vec![d])),
            }
        }
        futures_util::stream::iter(groups)
            .for_each_concurrent(HOOKS_AT_ONCE, |(hook, list)| self.deliver_to(hook, list))
            .await;
        Ok(())
    }

    /// Attempts `list` (claimed, in change order) for `hook`, one after
    /// another; after a failure the rest are released untried, so a
    /// receiver that is down gets one attempt per round.
    async fn deliver_to(&self, hook: Webhook, list: Vec<Delivery>) {
        let store = self.service.store();
        let mut rest = list.into_iter();
        while let Some(d) = rest.next() {
            if *self.stopping.borrow() {
                // Released below with the rest, for the next process.
                rest = std::iter::once(d)
                    .chain(rest)
                    .collect::<Vec<_>>()
                    .into_iter();
                break;
            }
            let result = send::post(&self.client, &hook, &d, self.settings.timeout).await;
            let attempt = self.judge(&d, result);
            tracing::info!(
                hook = %hook.id, delivery = %d.id, seq = d.seq, attempt = d.attempts + 1,
                status = ?attempt.status, error = ?attempt.error, outcome = %attempt.outcome,
                "webhook delivery attempt"
            );
            let delivered = attempt.outcome == DeliveryStatus::Delivered;
            if let Err(e) = store.record_attempt(d.id, &attempt, time::now()).await {
                tracing::warn!(delivery = %d.id, error = %e, "webhooks: cannot record an attempt");
                return;
            }
            if !delivered {
                break;
            }
        }
        let untried: Vec<Uuid> = rest.map(|d| d.id).collect();
        if let Err(e) = store.release_deliveries(&untried).await {
            tracing::warn!(error = %e, "webhooks: cannot release deliveries");
        }
    }

    /// What an attempt's result makes of delivery `d`.
    fn judge(&self, d: &Delivery, result: Result<u16, String>) -> Attempt {
        let attempts = d.attempts + 1;
        let (status, error) = match result {
            Ok(code) if (200..300).contains(&code) => {
                return Attempt {
                    status: Some(i64::from(code)),
                    error: None,
                    outcome: DeliveryStatus::Delivered,
                    next_attempt_at: d.next_attempt_at,
                };
            }
            Ok(code) => (Some(i64::from(code)), Some(format!("answered {code}"))),
            Err(e) => (None, Some(e)),
        };
        let s = &self.settings;
        let (outcome, next_attempt_at) = if attempts >= i64::from(s.max_attempts) {
            (DeliveryStatus::Failed, d.next_attempt_at)
        } else {
            let wait = webhook::backoff(attempts, s.backoff, s.backoff_max);
            let wait = i64::try_from(wait.as_micros()).unwrap_or(i64::MAX);
            (DeliveryStatus::Pending, time::now().saturating_add(wait))
        };
        Attempt {
            status,
            error,
            outcome,
            next_attempt_at,
        }
    }
}

/// A stored priority's index entry (placed with the catalog in memory) and
/// its Feature text; `None` if its council is unknown here (a replica whose
/// catalog lags).
fn entry_and_feature(index: &Index, p: Priority) -> Option<(Entry, String)> {
    let parish_of = |code: &_| index.catalog.council(code).map(|c| c.parish);
    let council_parish = parish_of(&p.council)?;
    let (parish, placement) =
        placement_of(p.located_parish, council_parish, index.places_by_location());
    let feature = priority_feature(&p, parish, placement);
    let entry = IndexBuilder::entries_for(&[p], parish_of, index.places_by_location())
        .ok()?
        .pop()?;
    Some((entry, feature))
}

/// The deliveries `hook` gets of the `examined` changes after its cursor.
fn deliveries(hook: &Webhook, filter: &PriorityFilter, examined: &[Examined]) -> Vec<Delivery> {
    let now = time::now();
    examined
        .iter()
        .filter(|e| e.change.seq > hook.cursor)
        .filter_map(|e| {
            let c = &e.change;
            let (event, priority) = match &e.now {
                Some((entry, feature)) if entry_matches(entry, filter) => {
                    let event = if c.created_seq > hook.cursor {
                        "created"
                    } else {
                        "updated"
                    };
                    (event, feature.clone())
                }
                Some(_) => return None,
                None if hook.filter.is_empty() || e.told.contains(&hook.id) => {
                    ("deleted", json!(c.id).to_string())
                }
                None => return None,
            };
            let head = json!({
                "hook": hook.id,
                "seq": c.seq,
                "event": event,
                "id": c.id,
                "version": c.version,
                "at": time::format(c.at),
            })
            .to_string();
            // The Feature is JSON text already: spliced in as the last member.
            let payload = format!("{},\"priority\":{priority}}}", &head[..head.len() - 1]);
            Some(Delivery {
                id: Uuid::now_v7(),
                hook_id: hook.id,
                seq: c.seq,
                priority_id: c.id,
                event: event.to_owned(),
                payload,
                status: DeliveryStatus::Pending,
                attempts: 0,
                next_attempt_at: now,
                last_status: None,
                last_error: None,
                delivered_at: None,
            })
        })
        .collect()
}
