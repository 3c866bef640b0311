//! Priorities: the collective needs a council puts on its action agenda.

use geo::Geometry;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::codes::{CouncilCode, TerritoryCode};
use super::geometry::parse_geometry;
use super::time::{self, Micros};
use super::wire::{Object, from_json, trimmed};
pub use super::workflow::Status;
use super::workflow::{Plan, PlanInput};
use super::{BodyError, FieldError};

string_enum! {
    /// The sector a priority belongs to.
    Category {
        /// Drinking water and its network.
        Water = "water",
        /// Electricity supply and public lighting.
        Electricity = "electricity",
        /// Streets, roads and bridges.
        Roads = "roads",
        /// Health care.
        Health = "health",
        /// Schools and training.
        Education = "education",
        /// Public safety.
        Security = "security",
        /// Housing.
        Housing = "housing",
        /// Waste, sanitation and the environment.
        Environment = "environment",
        /// Domestic gas.
        Gas = "gas",
        /// Public transport.
        Transport = "transport",
        /// Telephone and internet.
        Telecom = "telecom",
        /// Food supply.
        Food = "food",
        /// Culture and sport.
        CultureSport = "culture_sport",
        /// Anything else.
        Other = "other",
    }
}

string_enum! {
    /// How a priority's territory was decided.
    Placement {
        /// No parish boundaries are loaded: the council's parish.
        ByCouncil = "by_council",
        /// Located by its geometry, inside its council's parish.
        InsideCouncilParish = "inside_council_parish",
        /// Located by its geometry in another parish than its council's:
        /// stored, but flagged for cabinets to review.
        OutsideCouncilParish = "outside_council_parish",
        /// Boundaries re-imported since it was written no longer cover its
        /// location; it keeps its council's parish until fixed.
        OutsideEveryParish = "outside_every_parish",
    }
}

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;
/// Ranks on an action agenda go from 1 to this.
pub const MAX_RANK: i64 = 10;

/// Properties a client may set.
pub const WRITABLE_PROPERTIES: [&str; 9] = [
    "council",
    "title",
    "description",
    "category",
    "status",
    "rank",
    "families",
    "plan",
    "created_at",
];

/// Properties the server computes; sent back by clients that PUT what they
/// GET, so they are accepted and ignored rather than rejected.
pub const READ_ONLY_PROPERTIES: [&str; 8] = [
    "duplicate_of",
    "state",
    "municipality",
    "parish",
    "placement",
    "updated_at",
    "version",
    "distance_m",
];

/// A priority as a client describes it: validated, not yet stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityDraft {
    /// Client-chosen id; the server assigns one when absent.
    pub id: Option<Uuid>,
    /// The council that raised it.
    pub council: CouncilCode,
    /// A short title, at most [`MAX_TITLE_CHARS`] characters.
    pub title: String,
    /// A longer description, at most [`MAX_DESCRIPTION_CHARS`] characters.
    pub description: Option<String>,
    /// Its sector.
    pub category: Category,
    /// Where it stands in its review.
    pub status: Status,
    /// Its place on the council's agenda, 1 to [`MAX_RANK`].
    pub rank: Option<u8>,
    /// How many families it benefits, when stated.
    pub families: Option<u32>,
    /// The action plan, once approved.
    pub plan: Option<Plan>,
    /// Its location: a validated geometry, WGS84 lon/lat degrees.
    pub geometry: Geometry<f64>,
    /// Only honoured when the priority is created (migrating dated records);
    /// defaults to the time of the write.
    pub created_at: Option<Micros>,
    /// The parish its location falls in; set by the service (never read from
    /// input) when parish boundaries are loaded.
    pub located_parish: Option<TerritoryCode>,
}

/// A stored priority: the draft's fields plus what the store assigned.
#[derive(Debug, Clone, PartialEq)]
pub struct Priority {
    /// The store's row key: a stable, creation-ordered sort key for paging.
    pub pk: i64,
    /// Its public id.
    pub id: Uuid,
    /// The council that raised it.
    pub council: CouncilCode,
    /// A short title.
    pub title: String,
    /// A longer description.
    pub description: Option<String>,
    /// Its sector.
    pub category: Category,
    /// Where it stands in its review.
    pub status: Status,
    /// Its place on the council's agenda, 1 to [`MAX_RANK`].
    pub rank: Option<u8>,
    /// How many families it benefits, when stated.
    pub families: Option<u32>,
    /// The action plan, once approved.
    pub plan: Option<Plan>,
    /// Its location, WGS84 lon/lat degrees.
    pub geometry: Geometry<f64>,
    /// When it was created.
    pub created_at: Micros,
    /// When it was last written.
    pub updated_at: Micros,
    /// Increases with every write, from 1; what `If-Match` names.
    pub version: i64,
    /// The parish its location fell in when placed; `None` when no parish
    /// boundaries were loaded or none covered it.
    pub located_parish: Option<TerritoryCode>,
    /// The priority this one duplicates, set while its status is
    /// `duplicate` (it may name a priority deleted since).
    pub duplicate_of: Option<Uuid>,
}

