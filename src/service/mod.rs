//! The write path: validate against the catalog, commit to the store, then
//! update the in-memory index.
//!
//! Writes pass one at a time through a gate held from before the transaction
//! until the index reflects its commit. Without it, two writes to the same
//! priority could commit in one order and reach the index in the other,
//! leaving memory out of step with the store.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;
use std::sync::Arc;

use serde_json::Value;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

use tokio::sync::Mutex;
use uuid::Uuid;

use crate::domain::auth::{self, Principal, Role, Subject};
use crate::domain::codes::CouncilCode;
use crate::domain::codes::{Level, TerritoryCode};
use crate::domain::geometry::representative_point;
use crate::domain::history::Change;
use crate::domain::priority::{MAX_RANK, Placement, Status};
use crate::domain::priority::{Priority, PriorityDraft, merge_patch};
use crate::domain::territory::{Commune, Council, Territory};
use crate::domain::workflow::{self, Plan, allowed_moves};
use crate::domain::{BodyError, FieldError};
use crate::import::BoundaryFeature;
use crate::index::priorities::{Entry, placement_of};
use crate::index::{BoundaryIndex, Catalog, Index, SharedIndex};
use crate::store::StoredToken;
use crate::store::{ChangeState, Store, StoreError, WriteMode};

mod feed;
mod health;
mod sync;
pub use feed::{ChangeAction, FeedEntry, FeedPage};
pub use health::Health;
pub use sync::POLL_INTERVAL;
use sync::{Gate, SyncState};

/// Priorities written per transaction by a bulk import. Large, because
/// every transaction rewrites the pages its rows touch in the indexes on
/// random ids (priority, history, change): 10,000 per transaction import
/// about 1.5 times faster than 1,000 at 300,000 priorities. The default of
/// `--import-batch`.
pub const IMPORT_BATCH: NonZeroUsize = NonZeroUsize::new(10_000).unwrap();

/// Why a write was refused.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The body is not the kind of document expected (400); `pointer` names
    /// the member at fault (`""` for the whole body).
    #[error("{detail}")]
    WrongShape { pointer: String, detail: String },
    /// A member of the body is invalid (422).
    #[error("{0}")]
    Invalid(FieldError),
    /// The target does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// `If-Match` named a version that is no longer current (412).
    #[error("the priority is at version {current}")]
    PreconditionFailed { current: i64 },
    /// The record exists already (409).
    #[error("{0}")]
    Conflict(String),
    /// The caller's role or scope does not allow this (403).
    #[error("{0}")]
    Forbidden(String),
    /// The workflow does not allow this move (409).
    #[error("{detail}")]
    Workflow {
        /// The member at fault: `/status` of a transition, `/properties/status` of an edit.
        pointer: &'static str,
        from: Status,
        to: Status,
        detail: String,
    },
    /// A file was refused as a whole: every problem, by feature (422).
    #[error("{} features are invalid", .0.len())]
    InvalidFile(Vec<ImportError>),
    /// The store failed (500).
    #[error(transparent)]
    Store(StoreError),
}

impl From<BodyError> for ServiceError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::WrongShape { pointer, detail } => {
                ServiceError::WrongShape { pointer, detail }
            }
            BodyError::Invalid(f) => ServiceError::Invalid(f),
        }
    }
}

impl From<FieldError> for ServiceError {
    fn from(e: FieldError) -> Self {
        ServiceError::Invalid(e)
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound("no such priority".into()),
            StoreError::VersionMismatch { current } => ServiceError::PreconditionFailed { current },
            StoreError::Conflict(s) => ServiceError::Conflict(s),
            other => ServiceError::Store(other),
        }
    }
}

/// A priority as written: what a response needs.
#[derive(Debug, Clone)]
pub struct Written {
    pub id: Uuid,
    pub version: i64,
    /// The stored Feature's GeoJSON text (the index's own).
    pub feature: Arc<str>,
}

/// What a bulk import did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ImportReport {
    /// Features read from the input.
    pub received: usize,
    /// New priorities stored.
    pub created: usize,
    /// Existing priorities (same id) updated.
    pub updated: usize,
    /// Features refused, each with its position in the input and the reason.
    pub errors: Vec<ImportError>,
}

/// One refused feature of an import.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportError {
    /// Zero-based position of the feature in the input.
    pub index: usize,
    /// JSON pointer inside that feature, when one member is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    pub reason: String,
}

/// What a boundary import did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct BoundaryReport {
    /// `state`, `municipality` or `parish`.
    pub level: &'static str,
    /// Territories in the file, each now with its boundary.
    pub territories: usize,
    /// Of those, territories that did not exist before.
    pub created: usize,
    /// Territories of the level that had a boundary and are not in the file:
    /// they keep their name and councils but lose their boundary.
    pub boundaries_dropped: usize,
    /// Priorities placed anew (parish boundaries only).
    pub priorities_placed: usize,
    /// Of those, priorities whose parish changed.
    pub priorities_moved: usize,
    /// Priorities located in another parish than their council's.
    pub outside_council_parish: usize,
    /// Priorities whose location no parish boundary covers.
    pub outside_every_parish: usize,
}

/// The batches of an import between its checks and the index.
#[derive(Default)]
struct ImportPipeline<'a> {
    /// Held from batch to batch while nobody else waits for it.
    gate: Option<Gate<'a>>,
    /// The batch being written.
    in_flight: Option<ImportWrite>,
}

