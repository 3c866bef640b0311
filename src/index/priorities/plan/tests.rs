//! Each shape of filter picks the plan meant for it, and every plan gives
//! what checking every filter on every priority gives.

use chrono::NaiveDate;
use geo::{Point, Rect};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::scan::Source;
use super::*;
use crate::domain::codes::{CouncilCode, Level};
use crate::domain::priority::{Category, Placement, Priority, Status};
use crate::domain::query::{Bbox, Interval, Near};
use crate::domain::workflow;
use crate::index::priorities::filter::matches;
use crate::index::priorities::tests::random_priority;

/// What a scan of every entry gives: the matches in the query's order.
fn scan_all(index: &PriorityIndex, filter: &PriorityFilter) -> Vec<(Option<f64>, i64)> {
    let mut all: Vec<(Option<f64>, i64)> = index
        .entries()
        .filter_map(|e| matches(e, filter).map(|d| (d, e.pk)))
        .collect();
    all.sort_by(|a, b| {
        let (da, db) = (a.0.unwrap_or(0.0), b.0.unwrap_or(0.0));
        da.total_cmp(&db).then(a.1.cmp(&b.1))
    });
    all
}

/// Asserts that a page holds the scan's matches in the scan's order (the
/// order of Karney's distances), each distance within the short-line bound
/// at 110 km of the scan's and written alike to the millimetre.
#[track_caller]
fn assert_same_page(got: &[(Option<f64>, i64)], want: &[(Option<f64>, i64)], what: &str) {
    let pks = |page: &[(Option<f64>, i64)]| page.iter().map(|e| e.1).collect::<Vec<_>>();
    assert_eq!(pks(got), pks(want), "{what}");
    let slack = crate::domain::geometry::short_line_error_m(110_000.0);
    for (g, w) in got.iter().zip(want) {
        match (g.0, w.0) {
            (Some(g), Some(w)) => {
                assert!((g - w).abs() <= slack, "{what}: {g} vs {w}");
                assert_eq!(format!("{g:.3}"), format!("{w:.3}"), "{what}");
            }
            (g, w) => assert_eq!(g, w, "{what}"),
        }
    }
}

/// Circles and boxes alone are counted from node counts and paged
/// best-first: both must equal a scan, page after page, also after
/// inserts and removals have changed the tree the counts live in.
#[test]
fn map_queries_equal_a_scan_after_inserts_and_removals() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let parish = TerritoryCode::parish(10_101);
    let first: Vec<Priority> = (1..=3_000)
        .map(|pk| random_priority(&mut rng, pk))
        .collect();
    let mut index = PriorityIndex::build(first, |_| Some(parish), false).expect("index");
    let mut next_pk = 3_001;
    for round in 0..4 {
        for _ in 0..700 {
            let p = random_priority(&mut rng, next_pk);
            next_pk += 1;
            index.upsert(&p, parish, false);
            let gone = rng.random_range(1..next_pk);
            index.remove(gone);
        }
        for _ in 0..25 {
            let center = Point::new(rng.random_range(-67.0..-66.8), rng.random_range(10.4..10.6));
            let filter = if rng.random_range(0..2) == 0 {
                let radius_m = [50.0, 500.0, 3_000.0, 40_000.0][rng.random_range(0..4)];
                PriorityFilter {
                    near: Some(Near { center, radius_m }),
                    ..PriorityFilter::default()
                }
            } else {
                let size = [0.001, 0.02, 0.1, 1.0][rng.random_range(0..4)];
                PriorityFilter {
                    bbox: Some(crate::domain::query::Bbox(geo::Rect::new(
                        (center.x(), center.y()),
                        (center.x() + size, center.y() + size * 0.7),
                    ))),
                    ..PriorityFilter::default()
                }
            };
            let expected = scan_all(&index, &filter);
            for (offset, limit) in [(0, 10), (0, 100), (7, 31), (95, 200), (0, 10_000)] {
                let got = index.query(&filter, Page { limit, offset });
                assert_eq!(got.matched, expected.len(), "round {round} {filter:?}");
                let got: Vec<(Option<f64>, i64)> =
                    got.items.iter().map(|(e, d)| (*d, e.pk)).collect();
                let want: Vec<_> = expected.iter().skip(offset).take(limit).copied().collect();
                let what = format!("round {round} {filter:?} offset {offset} limit {limit}");
                assert_same_page(&got, &want, &what);
            }
        }
    }
    let everything = index.query(
        &PriorityFilter::default(),
        Page {
            limit: 50,
            offset: 10,
        },
    );
    assert_eq!(everything.matched, index.len());
    let pks: Vec<i64> = everything.items.iter().map(|(e, _)| e.pk).collect();
    let want: Vec<i64> = index.entries().skip(10).take(50).map(|e| e.pk).collect();
    assert_eq!(pks, want);
}

