//! Ordering a council's action agenda.

use super::*;

impl Service {
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
}
