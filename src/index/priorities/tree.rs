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

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use geo::{BoundingRect, Geometry, Intersects, Line, LinesIter, Point, Rect};
use rstar::{
    AABB, Envelope, ParentNode, RStarInsertionStrategy, RTreeNode, RTreeObject, RTreeParams,
};

use crate::domain::codes::TerritoryCode;
use crate::domain::priority::{Category, Placement, Status};
use crate::domain::time::Micros;

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

/// Every priority's leaf, in two R-trees: single points (85 % of them) in
/// one, lines, polygons and multi-points in the other. A line's box is
/// hundreds of metres wide while points lie metres apart in a city; mixed in
/// one tree, nodes holding a line are as wide as it, and every query's edge
/// cuts through many of them. Apart, the points' nodes stay as tight as the
/// points are dense.
///
/// The points are themselves split at a longitude into two trees, so that
/// start-up bulk-loads the three trees at once on every core (a million
/// leaves took ≈ 0.9 s on one); a query walks all three from their roots.
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

/// An R-tree leaf: a feature's bounding box, its row key, and the fields
/// most filters look at, so a point's leaf answers a map's query (where,
/// what category, which status…) without reading its entry.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Leaf {
    pub envelope: AABB<[f64; 2]>,
    pub pk: i64,
    /// Where its entry is kept (see [`super::entries`]).
    pub slot: u32,
    pub facets: Facets,
    /// The cosine of the box's southern latitude: for a point, the factor of
    /// haversine that depends on the point alone, computed once here instead
    /// of in every circle query that looks at the point.
    pub cos_lat: f64,
}

/// The fields of an entry that filters compare, small enough to copy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Facets {
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
pub(super) struct Spot {
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
fn cos_of_latitude(degrees: f64) -> f64 {
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
pub(super) struct Extent {
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

/// The box of a geometry's vertices: the box of its leaf.
pub(super) fn envelope_of(geometry: &Geometry<f64>) -> AABB<[f64; 2]> {
    // Validated geometries are never empty, so they always have a box.
    let rect = geometry
        .bounding_rect()
        .unwrap_or_else(|| Rect::new((0.0, 0.0), (0.0, 0.0)));
    AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y])
}

/// A circle query on the sphere [`crate::domain::geometry::distance_m`]
/// measures on, with what its walks need precomputed.
///
/// Haversine's distance is `2R·asin(√a)` with `a = sin²(Δφ/2) + cos φ₁ ·
/// cos φ₂ · sin²(Δλ/2)`, which grows with the distance: nodes are compared
/// with the radius through bounds of `a` over their box, each of its three
/// factors bounded on its own, and a point through `a` unless it lies within
/// rounding of the edge, where the very distance a scan computes decides.
///
/// Sines and cosines were half of a 5 km circle's time at 1,000,000
/// priorities (four per node on the edge, two per point), so both tests
/// first bound `a` by polynomials (`y²·(1 − y²/3) ≤ sin² y ≤ y²`, and the
/// cosine of a latitude within `D` of the centre's within `cos φ·(1 − D²/2)
/// − |sin φ|·D … cos φ + |sin φ|·D`), which decide all but what lies within
/// a hair of the edge; only that is measured with the trigonometry.
pub(super) struct Circle {
    center: Point<f64>,
    radius_m: f64,
    /// The cosine of the centre's latitude.
    cos_lat: f64,
    /// The absolute sine of the centre's latitude.
    sin_lat: f64,
    /// `a` at the radius.
    a_radius: f64,
}

/// Relative margin within which `a` is too close to call.
const A_MARGIN: f64 = 1e-9;

/// Relative margin for the rounding of the polynomial bounds: a few
/// operations, each off by half an ulp (1.1e-16).
const ROUNDING: f64 = 1e-12;

/// Lower and upper bounds of `sin²(radians / 2)`, without a sine:
/// `y − y³/6 ≤ sin y ≤ y` for `y ≥ 0` gives `y²·(1 − y²/3) ≤ sin² y ≤ y²`.
fn half_sin2_bounds(radians: f64) -> (f64, f64) {
    let y = radians / 2.0;
    let y2 = y * y;
    (y2 * (1.0 - y2 / 3.0).max(0.0), y2)
}

/// The offset of longitude `x` from `lon`, in [-180, 180) (both are within
/// [-180, 180]).
fn lon_offset(x: f64, lon: f64) -> f64 {
    match x - lon {
        d if d >= 180.0 => d - 360.0,
        d if d < -180.0 => d + 360.0,
        d => d,
    }
}

/// Ranges holding the lowest and the highest `a` of a box.
struct QuickBounds {
    low: (f64, f64),
    high: (f64, f64),
}

/// How a box lies from the centre, in degrees: the least and greatest
/// latitude and longitude offsets of its points, and its latitudes.
struct Offsets {
    lat_gap: f64,
    lat_span: f64,
    lon_gap: f64,
    lon_span: f64,
    south: f64,
    north: f64,
}

impl Circle {
    pub fn new(center: Point<f64>, radius_m: f64) -> Self {
        let half_angle = (radius_m / EARTH_RADIUS_M / 2.0).min(std::f64::consts::FRAC_PI_2);
        Circle {
            center,
            radius_m,
            cos_lat: cos_of_latitude(center.y()),
            sin_lat: center.y().to_radians().sin().abs(),
            a_radius: half_angle.sin().powi(2),
        }
    }