/// Priorities near Caracas in parishes of three states, placed by location
/// in their council's parish, another or none, and some with plans, late or
/// not, so that every filter splits them.
fn seeded() -> PriorityIndex {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let priorities: Vec<Priority> = (1..=2_000)
        .map(|pk| {
            let mut p = random_priority(&mut rng, pk);
            p.located_parish = (pk % 5 != 0)
                .then(|| TerritoryCode::parish([10_101, 10_102, 20_101][pk as usize % 3]));
            // Statuses cycle with the row key (six of them): plans on every
            // seventh priority fall on every status.
            if pk % 7 == 0 {
                let day = NaiveDate::from_ymd_opt(2026, 1, 1 + (pk % 28) as u32).expect("date");
                p.plan = Some(workflow::Plan::due(day));
            }
            p
        })
        .collect();
    // Councils C-0 … C-6, in parishes of states 01, 02 and 03.
    let parish_of = |c: &CouncilCode| {
        let n: usize = c.as_str()[2..].parse().ok()?;
        let parishes = [10_101, 10_102, 10_201, 20_101, 20_102, 10_101, 30_101];
        Some(TerritoryCode::parish(parishes[n]))
    };
    PriorityIndex::build(priorities, parish_of, true).expect("index")
}

fn code(level: Level, s: &str) -> TerritoryCode {
    TerritoryCode::parse(level, s).expect("code")
}

fn council(s: &str) -> CouncilCode {
    s.parse().expect("code")
}

/// A filter, and the plan it should pick.
type Case = (PriorityFilter, fn(&PriorityFilter) -> Plan<'_>);

/// A filter of each shape the planner tells apart.
fn cases() -> Vec<Case> {
    [fast_cases(), place_scan_cases(), other_scan_cases()].concat()
}

fn near(radius_m: f64) -> Option<Near> {
    Some(Near {
        center: Point::new(-66.9, 10.5),
        radius_m,
    })
}

fn bbox() -> Option<Bbox> {
    Some(Bbox(Rect::new((-66.95, 10.45), (-66.88, 10.52))))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 15).expect("date")
}

/// Shapes with a plan of their own.
fn fast_cases() -> Vec<Case> {
    let (bbox, f) = (bbox(), PriorityFilter::default);
    vec![
        (f(), |_| Plan::Everything(Everything)),
        (
            PriorityFilter {
                parishes: vec![code(Level::Parish, "010101"), code(Level::Parish, "010201")],
                ..f()
            },
            |f| territories(&f.parishes, f),
        ),
        (
            PriorityFilter {
                municipalities: vec![code(Level::Municipality, "0101")],
                ..f()
            },
            |f| territories(&f.municipalities, f),
        ),
        (
            PriorityFilter {
                municipalities: vec![code(Level::Municipality, "0101")],
                categories: vec![Category::Roads, Category::Water, Category::Roads],
                ..f()
            },
            |f| territories(&f.municipalities, f),
        ),
        (
            PriorityFilter {
                states: vec![code(Level::State, "01")],
                statuses: vec![Status::Approved, Status::Proposed],
                ..f()
            },
            |f| territories(&f.states, f),
        ),
        (
            PriorityFilter {
                parishes: vec![code(Level::Parish, "010101"), code(Level::Parish, "010201")],
                statuses: vec![Status::Proposed, Status::Proposed],
                categories: vec![Category::Water, Category::Roads],
                ..f()
            },
            |f| territories(&f.parishes, f),
        ),
        (
            PriorityFilter {
                states: vec![code(Level::State, "02"), code(Level::State, "01")],
                ..f()
            },
            |f| territories(&f.states, f),
        ),
        (
            PriorityFilter {
                near: near(3_000.0),
                ..f()
            },
            |f| Plan::Map(MapPage::Circle(f.near.as_ref().unwrap())),
        ),
        (
            PriorityFilter {
                near: near(0.0),
                ..f()
            },
            |f| Plan::Map(MapPage::Circle(f.near.as_ref().unwrap())),
        ),
        (PriorityFilter { bbox, ..f() }, |f| {
            Plan::Map(MapPage::Box(f.bbox.as_ref().unwrap()))
        }),
    ]
}

