//! The territory levels' query parameters: each level's items endpoint,
//! one territory, and the boundary import, declared once as [`Endpoint`]
//! types that the handlers and the OpenAPI document read.

use super::super::extract::Endpoint;
use super::super::ogc;
use super::super::params::{FORMAT, LEVEL_LIMIT, MUNICIPALITY, OFFSET, ParamSpec, STATE};
use super::super::statistics_times::{AS_OF, MIN_SAMPLE};
use crate::domain::codes::Level;

const BBOX: ParamSpec = ParamSpec {
    name: "bbox",
    description: "minLon,minLat,maxLon,maxLat (WGS84): territories whose boundary intersects the box.",
    schema: r#"{"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number", "minimum": -180, "maximum": 180}}"#,
    example: r#"[-67.1, 10.4, -66.8, 10.6]"#,
};
/// `code=`: codes of the level listed, each with its level's digits.
const fn code(schema: &'static str, example: &'static str) -> ParamSpec {
    ParamSpec {
        name: "code",
        description: "Codes of this level, comma separated.",
        schema,
        example,
    }
}
const STATE_CODE: ParamSpec = code(
    r#"{"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[0-9]{2}$"}}"#,
    r#"["01", "02"]"#,
);
const MUNICIPALITY_CODE: ParamSpec = code(
    r#"{"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[0-9]{4}$"}}"#,
    r#"["0101", "0102"]"#,
);
const PARISH_CODE: ParamSpec = code(
    r#"{"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[0-9]{6}$"}}"#,
    r#"["010101", "010102"]"#,
);
const SIMPLIFY: ParamSpec = ParamSpec {
    name: "simplify",
    description: "Simplify boundaries for drawing: drop vertices that move the outline by less than about this many degrees (0 to 1; topology-preserving). Not with `zoom`.",
    schema: r#"{"type": "number", "minimum": 0, "maximum": 1}"#,
    example: r#"0.001"#,
};
const ZOOM: ParamSpec = ParamSpec {
    name: "zoom",
    description: "Simplify boundaries for a web map at this zoom level (0 to 24): half a pixel of tolerance. Not with `simplify`.",
    schema: r#"{"type": "integer", "minimum": 0, "maximum": 24}"#,
    example: r#"8"#,
};

/// A priority filter that selects what a territory's counts count
/// (`priorities`, `families`, `status_*`, `category_*`).
const fn counting(spec: ParamSpec, description: &'static str) -> ParamSpec {
    ParamSpec {
        description,
        ..spec
    }
}
const COUNT_CATEGORY: ParamSpec = counting(
    super::super::priorities::CATEGORY,
    "Count only priorities of these categories, comma separated (the counts a choropleth colours by).",
);
const COUNT_STATUS: ParamSpec = counting(
    super::super::priorities::STATUS,
    "Count only priorities with these statuses, comma separated.",
);
const COUNT_PLACEMENT: ParamSpec = counting(
    super::super::priorities::PLACEMENT,
    "Count only priorities placed so, comma separated.",
);
const COUNT_OVERDUE: ParamSpec = counting(
    super::super::priorities::OVERDUE,
    "Count only overdue priorities (true) or only the others (false).",
);
const COUNT_COUNCIL: ParamSpec = counting(
    super::super::priorities::COUNCIL,
    "Count only priorities of these councils, comma separated.",
);

/// A level's items parameters: its own, the priorities' attribute filters
/// its counts take, and the OGC parameters of every collection.
macro_rules! level_params {
    ($($own:expr),* $(,)?) => {
        ogc::collection_params![
            $($own,)*
            COUNT_CATEGORY,
            COUNT_STATUS,
            COUNT_PLACEMENT,
            COUNT_OVERDUE,
            COUNT_COUNCIL,
            AS_OF,
            MIN_SAMPLE,
        ]
    };
}

/// A level's collection, each a type so that its handlers and its items
/// endpoint's parameters are declared once, in [`Endpoint::PARAMS`].
pub trait LevelCollection: Endpoint + Send + Sync + 'static {
    const LEVEL: Level;
}

/// `/collections/states`.
pub struct States;
impl Endpoint for States {
    const PARAMS: &'static [ParamSpec] = ogc::collection_params![
        LEVEL_LIMIT,
        OFFSET,
        BBOX,
        STATE_CODE,
        SIMPLIFY,
        ZOOM,
        COUNT_CATEGORY,
        COUNT_STATUS,
        COUNT_PLACEMENT,
        COUNT_OVERDUE,
        COUNT_COUNCIL,
        AS_OF,
        MIN_SAMPLE,
    ];
}
impl LevelCollection for States {
    const LEVEL: Level = Level::State;
}

/// `/collections/municipalities`.
pub struct Municipalities;
impl Endpoint for Municipalities {
    const PARAMS: &'static [ParamSpec] = level_params![
        LEVEL_LIMIT,
        OFFSET,
        BBOX,
        MUNICIPALITY_CODE,
        STATE,
        SIMPLIFY,
        ZOOM,
    ];
}
impl LevelCollection for Municipalities {
    const LEVEL: Level = Level::Municipality;
}

/// `/collections/parishes`.
pub struct Parishes;
impl Endpoint for Parishes {
    const PARAMS: &'static [ParamSpec] = level_params![
        LEVEL_LIMIT,
        OFFSET,
        BBOX,
        PARISH_CODE,
        STATE,
        MUNICIPALITY,
        SIMPLIFY,
        ZOOM,
    ];
}
impl LevelCollection for Parishes {
    const LEVEL: Level = Level::Parish;
}

/// The parameters of each territory level's items endpoint.
pub fn item_params(level: Level) -> &'static [ParamSpec] {
    match level {
        Level::State => States::PARAMS,
        Level::Municipality => Municipalities::PARAMS,
        Level::Parish => Parishes::PARAMS,
    }
}

/// The parameters of a single territory.
pub struct One;
impl Endpoint for One {
    const PARAMS: &'static [ParamSpec] = &[
        SIMPLIFY,
        ZOOM,
        COUNT_CATEGORY,
        COUNT_STATUS,
        COUNT_PLACEMENT,
        COUNT_OVERDUE,
        COUNT_COUNCIL,
        AS_OF,
        MIN_SAMPLE,
        FORMAT,
    ];
}

/// The parameters of a boundary import.
pub struct Import;
impl Endpoint for Import {
    const PARAMS: &'static [ParamSpec] = &[
        ParamSpec {
            name: "code",
            description: "The property holding each territory's code (default `code`): a full INE-style code (prefixes such as `VE` are ignored) or its own two digits below a parent.",
            schema: r#"{"type": "string", "minLength": 1, "default": "code"}"#,
            example: r#""code""#,
        },
        ParamSpec {
            name: "name",
            description: "The property holding each territory's name (default `name`).",
            schema: r#"{"type": "string", "minLength": 1, "default": "name"}"#,
            example: r#""name""#,
        },
        ParamSpec {
            name: "parent",
            description: "The property holding the parent's code; without it, two-digit codes find their parent by containment.",
            schema: r#"{"type": "string", "minLength": 1}"#,
            example: r#""municipality_code""#,
        },
    ];
}
