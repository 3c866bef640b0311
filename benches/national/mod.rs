//! The generator's national data as the index holds them, shared by the
//! benches (`mod national;` in each).

use std::collections::HashMap;

use prioridades::domain::codes::{CouncilCode, TerritoryCode};
use prioridades::domain::priority::Priority;
use prioridades::generate::{Catalog, DEFAULT_COUNCILS, write_priorities};
use prioridades::import::parse_features;
use prioridades::index::PriorityIndex;

/// The generator's national dataset of `count` priorities (seed 1) as the
/// index holds it after an import (each placed in its council's parish, row
/// keys in creation order), and the parish of each.
pub fn national_dataset(count: usize) -> (PriorityIndex, Vec<TerritoryCode>) {
    let catalog = Catalog::build(DEFAULT_COUNCILS).expect("catalog");
    let mut lines = Vec::new();
    write_priorities(&catalog, count as u64, 1, &mut lines).expect("generate");
    let parish_of: HashMap<CouncilCode, TerritoryCode> = catalog
        .councils
        .iter()
        .map(|c| (c.code.clone(), c.parish))
        .collect();
    let priorities: Vec<Priority> = parse_features(&lines)
        .expect("newline-delimited Features")
        .enumerate()
        .map(|(i, draft)| {
            let d = draft.expect("a generated line is valid");
            let created_at = d.created_at.expect("generated lines carry created_at");
            Priority {
                pk: i as i64 + 1,
                id: d.id.expect("generated lines carry ids"),
                located_parish: Some(parish_of[&d.council]),
                duplicate_of: None,
                council: d.council,
                title: d.title,
                description: d.description,
                category: d.category,
                status: d.status,
                rank: d.rank,
                families: d.families,
                plan: d.plan,
                geometry: d.geometry,
                created_at,
                updated_at: created_at,
                version: 1,
            }
        })
        .collect();
    let parishes = priorities.iter().filter_map(|p| p.located_parish).collect();
    let index =
        PriorityIndex::build(priorities, |c| parish_of.get(c).copied(), true).expect("index");
    (index, parishes)
}
