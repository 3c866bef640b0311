//! Reading rows back into domain values, the same for both engines.

use std::borrow::Cow;
use std::str::FromStr;

use geo::Point;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::StoreError;
use crate::domain::auth::{Role, StoredToken};
use crate::domain::codes::{CouncilCode, Level, TerritoryCode};
use crate::domain::geometry::{parse_geometry, parse_geometry_limited, parse_stored_geometry};
use crate::domain::priority::Priority;
use crate::domain::territory::Council;
use crate::domain::workflow::Plan;

/// Turns constraint violations into conflicts the client can act on.
pub(super) fn classify(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StoreError::Conflict("a record with that key exists already".into());
        }
        if db.is_foreign_key_violation() {
            return StoreError::Conflict("a referenced record does not exist".into());
        }
    }
    e.into()
}

pub(super) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// A stored boundary (Polygon or MultiPolygon GeoJSON) as a MultiPolygon.
pub(super) fn boundary_from_text(text: &str) -> Result<geo::MultiPolygon<f64>, StoreError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| corrupt("boundary", e))?;
    match parse_geometry_limited(&value, "", usize::MAX).map_err(|e| corrupt("boundary", e))? {
        geo::Geometry::Polygon(p) => Ok(geo::MultiPolygon(vec![p])),
        geo::Geometry::MultiPolygon(mp) => Ok(mp),
        _ => Err(corrupt("boundary", "not a polygon")),
    }
}

pub(super) fn token_from_row(row: &AnyRow) -> Result<StoredToken, StoreError> {
    let role: String = row.try_get("role")?;
    let scope: Option<String> = row.try_get("scope")?;
    Ok(StoredToken {
        id: row.try_get("id")?,
        hash: row.try_get("hash")?,
        role: Role::parse(&role, scope.as_deref()).map_err(|e| corrupt("token role", e))?,
        label: row.try_get("label")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

pub(super) fn council_from_row(row: &AnyRow) -> Result<Council, StoreError> {
    let location: Option<String> = row.try_get("location")?;
    let location = match location {
        None => None,
        Some(text) => {
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| corrupt("location", e))?;
            match parse_geometry(&value, "").map_err(|e| corrupt("location", e))? {
                geo::Geometry::Point(p) => Some(p),
                _ => return Err(corrupt("location", "not a point")),
            }
        }
    };
    let code: String = row.try_get("code")?;
    let parish: String = row.try_get("parish_code")?;
    Ok(Council {
        created_at: row.try_get("created_at")?,
        code: CouncilCode::from_str(&code).map_err(|e| corrupt("council code", e))?,
        name: row.try_get("name")?,
        parish: TerritoryCode::parse(Level::Parish, &parish)
            .map_err(|e| corrupt("parish code", e))?,
        location: location.map(|p: Point<f64>| p),
        commune: {
            let commune: Option<String> = row.try_get("commune_code")?;
            commune
                .map(|c| CouncilCode::from_str(&c).map_err(|e| corrupt("commune code", e)))
                .transpose()?
        },
        spokespeople: {
            let n: i64 = row.try_get("spokespeople")?;
            n as u32
        },
    })
}

pub(super) fn priority_from_row(row: &AnyRow) -> Result<Priority, StoreError> {
    // Text is borrowed from the row where the value is parsed, not kept.
    let text = |column: &str| -> Result<&str, StoreError> { Ok(row.try_get(column)?) };
    let maybe_text =
        |column: &str| -> Result<Option<&str>, StoreError> { Ok(row.try_get(column)?) };
    PriorityColumns {
        pk: row.try_get("pk")?,
        id: text("id")?.into(),
        council: text("council_code")?.into(),
        title: text("title")?.into(),
        description: maybe_text("description")?.map(Into::into),
        category: text("category")?.into(),
        status: text("status")?.into(),
        rank: row.try_get("rank")?,
        families: row.try_get("families")?,
        geometry: text("geometry")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
        located_parish: maybe_text("located_parish")?.map(Into::into),
        duplicate_of: maybe_text("duplicate_of")?.map(Into::into),
        plan: maybe_text("plan")?,
    }
    .into_priority()
}

/// A priority's row given as one JSON array of its columns, in
/// [`PriorityColumns`]' order: what start-up reads (`Store::load_priorities`).
pub(super) fn priority_from_json_row(text: &str) -> Result<Priority, StoreError> {
    serde_json::from_str::<PriorityColumns>(text)
        .map_err(|e| corrupt("priority row", e))?
        .into_priority()
}

/// The columns of a priority's row, text borrowed where it can be.
/// Deserialized from a JSON array, its fields are in the order of the
/// columns in the store's load query.
#[derive(serde::Deserialize)]
struct PriorityColumns<'a> {
    pk: i64,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    council: Cow<'a, str>,
    #[serde(borrow)]
    title: Cow<'a, str>,
    #[serde(borrow)]
    description: Option<Cow<'a, str>>,
    #[serde(borrow)]
    category: Cow<'a, str>,
    #[serde(borrow)]
    status: Cow<'a, str>,
    rank: Option<i64>,
    families: Option<i64>,
    created_at: i64,
    updated_at: i64,
    version: i64,
    #[serde(borrow)]
    located_parish: Option<Cow<'a, str>>,
    #[serde(borrow)]
    duplicate_of: Option<Cow<'a, str>>,
    /// GeoJSON text.
    #[serde(borrow, deserialize_with = "json_text")]
    geometry: &'a str,
    /// JSON text.
    #[serde(borrow, deserialize_with = "optional_json_text")]
    plan: Option<&'a str>,
}

/// A JSON value inside the row's array, as its text.
fn json_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'de str, D::Error> {
    serde::Deserialize::deserialize(d).map(serde_json::value::RawValue::get)
}

fn optional_json_text<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<&'de str>, D::Error> {
    let value: Option<&serde_json::value::RawValue> = serde::Deserialize::deserialize(d)?;
    Ok(value.map(serde_json::value::RawValue::get))
}

impl PriorityColumns<'_> {
    fn into_priority(self) -> Result<Priority, StoreError> {
        Ok(Priority {
            pk: self.pk,
            id: Uuid::parse_str(&self.id).map_err(|e| corrupt("id", e))?,
            council: CouncilCode::from_str(&self.council).map_err(|e| corrupt("council", e))?,
            title: self.title.into_owned(),
            description: self.description.map(Cow::into_owned),
            category: self.category.parse().map_err(|e| corrupt("category", e))?,
            status: self.status.parse().map_err(|e| corrupt("status", e))?,
            rank: self.rank.map(|r| r as u8),
            families: self.families.map(|f| f as u32),
            plan: self
                .plan
                .map(|text| {
                    let value = serde_json::from_str(text).map_err(|e| corrupt("plan", e))?;
                    Plan::from_json(&value, "").map_err(|e| corrupt("plan", e))
                })
                .transpose()?,
            geometry: parse_stored_geometry(self.geometry).map_err(|e| corrupt("geometry", e))?,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
            located_parish: self
                .located_parish
                .map(|code| TerritoryCode::parse(Level::Parish, &code))
                .transpose()
                .map_err(|e| corrupt("located parish", e))?,
            duplicate_of: self
                .duplicate_of
                .map(|id| Uuid::parse_str(&id))
                .transpose()
                .map_err(|e| corrupt("duplicate_of", e))?,
        })
    }
}
