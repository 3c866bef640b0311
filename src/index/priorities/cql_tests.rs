//! CQL2 filters on the index equal the reference implementation's own
//! evaluator (the `cql2` crate's `Expr::matches`) run over every priority's
//! Feature, for several hundred seeded random expressions, and the plan they
//! get narrows the candidates without changing the result.

use std::sync::Arc;

use chrono::NaiveDate;
use geo::{Coord, Geometry, LineString, Point, Polygon};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::PriorityIndex;
use super::plan::Plan;
use crate::domain::codes::{CouncilCode, TerritoryCode};
use crate::domain::cql::{Filter, Lang};
use crate::domain::crs::Crs;
use crate::domain::priority::{Category, Priority, Status};
use crate::domain::query::{Page, PriorityFilter};
use crate::domain::queryables::{PRIORITIES, geometry_family};

const TITLES: [&str; 8] = [
    "Tubería rota",
    "TUBERIA ROTA en la calle",
    "Alumbrado público",
    "alumbrado publico",
    "Cancha deportiva",
    "Escuela sin techo",
    "Vía en mal estado",
    "Ambulatorio 50% equipado",
];
const PARISHES: [u32; 5] = [10_101, 10_102, 10_201, 20_101, 20_102];
/// 2025-01-01T00:00:00Z, in microseconds.
const START: i64 = 1_735_689_600_000_000;
const DAY: i64 = 86_400_000_000;

fn council_parish(c: &CouncilCode) -> Option<TerritoryCode> {
    let n: usize = c.as_str().trim_start_matches("C-").parse().ok()?;
    Some(TerritoryCode::parish(PARISHES[n % PARISHES.len()]))
}

fn random_priority(rng: &mut ChaCha8Rng, pk: i64) -> Priority {
    let c = if rng.random_range(0..15) == 0 {
        Coord { x: -66.9, y: 10.5 }
    } else {
        Coord {
            x: rng.random_range(-67.0..-66.8),
            y: rng.random_range(10.4..10.6),
        }
    };
    let d = rng.random_range(0.001..0.03);
    let geometry = match rng.random_range(0..10) {
        0..6 => Geometry::Point(Point(c)),
        6..8 => Geometry::LineString(LineString::from(vec![
            c,
            Coord {
                x: c.x + d,
                y: c.y - d / 2.0,
            },
            Coord {
                x: c.x + d,
                y: c.y + d,
            },
        ])),
        _ => Geometry::Polygon(Polygon::new(
            LineString::from(vec![
                c,
                Coord { x: c.x + d, y: c.y },
                Coord {
                    x: c.x + d,
                    y: c.y + d,
                },
                Coord { x: c.x, y: c.y + d },
                c,
            ]),
            vec![],
        )),
    };
    // Some creation times fall on a day's first microsecond.
    let created_at = START
        + rng.random_range(0..700) * DAY
        + if rng.random_bool(0.2) {
            0
        } else {
            rng.random_range(0..DAY)
        };
    Priority {
        pk,
        id: Uuid::from_u128(rng.random()),
        council: format!("C-{}", rng.random_range(0..12))
            .parse()
            .expect("code"),
        title: TITLES[rng.random_range(0..TITLES.len())].into(),
        description: None,
        category: Category::ALL[rng.random_range(0..Category::ALL.len())],
        status: Status::ALL[rng.random_range(0..Status::ALL.len())],
        rank: rng.random_bool(0.6).then(|| rng.random_range(1..=10)),
        families: rng.random_bool(0.7).then(|| rng.random_range(0..400)),
        plan: None,
        geometry,
        created_at,
        updated_at: created_at + rng.random_range(0..30 * DAY),
        version: 1,
        located_parish: None,
        duplicate_of: None,
    }
}

fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn timestamp(rng: &mut impl Rng) -> String {
    let t = START + rng.random_range(-10..720) * DAY + rng.random_range(0..3) * DAY / 2;
    crate::domain::time::format(t)
}

fn date(rng: &mut impl Rng) -> String {
    let day =
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(rng.random_range(0..720));
    day.to_string()
}

