//! `/collections/{states,municipalities,parishes}`: territories with their
//! boundaries and priority counts, for choropleth maps; creating them one by
//! one, and importing a level's boundaries from a file.
//!
//! Boundaries can be simplified per request (`simplify` in degrees, or the
//! `zoom` of a web map) so a browser can draw every parish of the country;
//! simplified outlines are cached per level, tolerance and boundary version.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use geo::{BoundingRect, Intersects};
use serde_json::{Map, Value, json};

use super::auth::{Admin, Who};
use super::extract::{Base, JsonBody, NoParams, Query};
use super::ogc;
use super::params::{self, Params, Path, within};
use super::priority_filter::attribute_filter;
use super::problem::ApiError;
use super::statistics_times::{Times, times_query};
use super::{AppState, GEOJSON, JSON, Link, created, link, links_text, list_response, typed};
use crate::domain::auth::Actor;
use crate::domain::codes::{Level, TerritoryCode};
use crate::domain::geometry::to_geojson;
use crate::domain::priority::{Category, Status};
use crate::domain::query;
use crate::domain::queryables;
use crate::domain::territory::Territory;
use crate::import::{BoundaryColumns, BoundaryFileError, parse_boundaries};
use crate::index::Index;
use crate::index::priorities::Counts;
use crate::service::{Service, ServiceError};

mod level_params;

pub use level_params::{
    Import, LevelCollection, Municipalities, One, Parishes, States, item_params,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(level_router::<States>())
        .merge(level_router::<Municipalities>())
        .merge(level_router::<Parishes>())
}

/// The routes of one level's collection.
fn level_router<L: LevelCollection>() -> Router<AppState> {
    let collection = format!("/collections/{}", L::LEVEL.collection());
    Router::new()
        .route(
            &format!("{collection}/items"),
            get(list::<L>).post(create::<L>),
        )
        .route(&format!("{collection}/items/{{code}}"), get(get_one::<L>))
        .route(&format!("{collection}/import"), post(import::<L>))
}

/// Simplified boundaries as GeoJSON text, per (level, tolerance, boundary
/// generation), written from [`Service::simplified`](crate::service::Service::simplified)'s
/// shapes. Small: a handful of zoom levels are asked for in practice, and
/// the whole cache is dropped when it grows past [`BoundaryCache::MAX`].
#[derive(Debug, Default)]
pub struct BoundaryCache {
    entries: Mutex<HashMap<(Level, u64, u64), Arc<BoundaryTexts>>>,
}

/// GeoJSON text of each territory's (simplified) boundary.
type BoundaryTexts = HashMap<TerritoryCode, Arc<str>>;

impl BoundaryCache {
    const MAX: usize = 64;

