//! The OGC API – Features parameters shared by collections beyond Part 1:
//! CRS (Part 2: `crs`, `bbox-crs`), filtering (Part 3: `filter`,
//! `filter-lang`, `filter-crs`), `sortby` and `properties`, each parsed
//! into a domain value with errors naming the parameter.

use axum::http::HeaderValue;

use super::params::{ParamSpec, Params};
use super::problem::ApiError;
use crate::domain::cql::{Filter, JsonRecord, Kind, Lang, Queryables, Scalar};
use crate::domain::crs::Crs;
use crate::domain::query::Bbox;
use crate::domain::sort::{SortKey, parse_sortby};
use crate::reshape::Reshape;

const CRS_SCHEMA: &str = r#"{"type": "string", "format": "uri", "enum": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84", "http://www.opengis.net/def/crs/EPSG/0/4326", "http://www.opengis.net/def/crs/EPSG/0/3857"], "default": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}"#;

/// `crs=`: the CRS of the response's coordinates.
pub const CRS: ParamSpec = ParamSpec {
    name: "crs",
    description: "CRS of the returned coordinates (Part 2): CRS84 (default, lon/lat), EPSG:4326 (lat/lon) or EPSG:3857 (metres). Named back in the `Content-Crs` header.",
    schema: CRS_SCHEMA,
    example: r#""http://www.opengis.net/def/crs/EPSG/0/3857""#,
};

/// `bbox-crs=`: the CRS of `bbox`'s numbers.
pub const BBOX_CRS: ParamSpec = ParamSpec {
    name: "bbox-crs",
    description: "CRS of the `bbox` numbers (Part 2); with EPSG:4326 they are minLat,minLon,maxLat,maxLon.",
    schema: CRS_SCHEMA,
    example: r#""http://www.opengis.net/def/crs/OGC/1.3/CRS84""#,
};

/// `filter=`: a CQL2 expression.
pub const FILTER: ParamSpec = ParamSpec {
    name: "filter",
    description: "A CQL2 expression (Part 3) on the collection's queryables (`/collections/{id}/queryables`): comparisons, LIKE, BETWEEN, IN, IS NULL, CASEI, ACCENTI, arithmetic, S_INTERSECTS and the other spatial functions, T_AFTER and the other temporal functions, AND, OR, NOT.",
    schema: r#"{"type": "string"}"#,
    example: r#""category = 'water' AND status IN ('proposed', 'approved')""#,
};

/// `filter-lang=`.
pub const FILTER_LANG: ParamSpec = ParamSpec {
    name: "filter-lang",
    description: "The encoding of `filter`: `cql2-text` (default) or `cql2-json`; `cql-text` (the draft GDAL 3.6 sends) is read as cql2-text with ILIKE.",
    schema: r#"{"type": "string", "enum": ["cql2-text", "cql2-json", "cql-text"], "default": "cql2-text"}"#,
    example: r#""cql2-text""#,
};

/// `filter-crs=`: the CRS of geometries in `filter`.
pub const FILTER_CRS: ParamSpec = ParamSpec {
    name: "filter-crs",
    description: "CRS of the geometry literals in `filter` (default CRS84).",
    schema: CRS_SCHEMA,
    example: r#""http://www.opengis.net/def/crs/OGC/1.3/CRS84""#,
};

/// `sortby=`.
pub const SORTBY: ParamSpec = ParamSpec {
    name: "sortby",
    description: "Order of the features: queryables separated by commas, each optionally prefixed `+` (ascending, the default) or `-` (descending); ties by creation. Missing values come last ascending, first descending.",
    schema: r#"{"type": "array", "minItems": 1, "maxItems": 8, "items": {"type": "string", "pattern": "^[+-]?[a-z_]+$"}}"#,
    example: r#"["-created_at"]"#,
};

/// `properties=`.
pub const PROPERTIES: ParamSpec = ParamSpec {
    name: "properties",
    description: "The properties to return, comma separated, in that order; empty for none (bare geometries).",
    schema: r#"{"type": "array", "items": {"type": "string"}}"#,
    example: r#"["title", "status"]"#,
};

/// `datetime=` on a collection whose features have no time of their own
/// (territories): checked, then matching every feature, as OGC API –
/// Features Part 1 allows.
pub const DATETIME_NONE: ParamSpec = ParamSpec {
    name: "datetime",
    description: "Accepted as Part 1 requires; these features have no temporal property, so every feature matches a valid instant or interval.",
    schema: r#"{"type": "string"}"#,
    example: r#""2026-01-01T00:00:00Z/..""#,
};

