//! GeoJSON representations of stored values, written once per write.
//!
//! A priority's Feature is serialized when it enters the index and kept as
//! text, so a response is assembled by copying bytes instead of serializing
//! every feature of every response. Members are written in a fixed order with
//! `properties` last, which lets the HTTP layer append a per-response member
//! (`distance_m`, `links`) without parsing.

use std::fmt::Write;

use crate::domain::codes::{Level, TerritoryCode};
use crate::domain::geometry::to_geojson;
use crate::domain::priority::{Placement, Priority};
use crate::domain::time;

/// Writes `s` as a JSON string literal.
fn push_str(out: &mut String, s: &str) {
    // Serializing a &str cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// Where the territorial members start: the text cannot occur earlier,
/// since the geometry holds only numbers and `id` a UUID.
const TERRITORY_START: &str = r#","properties":{"#;

/// The territorial members that open `properties`: state, municipality,
/// parish and placement.
fn territory_members(out: &mut String, parish: TerritoryCode, placement: Placement) {
    for (i, level) in Level::ALL.into_iter().enumerate() {
        let code = parish.at_level(level).unwrap_or(parish);
        let comma = if i == 0 { "" } else { "," };
        let _ = write!(out, r#"{comma}"{}":"{code}""#, level.as_str());
    }
    let _ = write!(out, r#","placement":"{placement}""#);
}

/// The Feature of a priority placed in `parish` as `placement` says.
///
/// The text always ends with `}}`: the close of `properties`, then of the Feature.
pub fn priority_feature(p: &Priority, parish: TerritoryCode, placement: Placement) -> String {
    let mut out = String::with_capacity(512);
    out.push_str(r#"{"type":"Feature","id":""#);
    out.push_str(&p.id.to_string());
    out.push_str(r#"","geometry":"#);
    out.push_str(&to_geojson(&p.geometry));
    out.push_str(TERRITORY_START);
    territory_members(&mut out, parish, placement);
    out.push_str(r#","council":"#);
    push_str(&mut out, p.council.as_str());
    out.push_str(r#","title":"#);
    push_str(&mut out, &p.title);
    out.push_str(r#","description":"#);
    match &p.description {
        Some(d) => push_str(&mut out, d),
        None => out.push_str("null"),
    }
    let _ = write!(
        out,
        r#","category":"{}","status":"{}","rank":{},"families":{},"plan":{},"created_at":"{}","updated_at":"{}","version":{}}}}}"#,
        p.category,
        p.status,
        p.rank.map_or("null".to_string(), |r| r.to_string()),
        p.families.map_or("null".to_string(), |f| f.to_string()),
        p.plan
            .as_ref()
            .map_or("null".to_string(), |plan| plan.to_json().to_string()),
        time::format(p.created_at),
        time::format(p.updated_at),
        p.version,
    );
    out
}

/// The same Feature text placed anew: only the territorial members change.
pub fn relocate(feature: &str, parish: TerritoryCode, placement: Placement) -> String {
    let Some(start) = feature
        .find(TERRITORY_START)
        .map(|i| i + TERRITORY_START.len())
    else {
        return feature.to_owned();
    };
    let Some(end) = feature[start..].find(r#","council":"#).map(|i| start + i) else {
        return feature.to_owned();
    };
    let mut out = String::with_capacity(feature.len() + 16);
    out.push_str(&feature[..start]);
    territory_members(&mut out, parish, placement);
    out.push_str(&feature[end..]);
    out
}

/// Appends `,"name":value` (value already JSON) to the last object closed by
/// `depth` braces at the end of `feature`: depth 2 adds to `properties`, depth
/// 1 to the Feature itself.
pub fn append_member(feature: &str, depth: usize, name: &str, json_value: &str) -> String {
    let mut out = String::with_capacity(feature.len() + name.len() + json_value.len() + 4);
    push_with_member(&mut out, feature, depth, name, |out| {
        out.push_str(json_value)
    });
    out
}

/// [`append_member`] written at the end of `out`, the value by `write_value`:
/// a page's features go straight into its body, without a copy of each.
pub fn push_with_member(
    out: &mut String,
    feature: &str,
    depth: usize,
    name: &str,
    write_value: impl FnOnce(&mut String),
) {
    let cut = feature.len().saturating_sub(depth);
    out.push_str(&feature[..cut]);
    out.push_str(",\"");
    out.push_str(name);
    out.push_str("\":");
    write_value(out);
    out.push_str(&feature[cut..]);
}

/// Writes a distance in metres with two decimals, exactly as `{:.2}` does.
///
/// `{:.2}` rounds the binary value's exact decimal expansion, which costs
/// more than the rest of a feature's assembly. Scaled by 100 and rounded,
/// a distance gives the same digits unless the scaled value lies within
/// rounding of a half (its error is below 1e-6 for any distance on Earth);
/// those, and anything out of range, go through `{:.2}`.
pub fn push_metres(out: &mut String, metres: f64) {
    let scaled = metres * 100.0;
    let fraction = scaled - scaled.trunc();
    if (0.0..1e12).contains(&scaled) && (fraction - 0.5).abs() > 1e-6 {
        let cents = scaled.round() as u64;
        let _ = write!(out, "{}.{:02}", cents / 100, cents % 100);
    } else {
        let _ = write!(out, "{metres:.2}");
    }
}

#[cfg(test)]
mod tests {
    /// The fast path writes what `{:.2}` writes: random distances at every
    /// scale, values at and beside a half cent, and the edges.
    #[test]
    fn metres_are_written_as_two_decimals_format() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut cases: Vec<f64> = vec![0.0, 0.005, 0.015, 0.125, 1.005, 2.675, 0.995, 99.995];
        cases.extend((0..200_000).map(|_| {
            let scale = [1.0, 100.0, 10_000.0, 20_000_000.0][rng.random_range(0..4)];
            rng.random_range(0.0..scale)
        }));
        cases.extend((0..20_000).map(|i| f64::from(i) * 0.005));
        cases.extend((0..20_000).map(|i| (f64::from(i) + 0.5) / 100.0));
        for d in cases {
            let mut fast = String::new();
            super::push_metres(&mut fast, d);
            assert_eq!(fast, format!("{d:.2}"), "{d:e}");
        }
    }

    use super::*;
    use crate::domain::priority::{Category, Status};
    use serde_json::Value;

    fn sample() -> Priority {
        Priority {
            pk: 1,
            id: uuid::Uuid::nil(),
            council: "CC-1".parse().unwrap(),
            title: "Agua \"potable\"".into(),
            description: None,
            category: Category::Water,
            status: Status::Proposed,
            rank: Some(2),
            families: None,
            plan: None,
            geometry: geo::Geometry::Point(geo::Point::new(-66.9, 10.5)),
            created_at: 0,
            updated_at: 0,
            version: 1,
            located_parish: None,
        }
    }

    #[test]
    fn a_feature_is_valid_json_with_derived_territories() {
        let text = priority_feature(
            &sample(),
            TerritoryCode::parish(10122),
            Placement::ByCouncil,
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["properties"]["state"], "01");
        assert_eq!(v["properties"]["municipality"], "0101");
        assert_eq!(v["properties"]["parish"], "010122");
        assert_eq!(v["properties"]["title"], "Agua \"potable\"");
        assert_eq!(v["properties"]["families"], Value::Null);
        assert_eq!(v["geometry"]["coordinates"][0], -66.9);
        assert_eq!(v["properties"]["placement"], "by_council");
    }

    #[test]
    fn relocating_changes_only_the_territorial_members() {
        let text = priority_feature(
            &sample(),
            TerritoryCode::parish(10122),
            Placement::ByCouncil,
        );
        let moved = relocate(
            &text,
            TerritoryCode::parish(150305),
            Placement::OutsideCouncilParish,
        );
        let (mut a, b): (Value, Value) = (
            serde_json::from_str(&text).unwrap(),
            serde_json::from_str(&moved).unwrap(),
        );
        assert_eq!(b["properties"]["state"], "15");
        assert_eq!(b["properties"]["municipality"], "1503");
        assert_eq!(b["properties"]["parish"], "150305");
        assert_eq!(b["properties"]["placement"], "outside_council_parish");
        for (k, v) in [
            ("state", "15"),
            ("municipality", "1503"),
            ("parish", "150305"),
            ("placement", "outside_council_parish"),
        ] {
            a["properties"][k] = v.into();
        }
        assert_eq!(a, b);
    }

    #[test]
    fn members_can_be_appended_to_properties_and_to_the_feature() {
        let text = priority_feature(
            &sample(),
            TerritoryCode::parish(10122),
            Placement::ByCouncil,
        );
        let with_distance = append_member(&text, 2, "distance_m", "12.5");
        let v: Value = serde_json::from_str(&with_distance).unwrap();
        assert_eq!(v["properties"]["distance_m"], 12.5);
        let with_links = append_member(&text, 1, "links", "[]");
        let v: Value = serde_json::from_str(&with_links).unwrap();
        assert!(v["links"].is_array());
    }
}
