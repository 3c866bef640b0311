//! Moving priorities through the workflow, notes, and their history.

use super::*;
use crate::store::DuplicateLink;

/// A move asked for: the status to move to, the plan (approving), the note
/// to record, the original (a move to duplicate).
#[derive(Debug, Clone)]
pub struct Move {
    /// The status to move to.
    pub to: Status,
    /// The plan, when approving (or replacing the one it has).
    pub plan: Option<Plan>,
    /// The note recorded with the move.
    pub note: Option<String>,
    /// The priority this one duplicates; only for a move to duplicate.
    pub duplicate_of: Option<Uuid>,
}

impl Service {
    /// Moves a priority through the workflow, with an optional note; moving
    /// to approved needs a plan (given here or already on the priority), to
    /// duplicate the original's id.
    pub async fn transition(
        &self,
        who: &Principal,
        id: Uuid,
        if_match: Option<&[i64]>,
        Move {
            to,
            plan,
            note,
            duplicate_of,
        }: Move,
    ) -> Result<Written, ServiceError> {
        let _gate = self.gate().await?;
        let current = self.current(id).await?;
        self.check_priority(id, |subject| who.role.may_review(subject))?;
        let link = self.duplicate_link(&current, to, duplicate_of)?;
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
            .update_priority(id, if_match, &draft, &change, link)
            .await
            .map_err(|e| about(id, e))?;
        Ok(self.apply(&[stored]).remove(0))
    }

    /// What a move does to a duplicate's link: marking needs `duplicate_of`,
    /// an existing priority other than `current` that is no duplicate
    /// itself, and `current` must have no duplicates of its own; no other
    /// move takes one; reopening a duplicate clears it.
    fn duplicate_link(
        &self,
        current: &Priority,
        to: Status,
        duplicate_of: Option<Uuid>,
    ) -> Result<Option<DuplicateLink>, ServiceError> {
        let refuse = |detail: String| Err(FieldError::new("/duplicate_of", detail).into());
        if to != Status::Duplicate {
            if duplicate_of.is_some() {
                return refuse(format!(
                    "only a move to duplicate names an original; this is a move to {to}"
                ));
            }
            return Ok(current
                .duplicate_of
                .filter(|_| current.status == Status::Duplicate && to != current.status)
                .map(|original| DuplicateLink {
                    original,
                    marked: false,
                }));
        }
        let Some(original) = duplicate_of else {
            return refuse("required: the id of the priority this one duplicates".into());
        };
        if original == current.id {
            return refuse("a priority cannot be the duplicate of itself".into());
        }
        let (status, marked) = {
            let index = self.index.read();
            let marked = index
                .priorities
                .get(&current.id)
                .map_or(0, |e| e.duplicates().count);
            (index.priorities.get(&original).map(|e| e.status), marked)
        };
        if marked > 0 {
            // Duplicates stay one step from their original, so that their
            // families are always counted on a priority that counts them.
            return refuse(format!(
                "{marked} priorities are marked duplicates of this one: mark them duplicates of {original} first, or reopen them"
            ));
        }
        match status {
            None => refuse(format!("no priority with id {original}")),
            Some(Status::Duplicate) => refuse(format!(
                "{original} is itself a duplicate: mark this one as a duplicate of its original"
            )),
            Some(_) => Ok(Some(DuplicateLink {
                original,
                marked: true,
            })),
        }
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
}
