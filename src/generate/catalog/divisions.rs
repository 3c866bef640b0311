//! Parish cells grouped into municipalities and states, with their codes,
//! names and boundaries.

use geo::orient::Direction;
use geo::{InteriorPoint, MultiPolygon, Orient, Point, unary_union};
use rand_chacha::ChaCha8Rng;

use super::super::country::{CITIES, STATES};
use super::super::text;
use super::density::nearest_state;
use super::quadtree::{Cell, Quadtree};
use crate::domain::codes::{Level, TerritoryCode};
use crate::domain::territory::Territory;

/// Most parishes in one municipality (codes allow 99), and municipalities in one state.
const MAX_CHILDREN: usize = 99;

/// Each parish cell's state and municipality, and its code.
pub(super) struct Divisions {
    /// Each cell's state, a position in [`STATES`].
    pub state_of: Vec<u32>,
    /// Each cell's municipality, a position in `municipalities`.
    pub municipality_of: Vec<u32>,
    /// Each municipality's state and its number in the state.
    pub municipalities: Vec<(u32, u32)>,
    /// Each cell's parish code.
    pub parish_codes: Vec<TerritoryCode>,
}

impl Divisions {
    /// The divisions of the tree's `cells`.
    pub fn new(tree: &Quadtree, cells: &[Cell]) -> Divisions {
        let state_of = states(tree, cells);
        let (municipality_of, municipalities) = municipalities(tree.groups(cells.len()), &state_of);
        let mut parish_number = vec![0u32; municipalities.len()];
        let parish_codes: Vec<TerritoryCode> = municipality_of
            .iter()
            .map(|&m| {
                parish_number[m as usize] += 1;
                let (s, n) = municipalities[m as usize];
                let number = parish_number[m as usize];
                assert!(number as usize <= MAX_CHILDREN);
                TerritoryCode::parish((s + 1) * 10_000 + n * 100 + number)
            })
            .collect();
        Divisions {
            state_of,
            municipality_of,
            municipalities,
            parish_codes,
        }
    }

    /// Names: a municipality takes the name of its largest city, else a
    /// common municipality name.
    pub fn municipality_names(&self, tree: &Quadtree, rng: &mut ChaCha8Rng) -> Vec<String> {
        let mut city_in: Vec<Option<(&str, f64)>> = vec![None; self.municipalities.len()];
        for c in CITIES {
            if let Some(k) = tree.locate(c.lon, c.lat) {
                let m = self.municipality_of[k as usize] as usize;
                if city_in[m].is_none_or(|(_, t)| t < c.thousands) {
                    city_in[m] = Some((c.name, c.thousands));
                }
            }
        }
        city_in
            .iter()
            .map(|c| match c {
                Some((name, _)) => (*name).to_owned(),
                None => text::pick(rng, text::MUNICIPALITY_NAMES).to_owned(),
            })
            .collect()
    }

    /// States, then municipalities, then parishes, each sorted by code, with
    /// their boundaries: a parish's is its cell's, the others the unions of
    /// their parts. Parishes draw their names from `rng`.
    pub fn territories(
        &self,
        cells: &[Cell],
        municipality_names: &[String],
        rng: &mut ChaCha8Rng,
    ) -> Vec<Territory> {
        let mut municipality_parts: Vec<Vec<&MultiPolygon<f64>>> =
            vec![Vec::new(); self.municipalities.len()];
        for (cell, &m) in cells.iter().zip(&self.municipality_of) {
            municipality_parts[m as usize].push(&cell.boundary);
        }
        let municipality_shapes: Vec<MultiPolygon<f64>> = municipality_parts
            .into_iter()
            .map(|parts| unary_union(parts).orient(Direction::Default))
            .collect();
        let mut territories = self.states(&municipality_shapes);
        let mut municipality_territories: Vec<Territory> = self
            .municipalities
            .iter()
            .zip(municipality_shapes)
            .zip(municipality_names)
            .map(|((&(s, n), shape), name)| Territory {
                code: TerritoryCode::parse(
                    Level::Municipality,
                    &format!("{:04}", (s + 1) * 100 + n),
                )
                .expect("municipality codes are valid"),
                name: name.clone(),
                boundary: Some(shape),
            })
            .collect();
        municipality_territories.sort_by_key(|t| t.code);
        territories.extend(municipality_territories);
        let mut parish_territories: Vec<Territory> = cells
            .iter()
            .zip(&self.parish_codes)
            .map(|(cell, &code)| Territory {
                code,
                name: text::pick(rng, text::PARISH_NAMES).to_owned(),
                boundary: Some(cell.boundary.clone()),
            })
            .collect();
        parish_territories.sort_by_key(|t| t.code);
        territories.extend(parish_territories);
        territories
    }

    /// The states that hold a municipality, in the order of [`STATES`], each
    /// the union of its municipalities' shapes.
    fn states(&self, municipality_shapes: &[MultiPolygon<f64>]) -> Vec<Territory> {
        let mut state_parts: Vec<Vec<&MultiPolygon<f64>>> = vec![Vec::new(); STATES.len()];
        for (shape, &(s, _)) in municipality_shapes.iter().zip(&self.municipalities) {
            state_parts[s as usize].push(shape);
        }
        state_parts
            .into_iter()
            .enumerate()
            .filter(|(_, parts)| !parts.is_empty())
            .map(|(s, parts)| Territory {
                code: TerritoryCode::parse(Level::State, STATES[s].code)
                    .expect("state codes are valid"),
                name: STATES[s].name.to_owned(),
                boundary: Some(unary_union(parts).orient(Direction::Default)),
            })
            .collect()
    }
}

/// Each cell's state: the one with the nearest reference point, except that
/// the parish at a city's centre belongs to the city's state.
fn states(tree: &Quadtree, cells: &[Cell]) -> Vec<u32> {
    let mut state_of: Vec<u32> = cells
        .iter()
        .map(|cell| {
            let p = match &cell.shape {
                None => Point::from(cell.rect.center()),
                Some(shape) => shape
                    .interior_point()
                    .unwrap_or(Point::from(cell.rect.center())),
            };
            nearest_state(p)
        })
        .collect();
    for c in CITIES {
        if let Some(k) = tree.locate(c.lon, c.lat) {
            state_of[k as usize] =
                STATES.iter().position(|s| s.code == c.state).unwrap_or(0) as u32;
        }
    }
    state_of
}

/// Municipalities: the cells of one quadtree group (`group_of`) and one
/// state. Returns each cell's municipality and each municipality's state and
/// number in the state, numbered per state in order of first appearance.
fn municipalities(group_of: Vec<u32>, state_of: &[u32]) -> (Vec<u32>, Vec<(u32, u32)>) {
    let mut municipality_of = vec![0u32; group_of.len()];
    let mut municipalities: Vec<(u32, u32)> = Vec::new();
    let mut key_to_municipality = std::collections::HashMap::new();
    let mut per_state = [0u32; 24];
    for (k, (&g, &s)) in group_of.iter().zip(state_of).enumerate() {
        let m = *key_to_municipality.entry((g, s)).or_insert_with(|| {
            per_state[s as usize] += 1;
            municipalities.push((s, per_state[s as usize]));
            (municipalities.len() - 1) as u32
        });
        municipality_of[k] = m;
    }
    assert!(
        per_state.iter().all(|&n| n as usize <= MAX_CHILDREN),
        "a state has more than 99 municipalities: {per_state:?}"
    );
    (municipality_of, municipalities)
}
