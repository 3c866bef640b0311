//! Marked duplicates as the index keeps them, through builds, upserts and
//! removals, against a brute force over the same priorities: each
//! original's count, the families its parish counts for it, and the
//! `duplicate_of` and `has_duplicates` filters.

use std::collections::BTreeMap;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::tests::random_priority;
use super::*;
use crate::domain::priority::Status;
use crate::domain::query::{Page, PriorityFilter};

/// Each council's parish: three parishes.
fn parish_of(c: &CouncilCode) -> Option<TerritoryCode> {
    let last = c.as_str().bytes().last().unwrap_or(0);
    Some(TerritoryCode::parish(10_101 + u32::from(last % 3)))
}

/// A random priority, a fifth of them marked duplicates of another row
/// key's id (some beyond the rows made: originals never loaded).
fn random(rng: &mut ChaCha8Rng, pk: i64, rows: i64) -> Priority {
    let mut p = random_priority(rng, pk);
    p.families = rng.random_bool(0.8).then(|| rng.random_range(0..500));
    if p.status == Status::Duplicate {
        p.status = Status::Proposed;
    }
    if rng.random_range(0..5) == 0 {
        p.status = Status::Duplicate;
        let original = rng.random_range(1..rows + 20);
        p.duplicate_of = (original != pk).then(|| Uuid::from_u128(original as u128));
    }
    p
}

/// The families each parish counts, by brute force: a duplicate none, any
/// other priority its own and those of the duplicates marked of it.
fn brute_families(rows: &BTreeMap<i64, Priority>) -> BTreeMap<TerritoryCode, u64> {
    let mut carried: BTreeMap<Uuid, u64> = BTreeMap::new();
    for p in rows.values() {
        if let (Status::Duplicate, Some(o)) = (p.status, p.duplicate_of) {
            *carried.entry(o).or_default() += u64::from(p.families.unwrap_or(0));
        }
    }
    let mut out = BTreeMap::new();
    for p in rows.values() {
        let parish = parish_of(&p.council).expect("parish");
        let n = match p.status {
            Status::Duplicate => 0,
            _ => u64::from(p.families.unwrap_or(0)) + carried.get(&p.id).copied().unwrap_or(0),
        };
        *out.entry(parish).or_default() += n;
    }
    out
}

/// Checks the index against a brute force over `rows`.
fn check(index: &PriorityIndex, rows: &BTreeMap<i64, Priority>, rng: &mut ChaCha8Rng, when: &str) {
    let families: BTreeMap<TerritoryCode, u64> = index
        .tallies
        .iter()
        .filter(|(_, t)| t.priorities > 0)
        .map(|(parish, t)| (*parish, t.families))
        .collect();
    assert_eq!(families, brute_families(rows), "{when}");
    let marked_of = |id: Uuid| -> Vec<i64> {
        rows.values()
            .filter(|p| p.status == Status::Duplicate && p.duplicate_of == Some(id))
            .map(|p| p.pk)
            .collect()
    };
    for p in rows.values() {
        let entry = index.get(&p.id).expect("indexed");
        assert_eq!(
            entry.duplicates().count as usize,
            marked_of(p.id).len(),
            "{when}: {}",
            p.pk
        );
    }
    let everything = Page {
        limit: usize::MAX,
        offset: 0,
    };
    let pks = |f: &PriorityFilter| -> Vec<i64> {
        index
            .query(f, everything)
            .items
            .iter()
            .map(|(e, _)| e.pk)
            .collect()
    };
    for _ in 0..20 {
        let originals: Vec<Uuid> = (0..rng.random_range(1..4))
            .map(|_| Uuid::from_u128(rng.random_range(1..rows.len() as u128 + 30)))
            .collect();
        let mut want: Vec<i64> = originals.iter().flat_map(|o| marked_of(*o)).collect();
        want.sort_unstable();
        want.dedup();
        let f = PriorityFilter {
            duplicate_of: originals.clone(),
            ..PriorityFilter::default()
        };
        assert_eq!(pks(&f), want, "{when}: duplicate_of {originals:?}");
    }
    for wanted in [true, false] {
        let want: Vec<i64> = rows
            .values()
            .filter(|p| marked_of(p.id).is_empty() != wanted)
            .map(|p| p.pk)
            .collect();
        let f = PriorityFilter {
            has_duplicates: Some(wanted),
            ..PriorityFilter::default()
        };
        assert_eq!(pks(&f), want, "{when}: has_duplicates={wanted}");
        assert!(!want.is_empty(), "{when}: the data splits has_duplicates");
    }
}

#[test]
fn duplicates_are_counted_on_their_originals_as_they_come_and_go() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let n = 1_500;
    let mut rows: BTreeMap<i64, Priority> =
        (1..=n).map(|pk| (pk, random(&mut rng, pk, n))).collect();
    let all: Vec<Priority> = rows.values().cloned().collect();
    let mut builder = IndexBuilder::default();
    for chunk in all.chunks(400) {
        builder
            .add(chunk, parish_of, false)
            .expect("known councils");
    }
    let mut index = builder.finish();
    check(&index, &rows, &mut rng, "built");
    let mut one_by_one = PriorityIndex::default();
    for p in all.iter().rev() {
        one_by_one.upsert(p, parish_of(&p.council).expect("parish"), false);
    }
    assert_eq!(
        one_by_one.tallies, index.tallies,
        "upserted in reverse order"
    );
    for round in 0..5 {
        for _ in 0..300 {
            let pk = rng.random_range(1..=n + 200);
            if rng.random_range(0..4) == 0 {
                rows.remove(&pk);
                index.remove(pk);
                continue;
            }
            // A new row, or a row changed: marked, unmarked, other families.
            let mut p = random(&mut rng, pk, n);
            if let Some(old) = rows.get(&pk) {
                p.id = old.id;
                p.council = old.council.clone();
            }
            index.upsert(&p, parish_of(&p.council).expect("parish"), false);
            rows.insert(pk, p);
        }
        check(&index, &rows, &mut rng, &format!("round {round}"));
    }
}
