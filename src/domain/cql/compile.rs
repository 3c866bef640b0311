//! From the `cql2` crate's syntax tree to an [`Expr`] checked against a
//! collection's queryables: unknown properties, functions the server does
//! not evaluate and literals of the wrong kind are refused here, so that
//! evaluation never fails.

use cql2::Expr as Syntax;
use geo::{Coord, Geometry, MapCoords, Rect};
use wkt::TryFromWkt;

use super::Limits;
use super::expr::{
    ArithOp, CmpOp, Expr, Fold, Operand, Scalar, Shape, Span, SpatialOp, TemporalOp,
};
use super::schema::{Kind, Queryables};
use crate::domain::crs::Crs;
use crate::domain::time::{self, Micros};

/// What an operand's values are, as far as comparisons go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Text,
    Num,
    Bool,
    Instant,
    Date,
    Null,
}

/// Compiles one expression.
pub(super) struct Compiler<'q> {
    pub queryables: &'q Queryables,
    pub crs: Crs,
    pub limits: Limits,
    /// Nodes compiled so far, checked against [`Limits::nodes`].
    pub nodes: usize,
    /// Geometry vertices in literals so far.
    pub vertices: usize,
}

type Result<T> = std::result::Result<T, String>;

impl Compiler<'_> {
    /// A predicate: something true, false or unknown of each record.
    pub fn predicate(&mut self, e: &Syntax, depth: usize) -> Result<Expr> {
        self.count(depth)?;
        match e {
            Syntax::Bool(b) => Ok(Expr::Const(Some(*b))),
            Syntax::Null => Ok(Expr::Const(None)),
            Syntax::Operation { op, args } => self.operation(op, args, depth + 1),
            Syntax::Property { property } => Err(format!(
                "the property {property:?} is not true or false: compare it with a value"
            )),
            other => Err(format!("{} is a value, not a condition", describe(other))),
        }
    }

    fn count(&mut self, depth: usize) -> Result<()> {
        self.nodes += 1;
        if depth > self.limits.depth {
            return Err(format!(
                "the expression is nested more than {} levels deep",
                self.limits.depth
            ));
        }
        if self.nodes > self.limits.nodes {
            return Err(format!(
                "the expression has more than {} terms",
                self.limits.nodes
            ));
        }
        Ok(())
    }

    fn operation(&mut self, op: &str, args: &[Box<Syntax>], depth: usize) -> Result<Expr> {
        let arity = |n: usize| -> Result<()> {
            if args.len() == n {
                Ok(())
            } else {
                Err(format!("{op} takes {n} arguments; got {}", args.len()))
            }
        };
        let lower = op.to_ascii_lowercase();
        if let Some(cmp) = cmp_op(&lower) {
            arity(2)?;
            let (a, b) = self.comparable(&args[0], &args[1], depth)?;
            return Ok(Expr::Compare(cmp, a, b));
        }
        if let Some(spatial) = spatial_op(&lower) {
            arity(2)?;
            let a = self.shape(&args[0], depth)?;
            let b = self.shape(&args[1], depth)?;
            return Ok(Expr::Spatial(spatial, a, b));
        }
        if let Some(temporal) = temporal_op(&lower) {
            arity(2)?;
            let a = self.span(&args[0], depth)?;
            let b = self.span(&args[1], depth)?;
            return Ok(Expr::Temporal(temporal, a, b));
        }
        match lower.as_str() {
            "and" | "or" => {
                let parts = args
                    .iter()
                    .map(|a| self.predicate(a, depth))
                    .collect::<Result<Vec<_>>>()?;
                Ok(if lower == "and" {
                    Expr::And(parts)
                } else {
                    Expr::Or(parts)
                })
            }
            "not" => {
                arity(1)?;
                Ok(Expr::Not(Box::new(self.predicate(&args[0], depth)?)))
            }
            "like" => {
                arity(2)?;
                self.like(&args[0], &args[1], depth)
            }
            "between" => {
                arity(3)?;
                self.between(args, depth)
            }
            "in" => {
                arity(2)?;
                self.in_list(&args[0], &args[1], depth)
            }
            "isnull" => {
                arity(1)?;
                Ok(Expr::IsNull(self.operand(&args[0], depth)?))
            }
            _ if lower.starts_with("a_") => Err(format!(
                "{op}: array functions are not supported (no queryable is an array)"
            )),
            _ => Err(format!("{op} is not a function this server evaluates")),
        }
    }

    fn like(&mut self, value: &Syntax, pattern: &Syntax, depth: usize) -> Result<Expr> {
        // A pattern is no value: `category LIKE 'wat%'` (as GDAL sends it)
        // is not checked against the enum.
        let (value, pattern) = self.typed_alike(value, pattern, depth)?;
        if self.ty(&value) != Ty::Text || !is_literal_text(&pattern) {
            return Err(
                "LIKE compares a text property with a text pattern ('%' any run, '_' one character)"
                    .into(),
            );
        }
        Ok(Expr::Like(value, pattern))
    }

    fn between(&mut self, args: &[Box<Syntax>], depth: usize) -> Result<Expr> {
        let (value, low) = self.comparable(&args[0], &args[1], depth)?;
        let (_, high) = self.comparable(&args[0], &args[2], depth)?;
        if !matches!(self.ty(&value), Ty::Num | Ty::Instant | Ty::Date | Ty::Null) {
            return Err("BETWEEN compares numbers or instants".into());
        }
        Ok(Expr::Between(value, low, high))
    }

    fn in_list(&mut self, value: &Syntax, list: &Syntax, depth: usize) -> Result<Expr> {
        let Syntax::Array(items) = list else {
            return Err("IN takes a list: value IN (a, b, …)".into());
        };
        if items.len() > self.limits.list {
            return Err(format!("IN lists hold at most {} values", self.limits.list));
        }
        let mut literals = Vec::with_capacity(items.len());
        let mut compared = None;
        for item in items {
            let (v, literal) = self.comparable(value, item, depth)?;
            compared = Some(v);
            literals.push(literal);
        }
        let compared = match compared {
            Some(v) => v,
            None => self.operand(value, depth)?,
        };
        Ok(Expr::In(compared, literals))
    }

    /// Two operands compared with each other, literals made of the other's
    /// kind where the text says which (an instant written as a string).
    fn comparable(&mut self, a: &Syntax, b: &Syntax, depth: usize) -> Result<(Operand, Operand)> {
        let (a, b) = self.typed_alike(a, b, depth)?;
        self.check_enum(&a, &b)?;
        self.check_enum(&b, &a)?;
        Ok((a, b))
    }

    /// Two operands of compatible types, without checking a text literal
    /// against an enum property's values.
    fn typed_alike(&mut self, a: &Syntax, b: &Syntax, depth: usize) -> Result<(Operand, Operand)> {
        let mut a = self.operand(a, depth)?;
        let mut b = self.operand(b, depth)?;
        coerce(&mut b, self.ty(&a))?;
        coerce(&mut a, self.ty(&b))?;
        let (ta, tb) = (self.ty(&a), self.ty(&b));
        let compatible = ta == tb
            || ta == Ty::Null
            || tb == Ty::Null
            || matches!((ta, tb), (Ty::Instant, Ty::Date) | (Ty::Date, Ty::Instant));
        if !compatible {
            return Err(format!(
                "cannot compare {} with {}",
                self.describe_operand(&a),
                self.describe_operand(&b)
            ));
        }
        Ok((a, b))
    }

    /// A text literal compared with an enum property must be one of its values.
    fn check_enum(&self, property: &Operand, literal: &Operand) -> Result<()> {
        if let (Operand::Property(p), Operand::Literal(Scalar::Text(text))) = (property, literal) {
            let q = self.queryables.get(*p);
            if let Kind::Enum(values) = q.kind
                && !values.contains(&text.as_ref())
            {
                return Err(format!(
                    "{text:?} is not a value of {}; one of: {}",
                    q.name,
                    values.join(", ")
                ));
            }
        }
        Ok(())
    }

    fn ty(&self, o: &Operand) -> Ty {
        match o {
            Operand::Property(p) => match self.queryables.get(*p).kind {
                Kind::Text | Kind::Enum(_) => Ty::Text,
                Kind::Integer => Ty::Num,
                Kind::Instant => Ty::Instant,
                // Refused in `operand`.
                Kind::Geometry => Ty::Null,
            },
            Operand::Literal(s) => match s {
                Scalar::Null => Ty::Null,
                Scalar::Bool(_) => Ty::Bool,
                Scalar::Num(_) => Ty::Num,
                Scalar::Text(_) => Ty::Text,
                Scalar::Instant(_) => Ty::Instant,
                Scalar::Date(_) => Ty::Date,
            },
            Operand::Fold(..) => Ty::Text,
            Operand::Arith(..) => Ty::Num,
        }
    }

    fn describe_operand(&self, o: &Operand) -> String {
        match o {
            Operand::Property(p) => {
                let q = self.queryables.get(*p);
                let kind = match q.kind {
                    Kind::Text | Kind::Enum(_) => "text",
                    Kind::Integer => "a number",
                    Kind::Instant => "an instant",
                    Kind::Geometry => "a geometry",
                };
                format!("{} ({kind})", q.name)
            }
            Operand::Literal(s) => format!("{s:?}"),
            Operand::Fold(..) => "text".into(),
            Operand::Arith(..) => "a number".into(),
        }
    }

    /// A scalar operand.
    fn operand(&mut self, e: &Syntax, depth: usize) -> Result<Operand> {
        self.count(depth)?;
        match e {
            Syntax::Property { property } => {
                let p = self.property(property)?;
                if self.queryables.get(p).kind == Kind::Geometry {
                    return Err(format!(
                        "{property} is a geometry: use it in a spatial function such as S_INTERSECTS"
                    ));
                }
                Ok(Operand::Property(p))
            }
            Syntax::Literal(s) => Ok(Operand::Literal(Scalar::Text(s.clone().into()))),
            Syntax::Float(x) => Ok(Operand::Literal(Scalar::Num(*x))),
            Syntax::Bool(b) => Ok(Operand::Literal(Scalar::Bool(*b))),
            Syntax::Null => Ok(Operand::Literal(Scalar::Null)),
            Syntax::Timestamp { timestamp } => {
                let text = literal_text(timestamp)?;
                Ok(Operand::Literal(Scalar::Instant(instant(&text)?)))
            }
            Syntax::Date { date } => {
                let text = literal_text(date)?;
                let day = time::parse_calendar_date(&text)
                    .ok_or_else(|| format!("DATE({text:?}) is not a date YYYY-MM-DD"))?;
                Ok(Operand::Literal(Scalar::Date(day)))
            }
            Syntax::Operation { op, args } => self.function(op, args, depth + 1),
            other => Err(format!("{} cannot be compared", describe(other))),
        }
    }

    fn function(&mut self, op: &str, args: &[Box<Syntax>], depth: usize) -> Result<Operand> {
        let lower = op.to_ascii_lowercase();
        let fold = match lower.as_str() {
            "casei" => Some(Fold::Case),
            "accenti" => Some(Fold::Accent),
            _ => None,
        };
        if let Some(fold) = fold {
            if args.len() != 1 {
                return Err(format!("{op} takes 1 argument; got {}", args.len()));
            }
            let inner = self.operand(&args[0], depth)?;
            if self.ty(&inner) != Ty::Text {
                return Err(format!("{op} takes text"));
            }
            return Ok(Operand::Fold(fold, Box::new(inner)));
        }
        let Some(arith) = arith_op(&lower) else {
            return Err(format!("{op} is not a function this server evaluates"));
        };
        if args.len() < 2 {
            return Err(format!("{op} takes 2 arguments; got {}", args.len()));
        }
        // Chained arithmetic (`a + b + c`) arrives as one operation.
        let mut acc = self.number(&args[0], depth)?;
        for arg in &args[1..] {
            let next = self.number(arg, depth)?;
            acc = Operand::Arith(arith, Box::new(acc), Box::new(next));
        }
        Ok(acc)
    }

    fn number(&mut self, e: &Syntax, depth: usize) -> Result<Operand> {
        let o = self.operand(e, depth)?;
        match self.ty(&o) {
            Ty::Num | Ty::Null => Ok(o),
            _ => Err(format!(
                "arithmetic takes numbers; got {}",
                self.describe_operand(&o)
            )),
        }
    }

    fn property(&self, name: &str) -> Result<usize> {
        self.queryables.position(name).ok_or_else(|| {
            format!(
                "unknown property {name:?}; queryables: {}",
                self.queryables.names()
            )
        })
    }

    /// The operand of a spatial function.
    fn shape(&mut self, e: &Syntax, depth: usize) -> Result<Shape> {
        self.count(depth)?;
        match e {
            Syntax::Property { property } => {
                let p = self.property(property)?;
                if self.queryables.get(p).kind != Kind::Geometry {
                    return Err(format!("{property} is not a geometry"));
                }
                Ok(Shape::Geometry)
            }
            Syntax::Geometry(g) => {
                let text = g.to_wkt().map_err(|e| format!("invalid geometry: {e}"))?;
                let g: Geometry<f64> = Geometry::try_from_wkt_str(&text)
                    .map_err(|e| format!("invalid geometry {text:?}: {e}"))?;
                self.literal_geometry(g)
            }
            Syntax::BBox { bbox } => {
                let n = bbox
                    .iter()
                    .map(|b| match b.as_ref() {
                        Syntax::Float(x) => Ok(*x),
                        other => Err(format!("BBOX takes numbers; got {}", describe(other))),
                    })
                    .collect::<Result<Vec<f64>>>()?;
                let (a, b) = match n.as_slice() {
                    [x1, y1, x2, y2] => ((*x1, *y1), (*x2, *y2)),
                    [x1, y1, _, x2, y2, _] => ((*x1, *y1), (*x2, *y2)),
                    _ => return Err("BBOX takes 4 numbers (or 6 with heights)".into()),
                };
                let (a, b) = (self.crs.to_lon_lat(a.0, a.1), self.crs.to_lon_lat(b.0, b.1));
                let rect = Rect::new(Coord { x: a.0, y: a.1 }, Coord { x: b.0, y: b.1 });
                Ok(Shape::Literal(Geometry::Polygon(rect.to_polygon())))
            }
            other => Err(format!(
                "{} is not a geometry: spatial functions take the geometry property, a geometry or a BBOX",
                describe(other)
            )),
        }
    }

    fn literal_geometry(&mut self, g: Geometry<f64>) -> Result<Shape> {
        use geo::CoordsIter;
        self.vertices += g.coords_count();
        if self.vertices > self.limits.vertices {
            return Err(format!(
                "geometries in a filter hold at most {} vertices",
                self.limits.vertices
            ));
        }
        let crs = self.crs;
        let g = g.map_coords(|c| {
            let (x, y) = crs.to_lon_lat(c.x, c.y);
            Coord { x, y }
        });
        let mut finite = true;
        geo::CoordsIter::coords_iter(&g).for_each(|c| {
            finite &= c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0
        });
        if !finite {
            return Err("a geometry's coordinates are outside longitude ±180, latitude ±90".into());
        }
        Ok(Shape::Literal(g))
    }

    /// The operand of a temporal function.
    fn span(&mut self, e: &Syntax, depth: usize) -> Result<Span> {
        self.count(depth)?;
        match e {
            Syntax::Property { property } => {
                let p = self.property(property)?;
                if self.queryables.get(p).kind != Kind::Instant {
                    return Err(format!("{property} is not an instant"));
                }
                Ok(Span::Property(p))
            }
            Syntax::Interval { interval } => {
                let [start, end] = interval.as_slice() else {
                    return Err("INTERVAL takes a start and an end".into());
                };
                let start = bound(start, false)?;
                let end = bound(end, true)?;
                if start > end {
                    return Err("the INTERVAL ends before it starts".into());
                }
                Ok(Span::Range(start, end))
            }
            Syntax::Timestamp { timestamp } => {
                let t = instant(&literal_text(timestamp)?)?;
                Ok(Span::Range(t, t))
            }
            Syntax::Date { date } => {
                let text = literal_text(date)?;
                let (start, end) = time::parse_date(&text)
                    .ok_or_else(|| format!("DATE({text:?}) is not a date YYYY-MM-DD"))?;
                Ok(Span::Range(start, end))
            }
            Syntax::Literal(text) => {
                let (start, end) = day_or_instant(text)?;
                Ok(Span::Range(start, end))
            }
            other => Err(format!(
                "{} is not an instant or an interval",
                describe(other)
            )),
        }
    }
}