/// `datetime=` on councils and communes: their registration time.
pub const DATETIME_REGISTERED: ParamSpec = ParamSpec {
    name: "datetime",
    description: "Only those registered (`created_at`) at the instant or within the interval (RFC 3339, `..` for an open end); those registered before the service kept the time (`created_at` null) match no datetime.",
    schema: r#"{"type": "string"}"#,
    example: r#""2026-01-01T00:00:00Z/..""#,
};

/// The features of a small collection (assembled per request as GeoJSON
/// texts) that `filter` keeps, in `sortby`'s order, and how each is to be
/// written (`properties`, `crs`). `datetime` is checked here; the councils'
/// and communes' handlers apply it to their registration times before.
pub fn select(
    params: &Params,
    queryables: &Queryables,
    features: Vec<String>,
) -> Result<(Vec<String>, Reshape), ApiError> {
    params.parsed("datetime", |s| s.parse::<crate::domain::query::Interval>())?;
    let filter = filter(params, queryables)?;
    let keys = sortby(params, queryables)?;
    let reshape = reshape(params, &known_properties(queryables))?;
    if filter.is_none() && keys.is_empty() {
        return Ok((features, reshape));
    }
    let records: Vec<JsonRecord<'_>> = features
        .iter()
        .map(|f| JsonRecord::new(f, queryables))
        .collect();
    let mut kept: Vec<usize> = (0..features.len())
        .filter(|i| filter.as_ref().is_none_or(|f| f.matches(&records[*i])))
        .collect();
    if !keys.is_empty() {
        use crate::domain::cql::Record;
        let values: Vec<Vec<Scalar<'_>>> = records
            .iter()
            .map(|r| keys.iter().map(|k| r.value(k.position)).collect())
            .collect();
        kept.sort_by(|a, b| {
            keys.iter()
                .enumerate()
                .map(|(k, key)| crate::domain::sort::compare(&values[*a][k], &values[*b][k], *key))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(b))
        });
    }
    drop(records);
    let mut features: Vec<Option<String>> = features.into_iter().map(Some).collect();
    let selected = kept
        .into_iter()
        .filter_map(|i| features[i].take())
        .collect();
    Ok((selected, reshape))
}

/// The properties a small collection's features have: its queryables but
/// the geometry.
fn known_properties(queryables: &Queryables) -> Vec<&'static str> {
    queryables
        .0
        .iter()
        .filter(|q| q.kind != Kind::Geometry)
        .map(|q| q.name)
        .collect()
}

/// The parameters of a small collection's items endpoint: its own, then
/// those of OGC API – Features Parts 1 to 3 that every collection takes
/// (`datetime`, `filter` and its language and CRS, `bbox-crs`, `sortby`,
/// `properties`, `crs`), then `f`.
macro_rules! collection_params {
    ($($own:expr),* $(,)?) => {
        $crate::http::ogc::collection_params![@ $crate::http::ogc::DATETIME_NONE; $($own),*]
    };
    (@ $datetime:expr; $($own:expr),* $(,)?) => {
        &[
            $($own,)*
            $datetime,
            $crate::http::ogc::FILTER,
            $crate::http::ogc::FILTER_LANG,
            $crate::http::ogc::FILTER_CRS,
            $crate::http::ogc::BBOX_CRS,
            $crate::http::ogc::SORTBY,
            $crate::http::ogc::PROPERTIES,
            $crate::http::ogc::CRS,
            $crate::http::params::FORMAT,
        ]
    };
}
pub(crate) use collection_params;

/// The CRS named by parameter `name` (CRS84 when absent).
pub fn crs(params: &Params, name: &str) -> Result<Crs, ApiError> {
    Ok(params.parsed(name, str::parse::<Crs>)?.unwrap_or_default())
}

/// `bbox`, read in `bbox-crs`, as a WGS84 box.
pub fn bbox(params: &Params) -> Result<Option<Bbox>, ApiError> {
    let crs = crs(params, "bbox-crs")?;
    params.parsed("bbox", |s| {
        if crs == Crs::Crs84 {
            return s.parse::<Bbox>();
        }
        let n: Vec<f64> = s
            .split(',')
            .map(|p| {
                p.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("bbox has a value that is not a number: {p:?}"))
            })
            .collect::<Result<_, _>>()?;
        let [a, b, c, d] = n.as_slice() else {
            return Err(format!(
                "bbox takes 4 numbers in bbox-crs; got {} values",
                n.len()
            ));
        };
        let (x1, y1) = crs.to_lon_lat(*a, *b);
        let (x2, y2) = crs.to_lon_lat(*c, *d);
        format!("{x1},{y1},{x2},{y2}").parse::<Bbox>()
    })
}

