//! A national-scale synthetic dataset for benchmarks: `prioridades generate`.
//!
//! [`Catalog::build`] makes the territories (the 24 real states, synthetic
//! municipalities and parishes with boundaries that tile an approximate
//! outline of the country) and the councils; [`store_catalog`] writes them
//! into a store; [`write_priorities`] streams any number of priorities that
//! refer to those councils as newline-delimited GeoJSON, which
//! `prioridades import` loads. Each priority lies strictly inside its
//! council's parish, so placement by location agrees with the council.
//!
//! Everything is deterministic: the catalog depends only on the number of
//! councils, the priorities on that number, the seed and the count (a
//! shorter run is a prefix of a longer one).

mod catalog;
mod country;
mod priorities;
pub(crate) mod text;

use std::collections::BTreeSet;

use geo::Point;

pub use catalog::{Catalog, CatalogError};
pub use priorities::{Generator, write_priorities};

use crate::domain::codes::CouncilCode;
use crate::domain::workflow;
use crate::store::{Store, StoreError};

/// About as many councils as the country has.
pub const DEFAULT_COUNCILS: usize = 35_000;

/// `x` rounded to six decimals (about 0.1 m in degrees), as written.
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn round_point(x: f64, y: f64) -> Point<f64> {
    Point::new(round(x), round(y))
}

/// What [`store_catalog`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogWrite {
    /// The store was empty; the catalog is now in it.
    Written,
    /// The store already held exactly this catalog (territory and council
    /// codes); nothing was written.
    AlreadyPresent,
}

/// Why the catalog could not be written.
#[derive(Debug, thiserror::Error)]
pub enum StoreCatalogError {
    #[error(transparent)]
    /// The store failed.
    Store(#[from] StoreError),
    #[error(
        "the store already holds other territories or councils; write the catalog into a new database file"
    )]
    /// The store holds another catalog.
    Occupied,
}

/// Writes the catalog's territories (with boundaries) and councils into an
/// empty store, in one transaction; a store that already holds this very
/// catalog is left as it is.
pub async fn store_catalog(
    catalog: &Catalog,
    store: &Store,
) -> Result<CatalogWrite, StoreCatalogError> {
    if store.is_empty().await? {
        store
            .load_dataset(&catalog.territories, &catalog.councils, &[])
            .await?;
        return Ok(CatalogWrite::Written);
    }
    let stored_councils: BTreeSet<(String, String)> = store
        .load_councils()
        .await?
        .into_iter()
        .map(|c| (c.code.to_string(), c.parish.to_string()))
        .collect();
    let councils: BTreeSet<(String, String)> = catalog
        .councils
        .iter()
        .map(|c| (c.code.to_string(), c.parish.to_string()))
        .collect();
    let stored_territories: BTreeSet<_> = store
        .load_territories()
        .await?
        .into_iter()
        .map(|t| t.code)
        .collect();
    let territories: BTreeSet<_> = catalog.territories.iter().map(|t| t.code).collect();
    if stored_councils == councils && stored_territories == territories {
        Ok(CatalogWrite::AlreadyPresent)
    } else {
        Err(StoreCatalogError::Occupied)
    }
}

