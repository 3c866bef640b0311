//! The priorities' items parameters read into a [`PriorityFilter`]: the
//! Part 1 parameters, the territory and council codes checked against the
//! catalog, and the CQL2 `filter` with `geometry_type`.

use std::sync::Arc;

use super::ogc;
use super::params::Params;
use super::problem::ApiError;
use crate::domain::codes::{Level, TerritoryCode};
use crate::domain::cql::{Filter, Lang};
use crate::domain::crs::Crs;
use crate::domain::query::{self, Interval, Near, PriorityFilter};
use crate::domain::queryables::PRIORITIES as PRIORITY_QUERYABLES;
use crate::index::Catalog;

/// Parses the items parameters into a filter, checking codes against the catalog.
pub fn parse_filter(params: &Params, catalog: &Catalog) -> Result<PriorityFilter, ApiError> {
    let codes = |name: &str, level: Level| -> Result<Vec<TerritoryCode>, ApiError> {
        let list = params
            .parsed(name, |s| query::parse_codes(s, level))?
            .unwrap_or_default();
        match list.iter().find(|c| catalog.territory(**c).is_none()) {
            Some(unknown) => Err(ApiError::parameter(
                name,
                format!("unknown {name} {unknown}"),
            )),
            None => Ok(list),
        }
    };
    let center = params.parsed("point", query::parse_point)?;
    let radius = params.parsed("radius", query::parse_radius)?;
    let near = match (center, radius) {
        (Some(center), Some(radius_m)) => Some(Near { center, radius_m }),
        (None, None) => None,
        (Some(_), None) => {
            return Err(ApiError::parameter(
                "radius",
                "point needs a radius in metres",
            ));
        }
        (None, Some(_)) => {
            return Err(ApiError::parameter(
                "point",
                "radius needs a point=lon,lat centre",
            ));
        }
    };
    Ok(PriorityFilter {
        bbox: ogc::bbox(params)?,
        near,
        datetime: params.parsed("datetime", |s| s.parse::<Interval>())?,
        states: codes("state", Level::State)?,
        municipalities: codes("municipality", Level::Municipality)?,
        parishes: codes("parish", Level::Parish)?,
        filter: cql_filter(params)?.map(Arc::new),
        duplicate_of: params
            .parsed("duplicate_of", |s| {
                query::parse_list(s, |id| {
                    uuid::Uuid::try_parse(id)
                        .map_err(|_| format!("duplicate_of lists priority ids; got {id:?}"))
                })
            })?
            .unwrap_or_default(),
        has_duplicates: params.parsed("has_duplicates", |s| match s {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("has_duplicates is true or false; got {s:?}")),
        })?,
        ..attribute_filter(params, catalog)?
    }
    .narrowed())
}

/// The filters on what a priority is rather than where or when: `council`
/// (checked against the catalog), `category`, `status`, `placement` and
/// `overdue`. A territory's items take these alone, to count the
/// priorities inside it that pass them.
pub fn attribute_filter(params: &Params, catalog: &Catalog) -> Result<PriorityFilter, ApiError> {
    let councils = params
        .parsed("council", |s| query::parse_list(s, |c| c.parse()))?
        .unwrap_or_default();
    if let Some(unknown) = councils.iter().find(|c| catalog.council(c).is_none()) {
        return Err(ApiError::parameter(
            "council",
            format!("unknown council {unknown}"),
        ));
    }
    Ok(PriorityFilter {
        councils,
        categories: params
            .parsed("category", |s| query::parse_list(s, str::parse))?
            .unwrap_or_default(),
        statuses: params
            .parsed("status", |s| query::parse_list(s, str::parse))?
            .unwrap_or_default(),
        placements: params
            .parsed("placement", |s| query::parse_list(s, str::parse))?
            .unwrap_or_default(),
        overdue: params
            .parsed("overdue", |s| match s {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(format!("overdue is true or false; got {s:?}")),
            })?
            .map(|wanted| (wanted, chrono::Utc::now().date_naive())),
        ..PriorityFilter::default()
    })
}

/// `filter` and `geometry_type`, which says what a `geometry_type IN (…)`
/// filter says, as one CQL2 filter.
fn cql_filter(params: &Params) -> Result<Option<Filter>, ApiError> {
    let filter = ogc::filter(params, &PRIORITY_QUERYABLES)?;
    let families = params.parsed("geometry_type", |s| {
        let list = query::parse_list(s, |f| match f {
            "point" | "line" | "polygon" => Ok(format!("'{f}'")),
            _ => Err(format!(
                "geometry_type is point, line or polygon; got {f:?}"
            )),
        })?;
        let text = format!("geometry_type IN ({})", list.join(","));
        Filter::parse(&text, Lang::Text, Crs::Crs84, &PRIORITY_QUERYABLES)
    })?;
    Ok(match (filter, families) {
        (Some(f), Some(g)) => Some(f.and(g)),
        (f, g) => f.or(g),
    })
}
