//! CQL2 filters (OGC API – Features Part 3, OGC 21-065): `filter=` in
//! cql2-text or cql2-json, parsed by the `cql2` crate (the reference
//! implementation's), then checked against a collection's
//! [`Queryables`] into an [`Expr`] that evaluates on any [`Record`].
//!
//! # Units
//! Geometry literals are read in the filter's CRS (`filter-crs`, CRS84 by
//! default: longitude, latitude degrees) and kept in CRS84; spatial
//! predicates are planar on degrees, as CQL2 defines them.

mod compile;
mod eval;
mod expr;
pub mod hints;
mod json_record;
mod like;
mod schema;
mod spatial;
mod temporal;

use std::str::FromStr;

pub use eval::Record;
pub use expr::{CmpOp, Expr, Operand, Scalar, Shape, Span, SpatialOp, TemporalOp};
pub use json_record::JsonRecord;
pub use schema::{Kind, Queryable, Queryables};

use crate::domain::crs::Crs;

/// The two encodings of CQL2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// `cql2-text`, the default.
    #[default]
    Text,
    /// `cql2-json`.
    Json,
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "cql2-text" => Ok(Lang::Text),
            "cql2-json" => Ok(Lang::Json),
            _ => Err(format!("filter-lang is cql2-text or cql2-json; got {s:?}")),
        }
    }
}

/// How large a filter may be, so that one request cannot make the server
/// parse or evaluate without end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Characters of the filter's text.
    pub chars: usize,
    /// Nesting depth of the expression (and of brackets in its text).
    pub depth: usize,
    /// Terms: operators, properties and literals.
    pub nodes: usize,
    /// Values in one `IN` list.
    pub list: usize,
    /// Vertices of all geometry literals together.
    pub vertices: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            chars: 8_000,
            depth: 24,
            nodes: 500,
            list: 1_000,
            vertices: 10_000,
        }
    }
}

/// A filter checked against a collection's queryables.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    expr: Expr,
}

impl Filter {
    /// Parses `source` in `lang` with geometry literals in `crs`. The error
    /// says what is wrong and, where the text shows it, at which character
    /// (1-based) or line:column.
    pub fn parse(
        source: &str,
        lang: Lang,
        crs: Crs,
        queryables: &Queryables,
    ) -> Result<Filter, String> {
        let limits = Limits::default();
        if source.chars().count() > limits.chars {
            return Err(format!(
                "the filter is longer than {} characters",
                limits.chars
            ));
        }
        check_nesting(source, limits.depth)?;
        let syntax = match lang {
            Lang::Text => cql2::parse_text(source).map_err(|e| syntax_error(&e.to_string()))?,
            Lang::Json => {
                cql2::parse_json(source).map_err(|e| format!("invalid cql2-json: {e}"))?
            }
        };
        let mut compiler = compile::Compiler {
            queryables,
            crs,
            limits,
            nodes: 0,
            vertices: 0,
        };
        let expr = compiler
            .predicate(&syntax, 0)
            .map_err(|message| with_position(message, source, queryables))?;
        Ok(Filter { expr })
    }

    /// Whether `record` matches: the filter is true of it (not false, not
    /// unknown).
    pub fn matches(&self, record: &impl Record) -> bool {
        self.expr.eval(record) == Some(true)
    }

    /// Both filters: what each matches.
    pub fn and(self, other: Filter) -> Filter {
        Filter {
            expr: Expr::And(vec![self.expr, other.expr]),
        }
    }

    /// The checked expression.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// The conditions that must all hold: the terms of a top-level `AND`,
    /// or the whole expression.
    pub fn conjuncts(&self) -> &[Expr] {
        match &self.expr {
            Expr::And(parts) => parts,
            other => std::slice::from_ref(other),
        }
    }
}

/// Brackets nested deeper than `depth` in the text (outside quotes) are
/// refused before parsing, so the parser's recursion stays bounded.
fn check_nesting(source: &str, depth: usize) -> Result<(), String> {
    let (mut level, mut quote) = (0usize, None);
    for (i, c) in source.chars().enumerate() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => {
                level += 1;
                if level > depth {
                    return Err(format!(
                        "the expression is nested more than {depth} levels deep (at character {})",
                        i + 1
                    ));
                }
            }
            (None, ')' | ']' | '}') => level = level.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// pest's multi-line report made one line: "at line:column, expected …".
fn syntax_error(report: &str) -> String {
    let position = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .unwrap_or("?");
    let reason = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or("unexpected input");
    format!("invalid cql2-text at line:column {position}: {reason}")
}

/// Adds where a named property first appears, for messages that name one.
fn with_position(message: String, source: &str, queryables: &Queryables) -> String {
    let named = message
        .split('"')
        .nth(1)
        .filter(|name| queryables.position(name).is_none() || message.starts_with("unknown"));
    match named.and_then(|name| source.find(name)) {
        Some(at) => format!(
            "{message} (at character {})",
            source[..at].chars().count() + 1
        ),
        None => message,
    }
}
