//! Radius queries decided on the WGS84 ellipsoid, as PostGIS `geography`
//! decides them: checked against Vincenty's inverse formula, written out
//! here from his 1975 paper so that the oracle shares no code with the
//! service's geodesics (Karney's algorithm, through `geographiclib-rs`), at
//! the edges where a sphere and the ellipsoid disagree. A line is measured
//! as PostGIS measures it: to its nearest point on the sphere. (The
//! PostgreSQL suite checks the same against PostGIS itself.)

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, all_features, council, haversine, spawn_app, territory};
use crate::queries::offset;

/// The geodesic distance in metres between two `[lon, lat]` points on
/// WGS84, by Vincenty's inverse formula (good to a tenth of a millimetre
/// for the distances here; it fails to converge only for nearly antipodal
/// points, which these tests never use).
pub(crate) fn vincenty_m(p: [f64; 2], q: [f64; 2]) -> f64 {
    let a = 6_378_137.0_f64;
    let f = 1.0 / 298.257_223_563;
    let b = (1.0 - f) * a;
    let l = (q[0] - p[0]).to_radians();
    let u1 = ((1.0 - f) * p[1].to_radians().tan()).atan();
    let u2 = ((1.0 - f) * q[1].to_radians().tan()).atan();
    let (sin_u1, cos_u1, sin_u2, cos_u2) = (u1.sin(), u1.cos(), u2.sin(), u2.cos());
    let mut lambda = l;
    for _ in 0..200 {
        let (sin_l, cos_l) = (lambda.sin(), lambda.cos());
        let sin_sigma =
            ((cos_u2 * sin_l).powi(2) + (cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_l).powi(2)).sqrt();
        if sin_sigma == 0.0 {
            return 0.0;
        }
        let cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_l;
        let sigma = sin_sigma.atan2(cos_sigma);
        let sin_alpha = cos_u1 * cos_u2 * sin_l / sin_sigma;
        let cos2_alpha = 1.0 - sin_alpha * sin_alpha;
        let cos_2sm = if cos2_alpha == 0.0 {
            0.0
        } else {
            cos_sigma - 2.0 * sin_u1 * sin_u2 / cos2_alpha
        };
        let c = f / 16.0 * cos2_alpha * (4.0 + f * (4.0 - 3.0 * cos2_alpha));
        let previous = lambda;
        lambda = l
            + (1.0 - c)
                * f
                * sin_alpha
                * (sigma
                    + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)));
        if (lambda - previous).abs() < 1e-13 {
            let u2sq = cos2_alpha * (a * a - b * b) / (b * b);
            let big_a =
                1.0 + u2sq / 16_384.0 * (4096.0 + u2sq * (-768.0 + u2sq * (320.0 - 175.0 * u2sq)));
            let big_b = u2sq / 1024.0 * (256.0 + u2sq * (-128.0 + u2sq * (74.0 - 47.0 * u2sq)));
            let delta_sigma = big_b
                * sin_sigma
                * (cos_2sm
                    + big_b / 4.0
                        * (cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)
                            - big_b / 6.0
                                * cos_2sm
                                * (-3.0 + 4.0 * sin_sigma * sin_sigma)
                                * (-3.0 + 4.0 * cos_2sm * cos_2sm)));
            return b * big_a * (sigma - delta_sigma);
        }
    }
    panic!("Vincenty's formula did not converge for {p:?} {q:?}");
}

