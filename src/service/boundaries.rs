//! Importing boundaries: resolving each feature to its territory and
//! placing every priority again.

use super::*;

/// What a boundary import did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct BoundaryReport {
    /// `state`, `municipality` or `parish`.
    pub level: &'static str,
    /// Territories in the file, each now with its boundary.
    pub territories: usize,
    /// Of those, territories that did not exist before.
    pub created: usize,
    /// Territories of the level that had a boundary and are not in the file:
    /// they keep their name and councils but lose their boundary.
    pub boundaries_dropped: usize,
    /// Priorities placed anew (parish boundaries only).
    pub priorities_placed: usize,
    /// Of those, priorities whose parish changed.
    pub priorities_moved: usize,
    /// Priorities located in another parish than their council's.
    pub outside_council_parish: usize,
    /// Priorities whose location no parish boundary covers.
    pub outside_every_parish: usize,
}

/// Locates every indexed priority in `parishes`: the row key and the parish
/// its representative point falls in.
fn place_all(index: &Index, parishes: &BoundaryIndex) -> Vec<(i64, Option<TerritoryCode>)> {
    let entries: Vec<&crate::index::Entry> = index.priorities.entries().collect();
    let geometries: Vec<&geo::Geometry<f64>> = entries.iter().map(|e| &e.geometry).collect();
    let placed = parishes.place_all(&geometries);
    entries.iter().map(|e| e.pk).zip(placed).collect()
}

