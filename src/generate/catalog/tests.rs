//! The generated catalog's tests.

use std::collections::{BTreeMap, HashSet};

use geo::{Intersects, Validation, Winding};

use super::super::country::CITIES;
use super::density::erf;
use super::quadtree::RectExt;
use super::*;
use crate::domain::codes::Level;

fn catalog() -> Catalog {
    Catalog::build(35_000).unwrap()
}

#[test]
fn erf_matches_known_values() {
    for (x, e) in [
        (0.0, 0.0),
        (0.5, 0.520_499_9),
        (1.0, 0.842_700_8),
        (2.0, 0.995_322_3),
    ] {
        assert!((erf(x) - e).abs() < 2e-7, "{x}");
        assert!((erf(-x) + e).abs() < 2e-7, "{x}");
    }
}

#[test]
fn the_catalog_has_national_proportions() {
    let c = catalog();
    let count = |level: Level| {
        c.territories
            .iter()
            .filter(|t| t.code.level() == level)
            .count()
    };
    let (states, municipalities, parishes) = (
        count(Level::State),
        count(Level::Municipality),
        count(Level::Parish),
    );
    println!("{states} states, {municipalities} municipalities, {parishes} parishes");
    assert_eq!(states, 24);
    assert!((150..=700).contains(&municipalities), "{municipalities}");
    assert!((900..=2_500).contains(&parishes), "{parishes}");
    assert_eq!(c.councils.len(), 35_000);
    let per_parish: BTreeMap<_, usize> = c.councils.iter().fold(BTreeMap::new(), |mut m, k| {
        *m.entry(k.parish).or_default() += 1;
        m
    });
    assert_eq!(per_parish.len(), parishes, "every parish has a council");
    let most = per_parish.values().max().unwrap();
    println!("at most {most} councils in one parish");
}

#[test]
fn codes_nest_and_are_unique_and_sorted() {
    let c = catalog();
    let codes: HashSet<_> = c.territories.iter().map(|t| t.code).collect();
    assert_eq!(codes.len(), c.territories.len());
    for t in &c.territories {
        if let Some(parent) = t.code.parent() {
            assert!(codes.contains(&parent), "{} has no parent", t.code);
        }
    }
    for level in Level::ALL {
        let of_level: Vec<_> = c
            .territories
            .iter()
            .filter(|t| t.code.level() == level)
            .collect();
        assert!(of_level.windows(2).all(|w| w[0].code < w[1].code));
    }
    let councils: HashSet<_> = c.councils.iter().map(|k| k.code.clone()).collect();
    assert_eq!(councils.len(), c.councils.len());
    assert!(c.councils.windows(2).all(|w| w[0].code < w[1].code));
    for k in &c.councils {
        assert!(codes.contains(&k.parish));
    }
}

#[test]
fn boundaries_are_valid_counter_clockwise_and_parishes_do_not_overlap() {
    let c = catalog();
    for t in &c.territories {
        let b = t.boundary.as_ref().unwrap();
        assert!(b.is_valid(), "{}: {:?}", t.code, b.validation_errors());
        assert!(b.0.iter().all(|p| p.exterior().is_ccw()), "{}", t.code);
    }
    // Parishes are quadtree cells (clipped): they can only share edges.
    for (a, p) in c.parishes.iter().enumerate() {
        for q in &c.parishes[a + 1..] {
            let overlap = p.rect.intersects_rect(&q.rect);
            assert!(!overlap, "{:?} and {:?}", p.rect, q.rect);
        }
    }
}

#[test]
fn councils_lie_in_their_parish_and_cities_in_a_parish() {
    let c = catalog();
    let boundary: BTreeMap<_, _> = c
        .territories
        .iter()
        .map(|t| (t.code, t.boundary.clone().unwrap()))
        .collect();
    for k in c.councils.iter().step_by(37) {
        assert!(
            boundary[&k.parish].intersects(&k.location.unwrap()),
            "{}",
            k.code
        );
    }
    for city in CITIES {
        assert!(c.locate(city.lon, city.lat).is_some(), "{}", city.name);
    }
}

#[test]
fn the_catalog_is_deterministic_and_follows_the_council_count() {
    let a = Catalog::build(5_000).unwrap();
    let b = Catalog::build(5_000).unwrap();
    assert_eq!(a.territories, b.territories);
    assert_eq!(a.councils, b.councils);
    assert_eq!(a.councils.len(), 5_000);
    assert!(matches!(
        Catalog::build(100),
        Err(CatalogError::TooFewCouncils { .. })
    ));
}
