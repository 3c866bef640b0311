//! The queryables of each collection: what `filter` and `sortby` may name,
//! as `/collections/{id}/queryables` lists them.

use super::cql::{Kind, Queryable, Queryables};
use super::priority::{Category, Placement};
use super::workflow::Status;

/// A priority's geometry family, the `geometry_type` queryable.
pub const GEOMETRY_FAMILIES: &[&str] = &["point", "line", "polygon"];

/// Positions in [`PRIORITIES`], for the code that reads a priority's values.
pub mod priority {
    /// `id`
    pub const ID: usize = 0;
    /// `council`
    pub const COUNCIL: usize = 1;
    /// `state`
    pub const STATE: usize = 2;
    /// `municipality`
    pub const MUNICIPALITY: usize = 3;
    /// `parish`
    pub const PARISH: usize = 4;
    /// `placement`
    pub const PLACEMENT: usize = 5;
    /// `title`
    pub const TITLE: usize = 6;
    /// `category`
    pub const CATEGORY: usize = 7;
    /// `status`
    pub const STATUS: usize = 8;
    /// `rank`
    pub const RANK: usize = 9;
    /// `families`
    pub const FAMILIES: usize = 10;
    /// `created_at`
    pub const CREATED_AT: usize = 11;
    /// `updated_at`
    pub const UPDATED_AT: usize = 12;
    /// `geometry_type`
    pub const GEOMETRY_TYPE: usize = 13;
    /// `geometry`
    pub const GEOMETRY: usize = 14;
}

/// The priorities collection's queryables, in the order of [`priority`].
pub const PRIORITIES: Queryables = Queryables(&[
    Queryable::new("id", Kind::Text, "The priority's UUID."),
    Queryable::new("council", Kind::Text, "The council's code (SITUR)."),
    Queryable::new("state", Kind::Text, "The state's code (2 digits)."),
    Queryable::new(
        "municipality",
        Kind::Text,
        "The municipality's code (4 digits).",
    ),
    Queryable::new("parish", Kind::Text, "The parish's code (6 digits)."),
    Queryable::new(
        "placement",
        Kind::Enum(Placement::NAMES),
        "How its territory was decided.",
    ),
    Queryable::new("title", Kind::Text, "The title."),
    Queryable::new("category", Kind::Enum(Category::NAMES), "The sector."),
    Queryable::new("status", Kind::Enum(Status::NAMES), "The workflow status."),
    Queryable::new(
        "rank",
        Kind::Integer,
        "Rank on its council's agenda (1 first).",
    )
    .nullable(),
    Queryable::new("families", Kind::Integer, "Families benefited.").nullable(),
    Queryable::new("created_at", Kind::Instant, "When it was recorded."),
    Queryable::new("updated_at", Kind::Instant, "When it last changed."),
    Queryable::new(
        "geometry_type",
        Kind::Enum(GEOMETRY_FAMILIES),
        "The geometry's family: point (Point, MultiPoint), line (LineString, MultiLineString) or polygon (Polygon, MultiPolygon).",
    ),
    Queryable::new("geometry", Kind::Geometry, "The location."),
]);

/// The family of a geometry, as [`GEOMETRY_FAMILIES`] names it.
pub fn geometry_family(g: &geo::Geometry<f64>) -> &'static str {
    use geo::Geometry as G;
    match g {
        G::Point(_) | G::MultiPoint(_) => "point",
        G::Line(_) | G::LineString(_) | G::MultiLineString(_) => "line",
        _ => "polygon",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn territories_count_every_status_and_category() {
        use crate::domain::codes::Level;
        for level in Level::ALL {
            let q = territories(level);
            for s in Status::NAMES {
                assert!(q.position(&format!("status_{s}")).is_some(), "{s}");
            }
            for c in Category::NAMES {
                assert!(q.position(&format!("category_{c}")).is_some(), "{c}");
            }
        }
    }

    #[test]
    fn positions_name_the_queryables_they_stand_for() {
        let at = |name: &str| PRIORITIES.position(name).unwrap();
        assert_eq!(at("id"), priority::ID);
        assert_eq!(at("council"), priority::COUNCIL);
        assert_eq!(at("state"), priority::STATE);
        assert_eq!(at("municipality"), priority::MUNICIPALITY);
        assert_eq!(at("parish"), priority::PARISH);
        assert_eq!(at("placement"), priority::PLACEMENT);
        assert_eq!(at("title"), priority::TITLE);
        assert_eq!(at("category"), priority::CATEGORY);
        assert_eq!(at("status"), priority::STATUS);
        assert_eq!(at("rank"), priority::RANK);
        assert_eq!(at("families"), priority::FAMILIES);
        assert_eq!(at("created_at"), priority::CREATED_AT);
        assert_eq!(at("updated_at"), priority::UPDATED_AT);
        assert_eq!(at("geometry_type"), priority::GEOMETRY_TYPE);
        assert_eq!(at("geometry"), priority::GEOMETRY);
        assert_eq!(PRIORITIES.0.len(), 15);
    }
}

