//! Parish boundaries in memory, for placing a location in its parish.
//!
//! An R-tree of boundary bounding boxes narrows a point to the few parishes
//! whose box holds it; an exact point-in-polygon test decides among them.
//!
//! # Units
//! Coordinates are `[longitude, latitude]` in WGS84 degrees.

use geo::{BoundingRect, Geometry, Intersects, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::domain::codes::TerritoryCode;
use crate::domain::geometry::representative_point;

type Leaf = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// The boundaries of one level, ready for point location.
#[derive(Debug, Default)]
pub struct BoundaryIndex {
    tree: RTree<Leaf>,
    /// Sorted by code, so the first hit is the smallest code.
    boundaries: Vec<(TerritoryCode, MultiPolygon<f64>)>,
}

impl BoundaryIndex {
    /// Indexes `(code, boundary)` pairs.
    pub fn build(boundaries: impl IntoIterator<Item = (TerritoryCode, MultiPolygon<f64>)>) -> Self {
        let mut boundaries: Vec<_> = boundaries.into_iter().collect();
        boundaries.sort_by_key(|(code, _)| *code);
        let leaves = boundaries
            .iter()
            .enumerate()
            .filter_map(|(i, (_, b))| {
                let r = b.bounding_rect()?;
                Some(Leaf::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        BoundaryIndex {
            tree: RTree::bulk_load(leaves),
            boundaries,
        }
    }

    /// Whether any boundary is loaded.
    pub fn is_empty(&self) -> bool {
        self.boundaries.is_empty()
    }

    /// How many boundaries are loaded.
    pub fn len(&self) -> usize {
        self.boundaries.len()
    }

    /// The territory whose boundary covers `p` (its interior or its edge).
    /// A point on an edge shared by two territories, or in an overlap of
    /// imperfect data, goes to the smallest code, so the answer is always the same.
    pub fn locate(&self, p: Point<f64>) -> Option<TerritoryCode> {
        let at = AABB::from_point([p.x(), p.y()]);
        self.tree
            .locate_in_envelope_intersecting(at)
            .map(|leaf| leaf.data)
            .filter(|&i| self.boundaries[i].1.intersects(&p))
            .min()
            .map(|i| self.boundaries[i].0)
    }

    /// The territory a geometry is placed in: that of its representative
    /// point (the point itself, or a point inside the polygon or on the line).
    pub fn place(&self, geometry: &Geometry<f64>) -> Option<TerritoryCode> {
        self.locate(representative_point(geometry))
    }

    /// [`place`](Self::place) for many geometries, spread over every core;
    /// results in input order.
    pub fn place_all(&self, geometries: &[&Geometry<f64>]) -> Vec<Option<TerritoryCode>> {
        crate::parallel::map(geometries, |g| self.place(g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::Level;
    use geo::{LineString, Polygon, polygon};

    fn code(s: &str) -> TerritoryCode {
        TerritoryCode::parse(Level::Parish, s).unwrap()
    }

    fn index() -> BoundaryIndex {
        // Two squares sharing the edge x = 1; the first with a hole; a
        // third parish made of two islands.
        let with_hole = Polygon::new(
            LineString::from(vec![
                (0.0, 0.0),
                (1.0, 0.0),
                (1.0, 1.0),
                (0.0, 1.0),
                (0.0, 0.0),
            ]),
            vec![LineString::from(vec![
                (0.4, 0.4),
                (0.6, 0.4),
                (0.6, 0.6),
                (0.4, 0.6),
                (0.4, 0.4),
            ])],
        );
        let right =
            polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)];
        let island_a = polygon![(x: 5.0, y: 5.0), (x: 6.0, y: 5.0), (x: 6.0, y: 6.0)];
        let island_b = polygon![(x: 8.0, y: 8.0), (x: 9.0, y: 8.0), (x: 9.0, y: 9.0)];
        BoundaryIndex::build([
            (code("010102"), MultiPolygon(vec![right])),
            (code("010101"), MultiPolygon(vec![with_hole])),
            (code("010103"), MultiPolygon(vec![island_a, island_b])),
        ])
    }

    #[test]
    fn points_are_located_inside_on_shared_edges_in_holes_and_on_islands() {
        let index = index();
        assert_eq!(index.locate(Point::new(0.2, 0.2)), Some(code("010101")));
        assert_eq!(index.locate(Point::new(1.5, 0.5)), Some(code("010102")));
        // On the shared edge: the smaller code, every time.
        assert_eq!(index.locate(Point::new(1.0, 0.5)), Some(code("010101")));
        // In the hole: no parish.
        assert_eq!(index.locate(Point::new(0.5, 0.5)), None);
        // On the second island of a MultiPolygon.
        assert_eq!(index.locate(Point::new(8.9, 8.1)), Some(code("010103")));
        // Outside everything.
        assert_eq!(index.locate(Point::new(3.0, 3.0)), None);
    }

    #[test]
    fn lines_and_polygons_are_placed_by_a_point_inside_them() {
        let index = index();
        let line = Geometry::LineString(LineString::from(vec![(1.2, 0.5), (1.8, 0.5)]));
        assert_eq!(index.place(&line), Some(code("010102")));
        let area =
            Geometry::Polygon(polygon![(x: 0.05, y: 0.05), (x: 0.3, y: 0.05), (x: 0.3, y: 0.3)]);
        assert_eq!(index.place(&area), Some(code("010101")));
    }
}