impl Priority {
    /// The writable part of this priority as a GeoJSON Feature, the base a
    /// JSON merge patch (RFC 7396) is applied to.
    pub fn to_writable_feature(&self) -> Value {
        let mut props = Map::new();
        props.insert("council".into(), self.council.as_str().into());
        props.insert("title".into(), self.title.clone().into());
        if let Some(d) = &self.description {
            props.insert("description".into(), d.clone().into());
        }
        props.insert("category".into(), self.category.as_str().into());
        props.insert("status".into(), self.status.as_str().into());
        if let Some(r) = self.rank {
            props.insert("rank".into(), r.into());
        }
        if let Some(f) = self.families {
            props.insert("families".into(), f.into());
        }
        if let Some(plan) = &self.plan {
            props.insert("plan".into(), plan.to_json());
        }
        let geometry: Value = serde_json::from_str(&super::geometry::to_geojson(&self.geometry))
            .unwrap_or(Value::Null);
        serde_json::json!({
            "type": "Feature",
            "id": self.id.to_string(),
            "geometry": geometry,
            "properties": props,
        })
    }
}

impl PriorityDraft {
    /// Validates a GeoJSON Feature (already parsed as JSON) as a priority.
    ///
    /// `pointer` prefixes every JSON pointer in errors (empty for a whole
    /// body, `/features/3` inside a collection).
    pub fn from_feature(value: &Value, pointer: &str) -> Result<Self, BodyError> {
        let envelope = Envelope::read(value, pointer)?;
        let id = match envelope.id {
            None => None,
            Some(Member::Text(s)) => Some(Uuid::parse_str(&s).map_err(|_| {
                FieldError::new(format!("{pointer}/id"), format!("{s:?} is not a UUID"))
            })?),
            Some(Member::Other(_)) => {
                return Err(FieldError::new(
                    format!("{pointer}/id"),
                    "the id must be a UUID string",
                )
                .into());
            }
        };
        let geometry = match &envelope.geometry {
            Value::Null => {
                return Err(FieldError::new(
                    format!("{pointer}/geometry"),
                    "a priority needs a geometry",
                )
                .into());
            }
            g => parse_geometry(g, &format!("{pointer}/geometry"))?,
        };
        let at = format!("{pointer}/properties");
        let Object(p): Object<PropertiesInput> =
            from_json(&envelope.properties, &at).map_err(|e| {
                if e.pointer == at {
                    FieldError::new(&at, "properties must be an object")
                } else {
                    e
                }
            })?;
        p.into_draft(&at, id, geometry)
    }
}

/// A member read as text when it is a string, and only noted otherwise.
#[derive(Deserialize)]
#[serde(untagged)]
enum Member {
    Text(String),
    Other(IgnoredAny),
}

/// A Feature's members as sent; its properties are read once its type is
/// known to be `Feature`.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: Option<Member>,
    id: Option<Member>,
    #[serde(default)]
    geometry: Value,
    #[serde(default)]
    properties: Value,
}

impl Envelope {
    /// `value` as a Feature's envelope: 400 unless an object of type `Feature`.
    fn read(value: &Value, pointer: &str) -> Result<Envelope, BodyError> {
        let Object(envelope): Object<Envelope> = from_json(value, pointer)
            .map_err(|_| BodyError::wrong_shape(pointer, "expected a GeoJSON Feature object"))?;
        match &envelope.kind {
            Some(Member::Text(kind)) if kind == "Feature" => Ok(envelope),
            Some(Member::Text(other)) => Err(BodyError::wrong_shape(
                format!("{pointer}/type"),
                format!("expected a GeoJSON Feature, got type {other:?} at {pointer}/type"),
            )),
            _ => Err(BodyError::wrong_shape(
                format!("{pointer}/type"),
                format!("expected a GeoJSON Feature: {pointer}/type is missing"),
            )),
        }
    }
}