/// The leading digits of a code as files write it: `VE010101`, `VE-0101`
/// and `010101` all give the digits; `None` when no digits follow the prefix.
fn code_digits(raw: &str) -> Option<&str> {
    let digits =
        raw.trim_start_matches(|c: char| c.is_ascii_alphabetic() || matches!(c, '-' | '_' | ' '));
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Turns the features of a boundary file into territories of `level`:
/// full codes are taken as they are; two-digit codes below a state are
/// completed with the parent's code, named by the parent property or found
/// by which parent boundary holds the territory. Parents must exist.
fn resolve_territories(
    level: Level,
    features: Vec<BoundaryFeature>,
    catalog: &Catalog,
) -> Result<Vec<Territory>, Vec<ImportError>> {
    let parent_level = level.parent();
    let parents = parent_level.map(|l| BoundaryIndex::build(catalog.boundaries(l)));
    let mut errors = Vec::new();
    let mut seen: HashMap<TerritoryCode, usize> = HashMap::new();
    let mut out = Vec::with_capacity(features.len());
    for f in features {
        let error = |reason: String| ImportError {
            index: f.index,
            pointer: Some("/properties".into()),
            reason,
        };
        let code = match resolve_code(&f, level, parents.as_ref(), catalog) {
            Ok(code) => code,
            Err(reason) => {
                errors.push(error(reason));
                continue;
            }
        };
        if let Some(first) = seen.insert(code, f.index) {
            errors.push(error(format!(
                "code {code} appears twice (features {first} and {})",
                f.index
            )));
            continue;
        }
        out.push(Territory {
            code,
            name: f.name,
            boundary: Some(f.boundary),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The code of one feature of `level`, checked against the catalog (its
/// parent exists, and is the one named), or why it has none; `parents` are
/// the boundaries of the level above, when there is one.
fn resolve_code(
    f: &BoundaryFeature,
    level: Level,
    parents: Option<&BoundaryIndex>,
    catalog: &Catalog,
) -> Result<TerritoryCode, String> {
    let parent_level = level.parent();
    let named_parent = match (&f.parent, parent_level) {
        (Some(raw), Some(pl)) => match code_digits(raw).map(|d| TerritoryCode::parse(pl, d)) {
            Some(Ok(code)) => Some(code),
            _ => {
                return Err(format!("parent code {raw:?} is not a {} code", pl.as_str()));
            }
        },
        _ => None,
    };
    let Some(digits) = code_digits(&f.code) else {
        return Err(format!("code {:?} has no INE-style digits", f.code));
    };
    let code = if digits.len() == level.digits() {
        TerritoryCode::parse(level, digits)
    } else if digits.len() == 2
        && let (Some(pl), Some(parents)) = (parent_level, parents)
    {
        let parent = named_parent
            .or_else(|| parents.place(&geo::Geometry::MultiPolygon(f.boundary.clone())));
        match parent {
            Some(p) => TerritoryCode::parse(level, &format!("{p}{digits}")),
            None => Err(format!(
                "code {:?} needs its {} named by the parent property, or found by containment, and no {} boundary holds it",
                f.code,
                pl.as_str(),
                pl.as_str()
            )),
        }
    } else {
        Err(format!(
            "code {:?} is not a {}-digit {} code",
            f.code,
            level.digits(),
            level.as_str()
        ))
    }?;
    if let (Some(named), Some(actual)) = (named_parent, code.parent())
        && named != actual
    {
        return Err(format!(
            "code {code} does not lie in the named parent {named}"
        ));
    }
    if let Some(parent) = code.parent()
        && catalog.territory(parent).is_none()
    {
        return Err(format!(
            "its {} {parent} does not exist: import the {} first",
            parent.level().as_str(),
            parent.level().collection()
        ));
    }
    let name_chars = f.name.chars().count();
    if name_chars > crate::domain::territory::MAX_NAME_CHARS || f.name.chars().any(char::is_control)
    {
        return Err(format!(
            "name must be 1 to {} printable characters",
            crate::domain::territory::MAX_NAME_CHARS
        ));
    }
    Ok(code)
}

/// A boundary file resolved against the index: its territories, the report
/// so far, and for parishes every priority's new placement and the new
/// parish boundary index.
type Resolved = (
    Vec<Territory>,
    BoundaryReport,
    Vec<(i64, Option<TerritoryCode>)>,
    Option<BoundaryIndex>,
);

/// Resolves a boundary file of `level` against the index and, for parishes,
/// places every priority in the new boundaries. Seconds of CPU at national
/// scale: run off the async workers.
fn resolve_file(
    index: &Index,
    level: Level,
    features: Vec<BoundaryFeature>,
) -> Result<Resolved, ServiceError> {
    let territories =
        resolve_territories(level, features, &index.catalog).map_err(ServiceError::InvalidFile)?;
    let in_file: HashSet<TerritoryCode> = territories.iter().map(|t| t.code).collect();
    let mut report = BoundaryReport {
        level: level.as_str(),
        territories: territories.len(),
        created: territories
            .iter()
            .filter(|t| index.catalog.territory(t.code).is_none())
            .count(),
        boundaries_dropped: index
            .catalog
            .boundaries(level)
            .iter()
            .filter(|(code, _)| !in_file.contains(code))
            .count(),
        ..Default::default()
    };
    let (placements, new_parishes) = if level == Level::Parish {
        let parishes = BoundaryIndex::build(
            territories
                .iter()
                .filter_map(|t| Some((t.code, t.boundary.clone()?))),
        );
        let placed = place_all(index, &parishes);
        report.priorities_placed = placed.len();
        (placed, Some(parishes))
    } else {
        (Vec::new(), None)
    };
    Ok((territories, report, placements, new_parishes))
}

/// Puts new parish boundaries and every priority's placement in them into
/// the index, counting in `report` the priorities that moved or lie outside.
fn apply_placements(
    index: &mut Index,
    parishes: BoundaryIndex,
    placements: Vec<(i64, Option<TerritoryCode>)>,
    report: &mut BoundaryReport,
) {
    index.parishes = parishes;
    for (pk, located) in placements {
        let Some(entry) = index.priorities.entry(pk) else {
            continue;
        };
        let council_parish = index
            .catalog
            .council(&entry.council)
            .map(|c| c.parish)
            .unwrap_or(entry.parish);
        let before = entry.parish;
        let (parish, placement) = placement_of(located, council_parish, true);
        report.priorities_moved += usize::from(parish != before);
        match placement {
            Placement::OutsideCouncilParish => report.outside_council_parish += 1,
            Placement::OutsideEveryParish => report.outside_every_parish += 1,
            _ => {}
        }
        index.priorities.relocate(pk, parish, placement);
    }
}

impl Service {
    /// Replaces the boundaries of `level` with those of a file, creating
    /// territories it adds; for parishes, places every priority anew. All in
    /// one transaction: a refused file changes nothing.
    pub async fn import_boundaries(
        &self,
        who: Actor<'_>,
        level: Level,
        features: Vec<BoundaryFeature>,
    ) -> Result<BoundaryReport, ServiceError> {
        administer(who)?;
        let _gate = self.gate().await?;
        // Resolving the file and placing every priority is seconds of CPU at
        // national scale: off the async workers, under the index's read lock
        // (the gate keeps writers out meanwhile).
        let shared = self.index.clone();
        let resolved =
            tokio::task::spawn_blocking(move || resolve_file(&shared.read(), level, features))
                .await;
        let (territories, mut report, placements, new_parishes) = match resolved {
            Ok(result) => result?,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => {
                return Err(StoreError::Corrupt(format!("placing priorities: {e}")).into());
            }
        };
        // Only placements that change need writing.
        let changed: Vec<(i64, Option<TerritoryCode>)> = {
            let index = self.index.read();
            placements
                .iter()
                .filter(|(pk, located)| index.priorities.located(*pk) != Some(*located))
                .copied()
                .collect()
        };
        self.store
            .replace_boundaries(level, &territories, &changed)
            .await?;

        let mut index = self.index.write();
        let index = &mut *index;
        index.catalog.replace_boundaries(level, territories);
        if let Some(parishes) = new_parishes {
            apply_placements(index, parishes, placements, &mut report);
        }
        Ok(report)
    }
}