/// A batch of an import being written.
struct ImportWrite {
    task: AbortOnDrop<Result<Committed, StoreError>>,
    claims: ImportClaims,
}

/// The change sequence before and after a commit.
type Sequence = (ChangeState, ChangeState);

/// The priorities a batch's write stored, and its commit's sequence.
type Committed = (Vec<Priority>, Option<Sequence>);

/// A batch written and committed, not yet in the index.
struct Landed {
    stored: Vec<Priority>,
    /// The change sequence before and after its commit.
    sequence: Option<Sequence>,
    claims: ImportClaims,
}

impl ImportWrite {
    /// Waits for the commit, and counts what it created and updated.
    async fn finish(mut self, report: &mut ImportReport) -> Result<Landed, ServiceError> {
        let (stored, sequence) = match (&mut self.task.0).await {
            Ok(result) => result?,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => return Err(StoreError::Corrupt(format!("import write lost: {e}")).into()),
        };
        for p in &stored {
            if p.version == 1 {
                report.created += 1;
            } else {
                report.updated += 1;
            }
        }
        Ok(Landed {
            stored,
            sequence,
            claims: std::mem::take(&mut self.claims),
        })
    }
}

/// The open ranks a batch of an import claims, and the ids it names: the
/// next batch is checked against them while the index does not hold them.
#[derive(Default)]
struct ImportClaims {
    /// Who claims each rank (`None`: a priority created without an id).
    ranks: HashMap<(CouncilCode, u8), Option<Uuid>>,
    /// The ids the batch writes: what the index says of them is stale.
    ids: HashSet<Uuid>,
}

impl ImportClaims {
    /// Records `draft`'s rank, unless an earlier feature of this batch or
    /// of the batch `before` it claims the same rank under another id.
    fn claim(&mut self, draft: &PriorityDraft, before: &ImportClaims) -> Result<(), FieldError> {
        if let Some(rank) = draft.rank.filter(|_| workflow::is_open(draft.status)) {
            let key = (draft.council.clone(), rank);
            match self.ranks.get(&key).or_else(|| before.ranks.get(&key)) {
                Some(holder) if holder.is_none() || *holder != draft.id => {
                    return Err(FieldError::new(
                        "/properties/rank",
                        format!(
                            "rank {rank} of council {} is claimed by an earlier feature of this import",
                            draft.council
                        ),
                    ));
                }
                _ => {
                    self.ranks.insert(key, draft.id);
                }
            }
        }
        if let Some(id) = draft.id {
            self.ids.insert(id);
        }
        Ok(())
    }
}

/// A task that is cancelled when its handle is dropped: an import dropped
/// mid-write (its client gone) rolls back the batch it was writing, as an
/// awaited write would. A batch committed but never put in the index is
/// caught up with like another process's write: the gate's record of its
/// sequence went with the task's result, so the index does not claim it.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The store and the index, written together.
#[derive(Debug)]
pub struct Service {
    store: Store,
    index: SharedIndex,
    /// The write gate, with what the index reflects of the change sequence.
    writes: Mutex<SyncState>,
    /// `writes`' `applied.last_seq`, readable without the gate.
    applied_seq: AtomicI64,
    /// Writers waiting for the gate: a bulk import lets go of it for them.
    writers_waiting: AtomicUsize,
    /// Priorities per transaction of a bulk import.
    import_batch_size: NonZeroUsize,
}

impl Service {
    /// A service over `store` and the `index` loaded from it when the change
    /// sequence stood at `applied` (read before loading: changes committed
    /// during the load are read again, harmlessly).
    pub fn new(store: Store, index: SharedIndex, applied: ChangeState) -> Self {
        Service {
            store,
            index,
            writes: Mutex::new(SyncState { applied }),
            applied_seq: AtomicI64::new(applied.last_seq),
            writers_waiting: AtomicUsize::new(0),
            import_batch_size: IMPORT_BATCH,
        }
    }

    /// The same service, writing bulk imports `import_batch` priorities per
    /// transaction.
    pub fn with_import_batch(self, import_batch_size: NonZeroUsize) -> Self {
        Service {
            import_batch_size,
            ..self
        }
    }

    pub fn index(&self) -> &SharedIndex {
        &self.index
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Checks a bearer token's secret: the caller it stands for, or `None`
    /// when it is unknown or revoked. Read from the store every time, so a
    /// token revoked anywhere (HTTP or the command line, on any process)
    /// stops working at once; it is one indexed lookup.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<Principal>, ServiceError> {
        let token = self.store.token_by_hash(&auth::hash_secret(secret)).await?;
        Ok(token.filter(|t| t.revoked_at.is_none()).map(|t| Principal {
            token_id: t.id,
            role: t.role,
        }))
    }

    /// Creates a token and returns it with its secret, which is not kept.
    /// `who` is `None` for the command line (whoever can run it owns the store).
    pub async fn create_token(
        &self,
        who: Option<&Principal>,
        role: Role,
        label: Option<String>,
    ) -> Result<(StoredToken, String), ServiceError> {
        administer(who)?;
        let new = auth::new_token();
        let token = StoredToken {
            id: new.id,
            hash: auth::hash_secret(&new.secret),
            role,
            label,
            created_at: crate::domain::time::now(),
            revoked_at: None,
        };
        self.store.insert_token(&token).await?;
        Ok((token, new.secret))
    }

