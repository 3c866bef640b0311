//! A cabinet's review queue: the proposed priorities located in its
//! territory (every one, for an admin), in the order it asks for.

use super::*;
use crate::domain::query::{Page, PriorityFilter};

/// The order of a review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueOrder {
    /// The longest waiting first.
    #[default]
    Oldest,
    /// Highest-ranked on their council's agenda first, then the oldest.
    Rank,
}

impl std::str::FromStr for QueueOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "oldest" => Ok(QueueOrder::Oldest),
            "rank" => Ok(QueueOrder::Rank),
            other => Err(format!("order is oldest or rank; got {other:?}")),
        }
    }
}

/// One page of a review queue: how many priorities wait in all, and the
/// page's Feature texts.
#[derive(Debug, Clone)]
pub struct QueuePage {
    /// How many priorities wait in the queue in all.
    pub matched: usize,
    /// The page's priorities, as GeoJSON Feature texts.
    pub features: Vec<Arc<str>>,
    /// Their ids, in the same order.
    pub ids: Vec<Uuid>,
}

impl Service {
    /// The review queue `who` may read: a cabinet's territory's, or all of
    /// it for an admin; any other role is refused.
    pub fn review_queue(
        &self,
        who: &Principal,
        order: QueueOrder,
        page: Page,
    ) -> Result<QueuePage, ServiceError> {
        let territory = match &who.role {
            Role::Cabinet(t) => Some(*t),
            Role::Admin => None,
            other => {
                return Err(ServiceError::Forbidden(format!(
                    "the review queue is a cabinet's, not a {}'s",
                    other.name()
                )));
            }
        };
        let mut filter = PriorityFilter {
            statuses: vec![Status::Proposed],
            ..Default::default()
        };
        if let Some(t) = territory {
            match t.level() {
                Level::State => filter.states = vec![t],
                Level::Municipality => filter.municipalities = vec![t],
                Level::Parish => filter.parishes = vec![t],
            }
        }
        let index = self.index.read();
        let all = Page {
            limit: usize::MAX,
            offset: 0,
        };
        let mut entries: Vec<&Entry> = index
            .priorities
            .query(&filter, all)
            .items
            .into_iter()
            .map(|(e, _)| e)
            .collect();
        match order {
            QueueOrder::Rank => {
                entries.sort_by_key(|e| (e.rank.is_none(), e.rank, e.created_at, e.pk));
            }
            QueueOrder::Oldest => entries.sort_by_key(|e| (e.created_at, e.pk)),
        }
        let shown = || entries.iter().skip(page.offset).take(page.limit);
        Ok(QueuePage {
            matched: entries.len(),
            features: shown().map(|e| Arc::clone(&e.feature)).collect(),
            ids: shown().map(|e| e.id).collect(),
        })
    }
}