/// A priority's properties as sent: the [`WRITABLE_PROPERTIES`], and the
/// [`READ_ONLY_PROPERTIES`] accepted and ignored; any other is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PropertiesInput {
    council: Option<String>,
    title: Option<String>,
    description: Option<String>,
    category: Option<Category>,
    status: Option<Status>,
    rank: Option<i64>,
    families: Option<i64>,
    plan: Option<Object<PlanInput>>,
    created_at: Option<String>,
    #[serde(rename = "duplicate_of")]
    _duplicate_of: Option<IgnoredAny>,
    #[serde(rename = "state")]
    _state: Option<IgnoredAny>,
    #[serde(rename = "municipality")]
    _municipality: Option<IgnoredAny>,
    #[serde(rename = "parish")]
    _parish: Option<IgnoredAny>,
    #[serde(rename = "placement")]
    _placement: Option<IgnoredAny>,
    #[serde(rename = "updated_at")]
    _updated_at: Option<IgnoredAny>,
    #[serde(rename = "version")]
    _version: Option<IgnoredAny>,
    #[serde(rename = "distance_m")]
    _distance_m: Option<IgnoredAny>,
}

impl PropertiesInput {
    /// The draft, its properties found at `at`: required members present,
    /// texts and numbers in range.
    fn into_draft(
        self,
        at: &str,
        id: Option<Uuid>,
        geometry: Geometry<f64>,
    ) -> Result<PriorityDraft, BodyError> {
        let error = |name: &str, detail: String| FieldError::new(format!("{at}/{name}"), detail);
        let missing = |name: &str| error(name, format!("property {name:?} is required"));
        let text = |name: &str, value: Option<String>, min: usize, max: usize| {
            checked_text(value, min, max).map_err(|detail| error(name, detail))
        };
        let integer = |name: &str, value: Option<i64>, min: i64, max: i64| match value {
            Some(n) if !(min..=max).contains(&n) => Err(error(
                name,
                format!("must be a whole number from {min} to {max}; got {n}"),
            )),
            _ => Ok(value),
        };
        Ok(PriorityDraft {
            id,
            council: self
                .council
                .ok_or_else(|| missing("council"))?
                .parse()
                .map_err(|e| error("council", e))?,
            title: text("title", self.title, 1, MAX_TITLE_CHARS)?
                .ok_or_else(|| missing("title"))?,
            description: text("description", self.description, 0, MAX_DESCRIPTION_CHARS)?,
            category: self.category.ok_or_else(|| missing("category"))?,
            status: self.status.unwrap_or(Status::Proposed),
            rank: integer("rank", self.rank, 1, MAX_RANK)?.map(|r| r as u8),
            families: integer("families", self.families, 0, u32::MAX as i64)?.map(|f| f as u32),
            plan: match self.plan {
                Some(Object(plan)) => Some(plan.into_plan(&format!("{at}/plan"))?),
                None => None,
            },
            geometry,
            created_at: match self.created_at {
                Some(s) => Some(time::parse_datetime(&s).map_err(|e| error("created_at", e))?),
                None => None,
            },
            located_parish: None,
        })
    }
}

/// A trimmed text of `min..=max` characters with no control characters
/// but line breaks and tabs; `None` when absent or null.
fn checked_text(value: Option<String>, min: usize, max: usize) -> Result<Option<String>, String> {
    let Some(s) = value else {
        return Ok(None);
    };
    let s = trimmed(s);
    let chars = s.chars().count();
    if chars < min || chars > max {
        return Err(format!(
            "must be {min} to {max} characters long; got {chars}"
        ));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("must not contain control characters".into());
    }
    Ok(Some(s))
}

