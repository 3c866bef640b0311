//! A tile's clusters, from the index: summed from the pyramid's cells when
//! the filter allows (categories and statuses only, zooms up to the
//! pyramid's), else from every matching priority found in the tile.

use super::clip::Xy;
use super::cluster::{CELLS, Cell, Grid, cell_of};
use super::{EXTENT, TileId};
use crate::domain::priority::{Category, Status};
use crate::domain::query::PriorityFilter;
use crate::index::PriorityIndex;
use crate::index::priorities::{Entry, Found, pyramid};

/// One point of a clustered tile.
#[derive(Debug)]
pub enum Cluster<'a> {
    /// A cell holding one priority: the priority, at its position.
    One {
        /// The priority.
        entry: &'a Entry,
        /// Its position in tile units.
        xy: Xy,
    },
    /// A cell holding more: their counts and mean position.
    Many(Cell),
}

/// The clusters of `tile` for `filter`, however they are best counted.
pub fn clusters_of<'a>(
    index: &'a PriorityIndex,
    filter: &PriorityFilter,
    tile: TileId,
) -> Vec<Cluster<'a>> {
    if let Some(clusters) = from_pyramid(index, filter, tile) {
        return clusters;
    }
    let mut found: Vec<Found<'_>> = Vec::new();
    index.for_each_in(filter, tile.buffered_bounds(), |f| found.push(f));
    found.sort_unstable_by_key(|f| f.pk);
    from_found(index, tile, &found)
}

/// The clusters of the priorities `found` in `tile` (those whose position
/// lies in its buffer only are the neighbours').
pub fn from_found<'a>(
    index: &'a PriorityIndex,
    tile: TileId,
    found: &[Found<'a>],
) -> Vec<Cluster<'a>> {
    let projector = tile.projector();
    let mut grid = Grid::default();
    for f in found {
        let xy = projector.project(f.position.x(), f.position.y());
        grid.add(xy, f.pk, f.status, f.category);
    }
    grid.cells()
        .map(|cell| match index.entry(cell.first) {
            Some(entry) if cell.count == 1 => Cluster::One {
                entry,
                xy: cell.position(),
            },
            _ => Cluster::Many(cell.clone()),
        })
        .collect()
}

/// Whether `filter` selects by category and status alone (or not at all):
/// what the pyramid's counts can answer.
fn by_kind_only(filter: &PriorityFilter) -> bool {
    let PriorityFilter {
        categories,
        statuses,
        ..
    } = filter;
    *filter
        == PriorityFilter {
            categories: categories.clone(),
            statuses: statuses.clone(),
            ..PriorityFilter::default()
        }
}

/// The clusters of a tile from the pyramid's cells, when it can count them:
/// each cell's matching counts, at its members' mean position, added to
/// the cluster cell that holds it. A cluster of one is the priority itself,
/// found in that cluster cell's area.
pub fn from_pyramid<'a>(
    index: &'a PriorityIndex,
    filter: &PriorityFilter,
    tile: TileId,
) -> Option<Vec<Cluster<'a>>> {
    if tile.z > pyramid::MAX_ZOOM || !by_kind_only(filter) {
        return None;
    }
    let span = f64::from(1u32 << (pyramid::BASE - tile.z));
    let scale = f64::from(EXTENT) / span;
    let (x0, y0) = (f64::from(tile.x) * span, f64::from(tile.y) * span);
    let statuses: &[Status] = if filter.statuses.is_empty() {
        Status::ALL
    } else {
        &filter.statuses
    };
    let categories: &[Category] = if filter.categories.is_empty() {
        Category::ALL
    } else {
        &filter.categories
    };
    let mut grid = Grid::default();
    for (_, cell) in index.pyramid().under(tile.z, tile.x, tile.y) {
        let mut by_status = [0u32; Status::ALL.len()];
        let mut by_category = [0u32; Category::ALL.len()];
        let mut count = 0;
        for s in statuses {
            for c in categories {
                let n = cell.by_kind[*s as usize * Category::ALL.len() + *c as usize];
                by_status[*s as usize] += n;
                by_category[*c as usize] += n;
                count += n;
            }
        }
        if count == 0 {
            continue;
        }
        let (mx, my) = cell.mean();
        let xy = ((mx - x0) * scale, (my - y0) * scale);
        grid.add_group(xy, count, &by_status, &by_category);
    }
    let projector = tile.projector();
    let clusters = grid
        .indexed_cells()
        .map(|(i, cell)| {
            let lone = match cell.count {
                1 => lone_priority(index, filter, tile, i),
                _ => None,
            };
            match lone {
                Some(f) => Cluster::One {
                    entry: f.entry(),
                    xy: projector.project(f.position.x(), f.position.y()),
                },
                None => Cluster::Many(cell.clone()),
            }
        })
        .collect();
    Some(clusters)
}

/// The one priority of `filter` whose position lies in cluster cell `i` of
/// `tile` (the cell is itself a tile four zooms deeper).
fn lone_priority<'a>(
    index: &'a PriorityIndex,
    filter: &PriorityFilter,
    tile: TileId,
    i: usize,
) -> Option<Found<'a>> {
    let (row, col) = (i as u32 / CELLS, i as u32 % CELLS);
    let deeper = TileId::new(
        u32::from(tile.z) + 4,
        tile.y * CELLS + row,
        tile.x * CELLS + col,
    )
    .ok()?;
    let projector = tile.projector();
    let mut lone: Option<Found<'a>> = None;
    index.for_each_in(filter, deeper.bounds(), |f| {
        let xy = projector.project(f.position.x(), f.position.y());
        if cell_of(xy) == Some(i) && lone.is_none_or(|l| f.pk < l.pk) {
            lone = Some(f);
        }
    });
    lone
}