    /// Every token (never a secret).
    pub async fn tokens(&self, who: Option<&Principal>) -> Result<Vec<StoredToken>, ServiceError> {
        administer(who)?;
        Ok(self.store.tokens().await?)
    }

    /// Revokes a token; it stops working at once.
    pub async fn revoke_token(
        &self,
        who: Option<&Principal>,
        id: &str,
    ) -> Result<(), ServiceError> {
        administer(who)?;
        self.store.revoke_token(id).await.map_err(|e| match e {
            StoreError::NotFound => ServiceError::NotFound(format!("no token with id {id:?}")),
            other => other.into(),
        })?;
        Ok(())
    }

    /// Creates a priority from a validated draft (409 if its id exists).
    pub async fn create_priority(
        &self,
        who: &Principal,
        mut draft: PriorityDraft,
    ) -> Result<Written, ServiceError> {
        let _gate = self.gate().await?;
        {
            let index = self.index.read();
            prepare(&index, &mut draft)?;
            who.role
                .may_create(subject_of(&index, &draft))
                .map_err(ServiceError::Forbidden)?;
        }
        let stored = self
            .store
            .write_priorities(&[draft], WriteMode::CreateOnly, &Change::by(who.actor()))
            .await?;
        Ok(self.apply(&stored).remove(0))
    }

    /// Replaces a priority (PUT). `if_match`: the versions the client accepts.
    pub async fn replace_priority(
        &self,
        who: &Principal,
        id: Uuid,
        if_match: Option<&[i64]>,
        mut draft: PriorityDraft,
    ) -> Result<Written, ServiceError> {
        if draft.id.is_some_and(|body_id| body_id != id) {
            return Err(
                FieldError::new("/id", "the body's id differs from the id in the path").into(),
            );
        }
        draft.id = Some(id);
        let _gate = self.gate().await?;
        self.check_edit(who, id, &mut draft)?;
        let stored = self
            .store
            .update_priority(id, if_match, &draft, &Change::by(who.actor()))
            .await
            .map_err(|e| about(id, e))?;
        Ok(self.apply(&[stored]).remove(0))
    }

    /// Applies a JSON merge patch (RFC 7396) to a priority (PATCH).
    pub async fn patch_priority(
        &self,
        who: &Principal,
        id: Uuid,
        if_match: Option<&[i64]>,
        patch: &Value,
    ) -> Result<Written, ServiceError> {
        if !patch.is_object() {
            return Err(ServiceError::WrongShape {
                pointer: String::new(),
                detail: "a merge patch must be a JSON object".into(),
            });
        }
        if patch
            .get("id")
            .is_some_and(|v| v.as_str() != Some(id.to_string().as_str()))
        {
            return Err(FieldError::new("/id", "the id of a priority cannot change").into());
        }
        let _gate = self.gate().await?;
        let current = self.current(id).await?;
        let mut merged = current.to_writable_feature();
        merge_patch(&mut merged, patch);
        let mut draft = PriorityDraft::from_feature(&merged, "")?;
        // The creation time is not writable once created; keep it out of the draft.
        draft.created_at = None;
        self.check_edit(who, id, &mut draft)?;
        let stored = self
            .store
            .update_priority(id, if_match, &draft, &Change::by(who.actor()))
            .await
            .map_err(|e| about(id, e))?;
        Ok(self.apply(&[stored]).remove(0))
    }

    /// Places an edit and checks it: the caller's rights over the priority
    /// as it is and as it would be, and that its status does not change here.
    fn check_edit(
        &self,
        who: &Principal,
        id: Uuid,
        draft: &mut PriorityDraft,
    ) -> Result<(), ServiceError> {
        let index = self.index.read();
        let entry = index
            .priorities
            .get(&id)
            .ok_or_else(|| ServiceError::NotFound(format!("no priority with id {id}")))?;
        let before = subject(entry);
        if draft.status != entry.status {
            return Err(ServiceError::Workflow {
                pointer: "/properties/status",
                from: entry.status,
                to: draft.status,
                detail: "a status changes only through POST /collections/priorities/items/{id}/transitions".into(),
            });
        }
        if entry.target_date.is_some() && draft.plan.is_none() && entry.status != Status::Proposed {
            return Err(FieldError::new(
                "/properties/plan",
                format!(
                    "a {} priority keeps its plan; change its members instead of removing it",
                    entry.status
                ),
            )
            .into());
        }
        prepare(&index, draft)?;
        who.role
            .may_edit(before, subject_of(&index, draft))
            .map_err(ServiceError::Forbidden)
    }

    /// Runs an authorization check on the priority `id` as the index holds it.
    fn check_priority(
        &self,
        id: Uuid,
        check: impl FnOnce(Subject) -> Result<(), auth::Denied>,
    ) -> Result<(), ServiceError> {
        let index = self.index.read();
        let entry = index
            .priorities
            .get(&id)
            .ok_or_else(|| ServiceError::NotFound(format!("no priority with id {id}")))?;
        check(subject(entry)).map_err(ServiceError::Forbidden)
    }