/// A circle or a box with more: scans of the tree's candidates.
fn place_scan_cases() -> Vec<Case> {
    let (bbox, today, f) = (bbox(), today(), PriorityFilter::default);
    vec![
        (
            PriorityFilter {
                near: near(3_000.0),
                bbox,
                ..f()
            },
            |f| scan(f, Source::Circle(f.near.as_ref().unwrap())),
        ),
        (
            PriorityFilter {
                near: near(5_000.0),
                statuses: vec![Status::Proposed, Status::Approved],
                ..f()
            },
            |f| scan(f, Source::Circle(f.near.as_ref().unwrap())),
        ),
        (
            PriorityFilter {
                bbox,
                categories: vec![Category::Water],
                ..f()
            },
            |f| scan(f, Source::Box(f.bbox.as_ref().unwrap())),
        ),
        (
            PriorityFilter {
                bbox,
                overdue: Some((false, today)),
                ..f()
            },
            |f| scan(f, Source::Box(f.bbox.as_ref().unwrap())),
        ),
        (
            PriorityFilter {
                bbox,
                councils: vec![council("C-1"), council("C-3")],
                ..f()
            },
            |f| scan(f, Source::Box(f.bbox.as_ref().unwrap())),
        ),
    ]
}

/// Scans of the council or parish sets, or of every entry.
fn other_scan_cases() -> Vec<Case> {
    let (today, f) = (today(), PriorityFilter::default);
    vec![
        (
            PriorityFilter {
                councils: vec![council("C-1"), council("C-3")],
                parishes: vec![code(Level::Parish, "010102")],
                ..f()
            },
            |f| scan(f, Source::Councils(&f.councils)),
        ),
        (
            PriorityFilter {
                states: vec![code(Level::State, "01")],
                parishes: vec![code(Level::Parish, "010101"), code(Level::Parish, "020101")],
                ..f()
            },
            |f| scan(f, Source::Territories(&f.parishes)),
        ),
        (
            PriorityFilter {
                municipalities: vec![code(Level::Municipality, "0101")],
                categories: vec![Category::Roads, Category::Water],
                placements: vec![Placement::OutsideCouncilParish],
                ..f()
            },
            |f| scan(f, Source::Territories(&f.municipalities)),
        ),
        (
            PriorityFilter {
                statuses: vec![Status::Approved],
                ..f()
            },
            |f| scan(f, Source::All),
        ),
        (
            PriorityFilter {
                placements: vec![
                    Placement::OutsideCouncilParish,
                    Placement::OutsideEveryParish,
                ],
                ..f()
            },
            |f| scan(f, Source::All),
        ),
        (
            PriorityFilter {
                datetime: Some(Interval {
                    start: Some(1_735_689_600_000_000 + 500),
                    end: None,
                }),
                ..f()
            },
            |f| scan(f, Source::All),
        ),
        (
            PriorityFilter {
                overdue: Some((true, today)),
                ..f()
            },
            |f| scan(f, Source::All),
        ),
    ]
}

fn territories<'f>(codes: &'f [TerritoryCode], f: &'f PriorityFilter) -> Plan<'f> {
    Plan::Territories(Territories {
        codes,
        statuses: &f.statuses,
        categories: &f.categories,
    })
}

fn scan<'f>(filter: &'f PriorityFilter, source: Source<'f>) -> Plan<'f> {
    Plan::Scan(Scan { filter, source })
}

#[test]
fn each_shape_of_filter_picks_its_plan() {
    for (filter, expected) in cases() {
        assert_eq!(Plan::choose(&filter), expected(&filter), "{filter:?}");
    }
}

/// Every case, through the plan it picks, through a scan of the candidates
/// its filter narrows to, and through a scan of every entry, gives what the
/// brute-force check gives, page after page; and each case matches some
/// priorities but not all (bar the empty filter).
#[test]
fn every_plan_gives_what_checking_every_priority_gives() {
    let index = seeded();
    for (filter, _) in cases() {
        let expected = scan_all(&index, &filter);
        let plans = [
            Plan::choose(&filter),
            Plan::Scan(Scan::new(&filter)),
            scan(&filter, Source::All),
        ];
        for plan in &plans {
            for (offset, limit) in [(0, 10), (7, 31), (95, 200), (0, 10_000)] {
                let page = Page { limit, offset };
                let got = plan.page(&index, page);
                assert_eq!(got.matched, expected.len(), "{plan:?}");
                let got: Vec<(Option<f64>, i64)> =
                    got.items.iter().map(|(e, d)| (*d, e.pk)).collect();
                let want: Vec<_> = expected.iter().skip(offset).take(limit).copied().collect();
                assert_same_page(
                    &got,
                    &want,
                    &format!("{plan:?} offset {offset} limit {limit}"),
                );
            }
        }
        let all = filter == PriorityFilter::default();
        assert!(all || expected.len() < index.len(), "{filter:?}");
        assert!(!expected.is_empty(), "{filter:?}");
    }
}

