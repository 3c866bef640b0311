//! The synthetic national catalog the generated priorities refer to: the 24
//! states, and municipalities, parishes and councils made up over the
//! outline of [`country`](super::country).
//!
//! The territory is cut by a quadtree: one-degree blocks split into quarters
//! until a cell is at most half a degree wide and its expected share of the
//! priorities is small, down to 1/32 of a degree (about 3.5 km) in the
//! densest parts of the cities. Each leaf, clipped to the outline, is a
//! parish: about 55 km wide in the llanos and the south, 3.5 km in central
//! Caracas. A parish belongs to the state with the nearest reference point
//! (the parish at a city's centre, to that city's state); the parishes of
//! one quadtree cell (at most one degree, at most 30 parishes) and one state
//! form a municipality. Councils are shared out in
//! proportion to each parish's expected share, at least one per parish.
//!
//! # Units
//! Coordinates are `(longitude, latitude)` in WGS84 degrees; distances and
//! cluster widths are kilometres.

mod councils;
mod density;
mod divisions;
mod quadtree;
#[cfg(test)]
mod tests;

use std::ops::Range;

use geo::{MultiPolygon, Point, Rect};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::domain::territory::{Council, Territory};
pub(super) use density::{CLUSTERED, CORE, Cluster, KM_PER_DEG_LAT, SPREAD, km_per_deg_lon};
use divisions::Divisions;
use quadtree::Quadtree;

/// The catalog depends only on the number of councils: it is drawn from this seed.
const CATALOG_SEED: u64 = 0x5645_4e45_5a55_454c;

#[derive(Debug, Clone)]
pub(super) struct Parish {
    /// Its quadtree cell.
    pub rect: Rect<f64>,
    /// The cell clipped to the outline; `None` when the whole cell is land.
    pub shape: Option<MultiPolygon<f64>>,
    /// Its councils, as positions in [`Catalog::councils`].
    pub councils: Range<u32>,
    /// Positions in [`Catalog::municipality_names`] and [`STATES`].
    pub municipality: u32,
    pub state: u32,
}

/// States, municipalities, parishes with their boundaries, and councils,
/// with what it takes to place generated priorities in them.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// States, then municipalities, then parishes, each sorted by code.
    pub territories: Vec<Territory>,
    /// Sorted by code; the councils of one parish are contiguous.
    pub councils: Vec<Council>,
    /// The quadtree of parish cells.
    tree: Quadtree,
    pub(super) parishes: Vec<Parish>,
    pub(super) municipality_names: Vec<String>,
    pub(super) clusters: Vec<Cluster>,
    /// The outline's bounding box, for priorities scattered over the country.
    pub(super) extent: Rect<f64>,
}

#[derive(Debug, thiserror::Error)]
/// Why a catalog cannot be made with the numbers asked for.
pub enum CatalogError {
    #[error("{councils} councils are too few: every one of the {parishes} parishes needs one")]
    /// Fewer councils than parishes.
    TooFewCouncils {
        /// The councils asked for.
        councils: usize,
        /// The parishes of the catalog.
        parishes: usize,
    },
    #[error(
        "{councils} councils are too many: parish {parish} would get {per_parish} (at most 999)"
    )]
    /// More councils than a parish can number (999).
    TooManyCouncils {
        /// The councils asked for.
        councils: usize,
        /// The parish that would get too many.
        parish: String,
        /// How many it would get.
        per_parish: usize,
    },
}

impl Catalog {
    /// The catalog with `councils` councils; the same every time for the
    /// same number.
    pub fn build(councils: usize) -> Result<Catalog, CatalogError> {
        let clusters = density::clusters();
        let (tree, cells, extent) = quadtree::grow(&clusters);
        let mut rng = ChaCha8Rng::seed_from_u64(CATALOG_SEED);
        let divisions = Divisions::new(&tree, &cells);
        let municipality_names = divisions.municipality_names(&tree, &mut rng);
        let counts = councils::counts(councils, &cells, &divisions.parish_codes)?;
        let territories = divisions.territories(&cells, &municipality_names, &mut rng);
        let (all_councils, ranges) =
            councils::make(&cells, &divisions.parish_codes, &counts, &mut rng);
        let parishes = cells
            .into_iter()
            .zip(ranges)
            .zip(divisions.municipality_of)
            .zip(divisions.state_of)
            .map(|(((cell, councils), municipality), state)| Parish {
                rect: cell.rect,
                shape: cell.shape,
                councils,
                municipality,
                state,
            })
            .collect();
        Ok(Catalog {
            territories,
            councils: all_councils,
            tree,
            parishes,
            municipality_names,
            clusters,
            extent,
        })
    }

    /// The parish (a position in `parishes`) whose cell holds `(lon, lat)`,
    /// if any: the point may still lie outside the parish's clipped shape.
    pub(super) fn locate(&self, lon: f64, lat: f64) -> Option<u32> {
        self.tree.locate(lon, lat)
    }

    /// How many parishes the catalog has.
    pub fn parish_count(&self) -> usize {
        self.parishes.len()
    }
}

/// Whether `p` lies inside `r`, not on its edge.
pub(super) fn strictly_inside(r: &Rect<f64>, p: Point<f64>) -> bool {
    r.min().x < p.x() && p.x() < r.max().x && r.min().y < p.y() && p.y() < r.max().y
}
