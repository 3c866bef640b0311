//! Possible duplicates: the open priorities of a related category near a
//! geometry, nearest first.
//!
//! # Units
//! Coordinates are `[longitude, latitude]` in WGS84 degrees; distances metres.

use geo::{BoundingRect, Geometry};
use rstar::AABB;
use uuid::Uuid;

use crate::domain::duplicates::{geometry_distance_m, related};
use crate::domain::priority::Category;
use crate::domain::workflow::is_open;

use super::tree::EARTH_RADIUS_M;
use super::{Entry, PriorityIndex};

impl PriorityIndex {
    /// The open priorities of a category related to `category` whose
    /// geometry lies within `within_m` metres of `geometry` (by
    /// [`geometry_distance_m`]), `exclude` left out, with their distances:
    /// nearest first (ties by id), at most `limit`.
    ///
    /// The R-tree gives the leaves whose box meets `geometry`'s box widened
    /// by `within_m` (with a margin); their leaves' category and status are
    /// checked before any distance is measured.
    pub fn nearby(
        &self,
        geometry: &Geometry<f64>,
        category: Category,
        within_m: f64,
        exclude: Option<Uuid>,
        limit: usize,
    ) -> Vec<(&Entry, f64)> {
        let Some(rect) = widened_box(geometry, within_m) else {
            return Vec::new();
        };
        let mut found: Vec<(&Entry, f64)> = Vec::new();
        self.tree.for_each_intersecting(rect, |leaf| {
            if !is_open(leaf.facets.status) || !related(category, leaf.facets.category) {
                return;
            }
            let entry = self.entries.at(leaf.slot);
            if Some(entry.id) == exclude {
                return;
            }
            let d = geometry_distance_m(geometry, &entry.geometry);
            if d <= within_m {
                found.push((entry, d));
            }
        });
        found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.id.cmp(&b.0.id)));
        found.truncate(limit);
        found
    }
}

/// The box of `geometry` widened by `within_m` metres on every side, with a
/// margin of 1% and a centimetre for rounding and for great-circle edges
/// bowing out of their vertices' box; `None` for an empty geometry.
fn widened_box(geometry: &Geometry<f64>, within_m: f64) -> Option<AABB<[f64; 2]>> {
    let rect = geometry.bounding_rect()?;
    let reach = within_m * 1.01 + 0.01;
    let dlat = (reach / EARTH_RADIUS_M).to_degrees();
    let (south, north) = (rect.min().y - dlat, rect.max().y + dlat);
    let widest = south.abs().max(north.abs()).min(90.0);
    let cos = widest.to_radians().cos();
    // Near a pole a degree of longitude is no distance at all: take them all.
    let (west, east) = if cos < 0.01 {
        (-180.0, 180.0)
    } else {
        let dlon = dlat / cos;
        (rect.min().x - dlon, rect.max().x + dlon)
    };
    Some(AABB::from_corners([west, south], [east, north]))
}

#[cfg(test)]
mod tests {
    use super::super::tests::random_priority;
    use super::*;
    use rand::{RngExt, SeedableRng};

    /// Every lookup gives what a scan of every entry gives.
    #[test]
    fn nearby_equals_a_scan() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(21);
        let priorities: Vec<_> = (1..=3_000)
            .map(|pk| random_priority(&mut rng, pk))
            .collect();
        let index = PriorityIndex::build(
            priorities.clone(),
            |_| Some(crate::domain::codes::TerritoryCode::parish(10_101)),
            false,
        )
        .expect("index");
        for i in 0..200 {
            let probe = &priorities[rng.random_range(0..priorities.len())];
            let category = Category::ALL[i % Category::ALL.len()];
            let within = [0.0, 50.0, 100.0, 400.0, 2_000.0][i % 5];
            let exclude = (i % 2 == 0).then_some(probe.id);
            let got: Vec<(Uuid, f64)> = index
                .nearby(&probe.geometry, category, within, exclude, 20)
                .into_iter()
                .map(|(e, d)| (e.id, d))
                .collect();
            let mut want: Vec<(Uuid, f64)> = index
                .entries()
                .filter(|e| is_open(e.status) && related(category, e.category))
                .filter(|e| Some(e.id) != exclude)
                .map(|e| (e.id, geometry_distance_m(&probe.geometry, &e.geometry)))
                .filter(|(_, d)| *d <= within)
                .collect();
            want.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            want.truncate(20);
            assert_eq!(got, want, "probe {} within {within}", probe.id);
        }
    }
}
