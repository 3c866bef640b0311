//! Territories and councils held in memory: small (tens of thousands of
//! rows at national scale), read on every write to validate and derive a
//! priority's territory, so they live beside the spatial index.

use std::collections::BTreeMap;

use crate::domain::codes::{CouncilCode, Level, TerritoryCode};
use crate::domain::territory::{Commune, Council, Territory};

/// Every territory and council, ordered by code.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    territories: BTreeMap<TerritoryCode, Territory>,
    councils: BTreeMap<CouncilCode, Council>,
    communes: BTreeMap<CouncilCode, Commune>,
    /// Councils per parish, so a territory's count is a range sum.
    councils_per_parish: BTreeMap<TerritoryCode, u64>,
    /// Bumped whenever boundaries change, so derived caches know they are stale.
    boundary_generation: u64,
}

impl Catalog {
    /// The catalog of these territories, councils and communes.
    pub fn new(
        territories: Vec<Territory>,
        councils: Vec<Council>,
        communes: Vec<Commune>,
    ) -> Self {
        let mut catalog = Catalog {
            territories: territories.into_iter().map(|t| (t.code, t)).collect(),
            communes: communes.into_iter().map(|c| (c.code.clone(), c)).collect(),
            ..Default::default()
        };
        councils.into_iter().for_each(|c| catalog.insert_council(c));
        catalog
    }

    /// How many councils lie inside `territory` (any level).
    pub fn council_count(&self, territory: TerritoryCode) -> u64 {
        let (first, last) = territory.parish_range();
        self.councils_per_parish
            .range(first..=last)
            .map(|(_, n)| n)
            .sum()
    }

    /// Changes whenever any boundary changes.
    pub fn boundary_generation(&self) -> u64 {
        self.boundary_generation
    }

    /// The territory of `code`, if any.
    pub fn territory(&self, code: TerritoryCode) -> Option<&Territory> {
        self.territories.get(&code)
    }

    /// The council of `code`, if any.
    pub fn council(&self, code: &CouncilCode) -> Option<&Council> {
        self.councils.get(code)
    }

    /// The commune of `code`, if any.
    pub fn commune(&self, code: &CouncilCode) -> Option<&Commune> {
        self.communes.get(code)
    }

    /// Every commune, by code.
    pub fn communes(&self) -> impl Iterator<Item = &Commune> {
        self.communes.values()
    }

    /// Adds a commune, or replaces the one of its code.
    pub fn insert_commune(&mut self, commune: Commune) {
        self.communes.insert(commune.code.clone(), commune);
    }

    /// Adds a territory, or replaces the one of its code.
    pub fn insert_territory(&mut self, territory: Territory) {
        self.territories.insert(territory.code, territory);
    }

    /// Adds a council, or replaces the one of its code, keeping the
    /// counts of councils per parish right.
    pub fn insert_council(&mut self, council: Council) {
        *self.councils_per_parish.entry(council.parish).or_default() += 1;
        if let Some(old) = self.councils.insert(council.code.clone(), council)
            && let Some(n) = self.councils_per_parish.get_mut(&old.parish)
        {
            *n -= 1;
        }
    }

    /// Replaces every council and commune (a replica catching up with
    /// changes made by another process).
    pub fn replace_councils(&mut self, councils: Vec<Council>, communes: Vec<Commune>) {
        self.councils.clear();
        self.councils_per_parish.clear();
        self.communes = communes.into_iter().map(|c| (c.code.clone(), c)).collect();
        councils.into_iter().for_each(|c| self.insert_council(c));
    }

    /// Makes this catalog's boundary generation newer than `previous`'s, so
    /// caches derived from the catalog it replaces are seen as stale.
    pub fn succeed(&mut self, previous: &Catalog) {
        self.boundary_generation = previous.boundary_generation + 1;
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
        self.boundary_generation += 1;
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