    fn offsets(&self, rect: &AABB<[f64; 2]>) -> Offsets {
        let [west, south] = rect.lower();
        let [east, north] = rect.upper();
        let (lon, lat) = (self.center.x(), self.center.y());
        let offset = |x: f64| lon_offset(x, lon);
        let (to_west, width) = (offset(west), east - west);
        let lon_gap = if (west..=east).contains(&lon) {
            0.0
        } else {
            to_west.abs().min(offset(east).abs())
        };
        // The widest offset: half a turn when the box reaches round to the
        // centre's far side, else that of one of its sides.
        let lon_span = if to_west + width >= 180.0 {
            180.0
        } else {
            to_west.abs().max((to_west + width).abs())
        };
        Offsets {
            lat_gap: (south - lat).max(lat - north).max(0.0),
            lat_span: (north - lat).abs().max((lat - south).abs()),
            lon_gap,
            lon_span,
            south,
            north,
        }
    }

    /// The lowest and highest `a` of any point of a box, by its offsets.
    fn a_bounds(&self, o: &Offsets) -> (f64, f64) {
        let (cos_south, cos_north) = (o.south.to_radians().cos(), o.north.to_radians().cos());
        let cos_low = cos_south.min(cos_north).max(0.0);
        let cos_high = if o.south <= 0.0 && o.north >= 0.0 {
            1.0
        } else {
            cos_south.max(cos_north)
        };
        let half_sin2 = |degrees: f64| (degrees.to_radians() / 2.0).sin().powi(2);
        let low = half_sin2(o.lat_gap) + self.cos_lat * cos_low * half_sin2(o.lon_gap);
        let high = half_sin2(o.lat_span) + self.cos_lat * cos_high * half_sin2(o.lon_span);
        (low, high)
    }

    /// Looser bounds of the same `a`, by polynomials alone: the lowest `a`
    /// of the box lies in `low`, the highest in `high`. The upper end of
    /// `low` and the lower end of `high` also bound what [`Self::a_bounds`]
    /// would say, so they tell when its sines would not decide either.
    fn a_bounds_quick(&self, o: &Offsets) -> QuickBounds {
        let reach = o.lat_span.to_radians();
        let cos_low = (self.cos_lat * (1.0 - reach * reach / 2.0) - self.sin_lat * reach).max(0.0);
        let cos_high = (self.cos_lat + self.sin_lat * reach).min(1.0);
        let lat_gap = half_sin2_bounds(o.lat_gap.to_radians());
        let lon_gap = half_sin2_bounds(o.lon_gap.to_radians());
        let lat_span = half_sin2_bounds(o.lat_span.to_radians());
        let lon_span = half_sin2_bounds(o.lon_span.to_radians());
        QuickBounds {
            low: (
                (lat_gap.0 + self.cos_lat * cos_low * lon_gap.0) * (1.0 - ROUNDING),
                (lat_gap.1 + self.cos_lat * cos_high * lon_gap.1) * (1.0 + ROUNDING),
            ),
            high: (
                (lat_span.0 + self.cos_lat * cos_low * lon_span.0) * (1.0 - ROUNDING),
                (lat_span.1 + self.cos_lat * cos_high * lon_span.1) * (1.0 + ROUNDING),
            ),
        }
    }

