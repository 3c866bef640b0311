//! What a filter pins down that the index has structures for: the values a
//! queryable must take (`p = v`, `p IN (…)`), the area the geometry must
//! meet and the span the creation time must lie in. Each hint is implied by
//! the filter, so candidates found through it are a superset of the matches
//! and the filter is still checked on each.

use geo::{BoundingRect, Rect};

use super::Filter;
use super::expr::{CmpOp, Expr, Operand, Scalar, Shape, Span, SpatialOp, TemporalOp};
use crate::domain::time::Micros;

impl Filter {
    /// The text values the queryable at `position` must take, if a
    /// top-level condition lists them.
    pub fn pinned_values(&self, position: usize) -> Option<Vec<&str>> {
        self.conjuncts().iter().find_map(|c| match c {
            Expr::Compare(CmpOp::Eq, a, b) => {
                let (p, v) = property_and_literal(a, b)?;
                (p == position).then(|| vec![v])
            }
            Expr::In(Operand::Property(p), list) if *p == position => list
                .iter()
                .map(|o| match o {
                    Operand::Literal(Scalar::Text(t)) => Some(t.as_ref()),
                    _ => None,
                })
                .collect(),
            _ => None,
        })
    }

    /// A box the geometry must meet, if a top-level spatial condition says
    /// so (every predicate but `S_DISJOINT` needs the two to meet).
    pub fn pinned_area(&self) -> Option<Rect<f64>> {
        self.conjuncts().iter().find_map(|c| match c {
            Expr::Spatial(op, a, b) if *op != SpatialOp::Disjoint => match (a, b) {
                (Shape::Geometry, Shape::Literal(g)) | (Shape::Literal(g), Shape::Geometry) => {
                    g.bounding_rect()
                }
                _ => None,
            },
            _ => None,
        })
    }

    /// The closed span the instant queryable at `position` must lie in, as
    /// far as top-level comparisons and `T_` relations with literals say.
    pub fn pinned_span(&self, position: usize) -> Option<(Micros, Micros)> {
        let mut span: Option<(Micros, Micros)> = None;
        for c in self.conjuncts() {
            let Some((lo, hi)) = instant_bounds(c, position) else {
                continue;
            };
            let (a, b) = span.unwrap_or((Micros::MIN, Micros::MAX));
            span = Some((a.max(lo), b.min(hi)));
        }
        span
    }
}

fn property_and_literal<'e>(a: &'e Operand, b: &'e Operand) -> Option<(usize, &'e str)> {
    match (a, b) {
        (Operand::Property(p), Operand::Literal(Scalar::Text(t)))
        | (Operand::Literal(Scalar::Text(t)), Operand::Property(p)) => Some((*p, t.as_ref())),
        _ => None,
    }
}

/// The span one condition allows the property, when it bounds it.
fn instant_bounds(c: &Expr, position: usize) -> Option<(Micros, Micros)> {
    match c {
        Expr::Compare(op, Operand::Property(p), Operand::Literal(Scalar::Instant(t)))
            if *p == position =>
        {
            match op {
                CmpOp::Eq => Some((*t, *t)),
                CmpOp::Ge | CmpOp::Gt => Some((*t, Micros::MAX)),
                CmpOp::Le | CmpOp::Lt => Some((Micros::MIN, *t)),
                CmpOp::Ne => None,
            }
        }
        Expr::Between(
            Operand::Property(p),
            Operand::Literal(Scalar::Instant(lo)),
            Operand::Literal(Scalar::Instant(hi)),
        ) if *p == position => Some((*lo, *hi)),
        Expr::Temporal(op, Span::Property(p), Span::Range(lo, hi)) if *p == position => match op {
            TemporalOp::During | TemporalOp::Intersects | TemporalOp::Equals => Some((*lo, *hi)),
            TemporalOp::After => Some((hi.saturating_add(1), Micros::MAX)),
            TemporalOp::Before => Some((Micros::MIN, lo.saturating_sub(1))),
            _ => None,
        },
        _ => None,
    }
}
