//! Domain types and rules: validated values with no knowledge of HTTP or SQL.
//!
//! Everything that enters the service is parsed into these types at the edge,
//! so handlers, the store and the index only ever see valid values.

/// A closed set of values named by strings in the API and the database
/// (`as_str`, `FromStr` naming the allowed values, `Display`, `ALL`).
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Every value's name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The value's name in the API and the database.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "unknown {} {s:?}; expected one of {}",
                        stringify!($name).to_lowercase(),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        /// Read from its name, refused with the `FromStr` message.
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod auth;
pub mod codes;
pub mod cql;
pub mod crs;
pub mod duplicates;
pub mod geometry;
pub mod history;
pub mod narrow;
pub mod priority;
pub mod query;
pub mod queryables;
pub mod sort;
pub mod territory;
pub mod time;
pub mod topology;
pub mod webhook;
pub mod wire;
pub mod workflow;

use std::fmt;

/// A field of a request body that failed validation, named by an RFC 6901
/// JSON pointer (`/properties/title`, `/geometry/coordinates/0/1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON pointer to the offending member of the body.
    pub pointer: String,
    /// Human readable reason.
    pub detail: String,
}

impl FieldError {
    /// The error `detail` of the member at JSON pointer `pointer`.
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.detail)
    }
}

/// Why a body could not be turned into a domain value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The body is JSON but not the kind of document expected (400);
    /// `pointer` is `/type` when the type member is wrong, `""` for the whole.
    #[error("{detail}")]
    WrongShape {
        /// JSON pointer of the member at fault.
        pointer: String,
        /// What is wrong.
        detail: String,
    },
    /// The document has the right shape but a member is invalid (422).
    #[error("{0}")]
    Invalid(FieldError),
}

impl BodyError {
    /// The document at `pointer` is not what was expected.
    pub fn wrong_shape(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        BodyError::WrongShape {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

impl From<FieldError> for BodyError {
    fn from(e: FieldError) -> Self {
        BodyError::Invalid(e)
    }
}
