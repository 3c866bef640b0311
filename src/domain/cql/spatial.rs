//! Spatial predicates, by the DE-9IM relation of the two geometries
//! (planar, on longitude/latitude degrees, as CQL2 and PostGIS's
//! `geometry` type define them).

use geo::{Geometry, Intersects, Relate};

use super::expr::SpatialOp;

/// Whether `op` holds between `a` and `b`.
pub fn relate(op: SpatialOp, a: &Geometry<f64>, b: &Geometry<f64>) -> bool {
    match op {
        SpatialOp::Intersects => a.intersects(b),
        SpatialOp::Disjoint => !a.intersects(b),
        _ => {
            let m = a.relate(b);
            match op {
                SpatialOp::Equals => m.is_equal_topo(),
                SpatialOp::Touches => m.is_touches(),
                SpatialOp::Within => m.is_within(),
                SpatialOp::Contains => m.is_contains(),
                SpatialOp::Overlaps => m.is_overlaps(),
                SpatialOp::Crosses => m.is_crosses(),
                SpatialOp::Intersects | SpatialOp::Disjoint => unreachable!(),
            }
        }
    }
}
