//! The phrase tables' tests.

use rand::SeedableRng;

use super::*;

fn every_text() -> Vec<&'static str> {
    let mut all: Vec<&str> = Vec::new();
    for &c in Category::ALL {
        let t = topic(c);
        for i in t.items {
            all.extend([i.work, i.problem, i.need, i.objective, i.goal, i.resources]);
        }
        all.push(t.ministry);
    }
    for table in [
        TITLE_PLACES,
        OPENINGS,
        CLOSINGS,
        SECTORS,
        MUNICIPALITY_NAMES,
        PARISH_NAMES,
        COUNCIL_NAMES,
    ] {
        all.extend(table);
    }
    all
}

#[test]
fn no_phrase_needs_json_escaping_or_is_blank() {
    for s in every_text() {
        assert!(!s.trim().is_empty());
        assert!(
            !s.chars().any(|c| c == '"' || c == '\\' || c.is_control()),
            "{s:?}"
        );
    }
}

#[test]
fn placeholders_are_filled() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let values = Fill::draw(&mut rng, "La Pastora", Some(120));
    let mut out = String::new();
    fill(
        &mut out,
        "{s}: {m} m, {k}, {a}, {c}, {v}, {f}, {y}; {z}",
        &values,
    );
    assert!(out.starts_with("La Pastora: "), "{out}");
    assert!(out.contains(", 120, ") && out.ends_with("; {z}"), "{out}");
    assert_eq!(out.matches('{').count(), 1, "{out}");
}

#[test]
fn every_placeholder_used_is_known() {
    let known = ["{s}", "{m}", "{k}", "{a}", "{c}", "{v}", "{f}", "{y}"];
    for s in every_text() {
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            let close = open + rest[open..].find('}').unwrap();
            assert!(known.contains(&&rest[open..=close]), "{s:?}");
            rest = &rest[close + 1..];
        }
    }
}

#[test]
fn every_category_has_five_items() {
    for &c in Category::ALL {
        assert_eq!(topic(c).items.len(), 5, "{c}");
    }
}
