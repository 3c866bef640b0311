//! Territory boundaries simplified for drawing, seamless at every level:
//! parishes simplified by their shared borders (`domain::topology`), and
//! municipalities and states drawn as the unions of their parishes'
//! simplified shapes.
//!
//! What is cached: the parishes' arcs once per boundary generation, and the
//! simplified shapes of the three levels per tolerance (at most
//! [`SimplifiedBoundaries::MAX`] tolerances; the whole cache is dropped when
//! a new one would exceed it, or when the boundaries change). Building and
//! simplifying run on a blocking thread, holding neither the index lock nor
//! the cache's.
//!
//! A municipality or state is *covered* by its parishes when it has a
//! boundary and its parishes' areas add up to its own within
//! [`COVER_TOLERANCE`]; it is then drawn as their union. One that is not
//! (its parishes are not imported, or its boundary was imported from a
//! source that disagrees) is simplified with the other uncovered territories
//! of its level on their own shared borders: valid, and seamless with them,
//! but not with the covered ones.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use geo::{Area, MultiPolygon};

use super::{Service, ServiceError};
use crate::domain::codes::{Level, TerritoryCode};
use crate::domain::topology::Topology;
use crate::index::catalog::Catalog;
use crate::store::StoreError;

/// Each territory's simplified boundary (lon/lat degrees), for one level
/// and tolerance; territories without a boundary are absent.
pub type SimplifiedLevel = HashMap<TerritoryCode, MultiPolygon<f64>>;

/// How far (relative) the sum of the parishes' areas may be from their
/// municipality's or state's for it to be drawn as their union.
pub const COVER_TOLERANCE: f64 = 1e-3;

/// The simplification cache a [`Service`] keeps.
#[derive(Debug, Default)]
pub struct SimplifiedBoundaries {
    state: Mutex<CacheState>,
}

#[derive(Debug, Default)]
struct CacheState {
    generation: u64,
    topology: Option<Arc<Topologies>>,
    /// Per tolerance (its bits): the three levels, in [`Level::ALL`] order.
    levels: HashMap<u64, Arc<[Arc<SimplifiedLevel>; 3]>>,
}

/// The arcs of one boundary generation.
#[derive(Debug)]
struct Topologies {
    parishes: Shapes,
    /// Municipalities, then states.
    derived: [Derived; 2],
}

/// Territories' shapes cut into arcs, with their codes in the same order.
#[derive(Debug)]
struct Shapes {
    topology: Topology,
    codes: Vec<TerritoryCode>,
}

/// How a level above parishes is drawn.
#[derive(Debug)]
struct Derived {
    /// The covered territories, in group order.
    covered: Vec<TerritoryCode>,
    /// Per parish (in [`Topologies::parishes`]' order), its covered group.
    group_of: Vec<Option<usize>>,
    /// The uncovered ones, simplified on their own arcs.
    own: Shapes,
}

impl SimplifiedBoundaries {
    /// Most tolerances kept at once.
    pub const MAX: usize = 32;

    fn lock(&self) -> MutexGuard<'_, CacheState> {
        // Entries are only ever inserted whole: a poisoned lock is usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Service {
    /// Every boundary of `level` simplified by `tolerance` degrees (lon/lat),
    /// seamless with its neighbours at every level: what `zoom=` and
    /// `simplify=` serve, and what map tiles draw. A tolerance of 0 or less
    /// gives the stored boundaries as they are.
    ///
    /// Cost: the first call after the boundaries change cuts the parishes
    /// into arcs; the first call at a tolerance simplifies the three levels;
    /// later calls at that tolerance return the cached `Arc` (figures in
    /// docs/benchmarks.md).
    pub async fn simplified(
        &self,
        level: Level,
        tolerance: f64,
    ) -> Result<Arc<SimplifiedLevel>, ServiceError> {
        let position = Level::ALL.iter().position(|l| *l == level).unwrap_or(0);
        let (generation, catalog) = {
            let index = self.index().read();
            let generation = index.catalog.boundary_generation();
            if tolerance <= 0.0 {
                return Ok(Arc::new(
                    index.catalog.boundaries(level).into_iter().collect(),
                ));
            }
            let cache = self.simplified.lock();
            if cache.generation == generation
                && let Some(hit) = cache.levels.get(&tolerance.to_bits())
            {
                return Ok(hit[position].clone());
            }
            let topology = cache
                .topology
                .clone()
                .filter(|_| cache.generation == generation);
            drop(cache);
            let catalog = match topology {
                Some(t) => Err(t),
                None => Ok(boundaries_of(&index.catalog)),
            };
            (generation, catalog)
        };
        let levels = tokio::task::spawn_blocking(move || {
            let topology = match catalog {
                Err(built) => built,
                Ok(boundaries) => Arc::new(Topologies::build(&boundaries)),
            };
            let levels = Arc::new(topology.simplify(tolerance));
            (topology, levels)
        })
        .await;
        let (topology, levels) = match levels {
            Ok(done) => done,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => return Err(StoreError::Corrupt(format!("simplifying: {e}")).into()),
        };
        let mut cache = self.simplified.lock();
        if cache.generation != generation {
            *cache = CacheState {
                generation,
                ..Default::default()
            };
        }
        if cache.levels.len() >= SimplifiedBoundaries::MAX {
            cache.levels.clear();
        }
        cache.topology = Some(topology);
        cache.levels.insert(tolerance.to_bits(), levels.clone());
        Ok(levels[position].clone())
    }
}

