//! Creating, replacing, patching and deleting priorities.

use super::*;

impl Service {
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
        self.edit(who, id, if_match, draft).await
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
        self.edit(who, id, if_match, draft).await
    }

    /// The end of a PUT or PATCH, under the write gate its caller holds:
    /// checks the edit, writes it at one of `if_match`'s versions and puts
    /// the stored priority in the index.
    async fn edit(
        &self,
        who: &Principal,
        id: Uuid,
        if_match: Option<&[i64]>,
        mut draft: PriorityDraft,
    ) -> Result<Written, ServiceError> {
        self.check_edit(who, id, &mut draft)?;
        let stored = self
            .store
            .update_priority(id, if_match, &draft, &Change::by(who.actor()), None)
            .await
            .map_err(|e| about(id, e))?;
        Ok(self.apply(&[stored]).remove(0))
    }

    /// Places an edit and checks it: the caller's rights over the priority
    /// as it is and as it would be, and that its status does not change here.
    pub(super) fn check_edit(
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
    pub(super) fn check_priority(
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
    pub(super) async fn current(&self, id: Uuid) -> Result<Priority, ServiceError> {
        self.store
            .get_priority(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("no priority with id {id}")))
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
}