/// The ranks that open priorities hold in `store`, by council: what
/// [`Generator::hold_ranks`] must leave free so that a second generated file
/// imports beside the first.
pub async fn held_ranks(store: &Store) -> Result<Vec<(CouncilCode, u8)>, StoreError> {
    let mut held = Vec::new();
    store
        .load_priorities(|chunk| {
            held.extend(
                chunk
                    .into_iter()
                    .filter(|p| workflow::is_open(p.status))
                    .filter_map(|p| Some((p.council, p.rank?))),
            );
            Ok(())
        })
        .await?;
    Ok(held)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap, HashSet};
    use std::sync::OnceLock;

    use geo::{Geometry, Validation, Winding};

    use super::priorities::{CATEGORY_WEIGHTS, CREATED_SPAN, FIRST_CREATED, STATUS_WEIGHTS};
    use super::*;
    use crate::domain::codes::Level;
    use crate::domain::priority::{Category, PriorityDraft, Status};
    use crate::import::parse_features;
    use crate::index::BoundaryIndex;

    fn catalog() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| Catalog::build(DEFAULT_COUNCILS).expect("the default catalog"))
    }

    fn generate(count: u64, seed: u64) -> Vec<u8> {
        let mut out = Vec::new();
        write_priorities(catalog(), count, seed, &mut out).unwrap();
        out
    }

    fn drafts(bytes: &[u8]) -> Vec<PriorityDraft> {
        parse_features(bytes)
            .unwrap()
            .enumerate()
            .map(|(i, d)| d.unwrap_or_else(|e| panic!("feature {i}: {e:?}")))
            .collect()
    }

    fn sample() -> &'static [PriorityDraft] {
        static SAMPLE: OnceLock<Vec<PriorityDraft>> = OnceLock::new();
        SAMPLE.get_or_init(|| drafts(&generate(20_000, 7)))
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes_and_another_seed_others() {
        let a = generate(2_000, 1);
        assert_eq!(a, generate(2_000, 1));
        assert_ne!(a, generate(2_000, 2));
        assert_eq!(a.iter().filter(|&&b| b == b'\n').count(), 2_000);
    }

    #[test]
    fn lines_come_in_creation_order_with_time_ordered_ids_over_the_whole_span() {
        let span = FIRST_CREATED..FIRST_CREATED + CREATED_SPAN;
        let created = |d: &PriorityDraft| d.created_at.expect("every line is dated");
        for pair in sample().windows(2) {
            assert!(created(&pair[0]) <= created(&pair[1]));
            assert!(
                pair[0].id < pair[1].id,
                "{:?} then {:?}",
                pair[0].id,
                pair[1].id
            );
        }
        for d in sample() {
            let id = d.id.expect("every line has an id");
            assert_eq!(id.get_version_num(), 7, "{id}");
            let mut millis = [0u8; 8];
            millis[2..].copy_from_slice(&id.as_bytes()[..6]);
            assert_eq!(
                i64::from_be_bytes(millis),
                created(d).div_euclid(1_000),
                "{id} carries its creation's millisecond"
            );
            assert!(span.contains(&created(d)));
        }
        // Spread over the whole span: the first and last twentieth of the
        // lines fall in the first and last twentieth of it.
        let twentieth = CREATED_SPAN / 20;
        assert!(created(&sample()[999]) < FIRST_CREATED + twentieth);
        assert!(created(&sample()[19_001]) >= FIRST_CREATED + CREATED_SPAN - twentieth);
    }

    #[test]
    fn every_feature_passes_the_import_parser() {
        assert_eq!(sample().len(), 20_000);
        let ids: HashSet<_> = sample().iter().map(|d| d.id.unwrap()).collect();
        assert_eq!(ids.len(), 20_000, "ids are unique");
    }

    #[test]
    fn geometry_types_come_in_the_planned_proportions() {
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for d in sample() {
            let kind = match &d.geometry {
                Geometry::Point(_) => "Point",
                Geometry::LineString(_) => "LineString",
                Geometry::Polygon(_) => "Polygon",
                other => panic!("unexpected {other:?}"),
            };
            *kinds.entry(kind).or_default() += 1;
        }
        let share = |k: &str| kinds[k] as f64 / 20_000.0;
        println!("{kinds:?}");
        assert!((share("Point") - 0.85).abs() < 0.015, "{kinds:?}");
        assert!((share("LineString") - 0.10).abs() < 0.01, "{kinds:?}");
        assert!((share("Polygon") - 0.05).abs() < 0.01, "{kinds:?}");
    }

    #[test]
    fn shapes_are_valid_small_and_polygons_counter_clockwise() {
        for d in sample() {
            assert!(d.geometry.is_valid(), "{:?}", d.geometry);
            if let Geometry::Polygon(p) = &d.geometry {
                assert!(p.exterior().is_closed() && p.exterior().is_ccw());
                assert!((6..=10).contains(&p.exterior().0.len()));
            }
            if let Geometry::LineString(l) = &d.geometry {
                assert!((2..=6).contains(&l.0.len()));
            }
        }
    }

    #[test]
    fn every_priority_is_placed_in_its_councils_parish() {
        let parishes = BoundaryIndex::build(
            catalog()
                .territories
                .iter()
                .filter(|t| t.code.level() == Level::Parish)
                .map(|t| (t.code, t.boundary.clone().unwrap())),
        );
        let council_parish: HashMap<&CouncilCode, _> = catalog()
            .councils
            .iter()
            .map(|c| (&c.code, c.parish))
            .collect();
        for d in sample() {
            let parish = council_parish[&d.council];
            assert_eq!(
                parishes.place(&d.geometry),
                Some(parish),
                "{:?}",
                d.geometry
            );
        }
    }

    #[test]
    fn ranks_are_unique_per_council_among_open_priorities() {
        let mut held: HashMap<(&CouncilCode, u8), usize> = HashMap::new();
        let mut ranked = 0;
        for d in sample() {
            if let Some(rank) = d.rank {
                assert!((1..=10).contains(&rank));
                assert!(
                    workflow::is_open(d.status),
                    "closed priorities carry no rank"
                );
                *held.entry((&d.council, rank)).or_default() += 1;
                ranked += 1;
            }
        }
        assert!(held.values().all(|&n| n == 1));
        assert!(ranked > 5_000, "{ranked}");
    }

    #[test]
    fn held_ranks_are_left_to_their_holders() {
        let held: Vec<(CouncilCode, u8)> = sample()
            .iter()
            .filter(|d| workflow::is_open(d.status))
            .filter_map(|d| Some((d.council.clone(), d.rank?)))
            .collect();
        let mut generator = Generator::new(catalog(), 8);
        generator.hold_ranks(held.iter().cloned());
        let mut more = Vec::new();
        generator.write(20_000, &mut more).unwrap();
        let mut taken: HashSet<(CouncilCode, u8)> = held.into_iter().collect();
        let mut ranked = 0;
        for d in drafts(&more) {
            if let Some(rank) = d.rank {
                assert!(taken.insert((d.council, rank)), "rank {rank} given twice");
                ranked += 1;
            }
        }
        assert!(ranked > 1_000, "{ranked}");
    }

    #[test]
    fn categories_and_statuses_follow_their_weights_and_plans_their_status() {
        let mut categories: HashMap<Category, usize> = HashMap::new();
        let mut statuses: HashMap<Status, usize> = HashMap::new();
        for d in sample() {
            *categories.entry(d.category).or_default() += 1;
            *statuses.entry(d.status).or_default() += 1;
            let needs_plan = matches!(
                d.status,
                Status::Approved | Status::InProgress | Status::Done
            );
            assert_eq!(d.plan.is_some(), needs_plan, "{:?}", d.status);
        }
        for (i, c) in Category::ALL.iter().enumerate() {
            let share = categories[c] as f64 / 20_000.0;
            let expected = f64::from(CATEGORY_WEIGHTS[i]) / 1000.0;
            assert!((share - expected).abs() < 0.012, "{c}: {share}");
        }
        // Duplicates are only ever marked, never generated.
        assert!(!statuses.contains_key(&Status::Duplicate));
        for (i, s) in Status::ALL[..STATUS_WEIGHTS.len()].iter().enumerate() {
            let share = statuses[s] as f64 / 20_000.0;
            let expected = f64::from(STATUS_WEIGHTS[i]) / 1000.0;
            assert!((share - expected).abs() < 0.012, "{s}: {share}");
        }
    }

    #[test]
    fn titles_and_descriptions_have_realistic_lengths() {
        let chars = |s: &str| s.chars().count();
        let titles: Vec<usize> = sample().iter().map(|d| chars(&d.title)).collect();
        let descriptions: Vec<usize> = sample()
            .iter()
            .map(|d| chars(d.description.as_deref().unwrap()))
            .collect();
        let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len() as f64;
        let (tmin, tmax) = (titles.iter().min().unwrap(), titles.iter().max().unwrap());
        let (dmin, dmax) = (
            descriptions.iter().min().unwrap(),
            descriptions.iter().max().unwrap(),
        );
        println!(
            "titles {tmin}..{tmax} (mean {:.0}), descriptions {dmin}..{dmax} (mean {:.0})",
            mean(&titles),
            mean(&descriptions)
        );
        assert!(*tmin >= 35 && *tmax <= 90);
        assert!((50.0..=75.0).contains(&mean(&titles)));
        assert!(*dmin >= 150 && *dmax <= 420);
        let distinct: HashSet<_> = sample().iter().map(|d| &d.title).collect();
        assert!(distinct.len() > 5_000, "{}", distinct.len());
    }

    #[test]
    fn most_priorities_cluster_around_cities() {
        // Caracas (with Petare) holds about an eighth of the clustered weight.
        let near_caracas = sample()
            .iter()
            .filter(|d| {
                let p = crate::domain::geometry::representative_point(&d.geometry);
                (p.x() + 66.88).abs() < 0.3 && (p.y() - 10.48).abs() < 0.25
            })
            .count();
        let share = near_caracas as f64 / 20_000.0;
        assert!((0.10..0.25).contains(&share), "{share}");
        let states: HashSet<_> = sample().iter().map(|d| &d.council.as_str()[3..5]).collect();
        assert_eq!(states.len(), 24, "every state has priorities");
    }
}
