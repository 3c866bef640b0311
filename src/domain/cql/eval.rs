//! Evaluating a compiled filter on one record, in SQL's three-valued logic:
//! a comparison with a missing value is unknown, and a record matches only
//! when the whole filter is true.

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::DateTime;
use geo::Geometry;

use super::expr::{ArithOp, CmpOp, Expr, Fold, Operand, Scalar, Shape, Span};
use super::{like, spatial, temporal};
use crate::domain::time::Micros;

/// What a filter reads of a feature.
pub trait Record {
    /// The value of the queryable at `position` (never the geometry).
    fn value(&self, position: usize) -> Scalar<'_>;
    /// The feature's geometry, WGS84 longitude/latitude degrees.
    fn geometry(&self) -> &Geometry<f64>;
}

impl Expr {
    /// True, false or unknown (`None`) of `record`.
    pub fn eval(&self, r: &impl Record) -> Option<bool> {
        match self {
            Expr::Const(b) => *b,
            Expr::And(parts) => {
                let mut result = Some(true);
                for p in parts {
                    match p.eval(r) {
                        Some(false) => return Some(false),
                        None => result = None,
                        Some(true) => {}
                    }
                }
                result
            }
            Expr::Or(parts) => {
                let mut result = Some(false);
                for p in parts {
                    match p.eval(r) {
                        Some(true) => return Some(true),
                        None => result = None,
                        Some(false) => {}
                    }
                }
                result
            }
            Expr::Not(e) => e.eval(r).map(|b| !b),
            Expr::Compare(op, a, b) => {
                let ord = compare(&value(a, r), &value(b, r))?;
                Some(test(*op, ord))
            }
            Expr::Like(v, p) => match (value(v, r), value(p, r)) {
                (Scalar::Text(v), Scalar::Text(p)) => Some(like::matches(&v, &p)),
                _ => None,
            },
            Expr::Between(v, lo, hi) => {
                let v = value(v, r);
                let above = compare(&v, &value(lo, r)).map(|o| o != Ordering::Less);
                let below = compare(&v, &value(hi, r)).map(|o| o != Ordering::Greater);
                and(above, below)
            }
            Expr::In(v, list) => {
                let v = value(v, r);
                let mut result = Some(false);
                for item in list {
                    match compare(&v, &value(item, r)) {
                        Some(Ordering::Equal) => return Some(true),
                        None => result = None,
                        Some(_) => {}
                    }
                }
                result
            }
            Expr::IsNull(v) => Some(matches!(value(v, r), Scalar::Null)),
            Expr::Spatial(op, a, b) => Some(spatial::relate(*op, shape(a, r), shape(b, r))),
            Expr::Temporal(op, a, b) => Some(temporal::relate(*op, span(a, r)?, span(b, r)?)),
        }
    }
}

fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn test(op: CmpOp, ord: Ordering) -> bool {
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }
}

/// How `a` compares with `b`; `None` when either is missing (or they are of
/// kinds compilation keeps apart).
fn compare(a: &Scalar<'_>, b: &Scalar<'_>) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Num(x), Scalar::Num(y)) => x.partial_cmp(y),
        (Scalar::Text(x), Scalar::Text(y)) => Some(x.as_ref().cmp(y.as_ref())),
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(y)),
        (Scalar::Instant(x), Scalar::Instant(y)) => Some(x.cmp(y)),
        (Scalar::Date(x), Scalar::Date(y)) => Some(x.cmp(y)),
        // An instant against a day: the instant's day in UTC.
        (Scalar::Instant(t), Scalar::Date(d)) => Some(day_of(*t)?.cmp(d)),
        (Scalar::Date(d), Scalar::Instant(t)) => Some(d.cmp(&day_of(*t)?)),
        _ => None,
    }
}

fn day_of(t: Micros) -> Option<chrono::NaiveDate> {
    DateTime::from_timestamp_micros(t).map(|d| d.date_naive())
}

fn value<'r>(o: &'r Operand, r: &'r impl Record) -> Scalar<'r> {
    match o {
        Operand::Property(p) => r.value(*p),
        Operand::Literal(s) => match s {
            Scalar::Text(t) => Scalar::Text(Cow::Borrowed(t.as_ref())),
            other => other.clone(),
        },
        Operand::Fold(fold, inner) => match value(inner, r) {
            Scalar::Text(t) => Scalar::Text(Cow::Owned(match fold {
                Fold::Case => t.to_lowercase(),
                Fold::Accent => unaccent::unaccent(t.as_ref()),
            })),
            other => other,
        },
        Operand::Arith(op, a, b) => match (value(a, r), value(b, r)) {
            (Scalar::Num(x), Scalar::Num(y)) => arith(*op, x, y).map_or(Scalar::Null, Scalar::Num),
            _ => Scalar::Null,
        },
    }
}

/// `None` for integer division by zero, which has no answer.
fn arith(op: ArithOp, x: f64, y: f64) -> Option<f64> {
    Some(match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div => x / y,
        ArithOp::Mod => x % y,
        ArithOp::Pow => x.powf(y),
        ArithOp::IntDiv if y == 0.0 => return None,
        ArithOp::IntDiv => (x / y).trunc(),
    })
}

fn shape<'r>(s: &'r Shape, r: &'r impl Record) -> &'r Geometry<f64> {
    match s {
        Shape::Geometry => r.geometry(),
        Shape::Literal(g) => g,
    }
}

fn span(s: &Span, r: &impl Record) -> Option<(Micros, Micros)> {
    match s {
        Span::Property(p) => match r.value(*p) {
            Scalar::Instant(t) => Some((t, t)),
            _ => None,
        },
        Span::Range(a, b) => Some((*a, *b)),
    }
}