    /// Whether `rect` lies wholly outside the circle, wholly inside, or
    /// across its edge. The polynomial bounds decide; the sines are spent
    /// only when they might decide what the polynomials could not.
    pub fn reach(&self, rect: &AABB<[f64; 2]>) -> Reach {
        let offsets = self.offsets(rect);
        let quick = self.a_bounds_quick(&offsets);
        match self.classify((quick.low.0, quick.high.1)) {
            Reach::Partly
                if quick.low.1 > self.a_radius * (1.0 + A_MARGIN)
                    || quick.high.0 < self.a_radius * (1.0 - A_MARGIN) =>
            {
                self.classify(self.a_bounds(&offsets))
            }
            decided => decided,
        }
    }

    fn classify(&self, (low, high): (f64, f64)) -> Reach {
        if low > self.a_radius * (1.0 + A_MARGIN) {
            Reach::Outside
        } else if high < self.a_radius * (1.0 - A_MARGIN) {
            Reach::Inside
        } else {
            Reach::Partly
        }
    }

    /// A distance in metres no larger than that of any point of `rect`, nor
    /// of any arc between vertices in it: great-circle edges bow out of the
    /// box of their vertices by at most Δλ²/16 radians for a longitude span
    /// Δλ (no more than the box's own), and the bound is lowered by four
    /// times that. `a`'s lower bound is the polynomials': a best-first page
    /// computes this for every node it queues, and the sines' bound, barely
    /// tighter, made a 1 km circle's page 9 % slower.
    pub fn nearest_m(&self, rect: &AABB<[f64; 2]>) -> f64 {
        let low = self.a_bounds_quick(&self.offsets(rect)).low.0;
        let d = 2.0 * EARTH_RADIUS_M * low.min(1.0).sqrt().asin();
        let span = (rect.upper()[0] - rect.lower()[0]).to_radians();
        let bow = EARTH_RADIUS_M * span * span / 4.0;
        (d * (1.0 - 1e-9) - 1e-6 - bow).max(0.0)
    }

    /// Haversine's `a` for a point: the very operations of geo's
    /// `Haversine::distance` (the cosines' product commutes exactly), so
    /// distances from it equal `distance_m`'s to the last bit.
    fn a_of(&self, spot: Spot) -> f64 {
        let half_sin2 = |radians: f64| (radians / 2.0).sin().powi(2);
        half_sin2((spot.point.y() - self.center.y()).to_radians())
            + self.cos_lat
                * spot.cos_lat
                * half_sin2((spot.point.x() - self.center.x()).to_radians())
    }

    /// Where a point surely lies by the polynomial bounds of its `a`:
    /// `Inside` and `Outside` are what [`Self::a_of`] would say beyond the
    /// margin, `Partly` that it takes the sines to tell.
    fn quick(&self, spot: Spot) -> Reach {
        let (lat_low, lat_high) = half_sin2_bounds((spot.point.y() - self.center.y()).to_radians());
        // sin²(Δλ/2) has a period of a whole turn, so the shorter way round
        // gives the same `a` and keeps the polynomials' angle small.
        let lon = lon_offset(spot.point.x(), self.center.x());
        let (lon_low, lon_high) = half_sin2_bounds(lon.to_radians());
        let cosines = self.cos_lat * spot.cos_lat;
        let low = (lat_low + cosines * lon_low) * (1.0 - ROUNDING);
        let high = (lat_high + cosines * lon_high) * (1.0 + ROUNDING);
        self.classify((low, high))
    }

    /// Haversine's distance for its `a`, as geo computes it.
    fn metres(a: f64) -> f64 {
        EARTH_RADIUS_M * (2.0 * a.sqrt().asin())
    }

