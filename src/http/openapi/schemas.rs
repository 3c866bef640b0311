//! The component schemas: GeoJSON documents, priority inputs, reports and
//! problems.

use serde_json::{Value, json};

use super::op::key_schema;
use crate::domain::crs::Crs;
use crate::domain::priority::{
    Category, MAX_DESCRIPTION_CHARS, MAX_RANK, MAX_TITLE_CHARS, Placement, Status,
};
use crate::http::meta::COLLECTIONS;
use crate::http::queryables::SCHEMA_JSON;
use crate::http::{GEOJSON, JSON};

/// The links of a collection description, by relation; the last, its
/// vector tilesets, only on the collections served as tiles.
const COLLECTION_RELS: [&str; 7] = [
    "self",
    "items",
    "http://www.opengis.net/def/rel/ogc/1.0/queryables",
    "queryables",
    "describedby",
    "describedBy",
    "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
];

/// Every component schema.
pub fn all() -> Value {
    let mut schemas = inputs();
    for more in [reads(), documents(), collections()] {
        if let (Value::Object(all), Value::Object(more)) = (&mut schemas, more) {
            all.extend(more);
        }
    }
    schemas
}

/// The Features and plans clients send, and the problem document.
fn inputs() -> Value {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    json!({
        "Geometry": {"type": "object", "required": ["type", "coordinates"], "properties": {
            "type": {"type": "string", "enum": ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"]},
            "coordinates": {"type": "array", "description": "Positions: [lon, lat] in CRS84 when sent, at most 10000 vertices; in a response, in the CRS its `Content-Crs` names (`crs`)"},
        }},
        "Plan": {"type": "object", "required": ["objective", "goal", "responsible", "resources", "start_date", "target_date"], "properties": {
            "objective": {"type": "string", "maxLength": 2000}, "goal": {"type": "string", "maxLength": 2000, "description": "The goal (meta)"},
            "responsible": {"type": "object", "required": ["kind", "name"], "properties": {
                "kind": {"type": "string", "enum": ["ministry", "governorship", "mayoralty", "commune", "council"]},
                "name": {"type": "string", "maxLength": 2000}}},
            "resources": {"type": "string", "maxLength": 2000},
            "start_date": {"type": "string", "format": "date"}, "target_date": {"type": "string", "format": "date"},
        }},
        "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"},
            "parameter": {"type": "string", "description": "The query parameter at fault"},
            "pointer": {"type": "string", "description": "JSON pointer to the body member at fault"},
            "header": {"type": "string", "description": "The request header at fault"},
            "errors": {"type": "array", "items": {"type": "object"}, "description": "invalid-file: every problem by feature index"},
            "from": {"type": "string", "description": "invalid-transition: the current status"},
            "to": {"type": "string", "description": "invalid-transition: the status asked for"},
            "allowed": {"type": "array", "items": {"type": "string"}, "description": "invalid-transition: the moves allowed from here"},
            "checks": {"type": "object", "description": "not-ready: the health checks"},
        }},
        "Feature": {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": {"type": "object", "nullable": true},
            "properties": {"type": "object"},
        }},
        "PriorityInput": {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string", "format": "uuid", "description": "Optional; assigned by the server when absent"},
            "geometry": {"$ref": "#/components/schemas/Geometry"},
            "properties": {"type": "object", "required": ["council", "title", "category"], "properties": {
                "council": key_schema(),
                "title": {"type": "string", "minLength": 1, "maxLength": MAX_TITLE_CHARS},
                "description": {"type": "string", "maxLength": MAX_DESCRIPTION_CHARS, "nullable": true},
                "category": {"type": "string", "enum": categories},
                "status": {"type": "string", "enum": statuses, "default": "proposed"},
                "rank": {"type": "integer", "minimum": 1, "maximum": MAX_RANK, "nullable": true},
                "families": {"type": "integer", "minimum": 0, "nullable": true},
                "plan": {"allOf": [{"$ref": "#/components/schemas/Plan"}], "nullable": true, "description": "Required to approve; kept once approved"},
                "created_at": {"type": "string", "format": "date-time", "nullable": true, "description": "Honoured on creation only (migrating dated records)"},
            }},
        }},
    })
}