/// A polygon's leaf box holds every ring: a hole that strays outside the
/// exterior (which validation lets in) is nearer the centre than the
/// exterior's box, and the page must still come nearest first.
#[test]
fn a_hole_outside_its_exterior_is_measured_in_order() {
    use geo::{Coord, Geometry, LineString, Polygon};
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let ring = |v: &[[f64; 2]]| {
        LineString::from(v.iter().map(|&[x, y]| Coord { x, y }).collect::<Vec<_>>())
    };
    let mut a = random_priority(&mut rng, 1);
    a.geometry = Geometry::Polygon(Polygon::new(
        ring(&[
            [-66.8192, 10.2857],
            [-66.8196, 10.2785],
            [-66.8263, 10.2805],
            [-66.8192, 10.2857],
        ]),
        vec![ring(&[
            [-66.8228, 10.2866],
            [-66.8208, 10.2855],
            [-66.8218, 10.2839],
            [-66.8228, 10.2866],
        ])],
    ));
    let mut b = random_priority(&mut rng, 2);
    b.geometry = Geometry::Point(Point::new(-66.7108, 10.3386));
    let index = PriorityIndex::build(vec![a, b], |_| Some(TerritoryCode::parish(10_101)), false)
        .expect("index");
    let filter = PriorityFilter {
        near: Some(Near {
            center: Point::new(-66.822, 10.427),
            radius_m: 30_000.0,
        }),
        ..Default::default()
    };
    let expected = scan_all(&index, &filter);
    // The point lies between the hole's distance and the exterior's.
    assert_eq!(expected.iter().map(|e| e.1).collect::<Vec<_>>(), [1, 2]);
    let got = index.query(
        &filter,
        Page {
            limit: 10,
            offset: 0,
        },
    );
    let got: Vec<(Option<f64>, i64)> = got.items.iter().map(|(e, d)| (*d, e.pk)).collect();
    assert_same_page(&got, &expected, "a hole");
}

/// Points whose distances lie closer together than the short-line bound
/// (the same spot under several row keys, spots nanometres apart) and
/// points whose distance lies a hair from a half millimetre, around centres
/// at several latitudes: every page is in the order of Karney's distances
/// and written as Karney's to the millimetre, against the scan.
#[test]
fn near_ties_and_half_millimetres_are_settled_by_karney() {
    use geo::{Destination, Geodesic, Geometry};
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(18);
    for lat in [10.5, -45.0, 80.0] {
        let center = Point::new(-66.9, lat);
        let mut priorities = Vec::new();
        let mut add = |rng: &mut rand_chacha::ChaCha8Rng, p: Point<f64>| {
            let mut priority = random_priority(rng, priorities.len() as i64 + 1);
            priority.geometry = Geometry::Point(p);
            priorities.push(priority);
        };
        for _ in 0..300 {
            let azimuth = rng.random_range(0.0..360.0);
            let d: f64 = rng.random_range(0.0..99_000.0);
            // A distance a few nanometres from a half millimetre.
            let half = (d * 1000.0).floor() / 1000.0 + 0.0005 + rng.random_range(-4e-9..4e-9);
            let p = Geodesic.destination(center, azimuth, d);
            add(&mut rng, p);
            add(&mut rng, p);
            add(&mut rng, Point::new(p.x() + 1e-13, p.y() - 1e-13));
            add(&mut rng, Geodesic.destination(center, azimuth, half));
        }
        let index =
            PriorityIndex::build(priorities, |_| Some(TerritoryCode::parish(10_101)), false)
                .expect("index");
        let filter = PriorityFilter {
            near: Some(Near {
                center,
                radius_m: 100_000.0,
            }),
            ..Default::default()
        };
        let expected = scan_all(&index, &filter);
        assert_eq!(expected.len(), 1200);
        for (offset, limit) in [(0, 1), (0, 2), (1, 3), (0, 100), (37, 400), (0, 10_000)] {
            let got = index.query(&filter, Page { limit, offset });
            let got: Vec<(Option<f64>, i64)> = got.items.iter().map(|(e, d)| (*d, e.pk)).collect();
            let want: Vec<_> = expected.iter().skip(offset).take(limit).copied().collect();
            assert_same_page(&got, &want, &format!("{lat} offset {offset} limit {limit}"));
        }
    }
}