/// Makes a text literal an instant or a date when compared with one.
fn coerce(o: &mut Operand, other: Ty) -> Result<()> {
    if let Operand::Literal(Scalar::Text(text)) = o {
        match other {
            Ty::Instant | Ty::Date => {
                *o = Operand::Literal(match time::parse_calendar_date(text) {
                    Some(day) if text.len() == 10 => Scalar::Date(day),
                    _ => Scalar::Instant(instant(text)?),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// An RFC 3339 instant; `Z` may be left out (UTC).
fn instant(text: &str) -> Result<Micros> {
    time::parse_datetime(text).or_else(|e| time::parse_datetime(&format!("{text}Z")).map_err(|_| e))
}

/// A date (its whole day) or an instant (itself).
fn day_or_instant(text: &str) -> Result<(Micros, Micros)> {
    match time::parse_date(text) {
        Some(day) => Ok(day),
        None => instant(text).map(|t| (t, t)),
    }
}

/// One end of an `INTERVAL`: `..` is unbounded, a date its first or last
/// microsecond.
fn bound(e: &Syntax, is_end: bool) -> Result<Micros> {
    let text = match e {
        Syntax::Literal(s) => s.clone(),
        Syntax::Timestamp { timestamp } => literal_text(timestamp)?,
        Syntax::Date { date } => literal_text(date)?,
        other => return Err(format!("{} is not an interval bound", describe(other))),
    };
    if text == ".." {
        return Ok(if is_end { Micros::MAX } else { Micros::MIN });
    }
    let (start, end) = day_or_instant(&text)?;
    Ok(if is_end { end } else { start })
}

fn literal_text(e: &Syntax) -> Result<String> {
    match e {
        Syntax::Literal(s) => Ok(s.clone()),
        other => Err(format!("{} is not a literal", describe(other))),
    }
}

fn is_literal_text(o: &Operand) -> bool {
    match o {
        Operand::Literal(Scalar::Text(_)) => true,
        Operand::Fold(_, inner) => is_literal_text(inner),
        _ => false,
    }
}

fn describe(e: &Syntax) -> String {
    e.to_text().unwrap_or_else(|_| format!("{e:?}"))
}

fn cmp_op(op: &str) -> Option<CmpOp> {
    Some(match op {
        "=" => CmpOp::Eq,
        "<>" | "!=" => CmpOp::Ne,
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Ge,
        _ => return None,
    })
}

fn arith_op(op: &str) -> Option<ArithOp> {
    Some(match op {
        "+" => ArithOp::Add,
        "-" => ArithOp::Sub,
        "*" => ArithOp::Mul,
        "/" => ArithOp::Div,
        "%" => ArithOp::Mod,
        "^" => ArithOp::Pow,
        "div" => ArithOp::IntDiv,
        _ => return None,
    })
}

fn spatial_op(op: &str) -> Option<SpatialOp> {
    Some(
        match op
            .strip_prefix("st_")
            .map_or(op, |o| o)
            .trim_start_matches("s_")
        {
            "intersects" => SpatialOp::Intersects,
            "disjoint" => SpatialOp::Disjoint,
            "equals" => SpatialOp::Equals,
            "touches" => SpatialOp::Touches,
            "within" => SpatialOp::Within,
            "contains" => SpatialOp::Contains,
            "overlaps" => SpatialOp::Overlaps,
            "crosses" => SpatialOp::Crosses,
            _ => return None,
        },
    )
    .filter(|_| op.starts_with("s_") || op.starts_with("st_"))
}

fn temporal_op(op: &str) -> Option<TemporalOp> {
    Some(match op.strip_prefix("t_")? {
        "after" => TemporalOp::After,
        "before" => TemporalOp::Before,
        "contains" => TemporalOp::Contains,
        "disjoint" => TemporalOp::Disjoint,
        "during" => TemporalOp::During,
        "equals" => TemporalOp::Equals,
        "finishedby" => TemporalOp::FinishedBy,
        "finishes" => TemporalOp::Finishes,
        "intersects" => TemporalOp::Intersects,
        "meets" => TemporalOp::Meets,
        "metby" => TemporalOp::MetBy,
        "overlappedby" => TemporalOp::OverlappedBy,
        "overlaps" => TemporalOp::Overlaps,
        "startedby" => TemporalOp::StartedBy,
        "starts" => TemporalOp::Starts,
        _ => return None,
    })
}
