//! Territories and councils held in memory: small (tens of thousands of
//! rows at national scale), read on every write to validate and derive a
//! priority's territory, so they live beside the spatial index.

use std::collections::BTreeMap;

use crate::domain::codes::{CouncilCode, Level, TerritoryCode};
use crate::domain::territory::{Council, Territory};

/// Every territory and council, ordered by code.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    territories: BTreeMap<TerritoryCode, Territory>,
    councils: BTreeMap<CouncilCode, Council>,
}

impl Catalog {
    pub fn new(territories: Vec<Territory>, councils: Vec<Council>) -> Self {
        Catalog {
            territories: territories.into_iter().map(|t| (t.code, t)).collect(),
            councils: councils.into_iter().map(|c| (c.code.clone(), c)).collect(),
        }
    }

    pub fn territory(&self, code: TerritoryCode) -> Option<&Territory> {
        self.territories.get(&code)
    }

    pub fn council(&self, code: &CouncilCode) -> Option<&Council> {
        self.councils.get(code)
    }

    pub fn insert_territory(&mut self, territory: Territory) {
        self.territories.insert(territory.code, territory);
    }

    pub fn insert_council(&mut self, council: Council) {
        self.councils.insert(council.code.clone(), council);
    }

    /// The boundaries of every territory of `level` that has one.
    pub fn boundaries(&self, level: Level) -> Vec<(TerritoryCode, geo::MultiPolygon<f64>)> {
        self.territories
            .values()
            .filter(|t| t.code.level() == level)
            .filter_map(|t| Some((t.code, t.boundary.clone()?)))
            .collect()
    }

    /// Gives `territories` (all of `level`) their names and boundaries and
    /// takes the boundary from every other territory of that level.
    pub fn replace_boundaries(&mut self, level: Level, territories: Vec<Territory>) {
        for t in self
            .territories
            .values_mut()
            .filter(|t| t.code.level() == level)
        {
            t.boundary = None;
        }
        for t in territories {
            self.territories.insert(t.code, t);
        }
    }

    /// Territories of `level` that lie, for every list in `within`, inside
    /// one of its territories; by code.
    pub fn territories(&self, level: Level, within: &[Vec<TerritoryCode>]) -> Vec<&Territory> {
        self.territories
            .values()
            .filter(|t| t.code.level() == level && inside_all(t.code, within))
            .collect()
    }

    /// Councils whose parish lies, for every list in `within`, inside one of
    /// its territories; by code.
    pub fn councils(&self, within: &[Vec<TerritoryCode>]) -> Vec<&Council> {
        self.councils
            .values()
            .filter(|c| inside_all(c.parish, within))
            .collect()
    }
}

fn inside_all(code: TerritoryCode, within: &[Vec<TerritoryCode>]) -> bool {
    within
        .iter()
        .all(|list| list.iter().any(|w| code.is_within(*w)))
}
