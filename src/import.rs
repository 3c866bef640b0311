//! Reading bulk input: a GeoJSON FeatureCollection, a single Feature, or
//! newline-delimited Features (one per line, RFC 8142 record separators
//! allowed), each validated on its own so one bad feature does not sink the rest.

use serde_json::Value;

use crate::domain::BodyError;
use crate::domain::priority::PriorityDraft;
use crate::domain::territory::BoundaryFeature;

/// Why the input as a whole could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Not JSON at all (or empty).
    #[error("{0}")]
    NotJson(String),
    /// JSON, but neither a FeatureCollection nor Features.
    #[error("{0}")]
    WrongDocument(String),
}

/// The features of an input, each parsed and validated when the iteration
/// reaches it: an import of newline-delimited Features holds one batch of
/// parsed features at a time, never the whole file's (the peak memory of a
/// national import is in docs/benchmarks.md; most of it is the file and the
/// index the import keeps current).
pub type Features<'a> = Box<dyn Iterator<Item = Result<PriorityDraft, BodyError>> + Send + 'a>;

/// Splits `bytes` into features, each parsed and validated independently.
pub fn parse_features(bytes: &[u8]) -> Result<Features<'_>, InputError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0x1e);
    let Some(start) = start else {
        return Err(InputError::NotJson("the input is empty".into()));
    };
    if bytes[start] != b'{' {
        return Err(InputError::NotJson(
            "expected a GeoJSON FeatureCollection or newline-delimited Features".into(),
        ));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(document) => from_document(document),
        // More than one JSON value (or a broken line): read line by line.
        Err(_) => Ok(from_lines(bytes)),
    }
}

fn from_document(mut document: Value) -> Result<Features<'static>, InputError> {
    match document.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => match document.get_mut("features").map(Value::take) {
            Some(Value::Array(features)) => Ok(Box::new(
                features
                    .into_iter()
                    .map(|f| PriorityDraft::from_feature(&f, "")),
            )),
            _ => Err(InputError::WrongDocument(
                "the FeatureCollection has no \"features\" array".into(),
            )),
        },
        Some("Feature") => Ok(Box::new(std::iter::once(PriorityDraft::from_feature(
            &document, "",
        )))),
        other => Err(InputError::WrongDocument(format!(
            "expected a FeatureCollection or Features, got type {:?}",
            other.unwrap_or("(none)")
        ))),
    }
}

fn from_lines(bytes: &[u8]) -> Features<'_> {
    Box::new(
        bytes
            .split(|b| *b == b'\n')
            .map(|line| {
                line.trim_ascii()
                    .strip_prefix(b"\x1e")
                    .unwrap_or(line.trim_ascii())
            })
            .filter(|line| !line.is_empty())
            .map(|line| match serde_json::from_slice::<Value>(line) {
                Ok(v) => PriorityDraft::from_feature(&v, ""),
                Err(e) => Err(BodyError::wrong_shape("", format!("not valid JSON: {e}"))),
            }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"council":"C1","title":"t","category":"water"}}"#;

    #[test]
    fn newline_delimited_input_reports_each_bad_line_by_position() {
        let input = format!("{GOOD}\n\n{{broken\n\x1e{GOOD}\n{{\"type\":\"Point\"}}\n");
        let parsed: Vec<_> = parse_features(input.as_bytes()).unwrap().collect();
        // The blank line is no feature: four results, in the order of the lines.
        assert_eq!(parsed.len(), 4);
        for good in [0, 2] {
            let draft = parsed[good]
                .as_ref()
                .unwrap_or_else(|e| panic!("{good}: {e}"));
            assert_eq!(draft.council.to_string(), "C1", "{good}");
        }
        // A line that is not JSON is refused as a whole: no pointer inside it.
        match &parsed[1] {
            Err(BodyError::WrongShape { pointer, detail }) => {
                assert_eq!(pointer, "");
                assert!(detail.starts_with("not valid JSON: "), "{detail}");
            }
            other => panic!("position 1 is the broken line: {other:?}"),
        }
        // A JSON line that is not a Feature is refused at its type.
        assert_eq!(
            parsed[3].as_ref().unwrap_err(),
            &BodyError::wrong_shape(
                "/type",
                "expected a GeoJSON Feature, got type \"Point\" at /type"
            )
        );
    }

    #[test]
    fn a_feature_collection_yields_its_features() {
        let input = format!(r#"{{"type":"FeatureCollection","features":[{GOOD},{GOOD}]}}"#);
        assert_eq!(parse_features(input.as_bytes()).unwrap().count(), 2);
        // Features are not Debug, so the errors are taken out with `err()`.
        let error = |bytes: &[u8]| parse_features(bytes).err().map(|e| e.to_string());
        assert!(matches!(
            parse_features(b"[1,2]").err(),
            Some(InputError::NotJson(_))
        ));
        assert_eq!(
            error(b"[1,2]").as_deref(),
            Some("expected a GeoJSON FeatureCollection or newline-delimited Features")
        );
        assert!(matches!(
            parse_features(b"  ").err(),
            Some(InputError::NotJson(_))
        ));
        assert_eq!(error(b"  ").as_deref(), Some("the input is empty"));
        let point = br#"{"type":"Point","coordinates":[1,2]}"#;
        assert!(matches!(
            parse_features(point).err(),
            Some(InputError::WrongDocument(_))
        ));
        assert_eq!(
            error(point).as_deref(),
            Some("expected a FeatureCollection or Features, got type \"Point\"")
        );
    }
}

