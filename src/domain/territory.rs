//! Territories (states, municipalities, parishes) and the councils in them.

use geo::{MultiPolygon, Point};
use serde_json::Value;

use super::codes::{CouncilCode, Level, TerritoryCode};
use super::geometry::parse_geometry;
use super::{BodyError, FieldError};

/// Longest territory or council name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A state, municipality or parish.
#[derive(Debug, Clone, PartialEq)]
pub struct Territory {
    /// Its INE-style code, which also names its level.
    pub code: TerritoryCode,
    /// Its name.
    pub name: String,
    /// Its boundary (WGS84 lon/lat), once boundaries of its level are imported.
    pub boundary: Option<MultiPolygon<f64>>,
}

/// A communal council (*consejo comunal*).
#[derive(Debug, Clone, PartialEq)]
pub struct Council {
    /// Its registry code (`CC-010101-001`).
    pub code: CouncilCode,
    /// Its name.
    pub name: String,
    /// The parish the council belongs to; its priorities inherit it.
    pub parish: TerritoryCode,
    /// Where the council meets, when known.
    pub location: Option<Point<f64>>,
    /// The commune (*comuna*) it belongs to, if any.
    pub commune: Option<CouncilCode>,
    /// How many spokespeople (*voceros*) are active.
    pub spokespeople: u32,
}

/// A commune (*comuna*): councils grouped to plan together.
#[derive(Debug, Clone, PartialEq)]
pub struct Commune {
    /// Registry code, with the same form as a council's.
    pub code: CouncilCode,
    /// Its name.
    pub name: String,
}

impl Commune {
    /// Reads a commune from a Feature with properties `code` and `name`, and
    /// a null geometry (a commune is where its councils are).
    pub fn from_feature(value: &Value) -> Result<Self, BodyError> {
        let (props, geometry) = feature_properties(value)?;
        only_known(props, &["code", "name", "councils"])?;
        if !geometry.is_null() {
            return Err(FieldError::new(
                "/geometry",
                "send null: a commune is located by its councils",
            )
            .into());
        }
        Ok(Commune {
            code: string_prop(props, "code")?
                .parse()
                .map_err(|e| FieldError::new("/properties/code", e))?,
            name: name_prop(props)?,
        })
    }
}

/// Checks that `value` is a Feature and returns its properties object.
fn feature_properties(
    value: &Value,
) -> Result<(&serde_json::Map<String, Value>, &Value), BodyError> {
    let obj = value
        .as_object()
        .filter(|o| o.get("type").and_then(Value::as_str) == Some("Feature"))
        .ok_or_else(|| BodyError::wrong_shape("", "expected a GeoJSON Feature object"))?;
    let props = obj
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| FieldError::new("/properties", "properties must be an object"))?;
    Ok((props, obj.get("geometry").unwrap_or(&Value::Null)))
}

fn only_known(props: &serde_json::Map<String, Value>, known: &[&str]) -> Result<(), FieldError> {
    match props.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(FieldError::new(
            format!("/properties/{k}"),
            format!("unknown property {k:?}; expected {}", known.join(", ")),
        )),
        None => Ok(()),
    }
}

fn string_prop<'v>(
    props: &'v serde_json::Map<String, Value>,
    name: &str,
) -> Result<&'v str, FieldError> {
    props.get(name).and_then(Value::as_str).ok_or_else(|| {
        FieldError::new(
            format!("/properties/{name}"),
            format!("property {name:?} must be a string"),
        )
    })
}

fn name_prop(props: &serde_json::Map<String, Value>) -> Result<String, FieldError> {
    let name = string_prop(props, "name")?.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(FieldError::new(
            "/properties/name",
            format!("name must be 1 to {MAX_NAME_CHARS} printable characters"),
        ));
    }
    Ok(name.to_owned())
}

impl Territory {
    /// Reads a territory of `level` from a Feature with properties `code` and
    /// `name` and a null geometry.
    pub fn from_feature(value: &Value, level: Level) -> Result<Self, BodyError> {
        let (props, geometry) = feature_properties(value)?;
        only_known(props, &["code", "name", "state", "municipality"])?;
        if !geometry.is_null() {
            return Err(FieldError::new(
                "/geometry",
                "send null: boundaries are set by importing a level (POST /collections/{level}/import)",
            )
            .into());
        }
        let code = TerritoryCode::parse(level, string_prop(props, "code")?)
            .map_err(|e| FieldError::new("/properties/code", e))?;
        Ok(Territory {
            code,
            name: name_prop(props)?,
            boundary: None,
        })
    }
}

impl Council {
    /// Reads a council from a Feature with properties `code`, `name` and
    /// `parish`, and a Point geometry or null.
    pub fn from_feature(value: &Value) -> Result<Self, BodyError> {
        let (props, geometry) = feature_properties(value)?;
        only_known(
            props,
            &[
                "code",
                "name",
                "parish",
                "state",
                "municipality",
                "commune",
                "spokespeople",
            ],
        )?;
        let location = match geometry {
            Value::Null => None,
            g => match parse_geometry(g, "/geometry")? {
                geo::Geometry::Point(p) => Some(p),
                _ => {
                    return Err(FieldError::new(
                        "/geometry/type",
                        "a council's location must be a Point",
                    )
                    .into());
                }
            },
        };
        Ok(Council {
            code: string_prop(props, "code")?
                .parse()
                .map_err(|e| FieldError::new("/properties/code", e))?,
            name: name_prop(props)?,
            parish: TerritoryCode::parse(Level::Parish, string_prop(props, "parish")?)
                .map_err(|e| FieldError::new("/properties/parish", e))?,
            location,
            commune: match props.get("commune") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(
                    s.parse()
                        .map_err(|e| FieldError::new("/properties/commune", e))?,
                ),
                Some(_) => {
                    return Err(
                        FieldError::new("/properties/commune", "must be a commune code").into(),
                    );
                }
            },
            spokespeople: match props.get("spokespeople") {
                None | Some(Value::Null) => 0,
                Some(v) => v.as_u64().filter(|n| *n <= 10_000).ok_or_else(|| {
                    FieldError::new(
                        "/properties/spokespeople",
                        "must be a whole number from 0 to 10000",
                    )
                })? as u32,
            },
        })
    }
}

/// One feature of a boundary file, read but not yet resolved against the catalog.
#[derive(Debug, Clone)]
pub struct BoundaryFeature {
    /// Zero-based position in the file.
    pub index: usize,
    /// The code as the file has it (`010101`, `VE010101`, or `01` below a parent).
    pub code: String,
    /// The name as the file has it.
    pub name: String,
    /// The parent's code as the file has it, when a parent property was named.
    pub parent: Option<String>,
    /// The boundary, WGS84 lon/lat degrees.
    pub boundary: geo::MultiPolygon<f64>,
}
