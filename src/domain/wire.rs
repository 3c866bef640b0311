//! Reading JSON documents into typed values with serde, naming the member
//! at fault by an RFC 6901 JSON pointer, as every body error does.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::FieldError;

/// `value`, found at `pointer` in its document, as a `T` read from a JSON
/// object (never an array, which serde would take for a struct's members
/// in order). A member of the wrong type, an unknown one (`#[serde(deny_unknown_fields)]`) or one a
/// `TryFrom` refuses is named by its pointer (`/plan/responsible/kind`,
/// `/order/3`); an error of `value` as a whole by `pointer` itself.
pub fn from_json<T: DeserializeOwned>(value: &Value, pointer: &str) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value)
        .map(|Object(t)| t)
        .map_err(|e| {
            let mut at = pointer.to_owned();
            for segment in e.path().iter() {
                at.push('/');
                match segment {
                    serde_path_to_error::Segment::Seq { index } => at.push_str(&index.to_string()),
                    serde_path_to_error::Segment::Map { key } => push_escaped(&mut at, key),
                    serde_path_to_error::Segment::Enum { variant } => {
                        push_escaped(&mut at, variant)
                    }
                    serde_path_to_error::Segment::Unknown => {
                        at.pop();
                    }
                }
            }
            // A value (not a stream) carries no position, so the message is
            // serde's or the domain's own, as the `TryFrom` wrote it.
            FieldError::new(at, e.into_inner().to_string())
        })
}

/// `s` without leading and trailing whitespace, in its own buffer when it
/// has none (most texts): a read text is not copied again.
pub fn trimmed(s: String) -> String {
    if s.trim().len() == s.len() {
        s
    } else {
        s.trim().to_owned()
    }
}

/// A `T` read only from a JSON object: a struct's members, named. Serde's
/// derived structs also take an array of their members in order, which no
/// body of ours is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Members<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Object<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Object)
            }
        }
        deserializer.deserialize_map(Members(PhantomData))
    }
}

/// A member name as a pointer token: `~` and `/` escaped (RFC 6901).
fn push_escaped(out: &mut String, key: &str) {
    out.push_str(&key.replace('~', "~0").replace('/', "~1"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        list: Option<Vec<Small>>,
        inner: Option<Object<Inner>>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        name: Option<String>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(try_from = "u8")]
    struct Small;

    impl TryFrom<u8> for Small {
        type Error = String;
        fn try_from(n: u8) -> Result<Self, String> {
            if n < 10 {
                Ok(Small)
            } else {
                Err(format!("{n} is not small"))
            }
        }
    }

    fn pointer_of(value: Value) -> FieldError {
        from_json::<Outer>(&value, "/at").unwrap_err()
    }

    #[test]
    fn errors_name_the_member_by_pointer() {
        let e = pointer_of(json!({"list": [1, 2, 30]}));
        assert_eq!(e, FieldError::new("/at/list/2", "30 is not small"));
        assert_eq!(pointer_of(json!({"list": [1, "x"]})).pointer, "/at/list/1");
        assert_eq!(
            pointer_of(json!({"inner": {"name": 7}})).pointer,
            "/at/inner/name"
        );
        assert_eq!(
            pointer_of(json!({"inner": {"x/y~": 7}})).pointer,
            "/at/inner/x~1y~0"
        );
        assert_eq!(pointer_of(json!({"colour": 1})).pointer, "/at/colour");
        assert_eq!(pointer_of(json!([1])).pointer, "/at");
        assert_eq!(pointer_of(json!({"inner": ["x"]})).pointer, "/at/inner");
        assert_eq!(trimmed(" a b\n".into()), "a b");
        assert!(
            !pointer_of(json!({"inner": 7})).detail.contains("line"),
            "no position in messages"
        );
    }
}
