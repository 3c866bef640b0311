//! What the trees hold: a leaf per priority, carrying the fields most
//! filters look at, and the extent of each node, which knows how many
//! priorities lie below it and their smallest row key.

use geo::{Coord, CoordsIter, Geometry, Point};
use rstar::{AABB, Envelope, RTreeObject};

use crate::domain::codes::TerritoryCode;
use crate::domain::priority::{Category, Placement, Status};
use crate::domain::time::Micros;

/// An R-tree leaf: a feature's bounding box, its row key, and the fields
/// most filters look at, so a point's leaf answers a map's query (where,
/// what category, which status…) without reading its entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    pub envelope: AABB<[f64; 2]>,
    pub pk: i64,
    /// Where its entry is kept (see [`crate::index::priorities::entries`]).
    pub slot: u32,
    pub facets: Facets,
    /// The cosine of the box's southern latitude: for a point, the factor of
    /// haversine that depends on the point alone, computed once here instead
    /// of in every circle query that looks at the point.
    pub cos_lat: f64,
}

/// The fields of an entry that filters compare, small enough to copy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Facets {
    pub parish: TerritoryCode,
    pub category: Category,
    pub status: Status,
    pub placement: Placement,
    pub created_at: Micros,
}

impl Leaf {
    /// A leaf for a feature with this box.
    pub fn new(envelope: AABB<[f64; 2]>, pk: i64, slot: u32, facets: Facets) -> Self {
        Leaf {
            envelope,
            pk,
            slot,
            facets,
            cos_lat: cos_of_latitude(envelope.lower()[1]),
        }
    }

    /// The location, when the feature is a single point (its box has no size).
    pub fn point(&self) -> Option<Point<f64>> {
        let [x, y] = self.envelope.lower();
        (self.envelope.lower() == self.envelope.upper()).then(|| Point::new(x, y))
    }

    /// The location with its latitude's cosine, when the feature is a point.
    pub fn spot(&self) -> Option<Spot> {
        self.point().map(|point| Spot {
            point,
            cos_lat: self.cos_lat,
        })
    }
}

/// A point and the cosine of its latitude, as a circle measures it.
#[derive(Debug, Clone, Copy)]
pub struct Spot {
    pub point: Point<f64>,
    pub cos_lat: f64,
}

// Leaves carry their cosine; the tests make spots of any point.
#[cfg(test)]
impl Spot {
    pub fn new(point: Point<f64>) -> Self {
        Spot {
            point,
            cos_lat: cos_of_latitude(point.y()),
        }
    }
}

/// The cosine of a latitude in degrees, computed as geo's haversine does,
/// so that distances from it are geo's to the last bit.
pub(super) fn cos_of_latitude(degrees: f64) -> f64 {
    degrees.to_radians().cos()
}

impl RTreeObject for Leaf {
    type Envelope = Extent;
    fn envelope(&self) -> Extent {
        Extent {
            rect: self.envelope,
            count: 1,
            min_pk: self.pk,
        }
    }
}

/// A node's box together with what lies below it: how many priorities and
/// the smallest row key.
///
/// rstar builds a node's envelope by merging its children's, each element
/// into each of its ancestors exactly once (rstar's own test
/// `test_envelopes_merge_every_element_once` holds it to that with a
/// counting envelope like this one, and ours checks counts after inserts and
/// removals), and recomputes it from the children after a removal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub rect: AABB<[f64; 2]>,
    pub count: usize,
    pub min_pk: i64,
}

impl Extent {
    /// A query box: no content of its own.
    pub fn query(rect: AABB<[f64; 2]>) -> Self {
        Extent {
            rect,
            count: 0,
            min_pk: i64::MAX,
        }
    }
}

impl Envelope for Extent {
    type Point = [f64; 2];

    fn new_empty() -> Self {
        Extent::query(AABB::new_empty())
    }
    fn contains_point(&self, point: &[f64; 2]) -> bool {
        self.rect.contains_point(point)
    }
    fn contains_envelope(&self, other: &Self) -> bool {
        self.rect.contains_envelope(&other.rect)
    }
    fn merge(&mut self, other: &Self) {
        self.rect.merge(&other.rect);
        self.count += other.count;
        self.min_pk = self.min_pk.min(other.min_pk);
    }
    fn merged(&self, other: &Self) -> Self {
        let mut merged = *self;
        merged.merge(other);
        merged
    }
    fn intersects(&self, other: &Self) -> bool {
        self.rect.intersects(&other.rect)
    }
    fn intersection_area(&self, other: &Self) -> f64 {
        self.rect.intersection_area(&other.rect)
    }
    fn area(&self) -> f64 {
        self.rect.area()
    }
    fn distance_2(&self, point: &[f64; 2]) -> f64 {
        self.rect.distance_2(point)
    }
    fn min_max_dist_2(&self, point: &[f64; 2]) -> f64 {
        self.rect.min_max_dist_2(point)
    }
    fn center(&self) -> [f64; 2] {
        self.rect.center()
    }
    fn perimeter_value(&self) -> f64 {
        self.rect.perimeter_value()
    }
    fn sort_envelopes<T: RTreeObject<Envelope = Self>>(axis: usize, envelopes: &mut [T]) {
        envelopes.sort_unstable_by(|a, b| lower(a, axis).total_cmp(&lower(b, axis)));
    }
    fn partition_envelopes<T: RTreeObject<Envelope = Self>>(
        axis: usize,
        envelopes: &mut [T],
        selection_size: usize,
    ) {
        envelopes.select_nth_unstable_by(selection_size, |a, b| {
            lower(a, axis).total_cmp(&lower(b, axis))
        });
    }
}

fn lower<T: RTreeObject<Envelope = Extent>>(object: &T, axis: usize) -> f64 {
    object.envelope().rect.lower()[axis]
}

/// The box of a geometry's vertices, every ring's: the box of its leaf.
/// (geo's `bounding_rect` of a polygon is its exterior's, which a hole
/// that strays outside the exterior would leave, and distances and bounds
/// reach every ring.)
pub fn envelope_of(geometry: &Geometry<f64>) -> AABB<[f64; 2]> {
    let mut coords = geometry.coords_iter();
    // Validated geometries are never empty, so they always have a vertex.
    let first = coords.next().unwrap_or(Coord { x: 0.0, y: 0.0 });
    let (min, max) = coords.fold((first, first), |(lo, hi), c| {
        (
            Coord {
                x: lo.x.min(c.x),
                y: lo.y.min(c.y),
            },
            Coord {
                x: hi.x.max(c.x),
                y: hi.y.max(c.y),
            },
        )
    });
    AABB::from_corners([min.x, min.y], [max.x, max.y])
}
