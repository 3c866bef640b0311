//! The write path: validate against the catalog, commit to the store, then
//! update the in-memory index.
//!
//! Writes pass one at a time through a gate held from before the transaction
//! until the index reflects its commit. Without it, two writes to the same
//! priority could commit in one order and reach the index in the other,
//! leaving memory out of step with the store.
//!
//! One `impl Service` block per concern: `priorities` (create, replace,
//! patch, delete), `transitions` (the workflow, notes, history),
//! `agenda` (a council's order), `import` (the bulk import's pipeline),
//! `catalog` (territories, communes, councils), `boundaries` (boundary
//! imports and placement), `review` (a cabinet's queue), `tokens`; `sync` keeps the index current
//! with other processes' writes, `feed` reads the change feed and
//! `health` answers load balancers. This file holds what they share: the
//! errors, the service itself and the checks every write makes.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;
use std::sync::Arc;

use serde_json::Value;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

use tokio::sync::Mutex;
use uuid::Uuid;

use crate::domain::auth::StoredToken;
use crate::domain::auth::{self, Actor, Principal, Role, Subject};
use crate::domain::codes::CouncilCode;
use crate::domain::codes::{Level, TerritoryCode};
use crate::domain::geometry::representative_point;
use crate::domain::history::Change;
use crate::domain::priority::{MAX_RANK, Placement, Status};
use crate::domain::priority::{Priority, PriorityDraft, merge_patch};
use crate::domain::territory::{BoundaryFeature, Commune, Council, Territory};
use crate::domain::workflow::{self, Plan, allowed_moves};
use crate::domain::{BodyError, FieldError};
use crate::index::priorities::{Entry, placement_of};
use crate::index::{BoundaryIndex, Catalog, Index, SharedIndex};
use crate::store::{ChangeState, Store, StoreError, WriteMode};

mod agenda;
mod boundaries;
mod catalog;
mod duplicates;
mod feed;
mod health;
mod import;
mod load;
mod permitted;
mod priorities;
mod review;
mod simplified;
mod sync;
mod tokens;
mod transitions;
mod webhooks;
pub use boundaries::BoundaryReport;
pub use duplicates::{ImportedDuplicates, PossibleDuplicate};
pub use feed::{ChangeAction, FeedEntry, FeedPage};
pub use health::Health;
pub use import::{ImportError, ImportReport};
pub use load::load_index;
pub use permitted::Permitted;
pub use review::{QueueOrder, QueuePage};
pub use simplified::{COVER_TOLERANCE, SimplifiedBoundaries, SimplifiedLevel};
pub use sync::POLL_INTERVAL;
use sync::{Gate, SyncState};
pub use transitions::Move;
pub use webhooks::{DispatcherHandle, FilterParser, WebhookSettings};

/// Priorities written per transaction by a bulk import. Large, because
/// every transaction rewrites the pages its rows touch in the indexes on
/// random ids (priority, history, change), so fewer, larger transactions
/// import faster (figures: docs/benchmarks.md). The default of
/// `--import-batch`.
pub const IMPORT_BATCH: NonZeroUsize = NonZeroUsize::new(10_000).unwrap();

/// Why a write was refused.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A member of the body is invalid (422).
    #[error("{0}")]
    Invalid(FieldError),
    /// The body is not the kind of document expected (400); `pointer` names
    /// the member at fault (`""` for the whole body).
    #[error("{detail}")]
    WrongShape {
        /// JSON pointer of the member at fault, `""` for the whole body.
        pointer: String,
        /// What is wrong.
        detail: String,
    },
    /// The target does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// `If-Match` named a version that is no longer current (412).
    #[error("the priority is at version {current}")]
    PreconditionFailed {
        /// The version the priority is at.
        current: i64,
    },
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
        /// The status the priority is in.
        from: Status,
        /// The status asked for.
        to: Status,
        /// Why the move is refused.
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
    /// The priority's id.
    pub id: Uuid,
    /// Its version after the write.
    pub version: i64,
    /// The stored Feature's GeoJSON text (the index's own).
    pub feature: Arc<str>,
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
    /// Boundaries simplified for drawing, per tolerance.
    simplified: SimplifiedBoundaries,
    /// Metres within which priorities are possible duplicates.
    duplicate_distance_m: f64,
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
            simplified: SimplifiedBoundaries::default(),
            duplicate_distance_m: crate::domain::duplicates::DEFAULT_DUPLICATE_DISTANCE_M,
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

    /// The in-memory index reads are answered from.
    pub fn index(&self) -> &SharedIndex {
        &self.index
    }

    /// The store writes are committed to.
    pub fn store(&self) -> &Store {
        &self.store
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

/// A priority becomes a duplicate only through a transition naming its
/// original: a write may keep the status of one that is already (a PUT of
/// what was read), never give it.
fn refuse_new_duplicate(index: &Index, draft: &PriorityDraft) -> Result<(), FieldError> {
    let duplicate = crate::domain::priority::Status::Duplicate;
    let already = draft
        .id
        .and_then(|id| index.priorities.get(&id))
        .is_some_and(|e| e.status == duplicate);
    if draft.status == duplicate && !already {
        return Err(FieldError::new(
            "/properties/status",
            "a priority becomes a duplicate only through POST .../transitions with duplicate_of",
        ));
    }
    Ok(())
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
        refuse_new_duplicate(index, draft)?;
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
fn administer(who: Actor<'_>) -> Result<(), ServiceError> {
    who.may_administer().map_err(ServiceError::Forbidden)
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