    /// Whether a point lies inside the circle by more than rounding: the
    /// box of the point alone, so that its latitude's cosine is bounded
    /// rather than computed (a line's vertices have none precomputed).
    pub fn surely_holds(&self, point: Point<f64>) -> bool {
        let at = [point.x(), point.y()];
        matches!(self.reach(&AABB::from_corners(at, at)), Reach::Inside)
    }

    /// Whether no part of a line or polygon comes within the radius: no area
    /// of it holds the centre, and the box of every edge, widened for the
    /// arc's bow, lies outside. `false` when that is not sure.
    pub fn surely_misses(&self, geometry: &Geometry<f64>) -> bool {
        match geometry {
            Geometry::Polygon(_) | Geometry::MultiPolygon(_)
                if geometry.intersects(&self.center) =>
            {
                false
            }
            Geometry::LineString(g) => g.lines_iter().all(|line| self.edge_misses(line)),
            Geometry::MultiLineString(g) => g.lines_iter().all(|line| self.edge_misses(line)),
            Geometry::Polygon(g) => g.lines_iter().all(|line| self.edge_misses(line)),
            Geometry::MultiPolygon(g) => g.lines_iter().all(|line| self.edge_misses(line)),
            _ => false,
        }
    }

    /// Whether the box of an edge, widened for the arc's bow, lies outside.
    fn edge_misses(&self, line: Line<f64>) -> bool {
        let (a, b) = (line.start, line.end);
        let span = (a.x - b.x).abs().to_radians();
        let bow = (span * span / 4.0).to_degrees() + 1e-9;
        let rect = AABB::from_corners(
            [a.x.min(b.x), a.y.min(b.y) - bow],
            [a.x.max(b.x), a.y.max(b.y) + bow],
        );
        matches!(self.reach(&rect), Reach::Outside)
    }

    /// Whether a point lies within the circle, exactly as a scan decides it.
    pub fn holds(&self, spot: Spot) -> bool {
        match self.quick(spot) {
            Reach::Inside => return true,
            Reach::Outside => return false,
            Reach::Partly => {}
        }
        let a = self.a_of(spot);
        if a < self.a_radius * (1.0 - A_MARGIN) {
            true
        } else if a > self.a_radius * (1.0 + A_MARGIN) {
            false
        } else {
            Self::metres(a) <= self.radius_m
        }
    }

