//! Territories (states, municipalities, parishes) and the councils in them.

use geo::{MultiPolygon, Point};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

use super::codes::{CouncilCode, Level, TerritoryCode};
use super::geometry::parse_geometry;
use super::wire::{Object, from_json, trimmed};
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
    /// When it was registered here; `None` for councils registered before
    /// the service kept it, and for one not stored yet.
    pub created_at: Option<super::time::Micros>,
}

/// A commune (*comuna*): councils grouped to plan together.
#[derive(Debug, Clone, PartialEq)]
pub struct Commune {
    /// Registry code, with the same form as a council's.
    pub code: CouncilCode,
    /// Its name.
    pub name: String,
    /// When it was registered here; `None` for communes registered before
    /// the service kept it, and for one not stored yet.
    pub created_at: Option<super::time::Micros>,
}

impl Commune {
    /// Reads a commune from a Feature with properties `code` and `name`, and
    /// a null geometry (a commune is where its councils are).
    pub fn from_feature(value: &Value) -> Result<Self, BodyError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Properties {
            code: Option<String>,
            name: Option<Name>,
            #[serde(rename = "councils")]
            _councils: Option<IgnoredAny>,
            #[serde(rename = "created_at")]
            _created_at: Option<IgnoredAny>,
        }
        let (props, geometry): (Properties, _) = read_feature(value)?;
        if !geometry.is_null() {
            return Err(FieldError::new(
                "/geometry",
                "send null: a commune is located by its councils",
            )
            .into());
        }
        Ok(Commune {
            code: required("code", props.code)?.parse().map_err(at("code"))?,
            name: required("name", props.name)?.0,
            created_at: None,
        })
    }
}

/// A Feature as a body: `type` must be `Feature` (400 otherwise); its
/// `properties` are read as a `P` naming a failing member by pointer, and
/// its geometry is returned as sent (null when absent), for the caller to
/// read. Other members (`id`, `links`) are ignored, as output carries them.
fn read_feature<P: DeserializeOwned>(value: &Value) -> Result<(P, Value), BodyError> {
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(rename = "type")]
        kind: Option<String>,
        #[serde(default)]
        geometry: Value,
        #[serde(default)]
        properties: Value,
    }
    let not_a_feature = || BodyError::wrong_shape("", "expected a GeoJSON Feature object");
    let Object(envelope): Object<Envelope> = from_json(value, "").map_err(|_| not_a_feature())?;
    if envelope.kind.as_deref() != Some("Feature") {
        return Err(not_a_feature());
    }
    let properties = from_json(&envelope.properties, "/properties").map(|Object(p)| p);
    let properties = properties.map_err(|e| match e.pointer.as_str() {
        "/properties" => FieldError::new("/properties", "properties must be an object"),
        _ => e,
    })?;
    Ok((properties, envelope.geometry))
}

/// A required property: its absence is named as a string property's.
fn required<T>(name: &str, value: Option<T>) -> Result<T, FieldError> {
    value.ok_or_else(|| {
        FieldError::new(
            format!("/properties/{name}"),
            format!("property {name:?} must be a string"),
        )
    })
}

/// An error of property `name`, with `detail`.
fn at(name: &'static str) -> impl Fn(String) -> FieldError {
    move |detail| FieldError::new(format!("/properties/{name}"), detail)
}

/// A territory's, council's or commune's name: trimmed, 1 to
/// [`MAX_NAME_CHARS`] printable characters.
#[derive(Debug, Deserialize)]
#[serde(try_from = "String")]
struct Name(String);

impl TryFrom<String> for Name {
    type Error = String;
    fn try_from(name: String) -> Result<Self, String> {
        let name = trimmed(name);
        let chars = name.chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(format!(
                "name must be 1 to {MAX_NAME_CHARS} printable characters"
            ));
        }
        Ok(Name(name))
    }
}

impl Territory {
    /// Reads a territory of `level` from a Feature with properties `code` and
    /// `name` and a null geometry.
    pub fn from_feature(value: &Value, level: Level) -> Result<Self, BodyError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Properties {
            code: Option<String>,
            name: Option<Name>,
            #[serde(rename = "state")]
            _state: Option<IgnoredAny>,
            #[serde(rename = "municipality")]
            _municipality: Option<IgnoredAny>,
        }
        let (props, geometry): (Properties, _) = read_feature(value)?;
        if !geometry.is_null() {
            return Err(FieldError::new(
                "/geometry",
                "send null: boundaries are set by importing a level (POST /collections/{level}/import)",
            )
            .into());
        }
        let code =
            TerritoryCode::parse(level, &required("code", props.code)?).map_err(at("code"))?;
        Ok(Territory {
            code,
            name: required("name", props.name)?.0,
            boundary: None,
        })
    }
}

/// A council's count of spokespeople: a whole number from 0 to 10,000.
#[derive(Debug, Deserialize)]
#[serde(try_from = "u64")]
struct Spokespeople(u32);

impl TryFrom<u64> for Spokespeople {
    type Error = &'static str;
    fn try_from(n: u64) -> Result<Self, Self::Error> {
        u32::try_from(n)
            .ok()
            .filter(|n| *n <= 10_000)
            .map(Spokespeople)
            .ok_or("must be a whole number from 0 to 10000")
    }
}

impl Council {
    /// Reads a council from a Feature with properties `code`, `name` and
    /// `parish`, and a Point geometry or null.
    pub fn from_feature(value: &Value) -> Result<Self, BodyError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Properties {
            code: Option<String>,
            name: Option<Name>,
            parish: Option<String>,
            #[serde(rename = "state")]
            _state: Option<IgnoredAny>,
            #[serde(rename = "municipality")]
            _municipality: Option<IgnoredAny>,
            commune: Option<String>,
            spokespeople: Option<Spokespeople>,
            #[serde(rename = "created_at")]
            _created_at: Option<IgnoredAny>,
        }
        let (props, geometry): (Properties, _) = read_feature(value)?;
        let location = match geometry {
            Value::Null => None,
            g => match parse_geometry(&g, "/geometry")? {
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
            code: required("code", props.code)?.parse().map_err(at("code"))?,
            name: required("name", props.name)?.0,
            parish: TerritoryCode::parse(Level::Parish, &required("parish", props.parish)?)
                .map_err(at("parish"))?,
            location,
            commune: props
                .commune
                .map(|s| s.parse().map_err(at("commune")))
                .transpose()?,
            spokespeople: props.spokespeople.map_or(0, |s| s.0),
            created_at: None,
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