/// Which properties of a boundary file hold what.
#[derive(Debug, Clone)]
pub struct BoundaryColumns {
    /// The property holding each territory's code.
    pub code: String,
    /// The property holding each territory's name.
    pub name: String,
    /// The property holding the parent's code, if any.
    pub parent: Option<String>,
}

/// Most vertices one boundary may have (the most detailed national parish
/// files have a few thousand per parish).
pub const MAX_BOUNDARY_VERTICES: usize = 1_000_000;

/// Reads a FeatureCollection of Polygon/MultiPolygon boundaries. Every
/// problem is reported with the feature's position; any problem refuses the
/// whole file, since a level of boundaries is replaced as a unit.
pub fn parse_boundaries(
    bytes: &[u8],
    columns: &BoundaryColumns,
) -> Result<Vec<BoundaryFeature>, BoundaryFileError> {
    use crate::service::ImportError;
    let document: Value = serde_json::from_slice(bytes)
        .map_err(|e| BoundaryFileError::NotJson(format!("not valid JSON: {e}")))?;
    if document.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        let pointer = if document.is_object() { "/type" } else { "" };
        return Err(BoundaryFileError::WrongDocument {
            pointer,
            detail: "a boundary file is a GeoJSON FeatureCollection".into(),
        });
    }
    let features = document.get("features").and_then(Value::as_array).ok_or(
        BoundaryFileError::WrongDocument {
            pointer: "/features",
            detail: "the FeatureCollection has no \"features\" array".into(),
        },
    )?;
    let mut out = Vec::with_capacity(features.len());
    let mut errors = Vec::new();
    for (index, feature) in features.iter().enumerate() {
        match boundary_feature(index, feature, columns) {
            Ok(f) => out.push(f),
            Err(e) => errors.push(e),
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(ImportError {
            index: 0,
            pointer: Some("/features".into()),
            reason: "the file has no features".into(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(BoundaryFileError::Features(errors))
    }
}

/// Feature `index` of a boundary file, read with its `columns`.
fn boundary_feature(
    index: usize,
    feature: &Value,
    columns: &BoundaryColumns,
) -> Result<BoundaryFeature, crate::service::ImportError> {
    use crate::domain::geometry::parse_geometry_limited;
    use crate::service::ImportError;
    let error = |pointer: &str, reason: String| ImportError {
        index,
        pointer: Some(pointer.to_owned()),
        reason,
    };
    let property = |name: &str| -> Result<String, ImportError> {
        match feature.get("properties").and_then(|p| p.get(name)) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            _ => Err(error(
                &format!("/properties/{name}"),
                format!("property {name:?} is missing or empty"),
            )),
        }
    };
    let geometry = feature.get("geometry").unwrap_or(&Value::Null);
    let boundary = match parse_geometry_limited(geometry, "/geometry", MAX_BOUNDARY_VERTICES)
        .map_err(|e| error(&e.pointer, e.detail))?
    {
        geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
        geo::Geometry::MultiPolygon(mp) => mp,
        other => {
            let kind = match other {
                geo::Geometry::Point(_) => "Point",
                geo::Geometry::LineString(_) => "LineString",
                geo::Geometry::MultiPoint(_) => "MultiPoint",
                _ => "MultiLineString",
            };
            return Err(error(
                "/geometry/type",
                format!("a boundary is a Polygon or MultiPolygon, not a {kind}"),
            ));
        }
    };
    Ok(BoundaryFeature {
        index,
        code: property(&columns.code)?,
        name: property(&columns.name)?,
        parent: columns.parent.as_deref().map(property).transpose()?,
        boundary,
    })
}

/// Why a boundary file was refused; nothing is changed in any case.
#[derive(Debug)]
pub enum BoundaryFileError {
    /// Not JSON (400).
    NotJson(String),
    /// JSON, but not a FeatureCollection (400).
    WrongDocument {
        /// JSON pointer of the member at fault.
        pointer: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// Features that cannot be read, each with its index (422).
    Features(Vec<crate::service::ImportError>),
}

impl std::fmt::Display for BoundaryFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BoundaryFileError::NotJson(d) | BoundaryFileError::WrongDocument { detail: d, .. } => {
                f.write_str(d)
            }
            BoundaryFileError::Features(errors) => {
                errors.iter().try_for_each(|e| writeln!(f, "{e}"))?;
                write!(f, "{} problems; nothing was changed", errors.len())
            }
        }
    }
}
