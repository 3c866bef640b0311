//! Counts of priorities per cell of a fine Web Mercator grid, kept as
//! priorities come and go, so that a map tile at a low zoom clusters a
//! million priorities from a few thousand cells instead of visiting each.
//!
//! The grid has 2^[`BASE`] cells a side (about 2.4 km at the equator): the
//! 16 × 16 cluster grid of a tile at zoom [`MAX_ZOOM`] (`BASE` − 4). Cells
//! are keyed by their Morton (quadkey) code, so the cells under a tile of
//! any coarser zoom are one range of keys. Each keeps its count per status
//! and category and the sum of its members' positions; a priority's
//! position is the one [`super::Found`] reports (a point, or the centre of
//! its box), so counts from here equal counts from a scan.

use std::collections::BTreeMap;

use crate::domain::crs::Crs;
use crate::domain::priority::{Category, Status};

use super::Entry;
use super::tree::envelope_of;

/// The grid's depth: 2^BASE cells a side.
pub const BASE: u8 = 14;
/// The deepest tile zoom the pyramid clusters: its cluster cells are the
/// grid's cells.
pub const MAX_ZOOM: u8 = BASE - 4;
const KINDS: usize = Status::ALL.len() * Category::ALL.len();

/// What one cell holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Priorities per (status, category): `status * categories + category`.
    pub by_kind: [u32; KINDS],
    /// Their count.
    pub count: u32,
    /// The sum of their positions, in grid units (cells).
    pub sum: (f64, f64),
}

/// The grid's non-empty cells by Morton code.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Pyramid {
    cells: BTreeMap<u64, Cell>,
}

/// A WGS84 position in grid units: 0 to 2^BASE, x east, y south.
pub fn grid_position(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = Crs::Epsg3857.from_lon_lat(lon, lat);
    let half = Crs::Epsg3857.from_lon_lat(180.0, 0.0).0;
    let size = f64::from(1u32 << BASE);
    (
        (x + half) / (2.0 * half) * size,
        (half - y) / (2.0 * half) * size,
    )
}

/// Interleaves the bits of `x` and `y` (x in the even bits): the Morton
/// code, whose prefixes are the quadtree's tiles.
pub fn morton(x: u32, y: u32) -> u64 {
    let spread = |v: u32| {
        let mut v = u64::from(v);
        v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        v = (v | (v << 1)) & 0x5555_5555_5555_5555;
        v
    };
    spread(x) | (spread(y) << 1)
}

/// The inverse of [`morton`].
pub fn unmorton(code: u64) -> (u32, u32) {
    let pack = |mut v: u64| {
        v &= 0x5555_5555_5555_5555;
        v = (v | (v >> 1)) & 0x3333_3333_3333_3333;
        v = (v | (v >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v >> 4)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v >> 8)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v >> 16)) & 0x0000_0000_FFFF_FFFF;
        v as u32
    };
    (pack(code), pack(code >> 1))
}

impl Pyramid {
    /// Counts `entry` in (`add`) or out.
    pub fn count(&mut self, entry: &Entry, add: bool) {
        let envelope = envelope_of(&entry.geometry);
        let ([x0, y0], [x1, y1]) = (envelope.lower(), envelope.upper());
        let (gx, gy) = grid_position((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        let last = f64::from((1u32 << BASE) - 1);
        // Positions beyond the grid's edges (the poles) fall in its edge cells.
        let key = morton(gx.clamp(0.0, last) as u32, gy.clamp(0.0, last) as u32);
        let kind = entry.status as usize * Category::ALL.len() + entry.category as usize;
        if add {
            let cell = self.cells.entry(key).or_insert_with(|| Cell {
                by_kind: [0; KINDS],
                count: 0,
                sum: (0.0, 0.0),
            });
            cell.by_kind[kind] += 1;
            cell.count += 1;
            cell.sum.0 += gx;
            cell.sum.1 += gy;
        } else if let Some(cell) = self.cells.get_mut(&key) {
            cell.by_kind[kind] = cell.by_kind[kind].saturating_sub(1);
            cell.count = cell.count.saturating_sub(1);
            cell.sum.0 -= gx;
            cell.sum.1 -= gy;
            if cell.count == 0 {
                self.cells.remove(&key);
            }
        }
    }

    /// The cells under tile `x`, `y` of zoom `z` (at most [`BASE`]), with
    /// their column and row in the grid.
    pub fn under(&self, z: u8, x: u32, y: u32) -> impl Iterator<Item = ((u32, u32), &Cell)> {
        let shift = 2 * u32::from(BASE - z.min(BASE));
        let first = morton(x, y) << shift;
        let end = (morton(x, y) + 1) << shift;
        self.cells
            .range(first..end)
            .map(|(code, cell)| (unmorton(*code), cell))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn morton_codes_round_trip_and_a_tile_is_one_range() {
        for (x, y) in [(0, 0), (1, 0), (0, 1), (12_345, 6_789), (16_383, 16_383)] {
            assert_eq!(unmorton(morton(x, y)), (x, y));
        }
        // The cells of tile (z 1, x 1, y 0) are those with x ≥ 2^13, y < 2^13.
        let shift = 2 * u32::from(BASE - 1);
        let (first, end) = (morton(1, 0) << shift, (morton(1, 0) + 1) << shift);
        for (x, y) in [(8_192, 0), (16_383, 8_191), (9_000, 4_000)] {
            assert!((first..end).contains(&morton(x, y)), "{x} {y}");
        }
        for (x, y) in [(8_191, 0), (8_192, 8_192), (0, 0)] {
            assert!(!(first..end).contains(&morton(x, y)), "{x} {y}");
        }
    }
}
