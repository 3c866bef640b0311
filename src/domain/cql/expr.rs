//! A filter once checked against a collection's queryables: every property
//! resolved to its position, every literal of the kind it is compared with.

use geo::Geometry;

use crate::domain::time::Micros;

/// A value a record holds or a literal stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    /// No value: comparisons with it are unknown (SQL's three-valued logic).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// Integers and reals alike.
    Num(f64),
    /// Text, enum values included.
    Text(std::borrow::Cow<'a, str>),
    /// An instant, microseconds since the epoch.
    Instant(Micros),
    /// A calendar day: compared with an instant, the instant's day in UTC.
    Date(chrono::NaiveDate),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// An arithmetic operator on numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `^`
    Pow,
    /// Integer division, truncated toward zero.
    IntDiv,
}

/// A text folding function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// `CASEI`: compared without case.
    Case,
    /// `ACCENTI`: compared without accents.
    Accent,
}

/// Something with a value: a queryable, a literal or a function of them.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// The queryable at this position.
    Property(usize),
    /// A literal.
    Literal(Scalar<'static>),
    /// `CASEI(…)` or `ACCENTI(…)`.
    Fold(Fold, Box<Operand>),
    /// Arithmetic on numbers.
    Arith(ArithOp, Box<Operand>, Box<Operand>),
}

/// A spatial predicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpatialOp {
    /// `S_INTERSECTS`
    Intersects,
    /// `S_DISJOINT`
    Disjoint,
    /// `S_EQUALS`
    Equals,
    /// `S_TOUCHES`
    Touches,
    /// `S_WITHIN`
    Within,
    /// `S_CONTAINS`
    Contains,
    /// `S_OVERLAPS`
    Overlaps,
    /// `S_CROSSES`
    Crosses,
}

/// The operand of a spatial predicate.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// The record's geometry.
    Geometry,
    /// A literal, in WGS84 longitude/latitude degrees.
    Literal(Geometry<f64>),
}

/// A temporal relation (Allen's, as CQL2 names them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemporalOp {
    /// `T_AFTER`
    After,
    /// `T_BEFORE`
    Before,
    /// `T_CONTAINS`
    Contains,
    /// `T_DISJOINT`
    Disjoint,
    /// `T_DURING`
    During,
    /// `T_EQUALS`
    Equals,
    /// `T_FINISHEDBY`
    FinishedBy,
    /// `T_FINISHES`
    Finishes,
    /// `T_INTERSECTS`
    Intersects,
    /// `T_MEETS`
    Meets,
    /// `T_METBY`
    MetBy,
    /// `T_OVERLAPPEDBY`
    OverlappedBy,
    /// `T_OVERLAPS`
    Overlaps,
    /// `T_STARTEDBY`
    StartedBy,
    /// `T_STARTS`
    Starts,
}

/// The operand of a temporal relation: an instant queryable, or a closed
/// range of instants (an instant is a range of one; `..` is unbounded).
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    /// The instant queryable at this position.
    Property(usize),
    /// First and last microsecond.
    Range(Micros, Micros),
}

/// A predicate.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant (`None`: unknown).
    Const(Option<bool>),
    /// Every part holds.
    And(Vec<Expr>),
    /// Some part holds.
    Or(Vec<Expr>),
    /// The negation.
    Not(Box<Expr>),
    /// A comparison of two values.
    Compare(CmpOp, Operand, Operand),
    /// `value LIKE pattern` (`%` any run, `_` one character, `\` escapes).
    Like(Operand, Operand),
    /// `value BETWEEN low AND high`, both ends included.
    Between(Operand, Operand, Operand),
    /// `value IN (list)`.
    In(Operand, Vec<Operand>),
    /// `value IS NULL`.
    IsNull(Operand),
    /// A spatial predicate between two shapes.
    Spatial(SpatialOp, Shape, Shape),
    /// A temporal relation between two spans.
    Temporal(TemporalOp, Span, Span),
}
