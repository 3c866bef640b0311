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

/// [`diff`]'s text: a creation's written directly, the rest through
/// [`diff`]. A bulk import records one creation per priority inside its
/// write, where building the members as `Value`s (the geometry parsed back
/// from its text) and sorting them was a tenth of an import's time.
pub fn diff_text(before: Option<&Priority>, after: Option<&Priority>) -> String {
    match (before, after) {
        (None, Some(created)) => creation_text(created),
        _ => diff(before, after).to_string(),
    }
}

/// `diff(None, Some(p))` as text: each member present, in the order of
/// their names, as `{"from":null,"to":…}`.
fn creation_text(p: &Priority) -> String {
    let mut out =
        Vec::with_capacity(256 + p.title.len() + p.description.as_ref().map_or(0, String::len));
    let mut first = true;
    let mut member = |out: &mut Vec<u8>, name: &str| {
        out.extend_from_slice(if first { b"{\"" } else { b",\"" });
        first = false;
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(br#"":{"from":null,"to":"#);
    };
    // Names and enumerations are plain ASCII words: nothing to escape.
    let word = |out: &mut Vec<u8>, w: &str| {
        out.push(b'"');
        out.extend_from_slice(w.as_bytes());
        out.push(b'"');
    };
    // Writing into a Vec cannot fail.
    let text = |out: &mut Vec<u8>, s: &str| {
        let _ = serde_json::to_writer(&mut *out, s);
    };
    member(&mut out, "category");
    word(&mut out, p.category.as_str());
    out.push(b'}');
    member(&mut out, "council");
    text(&mut out, p.council.as_str());
    out.push(b'}');
    if let Some(d) = &p.description {
        member(&mut out, "description");
        text(&mut out, d);
        out.push(b'}');
    }
    if let Some(f) = p.families {
        member(&mut out, "families");
        let _ = serde_json::to_writer(&mut out, &f);
        out.push(b'}');
    }
    member(&mut out, "geometry");
    super::geometry::write_geojson(&mut out, &p.geometry);
    out.push(b'}');
    if let Some(plan) = &p.plan {
        member(&mut out, "plan");
        let _ = serde_json::to_writer(&mut out, plan);
        out.push(b'}');
    }
    if let Some(r) = p.rank {
        member(&mut out, "rank");
        let _ = serde_json::to_writer(&mut out, &r);
        out.push(b'}');
    }
    member(&mut out, "status");
    word(&mut out, p.status.as_str());
    out.push(b'}');
    member(&mut out, "title");
    text(&mut out, &p.title);
    out.extend_from_slice(b"}}");
    // Only valid UTF-8 was written.
    String::from_utf8(out).unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// A creation's text is what `diff` builds as a `Value` and serde_json
    /// writes, for random priorities (escapes, every geometry type, absent
    /// and present optional members, plans).
    #[test]
    fn a_creation_is_written_as_diff_writes_it() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(21);
        for i in 0..3_000 {
            let p = crate::domain::priority::arbitrary_priority(&mut rng, i);
            assert_eq!(
                diff_text(None, Some(&p)),
                diff(None, Some(&p)).to_string(),
                "{p:?}"
            );
        }
    }
}
