//! When a priority moved through the workflow, as its history recorded it:
//! what response times and counts at a past instant are computed from.
//!
//! Most priorities never move, so the index keeps a timeline only for those
//! with at least one recorded transition (a side table keyed by row key,
//! see [`super::PriorityIndex::timeline`]); the others stood in their
//! current status since their `created_at`.
//!
//! # Units
//! Instants are microseconds since the Unix epoch (UTC).

use crate::domain::priority::Status;
use crate::domain::time::Micros;

/// The statuses a priority had: the one it was created in, then each
/// transition's instant and new status, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// The status it was created in.
    pub first: Status,
    /// Each transition: when, and the status it moved to.
    pub moves: Vec<(Micros, Status)>,
}

/// The instants of the latest review cycle: from the latest time a priority
/// was proposed (its creation as a proposal, or a reopening), the first time
/// after it entered approved, in progress and done. `None` where unknown or
/// not reached (a priority created in another status has no known
/// proposal instant).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cycle {
    /// When it was proposed.
    pub proposed: Option<Micros>,
    /// When it was approved.
    pub approved: Option<Micros>,
    /// When its work started (in progress).
    pub started: Option<Micros>,
    /// When it was done.
    pub done: Option<Micros>,
}

impl Cycle {
    /// Proposed → approved, approved → started, started → done, each in
    /// microseconds where both ends are known.
    pub fn durations(&self) -> [Option<i64>; 3] {
        let span = |a: Option<Micros>, b: Option<Micros>| Some(b? - a?);
        [
            span(self.proposed, self.approved),
            span(self.approved, self.started),
            span(self.started, self.done),
        ]
    }
}

impl Timeline {
    /// A timeline that starts in `first` and has not moved yet.
    pub fn new(first: Status) -> Self {
        Timeline {
            first,
            moves: Vec::new(),
        }
    }

    /// The status at instant `at` of a priority created at `created_at`
    /// (`None` before it was created).
    pub fn status_at(&self, created_at: Micros, at: Micros) -> Option<Status> {
        if created_at > at {
            return None;
        }
        let moved = self.moves.partition_point(|(t, _)| *t <= at);
        Some(match moved {
            0 => self.first,
            n => self.moves[n - 1].1,
        })
    }

    /// The latest cycle of a priority created at `created_at`.
    pub fn latest_cycle(&self, created_at: Micros) -> Cycle {
        // The moves after the latest proposal (or all, when it was never
        // proposed by a recorded instant).
        let reopened = self.moves.iter().rposition(|(_, s)| *s == Status::Proposed);
        let (proposed, from) = match reopened {
            Some(i) => (Some(self.moves[i].0), i + 1),
            None if self.first == Status::Proposed => (Some(created_at), 0),
            None => (None, 0),
        };
        let mut cycle = Cycle {
            proposed,
            ..Cycle::default()
        };
        for (at, status) in &self.moves[from..] {
            let slot = match status {
                Status::Approved => &mut cycle.approved,
                Status::InProgress => &mut cycle.started,
                Status::Done => &mut cycle.done,
                _ => continue,
            };
            slot.get_or_insert(*at);
        }
        cycle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_cycle_and_past_statuses() {
        let t = Timeline {
            first: Status::Proposed,
            moves: vec![
                (10, Status::Approved),
                (20, Status::InProgress),
                (30, Status::Done),
                (40, Status::Proposed),
                (55, Status::Approved),
            ],
        };
        assert_eq!(
            t.latest_cycle(1),
            Cycle {
                proposed: Some(40),
                approved: Some(55),
                started: None,
                done: None
            }
        );
        assert_eq!(t.latest_cycle(1).durations(), [Some(15), None, None]);
        assert_eq!(t.status_at(1, 0), None);
        assert_eq!(t.status_at(1, 9), Some(Status::Proposed));
        assert_eq!(t.status_at(1, 20), Some(Status::InProgress));
        assert_eq!(t.status_at(1, 99), Some(Status::Approved));
        let imported = Timeline {
            first: Status::Approved,
            moves: vec![(10, Status::InProgress), (25, Status::Done)],
        };
        assert_eq!(imported.latest_cycle(1).durations(), [None, None, Some(15)]);
    }
}
