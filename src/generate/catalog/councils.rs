//! Councils shared out over the parishes and placed inside them.

use std::ops::Range;

use geo::{Contains, InteriorPoint, Point};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::super::text;
use super::quadtree::Cell;
use super::{CatalogError, strictly_inside};
use crate::domain::codes::{CouncilCode, TerritoryCode};
use crate::domain::territory::Council;

/// How many councils each cell gets: `councils` in proportion to each
/// cell's share, at least one each and at most 999.
pub(super) fn counts(
    councils: usize,
    cells: &[Cell],
    parish_codes: &[TerritoryCode],
) -> Result<Vec<usize>, CatalogError> {
    if councils < cells.len() {
        return Err(CatalogError::TooFewCouncils {
            councils,
            parishes: cells.len(),
        });
    }
    let counts = apportion(councils, cells);
    if let Some((k, &n)) = counts.iter().enumerate().find(|(_, n)| **n > 999) {
        return Err(CatalogError::TooManyCouncils {
            councils,
            parish: parish_codes[k].to_string(),
            per_parish: n,
        });
    }
    Ok(counts)
}

/// The councils, parish by parish in code order, `counts[k]` of them in
/// cell `k`, with the range of each cell's councils in the list.
pub(super) fn make(
    cells: &[Cell],
    parish_codes: &[TerritoryCode],
    counts: &[usize],
    rng: &mut ChaCha8Rng,
) -> (Vec<Council>, Vec<Range<u32>>) {
    let mut order: Vec<usize> = (0..cells.len()).collect();
    order.sort_by_key(|&k| parish_codes[k]);
    let mut all_councils = Vec::with_capacity(counts.iter().sum());
    let mut ranges = vec![0..0; cells.len()];
    for k in order {
        let start = all_councils.len() as u32;
        for n in 1..=counts[k] {
            let code: CouncilCode = format!("CC-{}-{n:03}", parish_codes[k])
                .parse()
                .expect("council codes are valid");
            all_councils.push(Council {
                code,
                name: format!("Consejo Comunal {}", text::pick(rng, text::COUNCIL_NAMES)),
                parish: parish_codes[k],
                location: Some(point_in(rng, &cells[k])),
                commune: None,
                spokespeople: rng.random_range(5..=35),
                created_at: None,
            });
        }
        ranges[k] = start..all_councils.len() as u32;
    }
    (all_councils, ranges)
}

/// Shares `total` councils out: one per cell, the rest in proportion to
/// each cell's share (largest remainders, ties to the earlier cell).
fn apportion(total: usize, cells: &[Cell]) -> Vec<usize> {
    let extra = (total - cells.len()) as f64;
    let sum: f64 = cells.iter().map(|c| c.share).sum();
    let exact: Vec<f64> = cells.iter().map(|c| extra * c.share / sum).collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| 1 + e.floor() as usize).collect();
    let left = total - counts.iter().sum::<usize>();
    let mut by_remainder: Vec<usize> = (0..cells.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &k in by_remainder.iter().take(left) {
        counts[k] += 1;
    }
    counts
}

/// A random point strictly inside a cell's land, rounded to 6 decimals.
fn point_in(rng: &mut ChaCha8Rng, cell: &Cell) -> Point<f64> {
    for _ in 0..1_000 {
        let p = super::super::round_point(
            rng.random_range(cell.rect.min().x..cell.rect.max().x),
            rng.random_range(cell.rect.min().y..cell.rect.max().y),
        );
        let inside =
            strictly_inside(&cell.rect, p) && cell.shape.as_ref().is_none_or(|s| s.contains(&p));
        if inside {
            return p;
        }
    }
    cell.boundary
        .interior_point()
        .unwrap_or(Point::from(cell.rect.center()))
}
