//! Radius queries against PostGIS itself: the same points, lines and
//! polygons in a `geography` table, and for every circle the API returns
//! exactly what `ST_DWithin(g, centre, r, true)` selects, nearest first,
//! with `distance_m` equal to `ST_Distance(g, centre, true)` to the
//! millimetre it is written with.
//!
//! Runs in the PostgreSQL suite, on the server at
//! `PRIORIDADES_TEST_POSTGRES`, and needs PostGIS there (Debian:
//! `postgresql-15-postgis-3`). Without it the test says so loudly and
//! passes, unless `PRIORIDADES_REQUIRE_POSTGIS=1` (set by `.ci/run`), which
//! makes a missing PostGIS a failure.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, Row};
use tempfile::TempDir;

use crate::helpers::{all_features, database_url};
use crate::queries::offset;
use crate::queries_geodesic::app_with;

const CENTRES: [[f64; 2]; 3] = [[-66.9, 10.5], [-63.2, 8.1], [-71.6, 10.65]];
const RADII: [f64; 4] = [300.0, 2_000.0, 15_000.0, 80_000.0];

/// Points, lines and polygons whose nearest parts lie at `radius · (1 + ε)`
/// from each centre on the sphere, ε within ±0.6 %: where the sphere and
/// the ellipsoid disagree. Points come alone or with a second; lines cross
/// the bearing with edges of 10 m to 1.5 km and a bend (half of them with a
/// second part); polygons are quadrilaterals with one side across the
/// bearing (half of them with a second beside it); a polygon around each
/// centre holds it.
fn near_the_edges(rng: &mut ChaCha8Rng) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for c in CENTRES {
        for radius in RADII {
            for k in 0..40 {
                let eps = rng.random_range(-0.006..0.006);
                let bearing = rng.random_range(0.0..360.0);
                let p = offset(c, bearing, radius * (1.0 + eps));
                let (left, right) = (
                    rng.random_range(10.0..1_500.0_f64).min(radius / 3.0),
                    rng.random_range(10.0..1_500.0_f64).min(radius / 3.0),
                );
                let skew = rng.random_range(-20.0..20.0);
                let (a, b) = (
                    offset(p, bearing + 90.0 + skew, left),
                    offset(p, bearing - 90.0 + skew, right),
                );
                let geometry = match k % 4 {
                    0 => json!({"type": "Point", "coordinates": p}),
                    1 => {
                        let q = offset(p, bearing + rng.random_range(-120.0..120.0), left);
                        json!({"type": "MultiPoint", "coordinates": [p, q]})
                    }
                    2 => {
                        let bend = offset(b, bearing + rng.random_range(-60.0..60.0), right);
                        if k % 8 == 2 {
                            json!({"type": "LineString", "coordinates": [a, b, bend]})
                        } else {
                            let far = offset(a, bearing + rng.random_range(-60.0..60.0), left);
                            json!({"type": "MultiLineString", "coordinates": [[a, b, bend], [a, far]]})
                        }
                    }
                    _ => {
                        let depth = rng.random_range(20.0..1_000.0_f64).min(radius / 3.0);
                        let (c2, d2) = (offset(b, bearing, depth), offset(a, bearing, depth));
                        if k % 8 == 3 {
                            json!({"type": "Polygon", "coordinates": [[a, b, c2, d2, a]]})
                        } else {
                            // A second part beside the first, across the bearing.
                            let (e, f) = (
                                offset(a, bearing + 90.0, 30.0),
                                offset(d2, bearing + 90.0, 30.0),
                            );
                            let (g, h) = (
                                offset(e, bearing + 90.0, 200.0),
                                offset(f, bearing + 90.0, 200.0),
                            );
                            json!({"type": "MultiPolygon", "coordinates": [[[a, b, c2, d2, a]], [[e, g, h, f, e]]]})
                        }
                    }
                };
                out.push((
                    format!("00000000-0000-4000-8000-{:012}", out.len()),
                    geometry,
                ));
            }
        }
        // A polygon holding the centre: distance 0.
        let ring: Vec<[f64; 2]> = [45.0, 135.0, 225.0, 315.0, 45.0]
            .iter()
            .map(|b| offset(c, *b, 150.0))
            .collect();
        out.push((
            format!("00000000-0000-4000-8000-{:012}", out.len()),
            json!({"type": "Polygon", "coordinates": [ring]}),
        ));
    }
    out
}

