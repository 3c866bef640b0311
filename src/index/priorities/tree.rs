//! The R-tree of priorities, and the walks over it that answer a map's
//! query without touching every match: its nodes know how many priorities
//! lie below them and the smallest row key among them, so
//!
//! - `numberMatched` of a circle or a box adds up the nodes wholly inside it
//!   and tests one by one only the priorities of nodes on its edge;
//! - a page is taken best-first (nearest first, or by row key) from a heap of
//!   nodes keyed by a bound of what they hold, and the walk stops once the
//!   page is full, so a page of 100 out of 40,000 matches reads about 100
//!   leaves' worth of nodes, not 40,000.
//!
//! Both give what a scan of every priority would, which the tests check.
//!
//! The trees themselves are here; what they hold is in [`leaf`], the
//! circle's bounds on the sphere in [`circle`], a radius on the ellipsoid
//! decided with them in [`disc`], and the walks in [`walk`].

mod circle;
mod disc;
mod leaf;
mod walk;

pub(super) use circle::EARTH_RADIUS_M;
pub(super) use disc::Disc;
pub(super) use leaf::{Extent, Facets, Leaf, envelope_of};
pub(super) use walk::{Found, LeafKey, Metres, Reach, Region, first, first_among, survey};

use rstar::{AABB, Envelope, ParentNode, RStarInsertionStrategy, RTreeParams};

/// The shape of the tree: nodes of up to 16 children. Fewer, fuller nodes
/// than rstar's default of 6 mean fewer distance bounds to compute on a
/// circle's edge and fewer heap entries in a best-first walk.
#[derive(Debug)]
pub(super) struct Shape;

impl RTreeParams for Shape {
    const MIN_SIZE: usize = 6;
    const MAX_SIZE: usize = 16;
    const REINSERTION_COUNT: usize = 4;
    type DefaultInsertionStrategy = RStarInsertionStrategy;
}

type Tree = rstar::RTree<Leaf, Shape>;

/// Every priority's leaf, in two R-trees: single points (most of them) in
/// one, lines, polygons and multi-points in the other. A line's box is
/// hundreds of metres wide while points lie metres apart in a city; mixed in
/// one tree, nodes holding a line are as wide as it, and every query's edge
/// cuts through many of them. Apart, the points' nodes stay as tight as the
/// points are dense.
///
/// The points are themselves split at a longitude into two trees, so that
/// start-up bulk-loads the three trees at once on every core, not a
/// million leaves on one (docs/benchmarks.md, "Figures behind the index's
/// comments"); a query walks all three from their roots.
#[derive(Debug, Default)]
pub(super) struct Forest {
    /// Points west of `split`, and the others.
    points: [Tree; 2],
    /// Set by the bulk load and never changed after: every later insert and
    /// removal finds a point's tree by it.
    split: f64,
    shapes: Tree,
}