/// `filter`, read in `filter-lang` with geometries in `filter-crs`.
pub fn filter(params: &Params, queryables: &Queryables) -> Result<Option<Filter>, ApiError> {
    let (lang, legacy) = match params.get("filter-lang") {
        Some("cql-text") => (Lang::Text, true),
        _ => (
            params
                .parsed("filter-lang", str::parse::<Lang>)?
                .unwrap_or_default(),
            false,
        ),
    };
    let crs = crs(params, "filter-crs")?;
    params.parsed("filter", |s| {
        let text = if legacy {
            ilike_to_cql2(s)
        } else {
            s.to_owned()
        };
        Filter::parse(&text, lang, crs, queryables)
    })
}

/// `sortby`, against the collection's queryables.
pub fn sortby(params: &Params, queryables: &Queryables) -> Result<Vec<SortKey>, ApiError> {
    Ok(params
        .parsed("sortby", |s| parse_sortby(s, queryables))?
        .unwrap_or_default())
}

/// `properties` and `crs`: how each feature is written. A name must be a
/// property the collection's features have (`known`).
pub fn reshape(params: &Params, known: &[&str]) -> Result<Reshape, ApiError> {
    let properties = params.parsed("properties", |s| {
        let names: Vec<String> = s
            .split(',')
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        match names.iter().find(|n| !known.contains(&n.as_str())) {
            Some(unknown) => Err(format!(
                "properties names {unknown:?}, which these features do not have; they have: {}",
                known.join(", ")
            )),
            None => Ok(names),
        }
    })?;
    Ok(Reshape {
        properties,
        crs: crs(params, "crs")?,
    })
}

/// The `Content-Crs` header's value for `crs`: its URI in angle brackets.
pub fn content_crs(crs: Crs) -> HeaderValue {
    HeaderValue::from_str(&format!("<{}>", crs.uri())).unwrap_or(HeaderValue::from_static(""))
}

/// The draft CQL's `a ILIKE 'p'` (which GDAL 3.6 sends) as CQL2's
/// `CASEI(a) LIKE CASEI('p')`; everything else is left as written.
fn ilike_to_cql2(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(at) = find_outside_quotes(rest, " ILIKE ") {
        let (before, after) = rest.split_at(at);
        let after = &after[" ILIKE ".len()..];
        let operand_start = operand_start(before);
        out.push_str(&before[..operand_start]);
        out.push_str(&format!("CASEI({}) LIKE ", before[operand_start..].trim()));
        let literal_end = literal_end(after);
        out.push_str(&format!("CASEI({})", &after[..literal_end]));
        rest = &after[literal_end..];
    }
    out.push_str(rest);
    out
}

/// Where `needle` (ASCII, compared without case) first stands outside a
/// quoted string.
fn find_outside_quotes(text: &str, needle: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        match (quote, bytes[i]) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b @ (b'\'' | b'"')) => quote = Some(b),
            (None, _) => {
                if text.is_char_boundary(i)
                    && text.len() >= i + needle.len()
                    && text.is_char_boundary(i + needle.len())
                    && text[i..i + needle.len()].eq_ignore_ascii_case(needle)
                {
                    return Some(i);
                }
            }
        }
    }
    None
}

/// Where the operand ending `before` starts: a quoted or bare identifier.
fn operand_start(before: &str) -> usize {
    let trimmed = before.trim_end();
    if let Some(inner) = trimmed.strip_suffix('"') {
        return inner.rfind('"').unwrap_or(0);
    }
    trimmed
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '.'))
        .map_or(0, |i| i + 1)
}

/// Where the string literal opening `after` ends (just past its quote).
fn literal_end(after: &str) -> usize {
    let bytes = after.as_bytes();
    if bytes.first() != Some(&b'\'') {
        return after.find(' ').unwrap_or(after.len());
    }
    let mut i = 1;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    after.len()
}

#[cfg(test)]
mod tests {
    use super::ilike_to_cql2;

    #[test]
    fn ilike_becomes_a_case_insensitive_like() {
        assert_eq!(
            ilike_to_cql2(r#"("title" ILIKE '%agua''s%') AND (category = 'water')"#),
            r#"(CASEI("title") LIKE CASEI('%agua''s%')) AND (category = 'water')"#
        );
        assert_eq!(
            ilike_to_cql2("title ILIKE 'a' OR name ilike 'b'"),
            "CASEI(title) LIKE CASEI('a') OR CASEI(name) LIKE CASEI('b')"
        );
        assert_eq!(ilike_to_cql2("title = ' ILIKE '"), "title = ' ILIKE '");
    }
}