/// Applies an RFC 7396 JSON merge patch to `target`.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(key);
            } else {
                merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// Random priorities for tests that hold a writer to a reference: every
/// geometry type, text needing escapes, absent and present optional members,
/// plans, timestamps of any day.
#[cfg(test)]
pub(crate) fn arbitrary_priority(rng: &mut rand_chacha::ChaCha8Rng, i: i64) -> Priority {
    use super::workflow::Plan;
    pub use super::workflow::Status;
    use rand::RngExt;
    let pieces = [
        "Agua",
        " \"potable\" ",
        "\\",
        "\n\t",
        "\u{1}\u{1f}",
        "ñandú ",
        "😀",
        "/",
    ];
    let text = |rng: &mut rand_chacha::ChaCha8Rng| -> String {
        (0..rng.random_range(1..6))
            .map(|_| pieces[rng.random_range(0..pieces.len())])
            .collect()
    };
    let coord = |rng: &mut rand_chacha::ChaCha8Rng| {
        geo::coord! { x: rng.random_range(-73.0..-60.0), y: rng.random_range(0.5..12.0) }
    };
    let line = geo::LineString((0..3).map(|_| coord(rng)).collect());
    let ring = geo::LineString(vec![line.0[0], line.0[1], line.0[2], line.0[0]]);
    let geometry = match i % 3 {
        0 => geo::Geometry::Point(geo::Point(coord(rng))),
        1 => geo::Geometry::LineString(line),
        _ => geo::Geometry::Polygon(geo::Polygon::new(ring, vec![])),
    };
    let plan = rng.random_bool(0.5).then(|| Plan {
        objective: text(rng),
        goal: text(rng),
        responsible_kind: "commune".into(),
        responsible_name: text(rng),
        resources: text(rng),
        start_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
        target_date: chrono::NaiveDate::from_ymd_opt(2027, 12, 1).unwrap(),
    });
    Priority {
        pk: i,
        id: uuid::Uuid::from_u128(rng.random()),
        council: format!("CC-0101{:02}-{i}", i % 30).parse().unwrap(),
        title: text(rng),
        description: rng.random_bool(0.5).then(|| text(rng)),
        category: Category::ALL[rng.random_range(0..Category::ALL.len())],
        status: Status::ALL[rng.random_range(0..Status::ALL.len())],
        rank: rng.random_bool(0.5).then(|| rng.random_range(1..=10)),
        families: rng.random_bool(0.5).then(|| rng.random()),
        plan,
        geometry,
        created_at: rng.random_range(0..4_000_000_000_000_000),
        updated_at: rng.random_range(0..4_000_000_000_000_000),
        version: rng.random_range(1..1_000),
        located_parish: None,
        duplicate_of: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn feature(props: Value) -> Value {
        json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [-66.9, 10.5]}, "properties": props})
    }

    fn valid_props() -> Value {
        json!({"council": "CC-1", "title": "Agua para el sector", "category": "water"})
    }

    #[test]
    fn a_minimal_feature_becomes_a_proposed_draft() {
        let d = PriorityDraft::from_feature(&feature(valid_props()), "").unwrap();
        assert_eq!(d.status, Status::Proposed);
        assert_eq!(d.category, Category::Water);
        assert_eq!(d.title, "Agua para el sector");
        assert_eq!(d.id, None);
    }

    #[test]
    fn each_bad_property_is_named() {
        let cases = [
            (
                json!({"title": "x", "category": "water"}),
                "/properties/council",
            ),
            (
                json!({"council": "CC-1", "title": "", "category": "water"}),
                "/properties/title",
            ),
            (
                json!({"council": "CC-1", "title": "x".repeat(201), "category": "water"}),
                "/properties/title",
            ),
            (
                json!({"council": "CC-1", "title": "x", "category": "magic"}),
                "/properties/category",
            ),
            (
                json!({"council": "CC-1", "title": "x", "category": "water", "status": "lost"}),
                "/properties/status",
            ),
            (
                json!({"council": "CC-1", "title": "x", "category": "water", "rank": 11}),
                "/properties/rank",
            ),
            (
                json!({"council": "CC-1", "title": "x", "category": "water", "rank": 1.5}),
                "/properties/rank",
            ),
            (
                json!({"council": "CC-1", "title": "x", "category": "water", "families": -1}),
                "/properties/families",
            ),
            (
                json!({"council": "CC-1", "title": "x", "category": "water", "colour": "red"}),
                "/properties/colour",
            ),
            (
                json!({"council": "CC-1", "title": "x", "category": "water", "description": "d".repeat(4001)}),
                "/properties/description",
            ),
        ];
        for (props, pointer) in cases {
            match PriorityDraft::from_feature(&feature(props.clone()), "") {
                Err(BodyError::Invalid(e)) => assert_eq!(e.pointer, pointer, "{props}"),
                other => panic!("{props}: expected an invalid field, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_non_feature_is_the_wrong_shape() {
        let fc = json!({"type": "FeatureCollection", "features": []});
        assert!(matches!(
            PriorityDraft::from_feature(&fc, ""),
            Err(BodyError::WrongShape { .. })
        ));
        assert!(matches!(
            PriorityDraft::from_feature(&json!([1]), ""),
            Err(BodyError::WrongShape { .. })
        ));
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut target, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(target, json!({"a": "z", "c": {"d": "e"}}));
    }
}
