//! GeoJSON representations of stored values, written once per write.
//!
//! A priority's Feature is serialized when it enters the index and kept as
//! text, so a response is assembled by copying bytes instead of serializing
//! every feature of every response. Members are written in a fixed order with
//! `properties` last, which lets the HTTP layer append a per-response member
//! (`distance_m`, `links`) without parsing.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use crate::domain::codes::{Level, TerritoryCode};
use crate::domain::geometry::write_geojson;
use crate::domain::priority::{Placement, Priority};
use crate::domain::time;

/// Writes `s` as a JSON string literal at the end of `out`.
fn push_str(out: &mut Vec<u8>, s: &str) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(out, s);
}

/// Writes `value` (a number), or `null`.
fn push_or_null(out: &mut Vec<u8>, value: Option<impl serde::Serialize>) {
    match value {
        // serde_json's integers, without `fmt`'s machinery.
        Some(v) => {
            let _ = serde_json::to_writer(out, &v);
        }
        None => out.extend_from_slice(b"null"),
    }
}

/// Text built as bytes: only UTF-8 is ever written into it.
fn into_text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Where the territorial members start: the text cannot occur earlier,
/// since the geometry holds only numbers and `id` a UUID.
const TERRITORY_START: &str = r#","properties":{"#;

/// The territorial members that open `properties`: state, municipality,
/// parish and placement.
fn territory_members(out: &mut Vec<u8>, parish: TerritoryCode, placement: Placement) {
    for (i, level) in Level::ALL.into_iter().enumerate() {
        let code = parish.at_level(level).unwrap_or(parish);
        let comma = if i == 0 { "" } else { "," };
        let _ = write!(out, r#"{comma}"{}":"{code}""#, level.as_str());
    }
    let _ = write!(out, r#","placement":"{placement}""#);
}

/// The `title` of a priority's Feature text, as [`priority_feature`] wrote
/// it. Every member before it holds numbers, codes or a UUID, and a
/// string value cannot hold an unescaped quote, so the first `,"title":`
/// is the member.
pub fn title_of(feature: &str) -> Option<String> {
    let at = feature.find(r#","title":"#)? + r#","title":"#.len();
    let mut values = serde_json::Deserializer::from_str(&feature[at..]).into_iter::<String>();
    values.next()?.ok()
}

/// The `families` of a priority's Feature text (`None` when `null`): the
/// first `,"families":` is the member, as for [`title_of`].
pub fn families_of(feature: &str) -> Option<u32> {
    let at = feature.find(r#","families":"#)? + r#","families":"#.len();
    let end = feature[at..].find([',', '}'])?;
    feature[at..at + end].parse().ok()
}

/// The `updated_at` of a priority's Feature text, in microseconds: the
/// member follows `created_at`, and no string value holds the unescaped
/// quotes that delimit it.
pub fn updated_at_of(feature: &str) -> Option<time::Micros> {
    let at = feature.find(r#"","updated_at":""#)? + r#"","updated_at":""#.len();
    let end = feature[at..].find('"')?;
    time::parse_datetime(&feature[at..at + end]).ok()
}

/// The Feature of a priority placed in `parish` as `placement` says.
///
/// The text always ends with `}}`: the close of `properties`, then of the Feature.
/// Every value is written straight into one buffer (start-up writes a
/// million of these).
pub fn priority_feature(p: &Priority, parish: TerritoryCode, placement: Placement) -> String {
    let mut out = Vec::with_capacity(1024);
    write_priority_feature(&mut out, p, parish, placement);
    into_text(out)
}

/// [`priority_feature`] as the index keeps it: written into a buffer each
/// thread reuses, then copied once into a shared text of its exact size (no
/// buffer allocated, grown and freed per priority).
pub fn shared_priority_feature(
    p: &Priority,
    parish: TerritoryCode,
    placement: Placement,
) -> Arc<str> {
    thread_local! {
        static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|out| {
        out.clear();
        write_priority_feature(out, p, parish, placement);
        match std::str::from_utf8(out) {
            Ok(text) => Arc::from(text),
            Err(_) => Arc::from(String::from_utf8_lossy(out).as_ref()),
        }
    })
}

fn write_priority_feature(
    mut out: &mut Vec<u8>,
    p: &Priority,
    parish: TerritoryCode,
    placement: Placement,
) {
    out.extend_from_slice(br#"{"type":"Feature","id":""#);
    let mut id = uuid::Uuid::encode_buffer();
    out.extend_from_slice(p.id.hyphenated().encode_lower(&mut id).as_bytes());
    out.extend_from_slice(br#"","geometry":"#);
    write_geojson(out, &p.geometry);
    out.extend_from_slice(TERRITORY_START.as_bytes());
    territory_members(out, parish, placement);
    out.extend_from_slice(br#","council":"#);
    push_str(out, p.council.as_str());
    out.extend_from_slice(br#","title":"#);
    push_str(out, &p.title);
    out.extend_from_slice(br#","description":"#);
    match &p.description {
        Some(d) => push_str(out, d),
        None => out.extend_from_slice(b"null"),
    }
    // Category and status names are plain ASCII words: nothing to escape.
    out.extend_from_slice(br#","category":""#);
    out.extend_from_slice(p.category.as_str().as_bytes());
    out.extend_from_slice(br#"","status":""#);
    out.extend_from_slice(p.status.as_str().as_bytes());
    out.extend_from_slice(br#"","rank":"#);
    push_or_null(out, p.rank);
    out.extend_from_slice(br#","families":"#);
    push_or_null(out, p.families);
    out.extend_from_slice(br#","plan":"#);
    match &p.plan {
        Some(plan) => {
            let _ = serde_json::to_writer(&mut out, plan);
        }
        None => out.extend_from_slice(b"null"),
    }
    if let Some(original) = p.duplicate_of {
        out.extend_from_slice(br#","duplicate_of":""#);
        out.extend_from_slice(original.hyphenated().encode_lower(&mut id).as_bytes());
        out.push(b'"');
    }
    out.extend_from_slice(br#","created_at":""#);
    time::write(out, p.created_at);
    out.extend_from_slice(br#"","updated_at":""#);
    time::write(out, p.updated_at);
    out.extend_from_slice(br#"","version":"#);
    push_or_null(out, Some(p.version));
    out.extend_from_slice(b"}}");
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
    let mut out = Vec::with_capacity(feature.len() + 16);
    out.extend_from_slice(&feature.as_bytes()[..start]);
    territory_members(&mut out, parish, placement);
    out.extend_from_slice(&feature.as_bytes()[end..]);
    into_text(out)
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

/// Writes a distance in metres to the millimetre (three decimals), exactly
/// as `{:.3}` does.
///
/// `{:.3}` rounds the binary value's exact decimal expansion, which costs
/// more than the rest of a feature's assembly. Scaled by 1000 and rounded,
/// a distance gives the same digits unless the scaled value lies within
/// rounding of a half (its error is below 1e-5 for any distance on Earth);
/// those, and anything out of range, go through `{:.3}`.
pub fn push_metres(out: &mut String, metres: f64) {
    let scaled = metres * 1000.0;
    let fraction = scaled - scaled.trunc();
    if (0.0..1e13).contains(&scaled) && (fraction - 0.5).abs() > 1e-5 {
        let mm = scaled.round() as u64;
        let _ = write!(out, "{}.{:03}", mm / 1000, mm % 1000);
    } else {
        let _ = write!(out, "{metres:.3}");
    }
}

#[cfg(test)]
mod tests {
    /// The fast path writes what `{:.3}` writes: random distances at every
    /// scale, values at and beside a half millimetre, and the edges.
    #[test]
    fn metres_are_written_as_three_decimals_format() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut cases: Vec<f64> =
            vec![0.0, 0.0005, 0.0015, 0.1125, 1.0005, 2.6745, 0.9995, 99.9995];
        cases.extend((0..200_000).map(|_| {
            let scale = [1.0, 100.0, 10_000.0, 20_000_000.0][rng.random_range(0..4)];
            rng.random_range(0.0..scale)
        }));
        cases.extend((0..20_000).map(|i| f64::from(i) * 0.0005));
        cases.extend((0..20_000).map(|i| (f64::from(i) + 0.5) / 1000.0));
        for d in cases {
            let mut fast = String::new();
            super::push_metres(&mut fast, d);
            assert_eq!(fast, format!("{d:.3}"), "{d:e}");
        }
    }

    use super::*;
    use crate::domain::priority::{Category, Status};
    use serde_json::Value;

    /// The title and change time read back from the text equal the
    /// priority's, for random priorities whose texts need escapes and whose
    /// plans hold any text.
    #[test]
    fn the_title_and_change_time_are_read_back_from_the_text() {
        use crate::domain::priority::arbitrary_priority;
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        for i in 0..3_000 {
            let p = arbitrary_priority(&mut rng, i);
            let text = priority_feature(&p, TerritoryCode::parish(10101), Placement::ByCouncil);
            assert_eq!(title_of(&text).as_deref(), Some(p.title.as_str()), "{text}");
            assert_eq!(updated_at_of(&text), Some(p.updated_at), "{text}");
            assert_eq!(families_of(&text), p.families, "{text}");
        }
        let text = priority_feature(
            &sample(),
            TerritoryCode::parish(10101),
            Placement::ByCouncil,
        );
        assert_eq!(title_of(&text).as_deref(), Some("Agua \"potable\""));
    }

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
            duplicate_of: None,
        }
    }

    /// The Feature text equals serde_json's serialization of the same
    /// members, built independently as a `Value`, for random priorities:
    /// every geometry type, text needing escapes, absent and present
    /// optional members, plans, timestamps of any day.
    #[test]
    fn a_feature_is_the_text_serde_json_writes_for_its_members() {
        use crate::domain::priority::arbitrary_priority;
        use crate::domain::workflow::Plan;
        use rand::SeedableRng;
        use serde_json::json;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
        for i in 0..3_000 {
            let p = arbitrary_priority(&mut rng, i);
            let parish = TerritoryCode::parish(10101 + (i as u32 % 30));
            let placement = Placement::ALL[i as usize % Placement::ALL.len()];
            let rfc3339 = |t: i64| {
                chrono::DateTime::from_timestamp_micros(t)
                    .unwrap()
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            };
            let expected = json!({
                "type": "Feature",
                "id": p.id.to_string(),
                "geometry": geojson::Geometry::new(geojson::GeometryValue::from(&p.geometry)),
                "properties": {
                    "state": parish.at_level(Level::State).unwrap().to_string(),
                    "municipality": parish.at_level(Level::Municipality).unwrap().to_string(),
                    "parish": parish.to_string(),
                    "placement": placement.to_string(),
                    "council": p.council.as_str(),
                    "title": p.title,
                    "description": p.description,
                    "category": p.category.to_string(),
                    "status": p.status.to_string(),
                    "rank": p.rank,
                    "families": p.families,
                    "plan": p.plan.as_ref().map(Plan::to_json),
                    "created_at": rfc3339(p.created_at),
                    "updated_at": rfc3339(p.updated_at),
                    "version": p.version,
                }
            });
            assert_eq!(
                priority_feature(&p, parish, placement),
                expected.to_string()
            );
            assert_eq!(
                *shared_priority_feature(&p, parish, placement),
                expected.to_string()
            );
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
