//! A feature read from its GeoJSON as a [`Record`]: how filters are checked
//! on the small collections (territories, councils, communes), whose
//! features are assembled per request.

use std::borrow::Cow;

use geo::{Geometry, GeometryCollection};
use serde_json::{Map, Value};

use super::{Kind, Queryables, Record, Scalar};
use crate::domain::geometry::parse_stored_geometry;
use crate::domain::time;

/// A feature's properties and geometry, read by queryable name.
#[derive(Debug)]
pub struct JsonRecord<'a> {
    properties: Map<String, Value>,
    geometry: Geometry<f64>,
    queryables: &'a Queryables,
}

impl<'a> JsonRecord<'a> {
    /// Reads `feature`, a GeoJSON Feature's text. A feature without a
    /// geometry has an empty one (it meets nothing).
    pub fn new(feature: &str, queryables: &'a Queryables) -> Self {
        let mut value: Value = serde_json::from_str(feature).unwrap_or(Value::Null);
        let properties = match value.get_mut("properties").map(Value::take) {
            Some(Value::Object(p)) => p,
            _ => Map::new(),
        };
        let geometry = value
            .get("geometry")
            .filter(|g| !g.is_null())
            .and_then(|g| parse_stored_geometry(&g.to_string()).ok())
            .unwrap_or(Geometry::GeometryCollection(GeometryCollection::default()));
        JsonRecord {
            properties,
            geometry,
            queryables,
        }
    }
}

impl Record for JsonRecord<'_> {
    fn value(&self, position: usize) -> Scalar<'_> {
        let q = self.queryables.get(position);
        match (q.kind, self.properties.get(q.name)) {
            (Kind::Text | Kind::Enum(_), Some(Value::String(s))) => {
                Scalar::Text(Cow::Borrowed(s.as_str()))
            }
            (Kind::Integer, Some(Value::Number(n))) => n.as_f64().map_or(Scalar::Null, Scalar::Num),
            (Kind::Instant, Some(Value::String(s))) => {
                time::parse_datetime(s).map_or(Scalar::Null, Scalar::Instant)
            }
            _ => Scalar::Null,
        }
    }

    fn geometry(&self) -> &Geometry<f64> {
        &self.geometry
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::Level;
    use crate::domain::cql::{Filter, Lang};
    use crate::domain::crs::Crs;
    use crate::domain::queryables::{COUNCILS, territories};

    #[test]
    fn filters_read_a_features_properties_by_kind_and_its_geometry() {
        let parish = r#"{"type":"Feature","id":"010101","geometry":{"type":"Polygon","coordinates":[[[-67,10],[-66,10],[-66,11],[-67,10]]]},"properties":{"code":"010101","name":"Altagracia","state":"01","municipality":"0101","priorities":12,"status_done":3}}"#;
        let q = territories(Level::Parish);
        let record = JsonRecord::new(parish, q);
        let holds = |text: &str| {
            Filter::parse(text, Lang::Text, Crs::Crs84, q)
                .unwrap()
                .matches(&record)
        };
        assert!(holds("priorities > 10 AND status_done = 3"));
        assert!(holds("name LIKE 'Alta%' AND municipality = '0101'"));
        assert!(holds("S_INTERSECTS(geometry, POINT(-66.5 10.2))"));
        assert!(!holds("S_INTERSECTS(geometry, POINT(-66.5 10.9))"));
        // Absent counts are unknown: neither equal nor different.
        assert!(!holds("councils = 0") && !holds("councils <> 0"));
        let council = r#"{"type":"Feature","id":"C-1","geometry":null,"properties":{"code":"C-1","commune":null}}"#;
        let record = JsonRecord::new(council, &COUNCILS);
        let f = Filter::parse("commune IS NULL", Lang::Text, Crs::Crs84, &COUNCILS).unwrap();
        assert!(f.matches(&record));
        let f = Filter::parse(
            "S_INTERSECTS(geometry, BBOX(-180,-90,180,90))",
            Lang::Text,
            Crs::Crs84,
            &COUNCILS,
        )
        .unwrap();
        assert!(!f.matches(&record));
    }
}