fn lon(rng: &mut impl Rng) -> f64 {
    rng.random_range(-67.02..-66.78)
}

fn lat(rng: &mut impl Rng) -> f64 {
    rng.random_range(10.38..10.62)
}

fn shape(rng: &mut impl Rng) -> String {
    let (x, y) = (lon(rng), lat(rng));
    let s = rng.random_range(0.005..0.12);
    match rng.random_range(0..6) {
        0 => format!("BBOX({x}, {y}, {}, {})", x + s, y + s),
        1 => format!(
            "POLYGON(({x} {y}, {} {y}, {} {}, {x} {}, {x} {y}))",
            x + s,
            x + s,
            y + s,
            y + s
        ),
        2 => format!("LINESTRING({x} {y}, {} {})", x + s, y + s * 0.5),
        3 => "POINT(-66.9 10.5)".into(),
        4 => format!("POINT({x} {y})"),
        _ => format!(
            "MULTIPOLYGON((({x} {y}, {} {y}, {x} {}, {x} {y})), (({} {}, {} {}, {} {}, {} {})))",
            x + s,
            y + s,
            x + 0.1,
            y + 0.1,
            x + 0.1 + s,
            y + 0.1,
            x + 0.1,
            y + 0.1 + s,
            x + 0.1,
            y + 0.1
        ),
    }
}

fn list(rng: &mut impl Rng, names: &[&str]) -> String {
    let n = rng.random_range(1..=3);
    (0..n)
        .map(|_| format!("'{}'", pick(rng, names)))
        .collect::<Vec<_>>()
        .join(", ")
}

const SPATIAL: [&str; 8] = [
    "S_INTERSECTS",
    "S_DISJOINT",
    "S_WITHIN",
    "S_CONTAINS",
    "S_TOUCHES",
    "S_CROSSES",
    "S_OVERLAPS",
    "S_EQUALS",
];
const TEMPORAL: [&str; 15] = [
    "T_AFTER",
    "T_BEFORE",
    "T_CONTAINS",
    "T_DISJOINT",
    "T_DURING",
    "T_EQUALS",
    "T_FINISHEDBY",
    "T_FINISHES",
    "T_INTERSECTS",
    "T_MEETS",
    "T_METBY",
    "T_OVERLAPPEDBY",
    "T_OVERLAPS",
    "T_STARTEDBY",
    "T_STARTS",
];
const CMP: [&str; 6] = ["=", "<>", "<", "<=", ">", ">="];

/// One random condition, of any family.
fn condition(rng: &mut impl Rng) -> String {
    match rng.random_range(0..22) {
        0..8 => facet_condition(rng),
        8..11 => text_condition(rng),
        11..15 => number_condition(rng),
        15..19 => temporal_condition(rng),
        19 | 20 => format!("{}(geometry, {})", pick(rng, &SPATIAL), shape(rng)),
        _ => format!(
            "geometry_type = '{}'",
            pick(rng, &["point", "line", "polygon"])
        ),
    }
}

/// On a category, status, territory or council.
fn facet_condition(rng: &mut impl Rng) -> String {
    let parishes: Vec<String> = PARISHES.iter().map(|p| format!("{p:06}")).collect();
    let parishes: Vec<&str> = parishes.iter().map(String::as_str).collect();
    let councils: Vec<String> = (0..13).map(|i| format!("C-{i}")).collect();
    let councils: Vec<&str> = councils.iter().map(String::as_str).collect();
    match rng.random_range(0..8) {
        0 => format!("category = '{}'", pick(rng, Category::NAMES)),
        1 => format!("category IN ({})", list(rng, Category::NAMES)),
        2 => format!(
            "status {} '{}'",
            pick(rng, &["=", "<>"]),
            pick(rng, Status::NAMES)
        ),
        3 => format!("status IN ({})", list(rng, Status::NAMES)),
        4 => format!("parish IN ({})", list(rng, &parishes)),
        5 => format!("state = '{}'", pick(rng, &["01", "02", "03"])),
        6 => format!("municipality IN ({})", list(rng, &["0101", "0102", "0201"])),
        _ => format!("council = '{}'", pick(rng, &councils)),
    }
}

