//! Clusters of priorities at low zooms: a fixed grid of [`CELLS`]² cells per
//! tile, each cell one cluster with its count, its counts per status and per
//! category, and the mean position of its members.
//!
//! The grid is global for a zoom (a tile's cells are its own quarters'
//! quarters…), so a priority falls in exactly one cell of one tile: the
//! counts of a tile's clusters add up to the priorities whose position lies
//! in the tile, edges counted half-open (west and north edges in, east and
//! south out), and a tile never holds more than `CELLS²` clusters.

use crate::domain::priority::{Category, Status};

use super::clip::Xy;
use super::grid::EXTENT;

/// Cells per tile side: 16, so a cell is 16 pixels of a 256-pixel tile.
pub const CELLS: u32 = 16;
const CELL_SIZE: f64 = EXTENT as f64 / CELLS as f64;

/// One cluster: what lies in a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Priorities in it.
    pub count: u32,
    /// Counts in the order of [`Status::ALL`].
    pub by_status: [u32; Status::ALL.len()],
    /// Counts in the order of [`Category::ALL`].
    pub by_category: [u32; Category::ALL.len()],
    /// The row key of its first member (the member itself is drawn when it
    /// is alone).
    pub first: i64,
    sum: (f64, f64),
}

impl Cell {
    /// The mean position of its members, in tile units.
    pub fn position(&self) -> Xy {
        let n = f64::from(self.count);
        (self.sum.0 / n, self.sum.1 / n)
    }
}

/// The cells of one tile.
#[derive(Debug)]
pub struct Grid {
    cells: Vec<Option<Cell>>,
}

impl Default for Grid {
    fn default() -> Self {
        Grid {
            cells: vec![None; (CELLS * CELLS) as usize],
        }
    }
}

impl Grid {
    /// Counts a priority at `xy` (tile units) in; whether it lies in the
    /// tile (positions in the buffer belong to the neighbour's cells).
    pub fn add(&mut self, xy: Xy, pk: i64, status: Status, category: Category) -> bool {
        let Some(i) = cell_of(xy) else {
            return false;
        };
        let cell = self.cells[i].get_or_insert(Cell {
            count: 0,
            by_status: [0; Status::ALL.len()],
            by_category: [0; Category::ALL.len()],
            first: pk,
            sum: (0.0, 0.0),
        });
        cell.count += 1;
        cell.by_status[status as usize] += 1;
        cell.by_category[category as usize] += 1;
        cell.first = cell.first.min(pk);
        cell.sum.0 += xy.0;
        cell.sum.1 += xy.1;
        true
    }

    /// Counts in at once `count` priorities whose mean position is `xy`,
    /// with their counts per status and category (a cell of the index's
    /// pyramid); their row keys are not known ([`Cell::first`] is
    /// `i64::MAX`). Whether `xy` lies in the tile.
    pub fn add_group(
        &mut self,
        xy: Xy,
        count: u32,
        by_status: &[u32; Status::ALL.len()],
        by_category: &[u32; Category::ALL.len()],
    ) -> bool {
        let Some(i) = cell_of(xy) else {
            return false;
        };
        let cell = self.cells[i].get_or_insert(Cell {
            count: 0,
            by_status: [0; Status::ALL.len()],
            by_category: [0; Category::ALL.len()],
            first: i64::MAX,
            sum: (0.0, 0.0),
        });
        cell.count += count;
        cell.by_status
            .iter_mut()
            .zip(by_status)
            .for_each(|(a, b)| *a += b);
        cell.by_category
            .iter_mut()
            .zip(by_category)
            .for_each(|(a, b)| *a += b);
        cell.sum.0 += xy.0 * f64::from(count);
        cell.sum.1 += xy.1 * f64::from(count);
        true
    }

    /// The clusters with their index in the grid (row × [`CELLS`] + column),
    /// cell by cell.
    pub fn indexed_cells(&self) -> impl Iterator<Item = (usize, &Cell)> {
        self.cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.as_ref().map(|c| (i, c)))
    }

    /// The clusters, cell by cell (rows from the north, west to east).
    pub fn cells(&self) -> impl Iterator<Item = &Cell> {
        self.cells.iter().flatten()
    }
}

/// The cell holding `xy`, if it lies in the tile.
pub fn cell_of((x, y): Xy) -> Option<usize> {
    let extent = f64::from(EXTENT);
    if !(0.0..extent).contains(&x) || !(0.0..extent).contains(&y) {
        return None;
    }
    // In range: both quotients are below CELLS.
    let (col, row) = ((x / CELL_SIZE) as usize, (y / CELL_SIZE) as usize);
    Some(row * CELLS as usize + col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_position_in_the_tile_is_counted_once_in_its_cell() {
        let mut grid = Grid::default();
        let spots = [
            (0.0, 0.0),
            (255.9, 10.0),
            (256.0, 10.0),
            (4095.9, 4095.9),
            (4096.0, 5.0),
            (-1.0, 5.0),
        ];
        let inside: Vec<bool> = spots
            .iter()
            .enumerate()
            .map(|(i, xy)| grid.add(*xy, i as i64, Status::Proposed, Category::Water))
            .collect();
        assert_eq!(inside, [true, true, true, true, false, false]);
        let counts: Vec<u32> = grid.cells().map(|c| c.count).collect();
        assert_eq!(counts, [2, 1, 1]);
        let first = grid.cells().next().unwrap();
        assert_eq!(first.position(), (127.95, 5.0));
        assert_eq!(first.by_status[Status::Proposed as usize], 2);
        assert_eq!(first.by_category[Category::Water as usize], 2);
        assert_eq!(first.first, 0);
    }
}
