//! Features reshaped for one request, from the Feature texts the index
//! keeps: only some properties (`properties=`), coordinates in another CRS
//! (`crs=`). A request that asks for neither is served the kept text as is.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::domain::crs::Crs;

/// How a request wants its features.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reshape {
    /// The properties to keep, in the order given; `None` keeps all, an
    /// empty list none (bare geometries).
    pub properties: Option<Vec<String>>,
    /// The CRS of the coordinates.
    pub crs: Crs,
}

impl Reshape {
    /// Whether the kept text is served unchanged.
    pub fn is_identity(&self) -> bool {
        self.properties.is_none() && self.crs == Crs::Crs84
    }

    /// `feature` (a GeoJSON Feature's text) reshaped; members appended by
    /// the caller afterwards (`distance_m`, `links`) are not affected.
    pub fn apply<'f>(&self, feature: &'f str) -> Cow<'f, str> {
        if self.is_identity() {
            return Cow::Borrowed(feature);
        }
        let Ok(Value::Object(mut f)) = serde_json::from_str::<Value>(feature) else {
            return Cow::Borrowed(feature);
        };
        if let Some(keep) = &self.properties
            && let Some(Value::Object(props)) = f.get_mut("properties")
        {
            let mut kept = Map::new();
            for name in keep {
                if let Some(v) = props.remove(name) {
                    kept.insert(name.clone(), v);
                }
            }
            *props = kept;
        }
        if self.crs != Crs::Crs84
            && let Some(Value::Object(g)) = f.get_mut("geometry")
            && let Some(coordinates) = g.get_mut("coordinates")
        {
            transform(coordinates, self.crs);
        }
        Cow::Owned(Value::Object(f).to_string())
    }
}

/// Transforms every position (an array of numbers) in a GeoJSON
/// `coordinates` member from CRS84 to `crs`.
fn transform(v: &mut Value, crs: Crs) {
    let Value::Array(items) = v else { return };
    match (
        items.first().and_then(Value::as_f64),
        items.get(1).and_then(Value::as_f64),
    ) {
        (Some(lon), Some(lat)) => {
            let (x, y) = crs.from_lon_lat(lon, lat);
            items[0] = rounded(x, crs);
            items[1] = rounded(y, crs);
        }
        _ => items.iter_mut().for_each(|item| transform(item, crs)),
    }
}

/// Metres to the millimetre; degrees as they are.
fn rounded(x: f64, crs: Crs) -> Value {
    let x = match crs {
        Crs::Epsg3857 => (x * 1_000.0).round() / 1_000.0,
        _ => x,
    };
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEATURE: &str = r#"{"type":"Feature","id":"a","geometry":{"type":"LineString","coordinates":[[-66.9,10.5],[-66.8,10.6]]},"properties":{"state":"01","title":"x","status":"proposed"}}"#;

    #[test]
    fn properties_are_kept_in_the_order_asked_and_none_leaves_a_bare_geometry() {
        let r = Reshape {
            properties: Some(vec!["status".into(), "state".into(), "absent".into()]),
            crs: Crs::Crs84,
        };
        let v: Value = serde_json::from_str(&r.apply(FEATURE)).unwrap();
        let keys: Vec<&String> = v["properties"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["status", "state"]);
        let bare = Reshape {
            properties: Some(vec![]),
            crs: Crs::Crs84,
        };
        let v: Value = serde_json::from_str(&bare.apply(FEATURE)).unwrap();
        assert_eq!(v["properties"], serde_json::json!({}));
        assert_eq!(
            v["geometry"]["coordinates"][1],
            serde_json::json!([-66.8, 10.6])
        );
    }

    #[test]
    fn coordinates_are_written_in_the_crs_asked() {
        let r = Reshape {
            properties: None,
            crs: Crs::Epsg4326,
        };
        let v: Value = serde_json::from_str(&r.apply(FEATURE)).unwrap();
        assert_eq!(
            v["geometry"]["coordinates"],
            serde_json::json!([[10.5, -66.9], [10.6, -66.8]])
        );
        let r = Reshape {
            properties: None,
            crs: Crs::Epsg3857,
        };
        let v: Value = serde_json::from_str(&r.apply(FEATURE)).unwrap();
        let x = v["geometry"]["coordinates"][0][0].as_f64().unwrap();
        let (want, _) = Crs::Epsg3857.from_lon_lat(-66.9, 10.5);
        assert!((x - want).abs() <= 0.0005, "{x} {want}");
        assert_eq!(Reshape::default().apply(FEATURE), FEATURE);
    }
}
