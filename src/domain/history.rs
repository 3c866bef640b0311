//! The history of a priority: every change, who made it, when and why.

use serde_json::{Map, Value, json};

use super::priority::Priority;
use super::time::{self, Micros};

/// Who is changing something, and the note they attach.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// The actor as history names it (`cabinet:01:3fa9c2d1`).
    pub actor: String,
    /// A note the actor attaches to the change.
    pub note: Option<String>,
}

impl Change {
    /// A change by `actor`, without a note.
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
    /// The changed priority's id.
    pub priority_id: String,
    /// When the change was committed.
    pub at: Micros,
    /// Who made it, as [`Change::actor`] names them.
    pub actor: String,
    /// `create`, `edit`, `transition` or `delete`.
    pub action: String,
    /// Member → `{"from": old, "to": new}`.
    pub changes: Value,
    /// The note attached, if any.
    pub note: Option<String>,
}

impl Entry {
    /// The entry as the history endpoint returns it.
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
    if let Some(original) = p.duplicate_of {
        out.insert("duplicate_of".into(), original.to_string().into());
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
    let mut out = Members {
        out: Vec::with_capacity(
            256 + p.title.len() + p.description.as_ref().map_or(0, String::len),
        ),
        first: true,
    };
    out.word("category", p.category.as_str());
    out.json("council", p.council.as_str());
    if let Some(d) = &p.description {
        out.json("description", d);
    }
    if let Some(f) = p.families {
        out.json("families", &f);
    }
    out.member("geometry", |out| {
        super::geometry::write_geojson(out, &p.geometry);
    });
    if let Some(plan) = &p.plan {
        out.json("plan", plan);
    }
    if let Some(r) = p.rank {
        out.json("rank", &r);
    }
    out.word("status", p.status.as_str());
    out.json("title", &p.title);
    out.finish()
}

/// The text of a creation's diff, a member at a time in the order written.
struct Members {
    out: Vec<u8>,
    first: bool,
}

impl Members {
    /// Member `name` as `{"from":null,"to":…}`, its value written by `to`.
    fn member(&mut self, name: &str, to: impl FnOnce(&mut Vec<u8>)) {
        self.out
            .extend_from_slice(if self.first { b"{\"" } else { b",\"" });
        self.first = false;
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(br#"":{"from":null,"to":"#);
        to(&mut self.out);
        self.out.push(b'}');
    }

    /// A member whose value is a plain ASCII word (a name or an
    /// enumeration): nothing to escape.
    fn word(&mut self, name: &str, w: &str) {
        self.member(name, |out| {
            out.push(b'"');
            out.extend_from_slice(w.as_bytes());
            out.push(b'"');
        });
    }

    /// A member whose value is written by serde_json.
    fn json(&mut self, name: &str, value: &(impl serde::Serialize + ?Sized)) {
        // Writing into a Vec cannot fail.
        self.member(name, |out| {
            let _ = serde_json::to_writer(out, value);
        });
    }

    /// The text, its object closed.
    fn finish(mut self) -> String {
        self.out.push(b'}');
        // Only valid UTF-8 was written.
        String::from_utf8(self.out).unwrap_or_default()
    }
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
