//! Temporal relations between closed ranges of instants (an instant is a
//! range of one), as CQL2 defines them after Allen.

use super::expr::TemporalOp;
use crate::domain::time::Micros;

/// Whether `op` holds between `a` and `b`, each (first, last) microsecond.
pub fn relate(op: TemporalOp, a: (Micros, Micros), b: (Micros, Micros)) -> bool {
    let ((a0, a1), (b0, b1)) = (a, b);
    match op {
        TemporalOp::Before => a1 < b0,
        TemporalOp::After => a0 > b1,
        TemporalOp::Meets => a1 == b0,
        TemporalOp::MetBy => a0 == b1,
        TemporalOp::Overlaps => a0 < b0 && b0 < a1 && a1 < b1,
        TemporalOp::OverlappedBy => b0 < a0 && a0 < b1 && b1 < a1,
        TemporalOp::Starts => a0 == b0 && a1 < b1,
        TemporalOp::StartedBy => a0 == b0 && a1 > b1,
        TemporalOp::During => a0 > b0 && a1 < b1,
        TemporalOp::Contains => a0 < b0 && a1 > b1,
        TemporalOp::Finishes => a0 > b0 && a1 == b1,
        TemporalOp::FinishedBy => a0 < b0 && a1 == b1,
        TemporalOp::Equals => a0 == b0 && a1 == b1,
        TemporalOp::Disjoint => a1 < b0 || a0 > b1,
        TemporalOp::Intersects => a0 <= b1 && a1 >= b0,
    }
}
