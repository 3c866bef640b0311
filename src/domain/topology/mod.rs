//! Topology-preserving simplification of a coverage: polygons that share
//! borders (a level of territories) simplified so that neighbours never gap
//! or overlap and every polygon stays valid.
//!
//! One concern a file:
//! - `build`: the rings of every shape cut into arcs at junctions (vertices
//!   where more than two edges meet), each border shared by two shapes kept
//!   once ([`Topology::build`]);
//! - `simplify`: each arc simplified once (Douglas–Peucker, its endpoints
//!   fixed), as the indices of the original vertices it keeps;
//! - `repair`: the simplified arcs checked against each other and refined
//!   (an original vertex put back) until no segment crosses or touches
//!   another away from a shared vertex and no vertex has changed side of a
//!   simplified border;
//! - `assemble`: each shape's rings put back together from its arcs, and
//!   unions of groups of shapes (municipalities from their parishes) from the
//!   arcs that are not internal to the group.
//!
//! # Shared borders
//! Two rings share a border where they have the same vertices, bit for bit
//! (after `-0.0` is read as `0.0`). Borders whose vertices do not match are
//! separate arcs: each is simplified on its own, and the repair keeps them
//! from crossing each other, so a sliver gap or overlap in the data stays a
//! sliver of the same kind instead of growing into crossed borders.
//!
//! # Guarantees
//! For a valid coverage (valid polygons whose interiors do not overlap), at
//! any tolerance: every simplified polygon is valid, neighbours share the same
//! simplified border (no gap, no overlap), a ring never collapses (a ring
//! that would is given back original vertices), and no island, hole or
//! enclave is dropped or moves across a border. Refinement only puts back
//! original vertices, so at worst a shape keeps its full detail.
//!
//! # Units
//! Coordinates are `[longitude, latitude]` degrees; the tolerance is in the
//! same units (planar, as a web map draws them).

mod assemble;
mod build;
mod repair;
mod simplify;
#[cfg(test)]
mod tests;

pub use build::Topology;
pub use simplify::Simplification;
