//! A CQL2 filter's conditions that the other filters can say, said by them:
//! so that a `filter` pinning territories, councils, categories, statuses,
//! an area or a time span is answered from the same structures as the
//! query parameters that say the same, not by a scan of every priority.

use geo::Rect;

use super::codes::{CouncilCode, Level, TerritoryCode};
use super::cql::Filter;
use super::query::{Bbox, Interval, PriorityFilter};
use super::queryables::priority as q;
use super::time::Micros;

impl PriorityFilter {
    /// This filter with the conditions its CQL2 filter implies copied into
    /// the fields that are still empty. The result matches exactly the same
    /// priorities (every added condition follows from the CQL2 filter, which
    /// is still checked on each), but its plan finds candidates faster.
    pub fn narrowed(mut self) -> Self {
        let Some(cql) = self.filter.clone() else {
            return self;
        };
        fill(&mut self.categories, &cql, q::CATEGORY, |s| s.parse().ok());
        fill(&mut self.statuses, &cql, q::STATUS, |s| s.parse().ok());
        fill(&mut self.placements, &cql, q::PLACEMENT, |s| s.parse().ok());
        fill(&mut self.councils, &cql, q::COUNCIL, |s| {
            s.parse::<CouncilCode>().ok()
        });
        fill(&mut self.states, &cql, q::STATE, |s| {
            TerritoryCode::parse(Level::State, s).ok()
        });
        fill(&mut self.municipalities, &cql, q::MUNICIPALITY, |s| {
            TerritoryCode::parse(Level::Municipality, s).ok()
        });
        fill(&mut self.parishes, &cql, q::PARISH, |s| {
            TerritoryCode::parse(Level::Parish, s).ok()
        });
        if self.bbox.is_none()
            && let Some(area) = cql.pinned_area()
        {
            self.bbox = Some(Bbox(Rect::new(area.min(), area.max())));
        }
        if self.datetime.is_none()
            && let Some((start, end)) = cql.pinned_span(q::CREATED_AT)
        {
            let open = |t: Micros, bound: Micros| (t != bound).then_some(t);
            self.datetime = Some(Interval {
                start: open(start, Micros::MIN),
                end: open(end, Micros::MAX),
            });
        }
        self
    }
}

/// Fills an empty list with the values the filter pins the queryable at
/// `position` to, when every one of them parses (a value that does not
/// parse matches nothing, which the filter itself decides).
fn fill<T>(list: &mut Vec<T>, cql: &Filter, position: usize, parse: impl Fn(&str) -> Option<T>) {
    if !list.is_empty() {
        return;
    }
    if let Some(values) = cql.pinned_values(position)
        && let Some(parsed) = values.into_iter().map(parse).collect::<Option<Vec<T>>>()
        && !parsed.is_empty()
    {
        *list = parsed;
    }
}