    /// The stored priority `id`.
    async fn current(&self, id: Uuid) -> Result<Priority, ServiceError> {
        self.store
            .get_priority(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("no priority with id {id}")))
    }

    /// Moves a priority through the workflow, with an optional note; moving
    /// to approved needs a plan (given here or already on the priority).
    pub async fn transition(
        &self,
        who: &Principal,
        id: Uuid,
        if_match: Option<&[i64]>,
        to: Status,
        plan: Option<Plan>,
        note: Option<String>,
    ) -> Result<Written, ServiceError> {
        let _gate = self.gate().await?;
        let current = self.current(id).await?;
        self.check_priority(id, |subject| who.role.may_review(subject))?;
        let allowed = allowed_moves(current.status);
        if !allowed.contains(&to) {
            return Err(ServiceError::Workflow {
                pointer: "/status",
                from: current.status,
                to,
                detail: format!(
                    "a priority in status {} can move to {}",
                    current.status,
                    if allowed.is_empty() {
                        "nothing".to_string()
                    } else {
                        allowed
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(" or ")
                    }
                ),
            });
        }
        let plan = plan.or(current.plan.clone());
        if to == Status::Approved && plan.is_none() {
            return Err(FieldError::new("/plan", "approving a priority needs its plan: objective, goal, responsible, resources, start_date, target_date").into());
        }
        let mut draft = draft_of(&current);
        draft.status = to;
        draft.plan = plan;
        // A reopened priority returns to its agenda unranked when another
        // open priority took its rank meanwhile: ranks stay unique.
        if let Some(rank) = draft.rank
            && workflow::is_open(to)
            && self
                .index
                .read()
                .priorities
                .of_council(&draft.council)
                .any(|e| e.id != id && e.rank == Some(rank) && workflow::is_open(e.status))
        {
            draft.rank = None;
        }
        check_and_place(&self.index.read(), &mut draft, false)?;
        let change = Change {
            actor: who.actor(),
            note,
        };
        let stored = self
            .store
            .update_priority(id, if_match, &draft, &change)
            .await
            .map_err(|e| about(id, e))?;
        Ok(self.apply(&[stored]).remove(0))
    }

    /// Records a note on a priority without changing it.
    pub async fn annotate(
        &self,
        who: &Principal,
        id: Uuid,
        note: String,
    ) -> Result<(), ServiceError> {
        let _gate = self.gate().await?;
        self.check_priority(id, |subject| who.role.may_review(subject))?;
        self.store
            .annotate(
                id,
                &Change {
                    actor: who.actor(),
                    note: Some(note),
                },
            )
            .await?;
        Ok(())
    }

    /// The history of a priority, oldest first; deleted priorities keep theirs.
    pub async fn history(
        &self,
        id: Uuid,
    ) -> Result<Vec<crate::domain::history::Entry>, ServiceError> {
        let entries = self.store.history(id).await?;
        if entries.is_empty() {
            return Err(ServiceError::NotFound(format!(
                "no priority with id {id} has ever existed"
            )));
        }
        Ok(entries)
    }

    /// Orders a council's agenda: the listed open priorities get ranks 1, 2,
    /// … in that order; its other open priorities lose their rank.
    pub async fn order_agenda(
        &self,
        who: &Principal,
        council: &CouncilCode,
        order: &[Uuid],
    ) -> Result<Vec<Written>, ServiceError> {
        who.role
            .may_order_agenda(council)
            .map_err(ServiceError::Forbidden)?;
        if order.len() > usize::from(MAX_RANK as u8) {
            return Err(FieldError::new(
                "/order",
                format!("an agenda ranks at most {MAX_RANK} priorities"),
            )
            .into());
        }
        let _gate = self.gate().await?;
        let ranks = {
            let index = self.index.read();
            if index.catalog.council(council).is_none() {
                return Err(ServiceError::NotFound(format!(
                    "no council with code {council}"
                )));
            }
            let open: Vec<&crate::index::Entry> = index
                .priorities
                .of_council(council)
                .filter(|e| workflow::is_open(e.status))
                .collect();
            let mut seen = HashSet::new();
            for (i, id) in order.iter().enumerate() {
                if !seen.insert(*id) {
                    return Err(FieldError::new(format!("/order/{i}"), "listed twice").into());
                }
                if !open.iter().any(|e| e.id == *id) {
                    return Err(FieldError::new(
                        format!("/order/{i}"),
                        format!("{id} is not an open priority of council {council}"),
                    )
                    .into());
                }
            }
            let mut ranks: Vec<(Uuid, Option<u8>)> = Vec::new();
            for e in &open {
                let new = order.iter().position(|id| *id == e.id).map(|i| i as u8 + 1);
                if new != e.rank {
                    ranks.push((e.id, new));
                }
            }
            // Clear displaced ranks first so no two open priorities ever share one.
            ranks.sort_by_key(|(_, r)| r.is_some());
            ranks
        };
        let stored = self
            .store
            .set_ranks(&ranks, &Change::by(who.actor()))
            .await?;
        Ok(self.apply(&stored))
    }

    /// Deletes a priority.
    pub async fn delete_priority(
        &self,
        who: &Principal,
        id: Uuid,
        if_match: Option<&[i64]>,
    ) -> Result<(), ServiceError> {
        let _gate = self.gate().await?;
        self.check_priority(id, |subject| who.role.may_delete(subject))?;
        let pk = self
            .store
            .delete_priority(id, if_match, &Change::by(who.actor()))
            .await
            .map_err(|e| about(id, e))?;
        self.index.write().priorities.remove(pk);
        Ok(())
    }

    /// Imports features (admins only): each `Err` in `features` is reported
    /// with its index; valid ones are stored `--import-batch` (default [`IMPORT_BATCH`]) per
    /// transaction; a feature whose id exists updates that priority.
    ///
    /// Batches go through a pipeline: while one is written (SQLite's work on
    /// its own thread, PostgreSQL's in its server), the batch before it is
    /// put in the index and the next one is read and parsed. Writes stay one
    /// at a time and in order, each checked against what the batches before
    /// it left: the index, plus the ranks and ids of the one batch written
    /// but not yet in it. The write gate is held from batch to batch while
    /// nobody else waits for it; when another writer does, the pipeline is
    /// drained and the gate let go between two batches.
    pub async fn import(
        &self,
        who: Option<&Principal>,
        features: impl IntoIterator<Item = Result<PriorityDraft, BodyError>>,
    ) -> Result<ImportReport, ServiceError> {
        administer(who)?;
        let change = Change::by(who.map_or_else(|| "command-line".to_string(), Principal::actor));
        let mut report = ImportReport::default();
        let size = self.import_batch_size.get();
        // Grown as needed beyond the default, should a huge size be asked for.
        let mut batch = Vec::with_capacity(size.min(IMPORT_BATCH.get()));
        let mut pipeline = ImportPipeline::default();
        for (index, feature) in features.into_iter().enumerate() {
            report.received += 1;
            match feature {
                Ok(draft) => batch.push((index, draft)),
                Err(e) => report.errors.push(import_error(index, e.into())),
            }
            if batch.len() == size {
                self.import_batch(&mut batch, &mut report, &change, &mut pipeline)
                    .await?;
            }
        }
        // The last batch, then an empty one to drain the pipeline.
        self.import_batch(&mut batch, &mut report, &change, &mut pipeline)
            .await?;
        self.import_batch(&mut batch, &mut report, &change, &mut pipeline)
            .await?;
        report.errors.sort_by_key(|e| e.index);
        Ok(report)
    }

    /// Waits for the write in flight, checks `batch` and starts its write,
    /// then puts the one that was in flight in the index. An empty batch
    /// drains the pipeline.
    async fn import_batch<'a>(
        &'a self,
        batch: &mut Vec<(usize, PriorityDraft)>,
        report: &mut ImportReport,
        change: &Change,
        pipeline: &mut ImportPipeline<'a>,
    ) -> Result<(), ServiceError> {
        let mut landed = match pipeline.in_flight.take() {
            Some(write) => Some(write.finish(report).await?),
            None => None,
        };
        if batch.is_empty() || self.writers_waiting.load(Ordering::Acquire) > 0 {
            self.put_in_index(landed.take(), pipeline);
            pipeline.gate = None;
            if batch.is_empty() {
                return Ok(());
            }
        }
        if pipeline.gate.is_none() {
            pipeline.gate = Some(self.gate().await?);
        }
        let empty = ImportClaims::default();
        let before = landed.as_ref().map_or(&empty, |l| &l.claims);
        let mut claims = ImportClaims::default();
        let mut valid = Vec::with_capacity(batch.len());
        {
            // Checked under the gate, against the catalog and boundaries the
            // write will commit beside.
            let index = self.index.read();
            for (position, mut draft) in batch.drain(..) {
                let checked = check_and_place_beside(&index, &mut draft, true, &before.ids)
                    .and_then(|()| claims.claim(&draft, before));
                match checked {
                    Ok(()) => valid.push(draft),
                    Err(e) => report.errors.push(import_error(position, e.into())),
                }
            }
        }
        let store = self.store.clone();
        let change = change.clone();
        let task = tokio::spawn(async move {
            let stored = store
                .write_priorities(&valid, WriteMode::Upsert, &change)
                .await?;
            // Taken now: the next batch's commit will record its own.
            Ok((stored, store.take_last_write()))
        });
        pipeline.in_flight = Some(ImportWrite {
            task: AbortOnDrop(task),
            claims,
        });
        self.put_in_index(landed, pipeline);
        Ok(())
    }

    /// Puts a committed batch of an import into the index and records its
    /// sequence as reflected, under the gate the pipeline holds.
    fn put_in_index(&self, landed: Option<Landed>, pipeline: &mut ImportPipeline<'_>) {
        if let (Some(landed), Some(gate)) = (landed, &mut pipeline.gate) {
            self.apply(&landed.stored);
            gate.reflect(landed.sequence);
        }
    }

    /// Adds a state, municipality or parish; its parent must exist.
    pub async fn create_territory(
        &self,
        who: Option<&Principal>,
        territory: Territory,
    ) -> Result<(), ServiceError> {
        administer(who)?;
        let _gate = self.gate().await?;
        {
            let index = self.index.read();
            if let Some(parent) = territory.code.parent()
                && index.catalog.territory(parent).is_none()
            {
                return Err(FieldError::new(
                    "/properties/code",
                    format!("its {} {parent} does not exist", parent.level().as_str()),
                )
                .into());
            }
            if index.catalog.territory(territory.code).is_some() {
                return Err(ServiceError::Conflict(format!(
                    "{} {} exists already",
                    territory.code.level().as_str(),
                    territory.code
                )));
            }
        }
        self.store.insert_territory(&territory).await?;
        self.index.write().catalog.insert_territory(territory);
        Ok(())
    }

    /// Adds a commune (admins).
    pub async fn create_commune(
        &self,
        who: Option<&Principal>,
        commune: Commune,
    ) -> Result<(), ServiceError> {
        administer(who)?;
        let _gate = self.gate().await?;
        if self.index.read().catalog.commune(&commune.code).is_some() {
            return Err(ServiceError::Conflict(format!(
                "commune {} exists already",
                commune.code
            )));
        }
        self.store.insert_commune(&commune).await?;
        self.index.write().catalog.insert_commune(commune);
        Ok(())
    }

    /// Changes a council (admins) with a JSON merge patch of its Feature:
    /// name, location, commune, spokespeople; its code and parish stay.
    pub async fn update_council(
        &self,
        who: Option<&Principal>,
        code: &CouncilCode,
        patch: &Value,
    ) -> Result<Council, ServiceError> {
        administer(who)?;
        if !patch.is_object() {
            return Err(ServiceError::WrongShape {
                pointer: String::new(),
                detail: "a merge patch must be a JSON object".into(),
            });
        }
        let _gate = self.gate().await?;
        let current = self
            .index
            .read()
            .catalog
            .council(code)
            .cloned()
            .ok_or_else(|| ServiceError::NotFound(format!("no council with code {code}")))?;
        let mut feature = council_feature_value(&current);
        merge_patch(&mut feature, patch);
        let updated = Council::from_feature(&feature)?;
        if updated.code != current.code {
            return Err(
                FieldError::new("/properties/code", "a council's code cannot change").into(),
            );
        }
        if updated.parish != current.parish {
            return Err(FieldError::new(
                "/properties/parish",
                "a council's parish cannot change; its priorities are placed by it",
            )
            .into());
        }
        if let Some(c) = &updated.commune
            && self.index.read().catalog.commune(c).is_none()
        {
            return Err(FieldError::new(
                "/properties/commune",
                format!("commune {c} does not exist"),
            )
            .into());
        }
        self.store.update_council(&updated).await?;
        self.index.write().catalog.insert_council(updated.clone());
        Ok(updated)
    }

    /// Adds a council; its parish must exist.
    pub async fn create_council(
        &self,
        who: Option<&Principal>,
        council: Council,
    ) -> Result<(), ServiceError> {
        administer(who)?;
        let _gate = self.gate().await?;
        {
            let index = self.index.read();
            if index.catalog.territory(council.parish).is_none() {
                return Err(FieldError::new(
                    "/properties/parish",
                    format!("parish {} does not exist", council.parish),
                )
                .into());
            }
            if index.catalog.council(&council.code).is_some() {
                return Err(ServiceError::Conflict(format!(
                    "council {} exists already",
                    council.code
                )));
            }
            if let Some(c) = &council.commune
                && index.catalog.commune(c).is_none()
            {
                return Err(FieldError::new(
                    "/properties/commune",
                    format!("commune {c} does not exist"),
                )
                .into());
            }
        }
        self.store.insert_council(&council).await?;
        self.index.write().catalog.insert_council(council);
        Ok(())
    }

    /// Replaces the boundaries of `level` with those of a file, creating
    /// territories it adds; for parishes, places every priority anew. All in
    /// one transaction: a refused file changes nothing.
    pub async fn import_boundaries(
        &self,
        who: Option<&Principal>,
        level: Level,
        features: Vec<BoundaryFeature>,
    ) -> Result<BoundaryReport, ServiceError> {
        administer(who)?;
        let _gate = self.gate().await?;
        let (territories, mut report, placements, new_parishes) = {
            let index = self.index.read();
            let territories = resolve_territories(level, features, &index.catalog)
                .map_err(ServiceError::InvalidFile)?;
            let in_file: HashSet<TerritoryCode> = territories.iter().map(|t| t.code).collect();
            let mut report = BoundaryReport {
                level: level.as_str(),
                territories: territories.len(),
                created: territories
                    .iter()
                    .filter(|t| index.catalog.territory(t.code).is_none())
                    .count(),
                boundaries_dropped: index
                    .catalog
                    .boundaries(level)
                    .iter()
                    .filter(|(code, _)| !in_file.contains(code))
                    .count(),
                ..Default::default()
            };
            let (placements, new_parishes) = if level == Level::Parish {
                let parishes = BoundaryIndex::build(
                    territories
                        .iter()
                        .filter_map(|t| Some((t.code, t.boundary.clone()?))),
                );
                let placed = place_all(&index, &parishes);
                report.priorities_placed = placed.len();
                (placed, Some(parishes))
            } else {
                (Vec::new(), None)
            };
            (territories, report, placements, new_parishes)
        };
        // Only placements that change need writing.
        let changed: Vec<(i64, Option<TerritoryCode>)> = {
            let index = self.index.read();
            placements
                .iter()
                .filter(|(pk, located)| index.priorities.located(*pk) != Some(*located))
                .copied()
                .collect()
        };
        self.store
            .replace_boundaries(level, &territories, &changed)
            .await?;

        let mut index = self.index.write();
        let index = &mut *index;
        index.catalog.replace_boundaries(level, territories);
        if let Some(parishes) = new_parishes {
            index.parishes = parishes;
            for (pk, located) in placements {
                let Some(entry) = index.priorities.entry(pk) else {
                    continue;
                };
                let council_parish = index
                    .catalog
                    .council(&entry.council)
                    .map(|c| c.parish)
                    .unwrap_or(entry.parish);
                let before = entry.parish;
                let (parish, placement) = placement_of(located, council_parish, true);
                report.priorities_moved += usize::from(parish != before);
                match placement {
                    Placement::OutsideCouncilParish => report.outside_council_parish += 1,
                    Placement::OutsideEveryParish => report.outside_every_parish += 1,
                    _ => {}
                }
                index.priorities.relocate(pk, parish, placement);
            }
        }
        Ok(report)
    }

    /// Puts committed priorities into the index and returns their Features.
    fn apply(&self, stored: &[Priority]) -> Vec<Written> {
        // Built from a read view: readers wait only while the entries are
        // linked. Every caller holds the write gate, so the catalog the
        // entries were placed with is still the index's below.
        let entries = entries_for(&self.index.read(), stored);
        let written = entries
            .iter()
            .map(|e| Written {
                id: e.id,
                version: e.version,
                feature: e.feature.clone(),
            })
            .collect();
        let mut index = self.index.write();
        for entry in entries {
            index.priorities.put(entry);
        }
        written
    }
}

