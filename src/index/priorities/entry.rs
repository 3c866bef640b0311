//! What the index keeps of each priority, and where a priority is placed.

use std::sync::Arc;

use geo::Geometry;
use uuid::Uuid;

use crate::domain::codes::{CouncilCode, TerritoryCode};
use crate::domain::priority::{Category, Placement, Priority, Status};
use crate::domain::time::Micros;
use crate::representation::shared_priority_feature;

use super::tree::{Facets, Leaf, envelope_of};

/// What the index keeps of each priority: the fields filters look at, the
/// exact geometry, and the Feature text responses are built from.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The store's row key: the order of pages.
    pub pk: i64,
    /// Its public id.
    pub id: Uuid,
    /// Its version, what `If-Match` names.
    pub version: i64,
    /// Its council.
    pub council: CouncilCode,
    /// The parish it is counted in: where it lies, or its council's.
    pub parish: TerritoryCode,
    /// Its sector.
    pub category: Category,
    /// Where it stands in its review.
    pub status: Status,
    /// How its parish was decided.
    pub placement: Placement,
    /// Rank on its council's agenda.
    pub rank: Option<u8>,
    /// The plan's target date, when it has a plan: for the overdue filter.
    pub target_date: Option<chrono::NaiveDate>,
    /// Families benefited (0 when not given; filters read whether it was
    /// given from the Feature text).
    pub families: u32,
    /// When it was created.
    pub created_at: Micros,
    /// Its links as a duplicate or an original, for the few priorities
    /// that have any: boxed, so that the others pay one word.
    links: Option<Box<Links>>,
    /// Its exact geometry, WGS84 lon/lat degrees.
    pub geometry: Geometry<f64>,
    /// The priority as a GeoJSON Feature, see [`crate::representation`].
    /// Shared, so a large page can be streamed after the index's lock is
    /// released.
    pub feature: Arc<str>,
}

/// A priority's links: the original it duplicates, and what the priorities
/// marked its duplicates bring to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Links {
    duplicate_of: Option<Uuid>,
    duplicates: Duplicates,
}

/// What the priorities marked duplicates of one bring to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Duplicates {
    /// How many there are.
    pub count: u32,
    /// Their families, summed.
    pub families: u32,
}

impl Entry {
    /// The priority it is marked the duplicate of (status `duplicate`).
    pub fn duplicate_of(&self) -> Option<Uuid> {
        self.links.as_ref().and_then(|l| l.duplicate_of)
    }

    /// How many priorities are marked its duplicates, and their families:
    /// kept by the index as they come and go.
    pub fn duplicates(&self) -> Duplicates {
        self.links
            .as_ref()
            .map(|l| l.duplicates)
            .unwrap_or_default()
    }

    /// Sets [`Entry::duplicates`].
    pub(super) fn set_duplicates(&mut self, duplicates: Duplicates) {
        match &mut self.links {
            Some(links) => links.duplicates = duplicates,
            None if duplicates == Duplicates::default() => {}
            None => {
                self.links = Some(Box::new(Links {
                    duplicate_of: None,
                    duplicates,
                }));
            }
        }
    }

    /// The families its territory's statistics count for it: a duplicate's
    /// are counted on its original (docs/api.md, "Marking a duplicate"), so a
    /// duplicate counts none and an original its own and its duplicates'.
    pub fn counted_families(&self) -> u64 {
        if self.status == Status::Duplicate {
            return 0;
        }
        u64::from(self.families) + u64::from(self.duplicates().families)
    }

    pub(super) fn facets(&self) -> Facets {
        Facets {
            parish: self.parish,
            category: self.category,
            status: self.status,
            placement: self.placement,
            created_at: self.created_at,
        }
    }

    /// Its leaf, the entry being kept in `slot`.
    pub(super) fn leaf(&self, slot: u32) -> Leaf {
        Leaf::new(envelope_of(&self.geometry), self.pk, slot, self.facets())
    }
}

/// Where a priority is placed: by its location when boundaries are loaded
/// (compared with its council's parish), else by its council.
pub fn placement_of(
    located: Option<TerritoryCode>,
    council_parish: TerritoryCode,
    boundaries_loaded: bool,
) -> (TerritoryCode, Placement) {
    match (boundaries_loaded, located) {
        (false, _) => (council_parish, Placement::ByCouncil),
        (true, Some(l)) if l == council_parish => (l, Placement::InsideCouncilParish),
        (true, Some(l)) => (l, Placement::OutsideCouncilParish),
        (true, None) => (council_parish, Placement::OutsideEveryParish),
    }
}

impl Entry {
    /// The entries of stored priorities, each given its council's parish.
    /// Their Feature texts are most of a write's CPU, so they are written on
    /// every core, and before the index is locked for writing.
    pub fn for_stored(
        placed: &[(&Priority, TerritoryCode)],
        boundaries_loaded: bool,
    ) -> Vec<Entry> {
        crate::parallel::map(placed, |(p, parish)| {
            Entry::new(p, *parish, boundaries_loaded)
        })
    }

    pub(super) fn new(
        p: &Priority,
        council_parish: TerritoryCode,
        boundaries_loaded: bool,
    ) -> Self {
        let (parish, placement) = placement_of(p.located_parish, council_parish, boundaries_loaded);
        Entry {
            pk: p.pk,
            id: p.id,
            version: p.version,
            council: p.council.clone(),
            parish,
            category: p.category,
            status: p.status,
            placement,
            rank: p.rank,
            target_date: p.plan.as_ref().map(|plan| plan.target_date),
            families: p.families.unwrap_or(0),
            created_at: p.created_at,
            links: p
                .duplicate_of
                .filter(|_| p.status == Status::Duplicate)
                .map(|original| {
                    Box::new(Links {
                        duplicate_of: Some(original),
                        duplicates: Duplicates::default(),
                    })
                }),
            geometry: p.geometry.clone(),
            feature: shared_priority_feature(p, parish, placement),
        }
    }
}

/// Whether a priority's plan is late: its target date has passed while it is
/// approved or in progress (a reopened proposal is not being carried out).
pub fn is_overdue(entry: &Entry, today: chrono::NaiveDate) -> bool {
    entry.target_date.is_some_and(|t| t < today)
        && matches!(entry.status, Status::Approved | Status::InProgress)
}
