//! Possible duplicates of a priority: the open priorities of a related
//! category within `--duplicate-distance` of it (see
//! [`crate::domain::duplicates`]).

use super::*;
use crate::domain::duplicates::MAX_POSSIBLE_DUPLICATES;
use crate::domain::priority::Category;

/// A possible duplicate as a proposal's response lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PossibleDuplicate {
    /// Its id.
    pub id: Uuid,
    /// Its title.
    pub title: String,
    /// Its category.
    pub category: &'static str,
    /// Its status.
    pub status: &'static str,
    /// Its council's code.
    pub council: String,
    /// Metres between the nearest parts of the two geometries.
    pub distance_m: f64,
}

/// A created priority of a bulk import and its possible duplicates' ids.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportedDuplicates {
    /// The created priority.
    pub id: Uuid,
    /// Its possible duplicates, nearest first.
    pub duplicates: Vec<Uuid>,
}

/// A priority's title, read from its Feature text.
fn title_of(feature: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Properties {
        title: String,
    }
    #[derive(serde::Deserialize)]
    struct Feature {
        properties: Properties,
    }
    serde_json::from_str::<Feature>(feature)
        .map(|f| f.properties.title)
        .unwrap_or_default()
}

impl Service {
    /// The distance within which priorities are possible duplicates, in
    /// metres (`--duplicate-distance`).
    pub fn duplicate_distance_m(&self) -> f64 {
        self.duplicate_distance_m
    }

    /// The same service, looking for duplicates within `metres`.
    pub fn with_duplicate_distance(self, metres: f64) -> Self {
        Service {
            duplicate_distance_m: metres,
            ..self
        }
    }

    /// Calls `found` with the possible duplicates of the priority `id`
    /// within `within_m` metres (the configured distance when `None`),
    /// nearest first, under the index's read lock: each entry and its
    /// distance. 404 when there is no such priority.
    pub fn with_duplicates<T>(
        &self,
        id: Uuid,
        within_m: Option<f64>,
        found: impl FnOnce(&[(&Entry, f64)]) -> T,
    ) -> Result<T, ServiceError> {
        let index = self.index.read();
        let entry = index
            .priorities
            .get(&id)
            .ok_or_else(|| ServiceError::NotFound(format!("no priority with id {id}")))?;
        let near = index.priorities.nearby(
            &entry.geometry,
            entry.category,
            within_m.unwrap_or(self.duplicate_distance_m),
            Some(id),
            MAX_POSSIBLE_DUPLICATES,
        );
        Ok(found(&near))
    }

    /// The possible duplicates of the priority `id`, as a proposal's
    /// response lists them.
    pub fn possible_duplicates(&self, id: Uuid) -> Result<Vec<PossibleDuplicate>, ServiceError> {
        self.with_duplicates(id, None, |near| {
            near.iter().map(|(e, d)| listed(e, *d)).collect()
        })
    }

    /// The possible duplicates of a geometry of `category` not (yet) in the
    /// index, as a proposal's response lists them.
    pub fn possible_duplicates_of(
        &self,
        geometry: &geo::Geometry<f64>,
        category: Category,
    ) -> Vec<PossibleDuplicate> {
        let index = self.index.read();
        index
            .priorities
            .nearby(
                geometry,
                category,
                self.duplicate_distance_m,
                None,
                MAX_POSSIBLE_DUPLICATES,
            )
            .iter()
            .map(|(e, d)| listed(e, *d))
            .collect()
    }

    /// The possible duplicates of the priorities `created` by an import,
    /// for those that have any.
    pub fn imported_duplicates(&self, created: &[Uuid]) -> Vec<ImportedDuplicates> {
        let index = self.index.read();
        created
            .iter()
            .filter_map(|id| {
                let entry = index.priorities.get(id)?;
                let near = index.priorities.nearby(
                    &entry.geometry,
                    entry.category,
                    self.duplicate_distance_m,
                    Some(*id),
                    MAX_POSSIBLE_DUPLICATES,
                );
                (!near.is_empty()).then(|| ImportedDuplicates {
                    id: *id,
                    duplicates: near.iter().map(|(e, _)| e.id).collect(),
                })
            })
            .collect()
    }
}

/// An entry as a possible duplicate `d` metres away.
fn listed(e: &Entry, d: f64) -> PossibleDuplicate {
    PossibleDuplicate {
        id: e.id,
        title: title_of(&e.feature),
        category: e.category.as_str(),
        status: e.status.as_str(),
        council: e.council.to_string(),
        // To the centimetre, as `distance_m` is written elsewhere.
        distance_m: (d * 100.0).round() / 100.0,
    }
}