    /// A point's distance from the centre when it lies within the circle;
    /// the sines are spent only on points that are not surely out.
    pub fn distance_within(&self, spot: Spot) -> Option<f64> {
        if matches!(self.quick(spot), Reach::Outside) {
            return None;
        }
        let a = self.a_of(spot);
        if a > self.a_radius * (1.0 + A_MARGIN) {
            return None;
        }
        let d = Self::metres(a);
        (d <= self.radius_m).then_some(d)
    }
}

/// The radius of the sphere geo's `Haversine` measures on, in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// How a walk treats a node: skip it, take all it holds without looking, or
/// look inside.
pub(super) enum Reach {
    Outside,
    Inside,
    Partly,
}

/// Counts the leaves of the trees of `roots` that `matches`, taking nodes that `reach`
/// says are wholly inside by their count; and when they are at most `cap`,
/// returns them too with their keys (`leaf_key`, which must agree with
/// `matches`), which for a small result is cheaper than a second, best-first
/// walk.
pub(super) fn survey<'a, K>(
    roots: &[&'a ParentNode<Leaf>],
    cap: usize,
    reach: impl Fn(&Extent) -> Reach,
    matches: impl Fn(&Leaf) -> bool,
    leaf_key: impl Fn(&Leaf) -> Option<K>,
) -> (usize, Option<Vec<(K, &'a Leaf)>>) {
    let mut total = 0;
    // The matching leaves seen one by one, kept while the total is small.
    let mut seen = Some(Vec::new());
    let mut inside = Vec::new();
    let mut stack = Vec::new();
    // Files a node: skipped, counted whole (and kept to list its leaves), or
    // to be looked into.
    let mut file = |node, total: &mut usize, stack: &mut Vec<_>| {
        let extent = ParentNode::envelope(node);
        match reach(&extent) {
            Reach::Outside => {}
            Reach::Inside => {
                *total += extent.count;
                inside.push(node);
            }
            Reach::Partly => stack.push(node),
        }
    };
    for &root in roots {
        file(root, &mut total, &mut stack);
    }
    while let Some(node) = stack.pop() {
        for child in node.children() {
            match child {
                RTreeNode::Leaf(leaf) => {
                    if matches(leaf) {
                        total += 1;
                        if let Some(seen) = &mut seen {
                            seen.push(leaf);
                        }
                    }
                }
                RTreeNode::Parent(parent) => file(parent, &mut total, &mut stack),
            }
        }
        if total > cap {
            seen = None;
        }
    }
    let Some(mut seen) = seen.filter(|_| total <= cap) else {
        return (total, None);
    };
    while let Some(node) = inside.pop() {
        for child in node.children() {
            match child {
                RTreeNode::Leaf(leaf) => seen.push(leaf),
                RTreeNode::Parent(parent) => inside.push(parent),
            }
        }
    }
    let keyed = seen
        .into_iter()
        .filter_map(|leaf| Some((leaf_key(leaf)?, leaf)))
        .collect();
    (total, Some(keyed))
}

/// What a best-first walk learns of a leaf: that it matches with this key,
/// or only that its key is at least this much (when the exact key is dear,
/// as the distance to a line: it is computed if the walk gets that far).
pub(super) enum LeafKey<K> {
    Exact(K),
    AtLeast(K),
}

/// The first `wanted` leaves of the trees of `roots` in the order of `(key, row key)`,
/// with their keys, found best-first: `node_key` gives a node a key no
/// larger than any of its leaves' (or `None` to skip it), `leaf_key` what
/// is known of a leaf's key when it may match, and `exact_key` its key when
/// it matches, for leaves first known by a bound.
pub(super) fn first<'a, K: Ord + Copy>(
    roots: &[&'a ParentNode<Leaf>],
    wanted: usize,
    node_key: impl Fn(&Extent) -> Option<K>,
    leaf_key: impl Fn(&Leaf) -> Option<LeafKey<K>>,
    exact_key: impl Fn(&Leaf) -> Option<K>,
) -> Vec<(K, &'a Leaf)> {
    let mut found = Vec::with_capacity(wanted.min(4096));
    let mut heap = BinaryHeap::new();
    if wanted == 0 {
        return found;
    }
    for &root in roots {
        if let Some(key) = node_key(&root.envelope()) {
            heap.push(Queued::new(key, i64::MIN, Open::Node(root)));
        }
    }
    while let Some(next) = heap.pop() {
        let node = match next.open {
            Open::Found(leaf) => {
                found.push((next.key, leaf));
                if found.len() == wanted {
                    break;
                }
                continue;
            }
            Open::Leaf(leaf) => {
                if let Some(key) = exact_key(leaf) {
                    heap.push(Queued::new(key, leaf.pk, Open::Found(leaf)));
                }
                continue;
            }
            Open::Node(node) => node,
        };
        for child in node.children() {
            match child {
                RTreeNode::Leaf(leaf) => match leaf_key(leaf) {
                    Some(LeafKey::Exact(key)) => {
                        heap.push(Queued::new(key, leaf.pk, Open::Found(leaf)));
                    }
                    Some(LeafKey::AtLeast(key)) => {
                        heap.push(Queued::new(key, leaf.pk, Open::Leaf(leaf)));
                    }
                    None => {}
                },
                RTreeNode::Parent(parent) => {
                    if let Some(key) = node_key(&parent.envelope()) {
                        heap.push(Queued::new(key, i64::MIN, Open::Node(parent)));
                    }
                }
            }
        }
    }
    found
}

/// An entry of the best-first heap: a node or a leaf to look into, or a
/// leaf found. At an equal key what is to be looked into comes first, since
/// it may hold a leaf of that key with a smaller row key.
struct Queued<'a, K> {
    key: K,
    pk: i64,
    open: Open<'a>,
}

enum Open<'a> {
    Node(&'a ParentNode<Leaf>),
    Leaf(&'a Leaf),
    Found(&'a Leaf),
}

impl<'a, K: Ord> Queued<'a, K> {
    fn new(key: K, pk: i64, open: Open<'a>) -> Self {
        Queued { key, pk, open }
    }
    fn order(&self) -> (&K, bool, i64) {
        (&self.key, matches!(self.open, Open::Found(_)), self.pk)
    }
}

impl<K: Ord> Ord for Queued<'_, K> {
    /// Reversed, so the max-heap pops the smallest first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.order().cmp(&self.order())
    }
}

impl<K: Ord> PartialOrd for Queued<'_, K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K: Ord> PartialEq for Queued<'_, K> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<K: Ord> Eq for Queued<'_, K> {}

/// A distance in metres, ordered totally (never NaN here).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Metres(pub f64);

impl Eq for Metres {}

impl Ord for Metres {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl PartialOrd for Metres {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geometry::distance_m;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

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

