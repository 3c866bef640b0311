//! GeoReport v2's XML forms: a root element of repeated records, each
//! member an element holding its escaped text (empty when absent).

use quick_xml::escape::escape;
use serde_json::Value;

/// `<root><item>…</item>…</root>` of records serialized to JSON objects
/// first, so the JSON and XML forms hold the same members in the same order.
pub fn records<T: serde::Serialize>(root: &str, item: &str, records: &[T]) -> String {
    let mut out = String::from(r#"<?xml version="1.0" encoding="utf-8"?>"#);
    out.push_str(&format!("<{root}>"));
    for record in records {
        let value = serde_json::to_value(record).unwrap_or_default();
        element(&mut out, item, &value);
    }
    out.push_str(&format!("</{root}>"));
    out
}

/// One element: an object's members as child elements, an array's items
/// each as an element of the array's singular name, a value as text.
fn element(out: &mut String, name: &str, value: &Value) {
    out.push_str(&format!("<{name}>"));
    match value {
        Value::Object(members) => {
            for (k, v) in members {
                if let Value::Array(items) = v {
                    out.push_str(&format!("<{k}>"));
                    let singular = k.strip_suffix('s').unwrap_or(k);
                    for item in items {
                        element(out, singular, item);
                    }
                    out.push_str(&format!("</{k}>"));
                } else {
                    element(out, k, v);
                }
            }
        }
        Value::Null => {}
        Value::String(s) => out.push_str(&escape(s.as_str())),
        other => out.push_str(&escape(other.to_string().as_str())),
    }
    out.push_str(&format!("</{name}>"));
}

/// A single document: `<root>` holding the members of `doc`.
pub fn document<T: serde::Serialize>(root: &str, doc: &T) -> String {
    let mut out = String::from(r#"<?xml version="1.0" encoding="utf-8"?>"#);
    let value = serde_json::to_value(doc).unwrap_or_default();
    element(&mut out, root, &value);
    out
}
