//! What a collection lets a filter name: its queryables, each with a kind
//! that decides which literals it can be compared with.

/// The kind of a queryable's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text: compared, `LIKE`, `IN`.
    Text,
    /// Text from a closed set: a literal outside it is refused.
    Enum(&'static [&'static str]),
    /// A whole number.
    Integer,
    /// An instant, microseconds since the epoch (RFC 3339 on the wire).
    Instant,
    /// The feature's geometry, WGS84 longitude/latitude degrees.
    Geometry,
}

/// One property a filter or `sortby` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queryable {
    /// The name in expressions, as in the features' `properties`.
    pub name: &'static str,
    /// The kind of its values.
    pub kind: Kind,
    /// Whether a feature may have no value (`null`).
    pub nullable: bool,
    /// One line for the queryables document.
    pub description: &'static str,
}

impl Queryable {
    /// A queryable that every feature has a value of.
    pub const fn new(name: &'static str, kind: Kind, description: &'static str) -> Self {
        Queryable {
            name,
            kind,
            nullable: false,
            description,
        }
    }

    /// The same, when a feature may have no value.
    pub const fn nullable(self) -> Self {
        Queryable {
            nullable: true,
            ..self
        }
    }
}

/// A collection's queryables; a filter names one by its position here.
#[derive(Debug, PartialEq, Eq)]
pub struct Queryables(pub &'static [Queryable]);

impl Queryables {
    /// The position of the queryable called `name` (case-sensitive, as
    /// property names are).
    pub fn position(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|q| q.name == name)
    }

    /// The queryable at `position`.
    pub fn get(&self, position: usize) -> &Queryable {
        &self.0[position]
    }

    /// Every name, comma separated, for error messages.
    pub fn names(&self) -> String {
        self.0.iter().map(|q| q.name).collect::<Vec<_>>().join(", ")
    }
}