    /// For random circles and boxes, of every size and anywhere: a box said
    /// to be outside holds no point within the radius, one said inside holds
    /// no point beyond it, the nearest bound is below every point's distance,
    /// and `holds` decides as the distance does (checked on points sampled on
    /// each box's edges and inside, where the extremes lie).
    #[test]
    fn circle_bounds_hold_for_every_point_of_a_box() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (mut outside, mut inside) = (0, 0);
        for _ in 0..3_000 {
            let center = Point::new(
                rng.random_range(-180.0..180.0),
                rng.random_range(-89.0..89.0),
            );
            let size: f64 = [0.001, 0.1, 2.0, 40.0, 200.0][rng.random_range(0..5)];
            let (w, h) = (size, (size * 0.7).min(179.0));
            let west = rng.random_range(-180.0..180.0 - w);
            let south = rng.random_range(-90.0..90.0 - h);
            let rect = AABB::from_corners([west, south], [west + w, south + h]);
            let corner = Point::new(west, south);
            let radius = distance_m(&Geometry::Point(corner), center) * rng.random_range(0.5..1.5);
            let circle = Circle::new(center, radius);
            let reach = circle.reach(&rect);
            let nearest = circle.nearest_m(&rect);
            for i in 0..=20 {
                for j in 0..=20 {
                    let p = Point::new(
                        west + w * f64::from(i) / 20.0,
                        south + h * f64::from(j) / 20.0,
                    );
                    let d = distance_m(&Geometry::Point(p), center);
                    assert_eq!(
                        Circle::metres(circle.a_of(Spot::new(p))).to_bits(),
                        d.to_bits()
                    );
                    assert_eq!(
                        circle.distance_within(Spot::new(p)),
                        (d <= radius).then_some(d)
                    );
                    assert!(
                        nearest <= d,
                        "{center:?} {rect:?}: {p:?} at {d}, nearest {nearest}"
                    );
                    assert_eq!(circle.holds(Spot::new(p)), d <= radius);
                    match reach {
                        Reach::Outside => {
                            assert!(d > radius, "{center:?} {rect:?} r {radius}: {p:?} at {d}")
                        }
                        Reach::Inside => {
                            assert!(d <= radius, "{center:?} {rect:?} r {radius}: {p:?} at {d}")
                        }
                        Reach::Partly => {}
                    }
                }
            }
            outside += usize::from(matches!(reach, Reach::Outside));
            inside += usize::from(matches!(reach, Reach::Inside));
        }
        // Both shortcuts are taken, not only the safe "look inside".
        assert!(
            outside > 300 && inside > 300,
            "{outside} outside, {inside} inside"
        );
    }

