//! A priority's values as a CQL2 filter reads them.

use std::borrow::Cow;

use geo::Geometry;

use crate::domain::codes::Level;
use crate::domain::cql::{Record, Scalar};
use crate::domain::queryables::{geometry_family, priority as q};
use crate::representation::{families_of, title_of, updated_at_of};

use super::Entry;

impl Record for Entry {
    fn value(&self, position: usize) -> Scalar<'_> {
        let text = |s: &'static str| Scalar::Text(Cow::Borrowed(s));
        let owned = |s: String| Scalar::Text(Cow::Owned(s));
        let level = |l: Level| owned(self.parish.at_level(l).unwrap_or(self.parish).to_string());
        let number = |n: Option<f64>| n.map_or(Scalar::Null, Scalar::Num);
        match position {
            q::ID => owned(self.id.to_string()),
            q::COUNCIL => Scalar::Text(Cow::Borrowed(self.council.as_str())),
            q::STATE => level(Level::State),
            q::MUNICIPALITY => level(Level::Municipality),
            q::PARISH => level(Level::Parish),
            q::PLACEMENT => text(self.placement.as_str()),
            // Read from the Feature text, so that entries stay small for the
            // walks that never look at them (docs/benchmarks.md).
            q::TITLE => title_of(&self.feature).map_or(Scalar::Null, owned),
            q::CATEGORY => text(self.category.as_str()),
            q::STATUS => text(self.status.as_str()),
            q::RANK => number(self.rank.map(f64::from)),
            q::FAMILIES => number(families_of(&self.feature).map(f64::from)),
            q::CREATED_AT => Scalar::Instant(self.created_at),
            q::UPDATED_AT => updated_at_of(&self.feature).map_or(Scalar::Null, Scalar::Instant),
            q::GEOMETRY_TYPE => text(geometry_family(&self.geometry)),
            _ => Scalar::Null,
        }
    }

    fn geometry(&self) -> &Geometry<f64> {
        &self.geometry
    }
}