/// Index entries for stored priorities, placed by their councils' parishes
/// or their locations.
fn entries_for<'a>(index: &Index, stored: impl IntoIterator<Item = &'a Priority>) -> Vec<Entry> {
    let placed: Vec<_> = stored
        .into_iter()
        .map(|p| (p, council_parish(index, p)))
        .collect();
    Entry::for_stored(&placed, index.places_by_location())
}

/// The parish of a stored priority's council.
fn council_parish(index: &Index, p: &Priority) -> TerritoryCode {
    index
        .catalog
        .council(&p.council)
        .map(|c| c.parish)
        .unwrap_or_else(|| unreachable_parish(p))
}

/// Councils are never deleted and the store's foreign key guarantees every
/// priority's council exists, so a stored priority always has a parish.
fn unreachable_parish(p: &Priority) -> crate::domain::codes::TerritoryCode {
    tracing::error!(id = %p.id, council = %p.council, "stored priority has no council in memory");
    crate::domain::codes::TerritoryCode::parish(0)
}

/// Locates every indexed priority in `parishes`: the row key and the parish
/// its representative point falls in.
fn place_all(index: &Index, parishes: &BoundaryIndex) -> Vec<(i64, Option<TerritoryCode>)> {
    let entries: Vec<&crate::index::Entry> = index.priorities.entries().collect();
    let geometries: Vec<&geo::Geometry<f64>> = entries.iter().map(|e| &e.geometry).collect();
    let placed = parishes.place_all(&geometries);
    entries.iter().map(|e| e.pk).zip(placed).collect()
}

