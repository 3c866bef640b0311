//! A filter checked on one entry, or on the fields its leaf carries: the
//! exact test every plan's result must equal.

use crate::domain::geometry::{distance_m, intersects_rect};
use crate::domain::query::PriorityFilter;

use super::Entry;
use super::entry::is_overdue;
use super::tree::Facets;

/// Checks every filter on one entry. `None` when it does not match; else the
/// distance in metres for radius queries.
pub(super) fn matches(entry: &Entry, f: &PriorityFilter) -> Option<Option<f64>> {
    let ok = facets_match(&entry.facets(), f)
        && f.overdue
            .is_none_or(|(wanted, today)| is_overdue(entry, today) == wanted)
        && (f.councils.is_empty() || f.councils.contains(&entry.council))
        && (f.duplicate_of.is_empty()
            || entry
                .duplicate_of()
                .is_some_and(|o| f.duplicate_of.contains(&o)))
        && f.has_duplicates
            .is_none_or(|wanted| (entry.duplicates().count > 0) == wanted)
        && f.bbox
            .is_none_or(|b| intersects_rect(&entry.geometry, &b.0))
        && f.filter.as_ref().is_none_or(|cql| cql.matches(entry));
    if !ok {
        return None;
    }
    match &f.near {
        None => Some(None),
        Some(near) => {
            let d = distance_m(&entry.geometry, near.center);
            (d <= near.radius_m).then_some(Some(d))
        }
    }
}

/// Whether the fields a leaf carries pass `f` (every filter but place,
/// councils and overdue plans).
pub(super) fn facets_match(x: &Facets, f: &PriorityFilter) -> bool {
    let listed = |empty: bool, hit: bool| empty || hit;
    listed(f.categories.is_empty(), f.categories.contains(&x.category))
        && listed(f.statuses.is_empty(), f.statuses.contains(&x.status))
        && listed(f.placements.is_empty(), f.placements.contains(&x.placement))
        && [&f.states, &f.municipalities, &f.parishes]
            .into_iter()
            .all(|list| listed(list.is_empty(), list.iter().any(|t| x.parish.is_within(*t))))
        && f.datetime.is_none_or(|i| i.contains(x.created_at))
}