/// Priorities as the server returns them: whole after a write, and with
/// only the properties `properties=` names when read.
fn reads() -> Value {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let placements: Vec<&str> = Placement::ALL.iter().map(|p| p.as_str()).collect();
    let nullable_text = || json!({"type": "string", "nullable": true});
    json!({
        "PriorityProperties": {"type": "object", "properties": {
            "council": key_schema(),
            "title": {"type": "string", "minLength": 1, "maxLength": MAX_TITLE_CHARS},
            "description": {"type": "string", "maxLength": MAX_DESCRIPTION_CHARS, "nullable": true},
            "category": {"type": "string", "enum": categories},
            "status": {"type": "string", "enum": statuses},
            "rank": {"type": "integer", "minimum": 1, "maximum": MAX_RANK, "nullable": true},
            "families": {"type": "integer", "minimum": 0, "nullable": true},
            "plan": {"allOf": [{"$ref": "#/components/schemas/Plan"}], "nullable": true},
            "state": nullable_text(), "municipality": nullable_text(), "parish": nullable_text(),
            "placement": {"type": "string", "enum": placements},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "version": {"type": "integer", "minimum": 1},
            "distance_m": {"type": "number", "description": "Radius queries only"},
            "duplicate_of": {"type": "string", "format": "uuid", "description": "Read-only: while its status is duplicate, the priority it duplicates"},
        }},
        "PriorityFeatureRead": {"type": "object", "required": ["type", "id", "geometry", "properties"],
            "description": "A priority as read; with `properties`, only the properties named (none for an empty list)", "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string", "format": "uuid"},
            "geometry": {"$ref": "#/components/schemas/Geometry"},
            "properties": {"$ref": "#/components/schemas/PriorityProperties"},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}},
        }},
        "PriorityFeature": {"allOf": [
            {"$ref": "#/components/schemas/PriorityFeatureRead"},
            {"type": "object", "properties": {"properties": {"type": "object",
                "required": ["council", "title", "category", "status", "version", "created_at", "updated_at"]}}},
        ]},
        "PossibleDuplicate": {"type": "object", "required": ["id", "title", "category", "status", "council", "distance_m"],
            "description": "An open priority of a related category near a proposal", "properties": {
            "id": {"type": "string", "format": "uuid"}, "title": {"type": "string"}, "category": {"type": "string"},
            "status": {"type": "string"}, "council": {"type": "string"}, "distance_m": {"type": "number", "minimum": 0},
        }},
        "CreatedPriorityFeature": {"allOf": [
            {"$ref": "#/components/schemas/PriorityFeature"},
            {"type": "object", "required": ["possible_duplicates"], "properties": {"possible_duplicates": {
                "type": "array", "maxItems": 20, "items": {"$ref": "#/components/schemas/PossibleDuplicate"}}}},
        ]},
    })
}