/// A connection to a fresh database with PostGIS, or `None` (after saying
/// so) when the server has no PostGIS and it is not required.
async fn postgis(dir: &TempDir) -> Option<PgConnection> {
    let mut db = PgConnection::connect(&database_url(dir))
        .await
        .expect("the test database");
    match sqlx::raw_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        .execute(&mut db)
        .await
    {
        Ok(_) => Some(db),
        Err(e) => {
            assert!(
                std::env::var("PRIORIDADES_REQUIRE_POSTGIS").as_deref() != Ok("1"),
                "PRIORIDADES_REQUIRE_POSTGIS=1 but PostGIS is missing: {e}"
            );
            eprintln!(
                "\n##  PostGIS oracle SKIPPED: {e}\n##  Debian: apt-get install postgresql-15-postgis-3\n"
            );
            None
        }
    }
}

#[tokio::test]
async fn radius_queries_equal_postgis_geography_on_the_spheroid() {
    let dir = TempDir::new().expect("temp dir");
    let Some(mut db) = postgis(&dir).await else {
        return;
    };
    let mut rng = ChaCha8Rng::seed_from_u64(1818);
    let items = near_the_edges(&mut rng);
    sqlx::raw_sql("CREATE TABLE oracle (id text PRIMARY KEY, g geography NOT NULL)")
        .execute(&mut db)
        .await
        .expect("the oracle's table");
    for (id, geometry) in &items {
        sqlx::query("INSERT INTO oracle VALUES ($1, ST_GeomFromGeoJSON($2)::geography)")
            .bind(id)
            .bind(geometry.to_string())
            .execute(&mut db)
            .await
            .expect("an oracle row");
    }
    let app = app_with(items.iter().map(|(id, g)| (id.as_str(), g))).await;

    let mut compared = 0;
    let mut shapes = 0;
    for c in CENTRES {
        for radius in RADII {
            let rows = sqlx::query(
                "SELECT id, ST_Distance(g, centre, true) AS d, ST_DWithin(g, centre, $3, true) AS w,
                        GeometryType(g) AS kind
                 FROM oracle, CAST(ST_SetSRID(ST_MakePoint($1, $2), 4326) AS geography) AS centre",
            )
            .bind(c[0])
            .bind(c[1])
            .bind(radius)
            .fetch_all(&mut db)
            .await
            .expect("the oracle's answer");
            // Within a millimetre of the radius, the written distance cannot
            // tell; such rows may go either way.
            let clear = |d: f64| (d - radius).abs() > 1e-3;
            let mut expected: Vec<(String, f64)> = Vec::new();
            let mut doubtful: Vec<String> = Vec::new();
            for row in &rows {
                let (id, d, within): (String, f64, bool) =
                    (row.get("id"), row.get("d"), row.get("w"));
                if clear(d) {
                    assert_eq!(within, d <= radius, "PostGIS disagrees with itself on {id}");
                    if within {
                        expected.push((id, d));
                    }
                } else {
                    doubtful.push(id);
                }
            }
            let q = format!("point={},{}&radius={radius}", c[0], c[1]);
            let got = all_features(&app, &q).await;
            let mut last = 0.0;
            let mut got_ids: Vec<String> = Vec::new();
            for f in &got {
                let id = f["id"].as_str().expect("id").to_owned();
                let reported = f["properties"]["distance_m"].as_f64().expect("distance_m");
                assert!(reported >= last, "{q}: nearest first");
                last = reported;
                let oracle: f64 = rows
                    .iter()
                    .find(|r| r.get::<String, _>("id") == id)
                    .map(|r| r.get("d"))
                    .expect("a row of the oracle");
                assert!(
                    (reported - oracle).abs() <= 1.5e-3,
                    "{q}: {id} at {reported} m, PostGIS says {oracle} m"
                );
                if !doubtful.contains(&id) {
                    got_ids.push(id);
                }
            }
            let mut want: Vec<String> = expected.iter().map(|(id, _)| id.clone()).collect();
            want.sort_unstable();
            got_ids.sort_unstable();
            assert_eq!(got_ids, want, "{q}: the matches");
            compared += want.len();
            shapes += rows
                .iter()
                .filter(|r| r.get::<String, _>("kind") != "POINT")
                .filter(|r| want.contains(&r.get::<String, _>("id")))
                .count();
        }
    }
    assert!(compared > 400, "only {compared} matches compared");
    assert!(shapes > 150, "only {shapes} lines and polygons compared");
}