/// The leading digits of a code as files write it: `VE010101`, `VE-0101`
/// and `010101` all give the digits; `None` when no digits follow the prefix.
fn code_digits(raw: &str) -> Option<&str> {
    let digits =
        raw.trim_start_matches(|c: char| c.is_ascii_alphabetic() || matches!(c, '-' | '_' | ' '));
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Turns the features of a boundary file into territories of `level`:
/// full codes are taken as they are; two-digit codes below a state are
/// completed with the parent's code, named by the parent property or found
/// by which parent boundary holds the territory. Parents must exist.
fn resolve_territories(
    level: Level,
    features: Vec<BoundaryFeature>,
    catalog: &Catalog,
) -> Result<Vec<Territory>, Vec<ImportError>> {
    let parent_level = level.parent();
    let parents = parent_level.map(|l| BoundaryIndex::build(catalog.boundaries(l)));
    let mut errors = Vec::new();
    let mut seen: HashMap<TerritoryCode, usize> = HashMap::new();
    let mut out = Vec::with_capacity(features.len());
    for f in features {
        let error = |reason: String| ImportError {
            index: f.index,
            pointer: Some("/properties".into()),
            reason,
        };
        let named_parent = match (&f.parent, parent_level) {
            (Some(raw), Some(pl)) => match code_digits(raw).map(|d| TerritoryCode::parse(pl, d)) {
                Some(Ok(code)) => Some(code),
                _ => {
                    errors.push(error(format!(
                        "parent code {raw:?} is not a {} code",
                        pl.as_str()
                    )));
                    continue;
                }
            },
            _ => None,
        };
        let Some(digits) = code_digits(&f.code) else {
            errors.push(error(format!("code {:?} has no INE-style digits", f.code)));
            continue;
        };
        let code = if digits.len() == level.digits() {
            TerritoryCode::parse(level, digits)
        } else if digits.len() == 2
            && let (Some(pl), Some(parents)) = (parent_level, &parents)
        {
            let parent = named_parent
                .or_else(|| parents.place(&geo::Geometry::MultiPolygon(f.boundary.clone())));
            match parent {
                Some(p) => TerritoryCode::parse(level, &format!("{p}{digits}")),
                None => Err(format!(
                    "code {:?} needs its {} named by the parent property, or found by containment, and no {} boundary holds it",
                    f.code,
                    pl.as_str(),
                    pl.as_str()
                )),
            }
        } else {
            Err(format!(
                "code {:?} is not a {}-digit {} code",
                f.code,
                level.digits(),
                level.as_str()
            ))
        };
        let code = match code {
            Ok(c) => c,
            Err(e) => {
                errors.push(error(e));
                continue;
            }
        };
        if let (Some(named), Some(actual)) = (named_parent, code.parent())
            && named != actual
        {
            errors.push(error(format!(
                "code {code} does not lie in the named parent {named}"
            )));
            continue;
        }
        if let Some(parent) = code.parent()
            && catalog.territory(parent).is_none()
        {
            errors.push(error(format!(
                "its {} {parent} does not exist: import the {} first",
                parent.level().as_str(),
                parent.level().collection()
            )));
            continue;
        }
        let name_chars = f.name.chars().count();
        if name_chars > crate::domain::territory::MAX_NAME_CHARS
            || f.name.chars().any(char::is_control)
        {
            errors.push(error(format!(
                "name must be 1 to {} printable characters",
                crate::domain::territory::MAX_NAME_CHARS
            )));
            continue;
        }
        if let Some(first) = seen.insert(code, f.index) {
            errors.push(error(format!(
                "code {code} appears twice (features {first} and {})",
                f.index
            )));
            continue;
        }
        out.push(Territory {
            code,
            name: f.name,
            boundary: Some(f.boundary),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A store error about priority `id`, with the id in a not-found message.
fn about(id: Uuid, e: StoreError) -> ServiceError {
    match e {
        StoreError::NotFound => ServiceError::NotFound(format!("no priority with id {id}")),
        other => other.into(),
    }
}

/// Checks what a draft refers to and places it: its council must exist and,
/// when parish boundaries are loaded, its location must fall in a parish.
fn prepare(index: &Index, draft: &mut PriorityDraft) -> Result<(), FieldError> {
    check_and_place(index, draft, true)
}

/// [`check_and_place_beside`] with the index as it is.
fn check_and_place(
    index: &Index,
    draft: &mut PriorityDraft,
    place: bool,
) -> Result<(), FieldError> {
    check_and_place_beside(index, draft, place, &HashSet::new())
}

/// [`prepare`], placing the draft by its location only when `place` (a
/// transition keeps the placement its unchanged location already has); the
/// index's word on the ranks of `stale` priorities is not taken (a batch of
/// an import written but not yet in the index changes them).
fn check_and_place_beside(
    index: &Index,
    draft: &mut PriorityDraft,
    place: bool,
    stale: &HashSet<Uuid>,
) -> Result<(), FieldError> {
    if index.catalog.council(&draft.council).is_none() {
        return Err(FieldError::new(
            "/properties/council",
            format!("unknown council {:?}", draft.council.as_str()),
        ));
    }
    if place {
        draft.located_parish = None;
    }
    if place && index.places_by_location() {
        let p = representative_point(&draft.geometry);
        let parish = index.parishes.locate(p).ok_or_else(|| {
            FieldError::new(
                "/geometry",
                format!(
                    "the location ({:.6}, {:.6}) falls outside every parish boundary",
                    p.x(),
                    p.y()
                ),
            )
        })?;
        draft.located_parish = Some(parish);
    }
    if let Some(rank) = draft.rank
        && workflow::is_open(draft.status)
        && let Some(holder) = index.priorities.of_council(&draft.council).find(|e| {
            e.rank == Some(rank)
                && workflow::is_open(e.status)
                && Some(e.id) != draft.id
                && !stale.contains(&e.id)
        })
    {
        return Err(FieldError::new(
            "/properties/rank",
            format!(
                "rank {rank} of council {} is held by {}; reorder the agenda (PUT /collections/councils/items/{}/agenda)",
                draft.council, holder.id, draft.council
            ),
        ));
    }
    Ok(())
}

/// Only admins manage the catalog and tokens; `None` is the command line,
/// whose user owns the store anyway.
fn administer(who: Option<&Principal>) -> Result<(), ServiceError> {
    match who {
        Some(p) => p.role.may_administer().map_err(ServiceError::Forbidden),
        None => Ok(()),
    }
}

/// A council as the writable Feature a merge patch applies to.
fn council_feature_value(c: &Council) -> Value {
    let geometry = c
        .location
        .map(|p| serde_json::json!({"type": "Point", "coordinates": [p.x(), p.y()]}))
        .unwrap_or(Value::Null);
    serde_json::json!({
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "code": c.code.as_str(),
            "name": c.name,
            "parish": c.parish.to_string(),
            "commune": c.commune.as_ref().map(|m| m.to_string()),
            "spokespeople": c.spokespeople,
        },
    })
}

/// An indexed priority as an authorization check sees it.
fn subject(entry: &crate::index::Entry) -> Subject<'_> {
    Subject {
        council: &entry.council,
        parish: entry.parish,
        status: entry.status,
    }
}

/// A draft as an authorization check sees it: its council, the parish it is
/// placed in (run [`prepare`] first), its status.
fn subject_of<'a>(index: &Index, draft: &'a PriorityDraft) -> Subject<'a> {
    let council_parish = index
        .catalog
        .council(&draft.council)
        .map_or(TerritoryCode::parish(0), |c| c.parish);
    Subject {
        council: &draft.council,
        parish: draft.located_parish.unwrap_or(council_parish),
        status: draft.status,
    }
}

/// The draft that would store `p` again as it is.
fn draft_of(p: &Priority) -> PriorityDraft {
    PriorityDraft {
        id: Some(p.id),
        council: p.council.clone(),
        title: p.title.clone(),
        description: p.description.clone(),
        category: p.category,
        status: p.status,
        rank: p.rank,
        families: p.families,
        plan: p.plan.clone(),
        geometry: p.geometry.clone(),
        created_at: None,
        located_parish: p.located_parish,
    }
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.pointer.as_deref() {
            Some(p) if !p.is_empty() => write!(f, "feature {}: {p}: {}", self.index, self.reason),
            _ => write!(f, "feature {}: {}", self.index, self.reason),
        }
    }
}

fn import_error(index: usize, e: ServiceError) -> ImportError {
    let (pointer, reason) = match e {
        ServiceError::Invalid(f) => (Some(f.pointer), f.detail),
        other => (None, other.to_string()),
    };
    ImportError {
        index,
        pointer,
        reason,
    }
}
