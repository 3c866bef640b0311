//! JSON Schemas of a collection's features: its queryables (OGC API –
//! Features Part 3, `/collections/{id}/queryables`) and the schema of what
//! its items return (Part 5, `/collections/{id}/schema`, linked from the
//! collection as `describedby`), so that GDAL and QGIS build their fields
//! from them instead of guessing from the first page.

use serde_json::{Map, Value, json};

use crate::domain::cql::{Kind, Queryable, Queryables};

/// Media type of JSON Schema documents.
pub const SCHEMA_JSON: &str = "application/schema+json";

/// Properties a collection returns beyond its queryables: (name, JSON
/// Schema).
pub fn extra_properties(collection: &str) -> &'static [(&'static str, &'static str)] {
    match collection {
        "priorities" => &[
            (
                "description",
                r#"{"type": "string", "description": "What is needed, in the assembly's words."}"#,
            ),
            (
                "plan",
                r#"{"type": "object", "description": "The action plan, once approved."}"#,
            ),
            (
                "version",
                r#"{"type": "integer", "description": "Increases with every change (ETag)."}"#,
            ),
            (
                "distance_m",
                r#"{"type": "number", "description": "Metres from the point of a point/radius query."}"#,
            ),
        ],
        "councils" => &[],
        "communes" => &[],
        _ => &[(
            "status_*",
            r#"{"type": "integer", "description": "category_<name> and status_<name>: counts by category and status."}"#,
        )],
    }
}

/// The JSON Schema of one queryable.
fn property(q: &Queryable) -> Value {
    let mut p = Map::new();
    p.insert("title".into(), q.name.into());
    p.insert("description".into(), q.description.into());
    match q.kind {
        Kind::Text => {
            p.insert("type".into(), "string".into());
        }
        Kind::Enum(values) => {
            p.insert("type".into(), "string".into());
            p.insert("enum".into(), json!(values));
        }
        Kind::Integer => {
            p.insert("type".into(), "integer".into());
        }
        Kind::Instant => {
            p.insert("type".into(), "string".into());
            p.insert("format".into(), "date-time".into());
        }
        Kind::Geometry => {
            // QGIS recognises the geometry by this reference.
            p.insert(
                "$ref".into(),
                "https://geojson.org/schema/Geometry.json".into(),
            );
            p.insert("format".into(), "geometry-any".into());
            p.insert("x-ogc-role".into(), "primary-geometry".into());
        }
    }
    if q.nullable && q.kind != Kind::Geometry {
        p.insert("nullable".into(), true.into());
    }
    Value::Object(p)
}

/// A collection's queryables document (`schema` false) or the schema of
/// its features (`schema` true), at `id_url`.
pub fn document(
    queryables: &Queryables,
    collection: &str,
    title: &str,
    id_url: &str,
    schema: bool,
) -> Value {
    let mut properties = Map::new();
    let mut geometry = json!({});
    for q in queryables.0 {
        if q.kind == Kind::Geometry && schema {
            geometry = property(q);
        } else {
            properties.insert(q.name.into(), property(q));
        }
    }
    if !schema {
        // The same list in the draft's form (`queryables: [{id, type}]`),
        // which GDAL 3.6 reads to decide what it may send in a filter.
        let draft: Vec<Value> = queryables
            .0
            .iter()
            .filter(|q| q.kind != Kind::Geometry)
            .map(|q| {
                let kind = match q.kind {
                    Kind::Integer => "integer",
                    Kind::Instant => "dateTime",
                    _ => "string",
                };
                json!({"id": q.name, "type": kind})
            })
            .collect();
        return json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": id_url,
            "type": "object",
            "title": title,
            "properties": properties,
            // A filter may name only these.
            "additionalProperties": false,
            "queryables": draft,
        });
    }
    for (name, text) in extra_properties(collection) {
        let mut p: Value = serde_json::from_str(text).unwrap_or_else(|_| json!({}));
        p["title"] = (*name).into();
        properties.insert((*name).into(), p);
    }
    // A whole GeoJSON Feature, its fields under `properties`: the shape
    // GDAL's OAPIF driver reads fields from.
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": id_url,
        "title": title,
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": geometry,
            "properties": {"type": "object", "properties": properties},
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::queryables::PRIORITIES;

    #[test]
    fn every_queryable_is_described_with_its_type() {
        let doc = document(&PRIORITIES, "priorities", "Priorities", "http://x/q", false);
        let props = doc["properties"].as_object().unwrap();
        assert_eq!(props.len(), PRIORITIES.0.len());
        assert_eq!(props["category"]["type"], "string");
        assert!(
            props["category"]["enum"]
                .as_array()
                .unwrap()
                .contains(&json!("water"))
        );
        assert_eq!(props["created_at"]["format"], "date-time");
        assert_eq!(props["rank"]["type"], "integer");
        assert_eq!(props["geometry"]["x-ogc-role"], "primary-geometry");
        assert_eq!(doc["additionalProperties"], false);
        let schema = document(&PRIORITIES, "priorities", "Priorities", "http://x/s", true);
        let fields = &schema["properties"]["properties"]["properties"];
        for (name, _) in extra_properties("priorities") {
            assert!(fields[*name].is_object(), "{name}");
        }
        assert_eq!(fields["title"]["type"], "string");
        assert!(fields.get("geometry").is_none());
        assert_eq!(
            schema["properties"]["geometry"]["x-ogc-role"],
            "primary-geometry"
        );
    }
}
