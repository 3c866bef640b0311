//! Index query speed: radius, bbox, territory and combined filters, on two
//! deterministic datasets of 100,000 priorities (85% points, 10% lines, 5%
//! polygons):
//!
//! - `index_N`: uniform over a box around Caracas, with lines and polygons
//!   of a fixed 330–440 m;
//! - `national_N`: `prioridades generate`'s national data (seed 1), clustered
//!   around the country's cities, with its own shapes (segments of 40–200 m,
//!   polygons of 25–150 m), placed in its synthetic parishes; the queries are
//!   those of `scripts/bench-load`, centred on Caracas.
//!
//! Run with `cargo bench --bench index` (one group: `-- national`; deep
//! pages, the tenth of 100: `-- offset_900`);
//! `PRIORIDADES_BENCH_COUNT=1000000 cargo bench --bench index` runs the same
//! queries over a million, plus each spatial query shrunk to return as many
//! matches as it does at 100,000 (the same area holds ten times more), which
//! is how the cost's growth with the collection is read: O(log n + k) means
//! equal-result queries cost about the same.
//!
//! `national_N_cql` runs CQL2 `filter`s on the national data, each narrowed
//! as the server narrows them, beside the query parameters that say the same
//! where there are some (`…_param`): the ratio of the two is what the CQL2
//! form costs (`-- cql`).

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;

mod national;

use criterion::{Criterion, criterion_group, criterion_main};
use geo::{Coord, Geometry, LineString, Point, Polygon, Rect};
use national::national_dataset;
use prioridades::domain::codes::{CouncilCode, Level, TerritoryCode};
use prioridades::domain::cql::{Filter, Lang};
use prioridades::domain::crs::Crs;
use prioridades::domain::priority::{Category, Priority, Status};
use prioridades::domain::query::{Bbox, Interval, Near, Page, PriorityFilter};
use prioridades::domain::queryables::PRIORITIES;
use prioridades::index::PriorityIndex;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const BASE_COUNT: usize = 100_000;
const PARISHES: u32 = 100;