/// The queryables of a territory level's features (`states`,
/// `municipalities`, `parishes`): codes, name and the counts a choropleth
/// colours by.
pub const fn territories(level: super::codes::Level) -> &'static Queryables {
    use super::codes::Level;
    match level {
        Level::State => &STATES,
        Level::Municipality => &MUNICIPALITIES,
        Level::Parish => &PARISHES,
    }
}

macro_rules! territory_queryables {
    ($name:ident, [$($ancestor:literal),*]) => {
        const $name: Queryables = Queryables(&[
            Queryable::new("code", Kind::Text, "The territory's code."),
            Queryable::new("name", Kind::Text, "Its name."),
            $(Queryable::new($ancestor, Kind::Text, "The code of the territory it lies in, at that level."),)*
            Queryable::new("councils", Kind::Integer, "Councils in it."),
            Queryable::new("priorities", Kind::Integer, "Priorities in it."),
            Queryable::new("families", Kind::Integer, "Families its priorities benefit."),
            Queryable::new("status_proposed", Kind::Integer, "Its proposed priorities."),
            Queryable::new("status_approved", Kind::Integer, "Its approved priorities."),
            Queryable::new("status_in_progress", Kind::Integer, "Its priorities in progress."),
            Queryable::new("status_done", Kind::Integer, "Its done priorities."),
            Queryable::new("status_rejected", Kind::Integer, "Its rejected priorities."),
            Queryable::new("status_duplicate", Kind::Integer, "Its priorities closed as duplicates."),
            Queryable::new("category_water", Kind::Integer, "Its priorities of this category."),
            Queryable::new("category_electricity", Kind::Integer, "Its priorities of this category."),
            Queryable::new("category_roads", Kind::Integer, "Its priorities of this category."),
            Queryable::new("category_health", Kind::Integer, "Its priorities of this category."),
            Queryable::new("category_education", Kind::Integer, "Its priorities of this category."),
            Queryable::new("category_security", Kind::Integer, "Its priorities of this category."),
            Queryable::new("category_housing", Kind::Integer, "Its priorities of this category."),
            Queryable::new("category_environment", Kind::Integer, "Its priorities of this category."),
            Queryable::new("category_gas", Kind::Integer, "Its priorities of this category."),
            Queryable::new("category_transport", Kind::Integer, "Its priorities of this category."),
            Queryable::new("category_telecom", Kind::Integer, "Its priorities of this category."),
            Queryable::new("category_food", Kind::Integer, "Its priorities of this category."),
            Queryable::new("category_culture_sport", Kind::Integer, "Its priorities of this category."),
            Queryable::new("category_other", Kind::Integer, "Its priorities of this category."),
            Queryable::new("geometry", Kind::Geometry, "Its boundary."),
        ]);
    };
}

territory_queryables!(STATES, []);
territory_queryables!(MUNICIPALITIES, ["state"]);
territory_queryables!(PARISHES, ["state", "municipality"]);

/// The councils collection's queryables.
pub const COUNCILS: Queryables = Queryables(&[
    Queryable::new("code", Kind::Text, "The council's code (SITUR)."),
    Queryable::new("name", Kind::Text, "Its name."),
    Queryable::new("state", Kind::Text, "Its state's code."),
    Queryable::new("municipality", Kind::Text, "Its municipality's code."),
    Queryable::new("parish", Kind::Text, "Its parish's code."),
    Queryable::new("commune", Kind::Text, "Its commune's code.").nullable(),
    Queryable::new("spokespeople", Kind::Integer, "Active spokespeople."),
    Queryable::new(
        "created_at",
        Kind::Instant,
        "When it was registered (null: unknown).",
    )
    .nullable(),
    Queryable::new("geometry", Kind::Geometry, "Where it meets."),
]);

/// The communes collection's queryables.
pub const COMMUNES: Queryables = Queryables(&[
    Queryable::new("code", Kind::Text, "The commune's code."),
    Queryable::new("name", Kind::Text, "Its name."),
    Queryable::new("councils", Kind::Integer, "Councils in it."),
    Queryable::new(
        "created_at",
        Kind::Instant,
        "When it was registered (null: unknown).",
    )
    .nullable(),
    Queryable::new(
        "geometry",
        Kind::Geometry,
        "Where its councils meet (none yet).",
    ),
]);
