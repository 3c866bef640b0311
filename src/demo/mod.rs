//! The demo dataset: real parish names with INE-style codes, ~100 councils
//! and ~2,000 priorities of every geometry type, each placed inside its
//! parish. Generated deterministically by [`generate`], written to
//! `fixtures/demo/` by `prioridades demo-fixtures`, and loaded from those
//! committed files (compiled into the binary) when the store is empty.

pub mod boundaries;
mod places;

use std::fmt::Write;

use geo::{Destination, Haversine, MapCoords, Point};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::domain::codes::Level;
use crate::domain::codes::TerritoryCode;
use crate::domain::geometry::to_geojson;
use crate::domain::priority::{Category, Status};
use crate::domain::territory::{Council, Territory};
use crate::domain::time;
use crate::import::{BoundaryColumns, parse_boundaries, parse_features};
use crate::index::BoundaryIndex;
use crate::store::{Store, StoreError};

/// A state of the demo.
pub struct PlaceState {
    /// Two-digit state code.
    pub code: &'static str,
    /// Its name.
    pub name: &'static str,
}

/// A municipality of the demo.
pub struct PlaceMunicipality {
    /// Four-digit municipality code.
    pub code: &'static str,
    /// Its name.
    pub name: &'static str,
}

/// A parish of the demo, with a circle inside it where its data is placed.
pub struct PlaceParish {
    /// Six-digit parish code.
    pub code: &'static str,
    /// Its name.
    pub name: &'static str,
    /// Centre longitude, WGS84 degrees.
    pub lon: f64,
    /// Centre latitude, WGS84 degrees.
    pub lat: f64,
    /// Radius in metres of a circle around the centre lying inside the parish.
    pub radius_m: f64,
}

/// The committed fixture files, by name.
pub const FILES: [(&str, &str); 3] = [
    (
        "territories.geojson",
        include_str!("../../fixtures/demo/territories.geojson"),
    ),
    (
        "councils.geojson",
        include_str!("../../fixtures/demo/councils.geojson"),
    ),
    (
        "priorities.ndjson",
        include_str!("../../fixtures/demo/priorities.ndjson"),
    ),
];

const SEED: u64 = 20_261_124;
const PRIORITIES: usize = 2_000;

/// The names councils take: the first of the generator's.
const COUNCIL_NAMES: &[&str] = crate::generate::text::COUNCIL_NAMES.split_at(20).0;

/// Title templates per category; `{}` takes a place name.
fn titles(category: Category) -> [&'static str; 3] {
    match category {
        Category::Water => [
            "Sustitución de tubería matriz en {}",
            "Tanque comunitario para {}",
            "Reparación de bombas de agua en {}",
        ],
        Category::Electricity => [
            "Cambio de transformador en {}",
            "Alumbrado público en {}",
            "Reparación del tendido eléctrico en {}",
        ],
        Category::Roads => [
            "Asfaltado de la calle principal de {}",
            "Reparación de la escalera de {}",
            "Bacheo de vías en {}",
        ],
        Category::Health => [
            "Dotación del consultorio popular de {}",
            "Jornada de vacunación en {}",
            "Rehabilitación del CDI de {}",
        ],
        Category::Education => [
            "Rehabilitación de la escuela de {}",
            "Dotación de pupitres en {}",
            "Comedor escolar de {}",
        ],
        Category::Security => [
            "Iluminación de zonas oscuras de {}",
            "Módulo de seguridad en {}",
            "Cámaras comunitarias en {}",
        ],
        Category::Housing => [
            "Sustitución de ranchos por viviendas en {}",
            "Impermeabilización de techos en {}",
            "Rehabilitación de fachadas en {}",
        ],
        Category::Environment => [
            "Recolección de desechos en {}",
            "Saneamiento de la quebrada de {}",
            "Reforestación del cerro de {}",
        ],
        Category::Gas => [
            "Tubería de gas directo para {}",
            "Punto de distribución de bombonas en {}",
            "Reparación de la red de gas de {}",
        ],
        Category::Transport => [
            "Nueva ruta de transporte para {}",
            "Parada techada en {}",
            "Rehabilitación de unidades de {}",
        ],
        Category::Telecom => [
            "Internet comunitario en {}",
            "Reparación de la red telefónica de {}",
            "Antena de telefonía para {}",
        ],
        Category::Food => [
            "Distribución de alimentos en {}",
            "Huerto urbano de {}",
            "Casa de alimentación de {}",
        ],
        Category::CultureSport => [
            "Rehabilitación de la cancha de {}",
            "Escuela de música en {}",
            "Biblioteca comunal de {}",
        ],
        Category::Other => [
            "Sede del consejo comunal de {}",
            "Censo comunal de {}",
            "Rehabilitación de la plaza de {}",
        ],
    }
}