/// The stored boundaries of each level, in [`Level::ALL`] order.
type Boundaries = [Vec<(TerritoryCode, MultiPolygon<f64>)>; 3];

fn boundaries_of(catalog: &Catalog) -> Boundaries {
    Level::ALL.map(|level| catalog.boundaries(level))
}

impl Topologies {
    fn build(boundaries: &Boundaries) -> Topologies {
        let [states, municipalities, parishes] = boundaries;
        let parish_shapes = Shapes::build(parishes.iter().collect());
        let derived = [
            Derived::build(Level::Municipality, municipalities, parishes),
            Derived::build(Level::State, states, parishes),
        ];
        Topologies {
            parishes: parish_shapes,
            derived,
        }
    }

    /// The three levels at `tolerance`, in [`Level::ALL`] order.
    fn simplify(&self, tolerance: f64) -> [Arc<SimplifiedLevel>; 3] {
        let simplification = self.parishes.topology.simplify(tolerance);
        let parishes: SimplifiedLevel = self
            .parishes
            .codes
            .iter()
            .copied()
            .zip(simplification.shapes())
            .collect();
        let [municipalities, states] = self.derived.each_ref().map(|d| {
            let unions = simplification.unions(&d.group_of, d.covered.len());
            let mut level: SimplifiedLevel = d.covered.iter().copied().zip(unions).collect();
            let own = d.own.topology.simplify(tolerance).shapes();
            level.extend(d.own.codes.iter().copied().zip(own));
            Arc::new(level)
        });
        [states, municipalities, Arc::new(parishes)]
    }
}

impl Shapes {
    fn build(shapes: Vec<&(TerritoryCode, MultiPolygon<f64>)>) -> Shapes {
        let topology = Topology::build(&shapes.iter().map(|(_, s)| s).collect::<Vec<_>>());
        let codes = shapes.iter().map(|(c, _)| *c).collect();
        Shapes { topology, codes }
    }
}

impl Derived {
    /// Which territories of `level` their parishes cover, and the groups.
    fn build(
        level: Level,
        territories: &[(TerritoryCode, MultiPolygon<f64>)],
        parishes: &[(TerritoryCode, MultiPolygon<f64>)],
    ) -> Derived {
        let mut parish_area: HashMap<TerritoryCode, f64> = HashMap::new();
        for (code, shape) in parishes {
            if let Some(up) = code.at_level(level) {
                *parish_area.entry(up).or_default() += shape.unsigned_area();
            }
        }
        let (covered, uncovered): (Vec<_>, Vec<_>) =
            territories.iter().partition(|(code, shape)| {
                let own = shape.unsigned_area();
                let sum = parish_area.get(code).copied().unwrap_or(0.0);
                own > 0.0 && (sum - own).abs() <= COVER_TOLERANCE * own
            });
        let covered: Vec<TerritoryCode> = covered.into_iter().map(|(c, _)| *c).collect();
        let group: HashMap<TerritoryCode, usize> =
            covered.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        let group_of = parishes
            .iter()
            .map(|(code, _)| code.at_level(level).and_then(|up| group.get(&up).copied()))
            .collect();
        Derived {
            covered,
            group_of,
            own: Shapes::build(uncovered),
        }
    }
}
