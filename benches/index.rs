//! Index query speed on deterministic synthetic data: radius, bbox, parish
//! and combined filters over 100,000 priorities (85% points, 10% lines, 5%
//! polygons) around Caracas. Run with `cargo bench --bench index`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use geo::{Coord, Geometry, LineString, Point, Polygon, Rect};
use prioridades::domain::codes::{CouncilCode, Level, TerritoryCode};
use prioridades::domain::priority::{Category, Priority, Status};
use prioridades::domain::query::{Bbox, Near, Page, PriorityFilter};
use prioridades::index::PriorityIndex;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const COUNT: usize = 100_000;
const PARISHES: u32 = 100;

fn dataset() -> PriorityIndex {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let priorities: Vec<Priority> = (0..COUNT)
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
    let index = dataset();
    let page = Page {
        limit: 100,
        offset: 0,
    };
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
    let combined = PriorityFilter {
        categories: vec![Category::Water, Category::Roads],
        statuses: vec![Status::Proposed],
        ..bbox(0.1)
    };
    let mut group = c.benchmark_group("index_100k");
    for (name, filter) in [
        ("radius_1km", near(1_000.0)),
        ("radius_5km", near(5_000.0)),
        ("bbox_0.01deg", bbox(0.01)),
        ("bbox_0.1deg", bbox(0.1)),
        ("parish", parish),
        ("bbox_category_status", combined),
    ] {
        let matched = index.query(&filter, page).matched;
        group.bench_function(format!("{name}_{matched}_matches"), |b| {
            b.iter(|| black_box(index.query(black_box(&filter), page).items.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);