/// On the title, with and without case and accents.
fn text_condition(rng: &mut impl Rng) -> String {
    match rng.random_range(0..3) {
        0 => format!(
            "title LIKE '{}'",
            pick(rng, &["%ería%", "Tuber_a%", "%ROTA%", "%o", "A%"])
        ),
        1 => format!(
            "CASEI(title) LIKE CASEI('{}')",
            pick(rng, &["%tuber%", "%ALUMBRADO%", "escuela%"])
        ),
        _ => format!(
            "ACCENTI(CASEI(title)) = ACCENTI(CASEI('{}'))",
            pick(
                rng,
                &["tubería rota", "ALUMBRADO PÚBLICO", "vía en mal estado"]
            )
        ),
    }
}

/// On rank and families, which may be missing.
fn number_condition(rng: &mut impl Rng) -> String {
    match rng.random_range(0..4) {
        0 => format!("rank {} {}", pick(rng, &CMP), rng.random_range(0..11)),
        1 => format!(
            "{} IS {}NULL",
            pick(rng, &["rank", "families"]),
            pick(rng, &["", "NOT "])
        ),
        2 => {
            let a = rng.random_range(0..300);
            format!("families BETWEEN {a} AND {}", a + rng.random_range(0..200))
        }
        _ => format!(
            "families {} {} {} {}",
            pick(rng, &["+", "-", "*"]),
            rng.random_range(1..5),
            pick(rng, &CMP),
            rng.random_range(0..600)
        ),
    }
}

/// On the creation and change times.
fn temporal_condition(rng: &mut impl Rng) -> String {
    match rng.random_range(0..4) {
        0 => format!(
            "{} {} TIMESTAMP('{}')",
            pick(rng, &["created_at", "updated_at"]),
            pick(rng, &CMP),
            timestamp(rng)
        ),
        1 => {
            let (a, b) = (timestamp(rng), timestamp(rng));
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            let start = pick(rng, &["..", &a]).to_string();
            let end = pick(rng, &["..", "2026-12-31T00:00:00Z", &b]).to_string();
            let end = if start != ".." && end != ".." && end < start {
                b
            } else {
                end
            };
            format!(
                "{}(created_at, INTERVAL('{start}', '{end}'))",
                pick(rng, &TEMPORAL)
            )
        }
        2 => format!(
            "{}(created_at, TIMESTAMP('{}'))",
            pick(rng, &TEMPORAL),
            timestamp(rng)
        ),
        _ => format!(
            "{}(created_at, DATE('{}'))",
            pick(rng, &TEMPORAL),
            date(rng)
        ),
    }
}

/// A random expression: conditions joined by AND, OR and NOT.
fn expression(rng: &mut impl Rng, depth: u32) -> String {
    if depth == 0 || rng.random_bool(0.35) {
        return condition(rng);
    }
    match rng.random_range(0..5) {
        0 => format!("NOT ({})", expression(rng, depth - 1)),
        1 | 2 => format!(
            "{} AND {}",
            expression(rng, depth - 1),
            expression(rng, depth - 1)
        ),
        _ => format!(
            "({}) OR ({})",
            expression(rng, depth - 1),
            expression(rng, depth - 1)
        ),
    }
}

/// The reference evaluator's matches, in row-key order.
///
/// The reference reduces an expression against a feature; a comparison
/// with a `null` value is left unreduced there (it is unknown), so what is
/// left is decided in three-valued logic: only `AND`, `OR` and `NOT` of
/// decided values and unknowns remain.
fn reference(features: &[(i64, serde_json::Value)], text: &str) -> Vec<i64> {
    let expr: cql2::Expr = text.parse().expect("the reference parses it");
    features
        .iter()
        .filter(|(_, f)| {
            let reduced = expr
                .clone()
                .reduce(Some(f))
                .unwrap_or_else(|e| panic!("the reference fails on {text}: {e}"));
            kleene(&reduced) == Some(true)
        })
        .map(|(pk, _)| *pk)
        .collect()
}

