//! Spanish phrase tables the generated titles, descriptions, plans and names
//! are composed from. Placeholders, filled by [`fill`] with values drawn once
//! per priority (so a description and its plan agree): `{s}` a sector's
//! name, `{m}` metres or square metres, `{k}` a count, `{a}` a small count,
//! `{c}` hundreds of people or things, `{v}` votes, `{f}` families, `{y}` a
//! year.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::domain::priority::Category;

mod community;
mod infrastructure;
mod names;
mod phrases;
#[cfg(test)]
mod tests;

use community::{CULTURE_SPORT, EDUCATION, ENVIRONMENT, FOOD, HEALTH, HOUSING, OTHER, SECURITY};
use infrastructure::{ELECTRICITY, GAS, ROADS, TELECOM, TRANSPORT, WATER};
pub use names::{COUNCIL_NAMES, MUNICIPALITY_NAMES, PARISH_NAMES};
pub use phrases::{CLOSINGS, OPENINGS, SECTORS, TITLE_PLACES};

/// One thing a council may ask for, told the same way in its title, its
/// description and its plan.
pub struct Item {
    /// The title's head: the work asked for.
    pub work: &'static str,
    /// A clause describing the problem, completing "En el sector X, …".
    pub problem: &'static str,
    /// A sentence stating what is needed.
    pub need: &'static str,
    pub objective: &'static str,
    pub goal: &'static str,
    pub resources: &'static str,
}

/// What is said about the priorities of one category.
pub struct Topic {
    pub items: &'static [Item],
    /// The ministry a plan may name as responsible.
    pub ministry: &'static str,
}

/// The phrases of `category`.
pub fn topic(category: Category) -> &'static Topic {
    match category {
        Category::Water => &WATER,
        Category::Electricity => &ELECTRICITY,
        Category::Roads => &ROADS,
        Category::Health => &HEALTH,
        Category::Education => &EDUCATION,
        Category::Security => &SECURITY,
        Category::Housing => &HOUSING,
        Category::Environment => &ENVIRONMENT,
        Category::Gas => &GAS,
        Category::Transport => &TRANSPORT,
        Category::Telecom => &TELECOM,
        Category::Food => &FOOD,
        Category::CultureSport => &CULTURE_SPORT,
        Category::Other => &OTHER,
    }
}

/// A random entry of `table`.
pub fn pick<'a>(rng: &mut ChaCha8Rng, table: &[&'a str]) -> &'a str {
    table[rng.random_range(0..table.len())]
}

/// The values the placeholders of one priority's texts take.
pub struct Fill<'a> {
    pub sector: &'a str,
    pub metres: u32,
    pub count: u32,
    pub few: u32,
    pub people: u32,
    pub votes: u32,
    pub families: u32,
    pub year: u32,
}

impl<'a> Fill<'a> {
    /// Draws every value; `families` as the priority states it, when it does.
    pub fn draw(rng: &mut ChaCha8Rng, sector: &'a str, families: Option<u32>) -> Self {
        Fill {
            sector,
            metres: rng.random_range(2..=60) * 10,
            count: rng.random_range(5..=60),
            few: rng.random_range(2..=12),
            people: rng.random_range(10..=150) * 10,
            votes: rng.random_range(40..=400),
            families: families.unwrap_or_else(|| rng.random_range(20..=600)),
            year: rng.random_range(2019..=2024),
        }
    }
}

/// Appends `template` to `out` with its placeholders filled.
pub fn fill(out: &mut String, template: &str, values: &Fill<'_>) {
    use std::fmt::Write;
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let number = match &rest[open + 1..close] {
            "m" => Some(values.metres),
            "k" => Some(values.count),
            "a" => Some(values.few),
            "c" => Some(values.people),
            "v" => Some(values.votes),
            "f" => Some(values.families),
            "y" => Some(values.year),
            _ => None,
        };
        match number {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None if &rest[open + 1..close] == "s" => out.push_str(values.sector),
            None => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
}