/// A random point within `max_m` metres of `center`, uniform over the disc.
fn point_near(rng: &mut ChaCha8Rng, center: Point<f64>, max_m: f64) -> Point<f64> {
    let distance = max_m * rng.random::<f64>().sqrt();
    let bearing = rng.random_range(0.0..360.0);
    Haversine.destination(center, bearing, distance)
}

fn position(p: Point<f64>) -> Value {
    let round = |x: f64| (x * 1e6).round() / 1e6;
    json!([round(p.x()), round(p.y())])
}

/// A star-shaped ring (never self-intersecting) around `center`, closed.
fn ring(rng: &mut ChaCha8Rng, center: Point<f64>, size_m: f64) -> Value {
    let corners = rng.random_range(4..9);
    let mut positions: Vec<Value> = (0..corners)
        .map(|i| {
            let bearing = 360.0 * (i as f64 + rng.random_range(0.0..0.8)) / corners as f64;
            position(Haversine.destination(center, bearing, size_m * rng.random_range(0.5..1.0)))
        })
        .collect();
    positions.push(positions[0].clone());
    Value::Array(positions)
}

fn line(rng: &mut ChaCha8Rng, center: Point<f64>, size_m: f64) -> Value {
    let vertices = rng.random_range(2..7);
    Value::Array(
        (0..vertices)
            .map(|_| position(point_near(rng, center, size_m)))
            .collect(),
    )
}

/// A geometry of a random type lying inside the circle (`center`, `radius_m`):
/// every vertex is within the circle, and so are the straight edges between them.
fn geometry(rng: &mut ChaCha8Rng, center: Point<f64>, radius_m: f64) -> Value {
    let roll = rng.random_range(0..100);
    let inner = point_near(rng, center, radius_m * 0.5);
    let size = radius_m * 0.3;
    match roll {
        0..80 => {
            json!({"type": "Point", "coordinates": position(point_near(rng, center, radius_m * 0.9))})
        }
        80..84 => {
            let n = rng.random_range(2..5);
            json!({"type": "MultiPoint", "coordinates": (0..n).map(|_| position(point_near(rng, inner, size))).collect::<Vec<_>>()})
        }
        84..92 => json!({"type": "LineString", "coordinates": line(rng, inner, size)}),
        92..94 => {
            json!({"type": "MultiLineString", "coordinates": [line(rng, inner, size / 2.0), line(rng, inner, size / 2.0)]})
        }
        94..98 => json!({"type": "Polygon", "coordinates": [ring(rng, inner, size)]}),
        _ => {
            let a = point_near(rng, inner, size / 2.0);
            let b = point_near(rng, inner, size / 2.0);
            json!({"type": "MultiPolygon", "coordinates": [[ring(rng, a, size / 3.0)], [ring(rng, b, size / 3.0)]]})
        }
    }
}

/// The demo as fixture files, by name; the same bytes every time.
pub fn generate() -> Vec<(&'static str, String)> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let territories = territory_features();
    let (councils, council_places) = council_features(&mut rng);
    let priorities = priority_lines(&mut rng, &council_places);
    let collection = |features: Vec<Value>| {
        let mut text = json!({"type": "FeatureCollection", "features": features}).to_string();
        text.push('\n');
        text
    };
    vec![
        ("territories.geojson", collection(territories)),
        ("councils.geojson", collection(councils)),
        ("priorities.ndjson", priorities),
    ]
}

