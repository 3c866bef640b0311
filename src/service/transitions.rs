//! Moving priorities through the workflow, notes, and their history.

use super::*;

impl Service {
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
}
