//! The bulk import: batches checked against the index, written while the
//! next is parsed, and put in the index as they land.

use super::*;

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
    /// The created priorities that have possible duplicates, with theirs:
    /// filled by [`Service::imported_duplicates`] where it is asked for
    /// (the endpoint), absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_duplicates: Option<Vec<super::ImportedDuplicates>>,
    /// The ids of the priorities created, in order.
    #[serde(skip)]
    pub created_ids: Vec<Uuid>,
}

/// One refused feature of an import.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportError {
    /// Zero-based position of the feature in the input.
    pub index: usize,
    /// JSON pointer inside that feature, when one member is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Why the feature was refused.
    pub reason: String,
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
                report.created_ids.push(p.id);
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

impl Service {
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
        who: Actor<'_>,
        features: impl IntoIterator<Item = Result<PriorityDraft, BodyError>>,
    ) -> Result<ImportReport, ServiceError> {
        administer(who)?;
        let change = Change::by(who.name());
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
}