/// Every state, municipality and parish as a Feature, with its synthetic
/// boundary rounded to six decimals (about 0.1 m).
fn territory_features() -> Vec<Value> {
    let outlines: std::collections::BTreeMap<String, geo::MultiPolygon<f64>> =
        boundaries::boundaries().into_iter().collect();
    places::STATES
        .iter()
        .map(|s| (s.code, s.name))
        .chain(places::MUNICIPALITIES.iter().map(|m| (m.code, m.name)))
        .chain(places::PARISHES.iter().map(|p| (p.code, p.name)))
        .map(|(code, name)| {
            let geometry = outlines.get(code).map_or(Value::Null, |b| {
                let rounded = b.map_coords(|c| geo::Coord {
                    x: (c.x * 1e6).round() / 1e6,
                    y: (c.y * 1e6).round() / 1e6,
                });
                serde_json::from_str(&to_geojson(&geo::Geometry::MultiPolygon(rounded))).unwrap_or(Value::Null)
            });
            json!({"type": "Feature", "id": code, "geometry": geometry, "properties": {"code": code, "name": name}})
        })
        .collect()
}

/// About 100 councils as Features, two or three per parish, each near its
/// parish's centre; and each council's code with its parish.
fn council_features(rng: &mut ChaCha8Rng) -> (Vec<Value>, Vec<(String, &'static PlaceParish)>) {
    let mut councils = Vec::new();
    let mut council_places = Vec::new();
    for (i, parish) in places::PARISHES.iter().enumerate() {
        let center = Point::new(parish.lon, parish.lat);
        for n in 1..=(2 + usize::from(i % 3 == 0)) {
            let code = format!("CC-{}-{n:02}", parish.code);
            let name = format!(
                "Consejo Comunal {}",
                COUNCIL_NAMES[(i * 3 + n) % COUNCIL_NAMES.len()]
            );
            let location = point_near(rng, center, parish.radius_m * 0.8);
            councils.push(json!({"type": "Feature", "id": code, "geometry": {"type": "Point", "coordinates": position(location)},
                "properties": {"code": code, "name": name, "parish": parish.code}}));
            council_places.push((code, parish));
        }
    }
    (councils, council_places)
}

/// [`PRIORITIES`] priorities as newline-delimited Features, each of a
/// council of `council_places`, inside its parish's circle.
fn priority_lines(rng: &mut ChaCha8Rng, council_places: &[(String, &PlaceParish)]) -> String {
    let first = time::parse_datetime("2025-01-06T09:00:00Z").unwrap_or_default();
    let span = time::parse_datetime("2026-10-30T18:00:00Z").unwrap_or_default() - first;
    let mut priorities = String::new();
    let mut agenda_len = vec![0u8; council_places.len()];
    for _ in 0..PRIORITIES {
        let c = rng.random_range(0..council_places.len());
        let (code, parish) = &council_places[c];
        let category = Category::ALL[rng.random_range(0..Category::ALL.len())];
        let status = match rng.random_range(0..100) {
            0..55 => Status::Proposed,
            55..70 => Status::Approved,
            70..82 => Status::InProgress,
            82..92 => Status::Done,
            _ => Status::Rejected,
        };
        agenda_len[c] += 1;
        let rank = (agenda_len[c] <= 10).then_some(agenda_len[c]);
        let families = (rng.random_range(0..5) > 0).then(|| rng.random_range(5..400));
        let template = titles(category)[rng.random_range(0..3)];
        let title = template.replace("{}", parish.name);
        let mut id_bytes = [0u8; 16];
        rng.fill(&mut id_bytes[..]);
        let id = uuid::Builder::from_random_bytes(id_bytes).into_uuid();
        let created = time::format(first + rng.random_range(0..span));
        let feature = json!({
            "type": "Feature",
            "id": id.to_string(),
            "geometry": geometry(rng, Point::new(parish.lon, parish.lat), parish.radius_m),
            "properties": {
                "council": code, "title": title,
                "description": format!("Prioridad aprobada en asamblea de ciudadanos y ciudadanas de la parroquia {}.", parish.name),
                "category": category.as_str(), "status": status.as_str(), "rank": rank, "families": families,
                "created_at": created,
            },
        });
        let _ = writeln!(priorities, "{feature}");
    }
    priorities
}

fn features(text: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("features").and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

/// Loads the committed demo into an empty store, in one transaction.
pub async fn load(store: &Store) -> Result<usize, StoreError> {
    let bad =
        |what: &str, e: &dyn std::fmt::Display| StoreError::Corrupt(format!("demo {what}: {e}"));
    let columns = BoundaryColumns {
        code: "code".into(),
        name: "name".into(),
        parent: None,
    };
    let territories = parse_boundaries(FILES[0].1.as_bytes(), &columns)
        .map_err(|e| bad("territories", &e))?
        .into_iter()
        .map(|f| {
            let level = Level::ALL
                .into_iter()
                .find(|l| l.digits() == f.code.len())
                .unwrap_or(Level::Parish);
            Ok(Territory {
                code: TerritoryCode::parse(level, &f.code).map_err(|e| bad("territory", &e))?,
                name: f.name,
                boundary: Some(f.boundary),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let councils = features(FILES[1].1)
        .iter()
        .map(|f| Council::from_feature(f).map_err(|e| bad("council", &e)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut priorities = parse_features(FILES[2].1.as_bytes())
        .map_err(|e| bad("priorities", &e))?
        .map(|p| p.map_err(|e| bad("priority", &e)))
        .collect::<Result<Vec<_>, _>>()?;
    // The demo ships parish boundaries, so its priorities are placed by location.
    let parishes = BoundaryIndex::build(
        territories
            .iter()
            .filter(|t| t.code.level() == Level::Parish)
            .filter_map(|t| Some((t.code, t.boundary.clone()?))),
    );
    for p in &mut priorities {
        p.located_parish = parishes.place(&p.geometry);
    }
    store
        .load_dataset(&territories, &councils, &priorities)
        .await?;
    Ok(priorities.len())
}

/// Each demo parish's code with the circle (centre, radius in metres) its
/// data was placed in.
pub fn parish_circles() -> impl Iterator<Item = (&'static str, Point<f64>, f64)> {
    places::PARISHES
        .iter()
        .map(|p| (p.code, Point::new(p.lon, p.lat), p.radius_m))
}

/// The seed of the national demo's priorities.
const NATIONAL_SEED: u64 = 1;

/// Loads the national demo into an empty store, in one transaction: the
/// catalog of `prioridades generate` (every state, 35,000 councils, parish
/// boundaries) and its first `count` priorities (seed 1), each placed by
/// location. Returns how many priorities were written.
pub async fn load_national(store: &Store, count: u64) -> Result<usize, StoreError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("national demo {what}: {e}"))
    };
    // Generating is CPU work of a second or two: off the async workers.
    let (catalog, priorities) = tokio::task::spawn_blocking(move || {
        let catalog = crate::generate::Catalog::build(crate::generate::DEFAULT_COUNCILS)
            .map_err(|e| bad("catalog", &e))?;
        let mut lines = Vec::new();
        crate::generate::Generator::new(&catalog, NATIONAL_SEED)
            .write(count, &mut lines)
            .map_err(|e| bad("priorities", &e))?;
        let mut priorities = parse_features(&lines)
            .map_err(|e| bad("priorities", &e))?
            .map(|p| p.map_err(|e| bad("priority", &e)))
            .collect::<Result<Vec<_>, _>>()?;
        let parishes = BoundaryIndex::build(
            catalog
                .territories
                .iter()
                .filter(|t| t.code.level() == Level::Parish)
                .filter_map(|t| Some((t.code, t.boundary.clone()?))),
        );
        for p in &mut priorities {
            p.located_parish = parishes.place(&p.geometry);
        }
        Ok::<_, StoreError>((catalog, priorities))
    })
    .await
    .map_err(|e| bad("generator", &e))??;
    store
        .load_dataset(&catalog.territories, &catalog.councils, &priorities)
        .await?;
    Ok(priorities.len())
}