    /// The GeoJSON text of every boundary of `level` at `tolerance` degrees.
    /// A miss simplifies and writes on a blocking thread, holding neither
    /// the index lock nor the cache's, so writes and other requests go on
    /// meanwhile.
    async fn texts(
        &self,
        service: &Service,
        level: Level,
        tolerance: f64,
    ) -> Result<Arc<BoundaryTexts>, ApiError> {
        let key = (
            level,
            tolerance.to_bits(),
            service.index().read().catalog.boundary_generation(),
        );
        if let Some(hit) = self.lock().get(&key) {
            return Ok(hit.clone());
        }
        let shapes = service.simplified(level, tolerance).await?;
        let texts = tokio::task::spawn_blocking(move || {
            shapes
                .iter()
                .map(|(code, shape)| {
                    let g = geo::Geometry::MultiPolygon(shape.clone());
                    (*code, Arc::from(to_geojson(&g)))
                })
                .collect::<BoundaryTexts>()
        })
        .await
        .map_err(|e| ApiError::internal(format!("writing boundaries: {e}")))?;
        let texts = Arc::new(texts);
        let mut entries = self.lock();
        if entries.len() >= Self::MAX {
            entries.clear();
        }
        entries.insert(key, texts.clone());
        Ok(texts)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Level, u64, u64), Arc<BoundaryTexts>>> {
        // The map is only ever replaced whole, so a poisoned lock holds a usable map.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The drawing tolerance asked for, in degrees (0: full detail).
fn tolerance(params: &Params) -> Result<f64, ApiError> {
    let simplify = params.parsed("simplify", |s| match s.parse::<f64>() {
        Ok(t) if (0.0..=1.0).contains(&t) => Ok(t),
        _ => Err(format!(
            "simplify is a tolerance from 0 to 1 degree; got {s:?}"
        )),
    })?;
    let zoom = params.parsed("zoom", |s| match s.parse::<u8>() {
        Ok(z) if z <= 24 => Ok(z),
        _ => Err(format!("zoom is a whole number from 0 to 24; got {s:?}")),
    })?;
    match (simplify, zoom) {
        (Some(_), Some(_)) => Err(ApiError::parameter(
            "zoom",
            "give simplify or zoom, not both",
        )),
        (Some(t), None) => Ok(t),
        // Half a pixel cannot be seen: the tolerance the tiles use too.
        (None, Some(z)) => Ok(crate::tiles::grid::zoom_tolerance(z)),
        (None, None) => Ok(0.0),
    }
}

/// A territory as a Feature: its boundary (or null), parent codes, and the
/// counts a choropleth map colours by, as flat properties so QGIS and GDAL
/// read them as plain fields.
fn feature(
    index: &Index,
    counts: &Counts,
    times: &Times,
    t: &Territory,
    geometry: Option<&str>,
    links: Option<&[Link]>,
) -> String {
    let mut props = Map::new();
    props.insert("code".into(), t.code.to_string().into());
    props.insert("name".into(), t.name.clone().into());
    for level in Level::ALL.into_iter().filter(|l| *l < t.code.level()) {
        if let Some(ancestor) = t.code.at_level(level) {
            props.insert(level.as_str().into(), ancestor.to_string().into());
        }
    }
    let tally = index.priorities.tally_under(counts, t.code);
    props.insert(
        "councils".into(),
        index.catalog.council_count(t.code).into(),
    );
    props.insert("priorities".into(), tally.priorities.into());
    props.insert("families".into(), tally.families.into());
    for (status, n) in Status::ALL.iter().zip(tally.by_status) {
        props.insert(format!("status_{status}"), n.into());
    }
    for (category, n) in Category::ALL.iter().zip(tally.by_category) {
        props.insert(format!("category_{category}"), n.into());
    }
    times.insert(&mut props, t.code);
    let mut out = format!(
        r#"{{"type":"Feature","id":"{}","geometry":{},"properties":{}"#,
        t.code,
        geometry.unwrap_or("null"),
        Value::Object(props)
    );
    if let Some(links) = links {
        out.push_str(r#","links":"#);
        out.push_str(&links_text(links));
    }
    out.push('}');
    out
}

async fn list<L: LevelCollection>(
    State(state): State<AppState>,
    Base(base): Base,
    params: Query<L>,
) -> Result<Response, ApiError> {
    let level = L::LEVEL;
    let tolerance = tolerance(&params)?;
    let bbox = ogc::bbox(&params)?;
    let texts = state
        .boundary_cache
        .texts(&state.service, level, tolerance)
        .await?;
    let features: Vec<String> = {
        let index = state.service.index().read();
        let mut within = within(&params, &index.catalog)?;
        let counts = index
            .priorities
            .counts(&attribute_filter(&params, &index.catalog)?);
        if let Some(codes) = params.parsed("code", |s| query::parse_codes(s, level))? {
            if let Some(unknown) = codes
                .iter()
                .find(|c| index.catalog.territory(**c).is_none())
            {
                return Err(ApiError::parameter(
                    "code",
                    format!("unknown {} {unknown}", level.as_str()),
                ));
            }
            within.push(codes);
        }
        // Narrowed to the territories asked for, when they were.
        let narrowest = within.iter().min_by_key(|codes| codes.len());
        let times = Times::of(
            &index,
            attribute_filter(&params, &index.catalog)?,
            narrowest.map_or(&[][..], |c| &c[..]),
            times_query(&params)?,
        );
        index
            .catalog
            .territories(level, &within)
            .into_iter()
            .filter(|t| match (&bbox, &t.boundary) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(b), Some(boundary)) => {
                    boundary.bounding_rect().is_some_and(|r| r.intersects(&b.0))
                        && boundary.intersects(&b.0)
                }
            })
            .map(|t| {
                let geometry = texts.get(&t.code).map(|g| &**g);
                feature(&index, &counts, &times, t, geometry, None)
            })
            .collect()
    };
    let path = format!("/collections/{}/items", level.collection());
    list_response(
        &base,
        &path,
        &params,
        queryables::territories(level),
        features,
        crate::domain::query::MAX_LIMIT,
    )
}

async fn get_one<L: LevelCollection>(
    State(state): State<AppState>,
    Base(base): Base,
    Path(code): Path<String>,
    params: Query<One>,
) -> Result<Response, ApiError> {
    let level = L::LEVEL;
    let tolerance = tolerance(&params)?;
    let not_found = || ApiError::not_found(format!("no {} with code {code:?}", level.as_str()));
    let code = TerritoryCode::parse(level, &code).map_err(|_| not_found())?;
    if state
        .service
        .index()
        .read()
        .catalog
        .territory(code)
        .is_none()
    {
        return Err(not_found());
    }
    // Simplified, it is drawn as in the level's list: from its shared borders.
    let simplified = match tolerance > 0.0 {
        true => Some(
            state
                .boundary_cache
                .texts(&state.service, level, tolerance)
                .await?,
        ),
        false => None,
    };
    let index = state.service.index().read();
    let t = index.catalog.territory(code).ok_or_else(not_found)?;
    let counts = index
        .priorities
        .counts(&attribute_filter(&params, &index.catalog)?);
    let times = Times::of(
        &index,
        attribute_filter(&params, &index.catalog)?,
        &[code],
        times_query(&params)?,
    );
    let geometry = match &simplified {
        Some(texts) => texts.get(&code).map(|g| g.to_string()),
        None => t
            .boundary
            .as_ref()
            .map(|b| to_geojson(&geo::Geometry::MultiPolygon(b.clone()))),
    };
    Ok(typed(
        StatusCode::OK,
        GEOJSON,
        one_feature(&index, &counts, &times, &base, t, geometry.as_deref()),
    ))
}

/// One territory with its links to itself, its collection, its priorities
/// and councils, its parent and its children.
fn one_feature(
    index: &Index,
    counts: &Counts,
    times: &Times,
    base: &str,
    t: &Territory,
    geometry: Option<&str>,
) -> String {
    let (code, level) = (t.code, t.code.level());
    let mut links = vec![
        link(
            format!("{base}/collections/{}/items/{code}", level.collection()),
            "self",
            GEOJSON,
            Some(&t.name),
        ),
        link(
            format!("{base}/collections/{}", level.collection()),
            "collection",
            JSON,
            None,
        ),
        link(
            format!(
                "{base}/collections/priorities/items?{}={code}",
                level.as_str()
            ),
            "items",
            GEOJSON,
            Some("its priorities"),
        ),
        link(
            format!(
                "{base}/collections/councils/items?{}={code}",
                level.as_str()
            ),
            "related",
            GEOJSON,
            Some("its councils"),
        ),
    ];
    if let Some(parent) = code.parent() {
        links.push(link(
            format!(
                "{base}/collections/{}/items/{parent}",
                parent.level().collection()
            ),
            "up",
            GEOJSON,
            Some(&format!("its {}", parent.level().as_str())),
        ));
    }
    if let Some(child) = Level::ALL.into_iter().find(|l| l.parent() == Some(level)) {
        links.push(link(
            format!(
                "{base}/collections/{}/items?{}={code}",
                child.collection(),
                level.as_str()
            ),
            "children",
            GEOJSON,
            Some(&format!("its {}", child.collection())),
        ));
    }
    feature(index, counts, times, t, geometry, Some(&links))
}

async fn create<L: LevelCollection>(
    State(state): State<AppState>,
    Base(base): Base,
    _: Query<NoParams>,
    Who(who): Who,
    JsonBody(value): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let level = L::LEVEL;
    let territory = Territory::from_feature(&value, level).map_err(ServiceError::from)?;
    let code = territory.code;
    state
        .service
        .create_territory(Actor::Caller(&who), territory)
        .await?;
    let text = {
        let index = state.service.index().read();
        let t = index
            .catalog
            .territory(code)
            .ok_or_else(|| ApiError::internal("created territory missing"))?;
        let geometry = t
            .boundary
            .as_ref()
            .map(|b| to_geojson(&geo::Geometry::MultiPolygon(b.clone())));
        let times = Times::of(&index, Default::default(), &[code], Default::default());
        one_feature(&index, &Counts::All, &times, &base, t, geometry.as_deref())
    };
    let path = format!("/collections/{}/items/{code}", level.collection());
    Ok(created(&base, path, text))
}

async fn import<L: LevelCollection>(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Query<Import>,
    Admin(who): Admin,
    body: Body,
) -> Result<Response, ApiError> {
    let columns = BoundaryColumns {
        code: params.get("code").unwrap_or("code").to_owned(),
        name: params.get("name").unwrap_or("name").to_owned(),
        parent: params.get("parent").map(str::to_owned),
    };
    let bytes = params::read_body(
        &headers,
        body,
        state.config.max_import_bytes,
        &params::JSON_TYPES[..2],
    )
    .await?;
    let features = parse_boundaries(&bytes, &columns).map_err(|e| match e {
        BoundaryFileError::NotJson(detail) => ApiError::malformed_body(detail),
        BoundaryFileError::WrongDocument { pointer, detail } => {
            ApiError::wrong_document(pointer, detail)
        }
        BoundaryFileError::Features(errors) => ApiError::from(ServiceError::InvalidFile(errors)),
    })?;
    let report = state
        .service
        .import_boundaries(Actor::Caller(&who), L::LEVEL, features)
        .await?;
    let body = json!(report).to_string();
    Ok(typed(StatusCode::OK, JSON, body))
}