    /// The polynomial bounds of `a` hold for every point of a box and for
    /// single points, anywhere and at every scale, bracket the bounds by
    /// sines, and decide what lies
    /// clearly in or out: a circle of up to 100 km leaves to the sines only
    /// points within 1 % of its radius.
    #[test]
    fn polynomial_bounds_hold_and_decide_all_but_the_edge() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut undecided_far = 0;
        for _ in 0..3_000 {
            let center = Point::new(
                rng.random_range(-180.0..180.0),
                rng.random_range(-89.0..89.0),
            );
            let size: f64 = [0.0001, 0.01, 0.5, 10.0, 120.0][rng.random_range(0..5)];
            let (w, h) = (size, (size * 0.6).min(179.0));
            let west = rng.random_range(-180.0..180.0 - w);
            let south = rng.random_range(-90.0..90.0 - h);
            let rect = AABB::from_corners([west, south], [west + w, south + h]);
            let radius = rng.random_range(1.0..100_000.0);
            let circle = Circle::new(center, radius);
            let offsets = circle.offsets(&rect);
            let quick = circle.a_bounds_quick(&offsets);
            let (low, high) = (quick.low.0, quick.high.1);
            // What the sines would say lies where `reach` assumes.
            let (exact_low, exact_high) = circle.a_bounds(&offsets);
            assert!(exact_low <= quick.low.1 && exact_high >= quick.high.0);
            for i in 0..=10 {
                for j in 0..=10 {
                    let p = Point::new(
                        west + w * f64::from(i) / 10.0,
                        south + h * f64::from(j) / 10.0,
                    );
                    let a = circle.a_of(Spot::new(p));
                    assert!(
                        low <= a && a <= high,
                        "{center:?} {rect:?}: {p:?} a {a} not in [{low}, {high}]"
                    );
                    let d = distance_m(&Geometry::Point(p), center);
                    match circle.quick(Spot::new(p)) {
                        Reach::Inside => assert!(a < circle.a_radius * (1.0 - A_MARGIN)),
                        Reach::Outside => assert!(a > circle.a_radius * (1.0 + A_MARGIN)),
                        Reach::Partly => {
                            undecided_far += usize::from(d < radius * 0.99 || d > radius * 1.01)
                        }
                    }
                }
            }
        }
        assert_eq!(
            undecided_far, 0,
            "points far from the edge left to the sines"
        );
    }

    /// Points at a hair's breadth from the radius, on either side and on it,
    /// are decided and measured exactly as a scan's distance says.
    #[test]
    fn points_at_the_edge_are_decided_as_the_distance_says() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        for _ in 0..20_000 {
            let center = Point::new(
                rng.random_range(-180.0..180.0),
                rng.random_range(-89.0..89.0),
            );
            let reach: f64 = [1e-5, 1e-3, 0.05, 1.0, 30.0][rng.random_range(0..5)];
            let p = Point::new(
                (center.x() + rng.random_range(-reach..reach)).clamp(-180.0, 180.0),
                (center.y() + rng.random_range(-reach..reach)).clamp(-90.0, 90.0),
            );
            let d = distance_m(&Geometry::Point(p), center);
            let nudge: f64 = [0.0, 1e-15, 1e-12, 1e-10, 1e-9, 2e-9, 1e-7][rng.random_range(0..7)];
            for radius in [
                d,
                d.next_up(),
                d.next_down(),
                d * (1.0 + nudge),
                d * (1.0 - nudge),
            ] {
                let circle = Circle::new(center, radius);
                let spot = Spot::new(p);
                assert_eq!(
                    circle.holds(spot),
                    d <= radius,
                    "{center:?} {p:?} {d} {radius}"
                );
                assert_eq!(circle.distance_within(spot), (d <= radius).then_some(d));
                if circle.surely_holds(p) {
                    assert!(d <= radius);
                }
            }
        }
    }

    /// Near a small box the nearest bound is tight, within 0.01 % of the
    /// distance to the box's nearest point, so a best-first walk does not
    /// open nodes it need not.
    #[test]
    fn nearest_bound_is_reached_beside_a_box() {
        let rect = AABB::from_corners([-66.81, 10.4], [-66.8, 10.5]);
        let circle = Circle::new(Point::new(-66.7, 10.45), 1.0);
        let on_edge = (0..=1000)
            .map(|j| {
                let p = Point::new(-66.8, 10.4 + 0.1 * f64::from(j) / 1000.0);
                distance_m(&Geometry::Point(p), circle.center)
            })
            .fold(f64::INFINITY, f64::min);
        let nearest = circle.nearest_m(&rect);
        assert!(
            nearest <= on_edge && on_edge - nearest < on_edge * 1e-4,
            "{on_edge} vs {nearest}"
        );
    }
}