impl Forest {
    /// The trees of these leaves: `points` those with [`Leaf::point`],
    /// `shapes` the others (gathered apart, so no million leaves are copied
    /// into fresh memory to be told apart here).
    pub fn bulk_load(mut west: Vec<Leaf>, shapes: Vec<Leaf>) -> Self {
        let split = match west.len() / 2 {
            0 => 0.0,
            middle => {
                let by_x =
                    |a: &Leaf, b: &Leaf| a.envelope.lower()[0].total_cmp(&b.envelope.lower()[0]);
                west.select_nth_unstable_by(middle, by_x).1.envelope.lower()[0]
            }
        };
        // What lies on the split longitude goes east, as `tree_of` sends it.
        let mut end = west.len();
        let mut i = 0;
        while i < end {
            if west[i].envelope.lower()[0] < split {
                i += 1;
            } else {
                end -= 1;
                west.swap(i, end);
            }
        }
        let east = west.split_off(end);
        std::thread::scope(|scope| {
            let west = scope.spawn(|| Tree::bulk_load_with_params(west));
            let east = scope.spawn(|| Tree::bulk_load_with_params(east));
            let shapes = Tree::bulk_load_with_params(shapes);
            let join = |tree: std::thread::ScopedJoinHandle<'_, Tree>| {
                tree.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            };
            Forest {
                points: [join(west), join(east)],
                split,
                shapes,
            }
        })
    }

    fn tree_of(&mut self, leaf: &Leaf) -> &mut Tree {
        match leaf.point() {
            Some(point) if point.x() < self.split => &mut self.points[0],
            Some(_) => &mut self.points[1],
            None => &mut self.shapes,
        }
    }

    pub fn insert(&mut self, leaf: Leaf) {
        self.tree_of(&leaf).insert(leaf);
    }

    /// Removes `leaf`; whether it was there.
    pub fn remove(&mut self, leaf: &Leaf) -> bool {
        self.tree_of(leaf).remove(leaf).is_some()
    }

    fn trees(&self) -> [&Tree; 3] {
        [&self.points[0], &self.points[1], &self.shapes]
    }

    /// The roots of the trees that hold something.
    pub fn roots(&self) -> Vec<&ParentNode<Leaf>> {
        self.trees()
            .into_iter()
            .filter(|tree| tree.size() > 0)
            .map(|tree| tree.root())
            .collect()
    }

    /// The box of every leaf.
    pub fn extent(&self) -> Option<AABB<[f64; 2]>> {
        let roots = self.roots();
        let mut all = roots.iter().map(|root| root.envelope().rect);
        let first = all.next()?;
        Some(all.fold(first, |a, b| a.merged(&b)))
    }

    /// Calls `visit` with every leaf whose box meets `rect`, tree after tree
    /// (a loop per tree: chained iterators cost a branch per leaf, which a
    /// filtered box of a hundred thousand leaves measured).
    pub fn for_each_intersecting(&self, rect: AABB<[f64; 2]>, mut visit: impl FnMut(&Leaf)) {
        let query = Extent::query(rect);
        for tree in self.trees() {
            for leaf in tree.locate_in_envelope_intersecting(query) {
                visit(leaf);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::TerritoryCode;
    use crate::domain::priority::{Category, Placement, Status};

    /// A bulk load splits the points at a longitude that many of them share
    /// (a grid); every leaf is then found by `remove`, which picks a tree by
    /// the same rule, and so are leaves inserted after.
    #[test]
    fn every_bulk_loaded_leaf_is_removed_from_its_tree() {
        let facets = Facets {
            parish: TerritoryCode::parish(10_101),
            category: Category::Gas,
            status: Status::Proposed,
            placement: Placement::ByCouncil,
            created_at: 0,
        };
        let leaf = |pk: i64, [x, y]: [f64; 2], size: f64| {
            let envelope = AABB::from_corners([x, y], [x + size, y + size]);
            Leaf::new(envelope, pk, pk as u32, facets)
        };
        let grid = |from: i64, size: f64| -> Vec<Leaf> {
            (0..3_000)
                .map(|i| {
                    leaf(
                        from + i,
                        [(i % 7) as f64 - 66.0, (i / 7) as f64 * 0.01],
                        size,
                    )
                })
                .collect()
        };
        let loaded = [grid(0, 0.0), grid(3_000, 0.5)].concat();
        let (points, shapes) = loaded.iter().cloned().partition(|l| l.point().is_some());
        let mut forest = Forest::bulk_load(points, shapes);
        let [west, east] = &forest.points;
        assert!(
            west.size() > 1_000 && east.size() > 1_000,
            "{} {}",
            west.size(),
            east.size()
        );
        assert_eq!(forest.shapes.size(), 3_000);
        let later: Vec<Leaf> = grid(6_000, 0.0).into_iter().step_by(3).collect();
        for leaf in &later {
            forest.insert(leaf.clone());
        }
        for leaf in loaded.iter().chain(&later) {
            assert!(forest.remove(leaf), "{leaf:?}");
        }
        assert!(forest.roots().is_empty());
    }
}