/// How many priorities: `PRIORIDADES_BENCH_COUNT`, 100,000 by default.
fn count() -> usize {
    std::env::var("PRIORIDADES_BENCH_COUNT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(BASE_COUNT)
}

fn dataset(count: usize) -> PriorityIndex {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let priorities: Vec<Priority> = (0..count)
        .map(|i| {
            let c = Coord {
                x: rng.random_range(-67.2..-66.6),
                y: rng.random_range(10.3..10.6),
            };
            let geometry = match rng.random_range(0..100) {
                0..85 => Geometry::Point(Point(c)),
                85..95 => Geometry::LineString(LineString::from(vec![
                    c,
                    Coord {
                        x: c.x + 0.003,
                        y: c.y + 0.002,
                    },
                ])),
                _ => Geometry::Polygon(Polygon::new(
                    LineString::from(vec![
                        c,
                        Coord {
                            x: c.x + 0.004,
                            y: c.y,
                        },
                        Coord {
                            x: c.x,
                            y: c.y + 0.004,
                        },
                        c,
                    ]),
                    vec![],
                )),
            };
            Priority {
                pk: i as i64 + 1,
                id: uuid::Uuid::from_u128(i as u128),
                council: format!("C-{}", i % 1_000).parse().expect("code"),
                title: "Sustitución de tubería matriz".into(),
                description: Some("Prioridad aprobada en asamblea de ciudadanos.".into()),
                category: Category::ALL[i % Category::ALL.len()],
                status: Status::ALL[i % Status::ALL.len()],
                rank: None,
                families: Some(120),
                plan: None,
                geometry,
                created_at: 1_735_689_600_000_000 + i as i64 * 1_000_000,
                updated_at: 1_735_689_600_000_000,
                version: 1,
                located_parish: None,
                duplicate_of: None,
            }
        })
        .collect();
    let parish_of = |code: &CouncilCode| {
        let n: u32 = code.as_str()[2..].parse().ok()?;
        Some(TerritoryCode::parish(10_101 + n % PARISHES))
    };
    PriorityIndex::build(priorities, parish_of, false).expect("index")
}

fn queries(c: &mut Criterion) {
    let count = count();
    let index = dataset(count);
    // Linear sizes that keep the expected number of matches of a query at
    // 100,000 priorities: the data's density grows with the count.
    let equal = (BASE_COUNT as f64 / count as f64).sqrt();
    let near = |radius_m| PriorityFilter {
        near: Some(Near {
            center: Point::new(-66.9, 10.45),
            radius_m,
        }),
        ..Default::default()
    };
    let bbox = |size: f64| PriorityFilter {
        bbox: Some(Bbox(Rect::new(
            (-66.9, 10.45),
            (-66.9 + size, 10.45 + size),
        ))),
        ..Default::default()
    };
    let parish = PriorityFilter {
        parishes: vec![TerritoryCode::parse(Level::Parish, "010150").expect("code")],
        ..Default::default()
    };
    // Deep pages: what a client paging through a large result asks for last.
    let deep = vec![
        ("radius_5km".to_owned(), near(5_000.0)),
        ("bbox_0.1deg".to_owned(), bbox(0.1)),
        ("parish".to_owned(), parish.clone()),
    ];
    let combined = PriorityFilter {
        categories: vec![Category::Water, Category::Roads],
        statuses: vec![Status::Proposed],
        ..bbox(0.1)
    };
    let mut cases = vec![
        ("radius_1km".to_owned(), near(1_000.0)),
        ("radius_5km".to_owned(), near(5_000.0)),
        ("bbox_0.01deg".to_owned(), bbox(0.01)),
        ("bbox_0.1deg".to_owned(), bbox(0.1)),
        ("parish".to_owned(), parish),
        ("bbox_category_status".to_owned(), combined),
    ];
    if count != BASE_COUNT {
        cases.extend([
            ("radius_1km_equal_result".to_owned(), near(1_000.0 * equal)),
            ("radius_5km_equal_result".to_owned(), near(5_000.0 * equal)),
            ("bbox_0.01deg_equal_result".to_owned(), bbox(0.01 * equal)),
            ("bbox_0.1deg_equal_result".to_owned(), bbox(0.1 * equal)),
        ]);
    }
    bench_cases(c, &format!("index_{count}"), &index, cases, FIRST_PAGE);
    bench_cases(
        c,
        &format!("index_{count}_offset_900"),
        &index,
        deep,
        DEEP_PAGE,
    );
}

/// The page most queries ask for: the first 100.
const FIRST_PAGE: Page = Page {
    limit: 100,
    offset: 0,
};

/// The tenth page of 100.
const DEEP_PAGE: Page = Page {
    limit: 100,
    offset: 900,
};

/// One criterion group of `cases`, each `page` from `index`, named with how
/// many priorities it matches.
fn bench_cases(
    c: &mut Criterion,
    group: &str,
    index: &PriorityIndex,
    cases: Vec<(String, PriorityFilter)>,
    page: Page,
) {
    let mut group = c.benchmark_group(group);
    for (name, filter) in cases {
        let matched = index.query(&filter, page).matched;
        group.bench_function(format!("{name}_{matched}_matches"), |b| {
            b.iter(|| black_box(index.query(black_box(&filter), page).items.len()))
        });
    }
    group.finish();
}

/// The code of `level` (given by its length) under which the most of
/// `parishes` fall: what the load benchmark asks for as "the densest".
fn densest(parishes: &[TerritoryCode], level: Level) -> TerritoryCode {
    let digits = match level {
        Level::State => 2,
        Level::Municipality => 4,
        Level::Parish => 6,
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for parish in parishes {
        *counts
            .entry(parish.to_string()[..digits].to_owned())
            .or_default() += 1;
    }
    let (code, _) = counts
        .into_iter()
        .max_by_key(|(code, n)| (*n, std::cmp::Reverse(code.clone())))
        .expect("a territory");
    TerritoryCode::parse(level, &code).expect("code")
}

fn national_queries(c: &mut Criterion) {
    let count = count();
    let (index, parishes) = national_dataset(count);
    let equal = (BASE_COUNT as f64 / count as f64).sqrt();
    let caracas = Point::new(-66.9036, 10.4806);
    let near = |radius_m| PriorityFilter {
        near: Some(Near {
            center: caracas,
            radius_m,
        }),
        ..Default::default()
    };
    // A box of `side` degrees centred on Caracas, as the load benchmark's.
    let bbox = |side: f64| PriorityFilter {
        bbox: Some(Bbox(Rect::new(
            (caracas.x() - side / 2.0, caracas.y() - side / 2.0),
            (caracas.x() + side / 2.0, caracas.y() + side / 2.0),
        ))),
        ..Default::default()
    };
    let mut cases = vec![
        ("radius_1km".to_owned(), near(1_000.0)),
        ("radius_5km".to_owned(), near(5_000.0)),
        ("bbox_0.002deg".to_owned(), bbox(0.002)),
        ("bbox_0.02deg".to_owned(), bbox(0.02)),
        ("bbox_0.15deg".to_owned(), bbox(0.15)),
        (
            "densest_parish".to_owned(),
            PriorityFilter {
                parishes: vec![densest(&parishes, Level::Parish)],
                ..Default::default()
            },
        ),
        (
            "densest_municipality".to_owned(),
            PriorityFilter {
                municipalities: vec![densest(&parishes, Level::Municipality)],
                ..Default::default()
            },
        ),
        (
            "bbox_0.02deg_category_status".to_owned(),
            PriorityFilter {
                categories: vec![Category::Water, Category::Roads],
                statuses: vec![Status::Proposed],
                ..bbox(0.02)
            },
        ),
    ];
    if count != BASE_COUNT {
        cases.extend([
            ("radius_1km_equal_result".to_owned(), near(1_000.0 * equal)),
            ("radius_5km_equal_result".to_owned(), near(5_000.0 * equal)),
            ("bbox_0.002deg_equal_result".to_owned(), bbox(0.002 * equal)),
            ("bbox_0.02deg_equal_result".to_owned(), bbox(0.02 * equal)),
            ("bbox_0.15deg_equal_result".to_owned(), bbox(0.15 * equal)),
        ]);
    }
    bench_cases(c, &format!("national_{count}"), &index, cases, FIRST_PAGE);
    let municipality = densest(&parishes, Level::Municipality);
    bench_cases(
        c,
        &format!("national_{count}_cql"),
        &index,
        cql_cases(caracas, &municipality),
        FIRST_PAGE,
    );
}

/// `text`, a cql2-text filter on the priorities, narrowed as the server
/// narrows a `filter=` (src/http/priority_filter.rs).
fn cql(text: &str) -> PriorityFilter {
    let filter = Filter::parse(text, Lang::Text, Crs::Crs84, &PRIORITIES).expect("a valid filter");
    PriorityFilter {
        filter: Some(Arc::new(filter)),
        ..Default::default()
    }
    .narrowed()
}

/// CQL2 filters and, after each that has one, the query parameters that
/// say the same (`_param`): on the densest municipality, on a title
/// prefix, on an area around `caracas` and on the creation time.
fn cql_cases(caracas: Point, municipality: &TerritoryCode) -> Vec<(String, PriorityFilter)> {
    let (x, y) = (caracas.x(), caracas.y());
    // The 0.15° box of `national_N/bbox_0.15deg`, as a polygon.
    let (x0, y0, x1, y1) = (x - 0.075, y - 0.075, x + 0.075, y + 0.075);
    let square = format!("POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))");
    // A city-sized hexagon (about 16 km across) around Caracas.
    let hexagon: Vec<String> = (0..=6)
        .map(|i| {
            let a = std::f64::consts::TAU * f64::from(i % 6) / 6.0;
            format!("{} {}", x + 0.075 * a.cos(), y + 0.075 * a.sin())
        })
        .collect();
    let hexagon = format!("POLYGON(({}))", hexagon.join(","));
    let after = "2026-06-01T00:00:00Z";
    vec![
        (
            "category_status_municipality".to_owned(),
            cql(&format!(
                "municipality = '{municipality}' AND category = 'water' \
                 AND status IN ('proposed','approved')"
            )),
        ),
        (
            "category_status_municipality_param".to_owned(),
            PriorityFilter {
                municipalities: vec![*municipality],
                categories: vec![Category::Water],
                statuses: vec![Status::Proposed, Status::Approved],
                ..Default::default()
            },
        ),
        (
            "title_like_prefix".to_owned(),
            cql("title LIKE 'Reparación%'"),
        ),
        (
            "s_intersects_square_0.15deg".to_owned(),
            cql(&format!("S_INTERSECTS(geometry, {square})")),
        ),
        (
            "s_intersects_square_0.15deg_param".to_owned(),
            PriorityFilter {
                bbox: Some(Bbox(Rect::new((x0, y0), (x1, y1)))),
                ..Default::default()
            },
        ),
        (
            "s_intersects_hexagon_0.15deg".to_owned(),
            cql(&format!("S_INTERSECTS(geometry, {hexagon})")),
        ),
        (
            "t_after".to_owned(),
            cql(&format!("T_AFTER(created_at, TIMESTAMP('{after}'))")),
        ),
        (
            "t_after_param".to_owned(),
            PriorityFilter {
                datetime: Some(format!("{after}/..").parse::<Interval>().expect("interval")),
                ..Default::default()
            },
        ),
    ]
}

/// The possible duplicates of a new proposal (issue 21): the open
/// priorities of a related category within 100 m of one of a thousand
/// existing priorities' geometries (points, lines and polygons as the
/// generator draws them), each lookup on its own, as a write makes it.
fn national_duplicates(c: &mut Criterion) {
    let count = count();
    let (index, _) = national_dataset(count);
    let step = (index.len() / 1_000).max(1);
    let probes: Vec<(Geometry<f64>, Category)> = index
        .entries()
        .step_by(step)
        .map(|e| (e.geometry.clone(), e.category))
        .collect();
    let listed: usize = probes
        .iter()
        .map(|(g, cat)| index.nearby(g, *cat, 100.0, None, 20).len())
        .sum();
    let mut group = c.benchmark_group(format!("national_{count}"));
    let mut i = 0;
    group.bench_function(
        format!(
            "duplicates_100m_{:.1}_listed",
            listed as f64 / probes.len() as f64
        ),
        |b| {
            b.iter(|| {
                i = (i + 1) % probes.len();
                let (geometry, category) = &probes[i];
                black_box(index.nearby(geometry, *category, 100.0, None, 20).len())
            })
        },
    );
    group.finish();
}

criterion_group!(benches, queries, national_queries, national_duplicates);
criterion_main!(benches);