/// Collections, reports, and the other documents.
fn documents() -> Value {
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    json!({
        "FeatureCollection": {"type": "object", "required": ["type", "features"], "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0},
            "timeStamp": {"type": "string", "format": "date-time"},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}},
            "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}},
        }},
        "ImportCollection": {"type": "object", "required": ["type", "features"], "description": "Each feature is checked on its own and reported by its index", "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": {}},
        }},
        "Link": {"type": "object", "required": ["href", "rel"], "properties": {
            "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"}, "title": {"type": "string"},
        }},
        "BoundaryReport": {"type": "object", "properties": {
            "level": {"type": "string"}, "territories": {"type": "integer"}, "created": {"type": "integer"},
            "boundaries_dropped": {"type": "integer"}, "priorities_placed": {"type": "integer"},
            "priorities_moved": {"type": "integer"}, "outside_council_parish": {"type": "integer"},
            "outside_every_parish": {"type": "integer"},
        }},
        "ImportReport": {"type": "object", "required": ["received", "created", "updated", "errors"], "properties": {
            "received": {"type": "integer"}, "created": {"type": "integer"}, "updated": {"type": "integer"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {
                "index": {"type": "integer"}, "pointer": {"type": "string"}, "reason": {"type": "string"},
            }}},
            "possible_duplicates": {"type": "array", "description": "Each created priority that has possible duplicates, with their ids, nearest first",
                "items": {"type": "object", "required": ["id", "duplicates"], "properties": {
                "id": {"type": "string", "format": "uuid"},
                "duplicates": {"type": "array", "items": {"type": "string", "format": "uuid"}},
            }}},
        }},
        "ChangePage": {"type": "object", "required": ["since", "after", "next", "latest", "links", "changes"], "properties": {
            "since": {"type": "integer"}, "after": {"type": "integer"}, "next": {"type": "integer"}, "latest": {"type": "integer"},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}},
            "changes": {"type": "array", "items": {"type": "object", "required": ["seq", "action", "id", "version", "at"], "properties": {
                "seq": {"type": "integer"}, "action": {"type": "string", "enum": ["created", "updated", "deleted"]},
                "id": {"type": "string", "format": "uuid"}, "version": {"type": "integer"},
                "at": {"type": "string", "format": "date-time"}, "feature": {"type": "object"}}}},
        }},
        "Transition": {"type": "object", "required": ["status"], "properties": {
            "status": {"type": "string", "enum": statuses},
            "note": {"type": "string", "maxLength": 2000},
            "plan": {"$ref": "#/components/schemas/Plan"},
            "duplicate_of": {"type": "string", "format": "uuid", "description": "Required for, and only for, a move to duplicate: the priority this one duplicates"},
        }},
        "TokenRequest": {"type": "object", "required": ["role"], "additionalProperties": false, "properties": {
            "role": {"type": "string", "enum": ["spokesperson", "cabinet", "planner", "admin"]},
            "scope": {"type": "string", "nullable": true, "description": "A council's code for a spokesperson; a state, municipality or parish code for a cabinet; none otherwise"},
            "label": {"type": "string", "nullable": true},
        }},
        "Health": {"type": "object", "required": ["status", "checks"], "properties": {
            "status": {"type": "string", "enum": ["pass", "warn"]},
            "checks": {"type": "object", "required": ["store", "index", "storage"]},
        }},
    })
}

/// The collection descriptions (`/collections`, `/collections/{id}`).
fn collections() -> Value {
    let ids: Vec<&str> = COLLECTIONS.iter().map(|(id, _, _)| *id).collect();
    let crs84 = Crs::Crs84.uri();
    let instant = json!({"type": "string", "format": "date-time", "nullable": true});
    json!({
        "Collection": {"type": "object", "required": ["id", "title", "description", "itemType", "crs", "storageCrs", "links"], "properties": {
            "id": {"type": "string", "enum": ids},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "itemType": {"type": "string", "enum": ["feature"]},
            "crs": {"type": "array", "minItems": 1, "uniqueItems": true, "description": "The CRSs `crs` and `bbox-crs` take (OGC API – Features Part 2); the storage CRS first",
                "items": {"type": "string", "enum": Crs::ALL.map(Crs::uri)}},
            "storageCrs": {"type": "string", "enum": [crs84]},
            "links": {"type": "array", "minItems": COLLECTION_RELS.len() - 1, "maxItems": COLLECTION_RELS.len(),
                "description": "self; items (GeoJSON); the queryables (`http://www.opengis.net/def/rel/ogc/1.0/queryables` as application/schema+json, and `queryables` as application/json for GDAL 3.6) and the schema of its features (`describedby`, and `describedBy` for GDAL 3.6, application/schema+json); and for priorities and the territory levels their vector tilesets (`http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector`)",
                "items": {"$ref": "#/components/schemas/CollectionLink"}},
            "extent": {"type": "object", "description": "The bounding box of its features (and the creation times of the priorities), absent while there are none", "properties": {
                "spatial": {"type": "object", "required": ["bbox", "crs"], "properties": {
                    "bbox": {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}},
                    "crs": {"type": "string", "enum": [crs84]}}},
                "temporal": {"type": "object", "required": ["interval", "trs"], "properties": {
                    "interval": {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": instant}},
                    "trs": {"type": "string"}}},
            }},
        }},
        "CollectionLink": {"type": "object", "required": ["href", "rel", "type", "title"], "properties": {
            "href": {"type": "string"},
            "rel": {"type": "string", "enum": COLLECTION_RELS},
            "type": {"type": "string", "enum": [JSON, GEOJSON, SCHEMA_JSON]},
            "title": {"type": "string"},
        }},
        "Collections": {"type": "object", "required": ["links", "collections"], "properties": {
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}},
            "collections": {"type": "array", "minItems": ids.len(), "maxItems": ids.len(), "items": {"$ref": "#/components/schemas/Collection"}},
        }},
    })
}