fn kleene(e: &cql2::Expr) -> Option<bool> {
    use cql2::Expr as E;
    match e {
        E::Bool(b) => Some(*b),
        E::Operation { op, args } if op == "and" => {
            let values: Vec<_> = args.iter().map(|a| kleene(a)).collect();
            if values.contains(&Some(false)) {
                Some(false)
            } else if values.contains(&None) {
                None
            } else {
                Some(true)
            }
        }
        E::Operation { op, args } if op == "or" => {
            let values: Vec<_> = args.iter().map(|a| kleene(a)).collect();
            if values.contains(&Some(true)) {
                Some(true)
            } else if values.contains(&None) {
                None
            } else {
                Some(false)
            }
        }
        E::Operation { op, args } if op == "not" => kleene(&args[0]).map(|b| !b),
        // A comparison left unreduced holds a null (or a property whose
        // value is null, which the reference leaves unresolved): unknown.
        E::Operation { args, .. } => {
            assert!(
                args.iter().any(|a| contains_null(a)),
                "the reference left {e:?} unreduced without a null in it"
            );
            None
        }
        E::Null => None,
        other => panic!("the reference reduced a condition to the value {other:?}"),
    }
}

fn contains_null(e: &cql2::Expr) -> bool {
    match e {
        cql2::Expr::Null => true,
        cql2::Expr::Property { property } => ["rank", "families"].contains(&property.as_str()),
        cql2::Expr::Operation { args, .. } => args.iter().any(|a| contains_null(a)),
        _ => false,
    }
}

fn index_and_features() -> (PriorityIndex, Vec<(i64, serde_json::Value)>) {
    let mut rng = ChaCha8Rng::seed_from_u64(20_261_204);
    let priorities: Vec<Priority> = (1..=1_200)
        .map(|pk| random_priority(&mut rng, pk))
        .collect();
    let index = PriorityIndex::build(priorities, council_parish, false).expect("index");
    let features = index
        .entries()
        .map(|e| {
            let mut f: serde_json::Value = serde_json::from_str(&e.feature).expect("feature");
            f["properties"]["geometry_type"] = geometry_family(&e.geometry).into();
            f["properties"]["id"] = e.id.to_string().into();
            (e.pk, f)
        })
        .collect();
    (index, features)
}

fn query(index: &PriorityIndex, filter: PriorityFilter) -> Vec<i64> {
    let page = index.query(
        &filter,
        Page {
            limit: usize::MAX,
            offset: 0,
        },
    );
    assert_eq!(page.matched, page.items.len());
    page.items.iter().map(|(e, _)| e.pk).collect()
}

#[test]
fn random_filters_equal_the_reference_evaluator_on_every_priority() {
    let (index, features) = index_and_features();
    let mut rng = ChaCha8Rng::seed_from_u64(21_065);
    let mut matched_some = 0;
    for round in 0..300 {
        let text = expression(&mut rng, 3);
        let filter = Filter::parse(&text, Lang::Text, Crs::Crs84, &PRIORITIES)
            .unwrap_or_else(|e| panic!("round {round}: {text}: {e}"));
        let want = reference(&features, &text);
        let plain = PriorityFilter {
            filter: Some(Arc::new(filter)),
            ..PriorityFilter::default()
        };
        assert_eq!(query(&index, plain.clone()), want, "round {round}: {text}");
        assert_eq!(
            query(&index, plain.narrowed()),
            want,
            "round {round} narrowed: {text}"
        );
        matched_some += usize::from(!want.is_empty() && want.len() < features.len());
    }
    // The expressions tell priorities apart, rather than matching all or none.
    assert!(matched_some > 150, "{matched_some}");
}

#[test]
fn the_json_encoding_gives_what_the_text_encoding_gives() {
    let (index, features) = index_and_features();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for round in 0..60 {
        let text = expression(&mut rng, 2);
        let json = text.parse::<cql2::Expr>().unwrap().to_json().unwrap();
        let filter = Filter::parse(&json, Lang::Json, Crs::Crs84, &PRIORITIES)
            .unwrap_or_else(|e| panic!("round {round}: {json}: {e}"));
        let f = PriorityFilter {
            filter: Some(Arc::new(filter)),
            ..PriorityFilter::default()
        };
        assert_eq!(query(&index, f), reference(&features, &text), "{json}");
    }
}

