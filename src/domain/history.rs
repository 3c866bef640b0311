//! The history of a priority: every change, who made it, when and why.

use serde_json::{Map, Value, json};

use super::priority::Priority;
use super::time::{self, Micros};

/// Who is changing something, and the note they attach.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// The actor as history names it (`cabinet:01:3fa9c2d1`).
    pub actor: String,
    pub note: Option<String>,
}

impl Change {
    pub fn by(actor: impl Into<String>) -> Self {
        Change {
            actor: actor.into(),
            note: None,
        }
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Position in the history of the whole store; increases with every change.
    pub seq: i64,
    pub priority_id: String,
    pub at: Micros,
    pub actor: String,
    /// `create`, `edit`, `transition` or `delete`.
    pub action: String,
    /// Member → `{"from": old, "to": new}`.
    pub changes: Value,
    pub note: Option<String>,
}

impl Entry {
    pub fn to_json(&self) -> Value {
        json!({
            "seq": self.seq,
            "at": time::format(self.at),
            "actor": self.actor,
            "action": self.action,
            "changes": self.changes,
            "note": self.note,
        })
    }
}

/// The writable members of a priority, flattened: `geometry` and each property.
fn members(p: &Priority) -> Map<String, Value> {
    let Value::Object(mut feature) = p.to_writable_feature() else {
        return Map::new();
    };
    let mut out = Map::new();
    if let Some(geometry) = feature.remove("geometry") {
        out.insert("geometry".into(), geometry);
    }
    if let Some(Value::Object(props)) = feature.remove("properties") {
        out.extend(props);
    }
    out
}

/// What changed between two versions (either may be absent: created, deleted),
/// as member → `{"from", "to"}`; members that did not change are left out.
/// Members are moved, not copied, into the result (an import records a
/// million of these).
pub fn diff(before: Option<&Priority>, after: Option<&Priority>) -> Value {
    let (mut a, mut b) = (
        before.map(members).unwrap_or_default(),
        after.map(members).unwrap_or_default(),
    );
    let mut keys: Vec<String> = a.keys().chain(b.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    let mut out = Map::new();
    for k in keys {
        let (x, y) = (
            a.remove(&k).unwrap_or(Value::Null),
            b.remove(&k).unwrap_or(Value::Null),
        );
        if x != y {
            out.insert(k, json!({"from": x, "to": y}));
        }
    }
    Value::Object(out)
}

/// The action a write amounts to.
pub fn action(before: Option<&Priority>, after: Option<&Priority>) -> &'static str {
    match (before, after) {
        (None, _) => "create",
        (Some(_), None) => "delete",
        (Some(b), Some(a)) if b.status != a.status => "transition",
        _ => "edit",
    }
}