/// A `[lon, lat]` position as a unit vector (latitude as a spherical
/// coordinate, as PostGIS's `geography` takes it).
fn unit(p: [f64; 2]) -> [f64; 3] {
    let (lon, lat) = (p[0].to_radians(), p[1].to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// The point a fraction `t` along the great-circle arc from `a` to `b`, by
/// spherical linear interpolation of their unit vectors.
fn along_arc(a: [f64; 2], b: [f64; 2], t: f64) -> [f64; 2] {
    let (u, v) = (unit(a), unit(b));
    let omega = haversine(a, b) / 6_371_008.8;
    if omega == 0.0 {
        return a;
    }
    let (wa, wb) = (
        ((1.0 - t) * omega).sin() / omega.sin(),
        (t * omega).sin() / omega.sin(),
    );
    let w: Vec<f64> = (0..3).map(|i| wa * u[i] + wb * v[i]).collect();
    [
        w[1].atan2(w[0]).to_degrees(),
        w[2].atan2(w[0].hypot(w[1])).to_degrees(),
    ]
}

/// The point of an edge, followed as a great circle, nearest to `p` on the
/// sphere, and its distance there, found by golden-section search along
/// the arc (the service projects onto the edge's plane instead).
pub(crate) fn sphere_nearest(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> ([f64; 2], f64) {
    let sphere = |t: f64| haversine(p, along_arc(a, b, t));
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = (0.0, 1.0);
    while hi - lo > 1e-12 {
        let (x1, x2) = (hi - ratio * (hi - lo), lo + ratio * (hi - lo));
        if sphere(x1) <= sphere(x2) {
            hi = x2;
        } else {
            lo = x1;
        }
    }
    [0.0, 1.0, lo]
        .into_iter()
        .map(|t| (along_arc(a, b, t), sphere(t)))
        .min_by(|x, y| x.1.total_cmp(&y.1))
        .expect("three candidates")
}

/// PostGIS's distance from `p` to an edge in `geography` with the spheroid:
/// the geodesic (Vincenty's) from `p` to the edge's point nearest on the
/// sphere. (For a geometry of several edges or points, to the one nearest
/// on the sphere: `queries::distance`.)
pub(crate) fn edge_m(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    vincenty_m(p, sphere_nearest(p, a, b).0)
}

/// A point, or a short line and the point in its middle.
struct Placed {
    id: String,
    geometry: Value,
    point: [f64; 2],
    line: Option<([f64; 2], [f64; 2])>,
}

impl Placed {
    /// The oracle's distance from `c`.
    fn ellipsoid_m(&self, c: [f64; 2]) -> f64 {
        match self.line {
            Some((a, b)) => edge_m(c, a, b),
            None => vincenty_m(c, self.point),
        }
    }
}

const CENTRES: [[f64; 2]; 3] = [[-66.9, 10.5], [-66.6, 10.2], [-67.1, 10.65]];
const RADII: [f64; 3] = [300.0, 2_000.0, 15_000.0];

/// Points and 40 m lines around each centre at `radius · (1 + ε)` on the
/// sphere, ε within ±0.5 %: where the sphere and the ellipsoid disagree.
fn near_the_edges(rng: &mut ChaCha8Rng) -> Vec<Placed> {
    let mut out = Vec::new();
    for c in CENTRES {
        for radius in RADII {
            for k in 0..60 {
                let eps: f64 = [0.005, 0.003, 0.001, 1e-4, 1e-6][rng.random_range(0..5)];
                let sign = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
                let bearing = rng.random_range(0.0..360.0);
                let p = offset(c, bearing, radius * (1.0 + sign * eps));
                let id = format!("00000000-0000-4000-8000-{:012}", out.len());
                out.push(if k % 4 == 3 {
                    // A line across the bearing, its middle at that distance.
                    let (a, b) = (
                        offset(p, bearing + 90.0, 20.0),
                        offset(p, bearing - 90.0, 20.0),
                    );
                    let geometry = json!({"type": "LineString", "coordinates": [a, b]});
                    Placed {
                        id,
                        geometry,
                        point: p,
                        line: Some((a, b)),
                    }
                } else {
                    let geometry = json!({"type": "Point", "coordinates": p});
                    Placed {
                        id,
                        geometry,
                        point: p,
                        line: None,
                    }
                });
            }
        }
    }
    out
}

/// An app holding `(id, geometry)` priorities, under one council.
pub(crate) async fn app_with<'a>(items: impl Iterator<Item = (&'a str, &'a Value)>) -> TestApp {
    let app = spawn_app().await;
    for (path, body) in [
        ("states", territory("01", "Estado")),
        ("municipalities", territory("0101", "Municipio")),
        ("parishes", territory("010101", "Parroquia")),
        ("councils", council("CC-1", "Consejo", "010101")),
    ] {
        let r = app
            .post_json(&format!("/collections/{path}/items"), &body)
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let features: Vec<Value> = items
        .map(|(id, geometry)| {
            json!({"type": "Feature", "id": id, "geometry": geometry, "properties": {
                "council": "CC-1", "title": "Cerca del borde", "category": "water",
            }})
        })
        .collect();
    app.import_ok(features).await;
    app
}

/// Around three centres, with radii of 300 m, 2 km and 15 km, every point
/// and line placed within ±0.5 % of the radius is matched exactly when
/// Vincenty's geodesic is within the radius, nearest first, with
/// `distance_m` equal to it to the millimetre it is written with; and the sphere would have
/// decided many of them otherwise. Alone (the map's plan) and with a filter
/// (the scan's).
#[tokio::test]
async fn radius_edges_are_decided_by_the_geodesic_on_wgs84() {
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    let items = near_the_edges(&mut rng);
    let app = app_with(items.iter().map(|it| (it.id.as_str(), &it.geometry))).await;
    let mut disagreeing = 0;
    for c in CENTRES {
        // Every item's distance from this centre: other centres' items may
        // lie within the larger radii too.
        let measured: Vec<(&Placed, f64)> =
            items.iter().map(|it| (it, it.ellipsoid_m(c))).collect();
        for radius in RADII {
            // Within a millimetre of the radius the oracle itself cannot tell.
            let clear = |d: f64| (d - radius).abs() > 1e-3;
            let mut expected: Vec<&str> = measured
                .iter()
                .filter(|(_, d)| clear(*d) && *d <= radius)
                .map(|(it, _)| it.id.as_str())
                .collect();
            expected.sort_unstable();
            disagreeing += measured
                .iter()
                .filter(|(it, d)| clear(*d) && it.line.is_none())
                .filter(|(it, d)| (haversine(c, it.point) <= radius) != (*d <= radius))
                .count();
            for extra in ["", "&category=water"] {
                let q = format!("point={},{}&radius={radius}{extra}", c[0], c[1]);
                let mut last = 0.0;
                let mut got = Vec::new();
                for f in all_features(&app, &q).await {
                    let id = f["id"].as_str().expect("id");
                    let (it, d) = measured
                        .iter()
                        .find(|(it, _)| it.id == id)
                        .expect("an item");
                    let reported = f["properties"]["distance_m"].as_f64().expect("distance_m");
                    // Written to the millimetre.
                    assert!(
                        (reported - d).abs() <= 1.5e-3,
                        "{q}: {id} at {reported}, not {d}"
                    );
                    assert!(reported >= last, "{q}: nearest first");
                    last = reported;
                    if clear(*d) {
                        got.push(it.id.as_str());
                    }
                }
                got.sort_unstable();
                assert_eq!(got, expected, "{q}: the matches");
            }
        }
    }
    assert!(
        disagreeing > 100,
        "the sphere disagrees at the edge only {disagreeing} times"
    );
}