#[test]
fn pinned_territories_councils_and_areas_choose_their_structures() {
    let source = |text: &str| {
        let filter = Filter::parse(text, Lang::Text, Crs::Crs84, &PRIORITIES).unwrap();
        let f = PriorityFilter {
            filter: Some(Arc::new(filter)),
            ..PriorityFilter::default()
        }
        .narrowed();
        match Plan::choose(&f) {
            Plan::Scan(scan) => format!("{:?}", scan.source),
            other => panic!("{text}: {other:?}"),
        }
    };
    assert!(source("parish IN ('010101', '010102') AND rank > 2").starts_with("Territories"));
    assert!(source("council = 'C-3' OR council = 'C-4'").starts_with("All"));
    assert!(source("council = 'C-3' AND status = 'approved'").starts_with("Councils"));
    assert!(source("S_WITHIN(geometry, BBOX(-67, 10.4, -66.9, 10.5))").starts_with("Box"));
}

/// The order of two property values of the Feature's JSON: numbers as
/// numbers, text (timestamps included, all written alike) as text, and
/// `null` last ascending, first descending.
fn json_order(
    a: &serde_json::Value,
    b: &serde_json::Value,
    descending: bool,
) -> std::cmp::Ordering {
    use serde_json::Value as V;
    use std::cmp::Ordering as O;
    let up = match (a, b) {
        (V::Null, V::Null) => O::Equal,
        (V::Null, _) => O::Greater,
        (_, V::Null) => O::Less,
        (V::Number(x), V::Number(y)) => x.as_f64().unwrap().total_cmp(&y.as_f64().unwrap()),
        (V::String(x), V::String(y)) => x.cmp(y),
        _ => panic!("{a} and {b} are not of one kind"),
    };
    if descending { up.reverse() } else { up }
}

#[test]
fn sortby_pages_equal_a_full_sort_and_hold_each_match_once() {
    use crate::domain::sort::parse_sortby;
    let (index, features) = index_and_features();
    let by_pk: std::collections::HashMap<i64, &serde_json::Value> =
        features.iter().map(|(pk, f)| (*pk, f)).collect();
    let names = [
        "title",
        "rank",
        "families",
        "created_at",
        "updated_at",
        "category",
        "status",
        "parish",
        "council",
        "state",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    for round in 0..40 {
        let sortby: Vec<String> = (0..rng.random_range(1..=3))
            .map(|_| {
                format!(
                    "{}{}",
                    pick(&mut rng, &["", "+", "-"]),
                    pick(&mut rng, &names)
                )
            })
            .collect();
        let sortby = sortby.join(",");
        let keys = parse_sortby(&sortby, &PRIORITIES).unwrap();
        let filter = if rng.random_bool(0.5) {
            let text = expression(&mut rng, 1);
            PriorityFilter {
                filter: Some(Arc::new(
                    Filter::parse(&text, Lang::Text, Crs::Crs84, &PRIORITIES).unwrap(),
                )),
                ..PriorityFilter::default()
            }
            .narrowed()
        } else {
            PriorityFilter::default()
        };
        let mut want = query(&index, filter.clone());
        want.sort_by(|a, b| {
            let (fa, fb) = (&by_pk[a]["properties"], &by_pk[b]["properties"]);
            sortby
                .split(',')
                .map(|k| {
                    let name = k.trim_start_matches(['+', '-']);
                    json_order(&fa[name], &fb[name], k.starts_with('-'))
                })
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(b))
        });
        let limit = rng.random_range(1..60);
        let mut got = Vec::new();
        for offset in (0..want.len() + limit).step_by(limit) {
            let page = index.query_sorted(&filter, &keys, Page { limit, offset });
            assert_eq!(page.matched, want.len());
            got.extend(page.items.iter().map(|(e, _)| e.pk));
        }
        assert_eq!(got, want, "round {round}: sortby={sortby} limit {limit}");
    }
}
