//! `sortby` (OGC API – Features Part 8, as pygeoapi and GDAL send it): a
//! comma-separated list of queryables, each optionally prefixed with `+`
//! (ascending, the default) or `-` (descending).

use std::cmp::Ordering;

use super::cql::{Kind, Queryables, Scalar};

/// One key of a `sortby`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    /// The queryable's position in its collection's [`Queryables`].
    pub position: usize,
    /// Largest first.
    pub descending: bool,
}

/// Most keys one `sortby` may hold.
pub const MAX_KEYS: usize = 8;

/// Parses `sortby` against `queryables`; the geometry cannot be sorted on.
pub fn parse_sortby(s: &str, queryables: &Queryables) -> Result<Vec<SortKey>, String> {
    let keys = s
        .split(',')
        .map(|item| {
            let item = item.trim();
            let (descending, name) = match item.as_bytes().first() {
                Some(b'-') => (true, &item[1..]),
                // A `+` arrives as a space when the client did not encode it.
                Some(b'+' | b' ') => (false, item[1..].trim()),
                _ => (false, item),
            };
            let position = queryables.position(name).ok_or_else(|| {
                format!(
                    "sortby names {name:?}, which is not a queryable; queryables: {}",
                    queryables.names()
                )
            })?;
            if queryables.get(position).kind == Kind::Geometry {
                return Err(format!("sortby cannot sort on the geometry {name:?}"));
            }
            Ok(SortKey {
                position,
                descending,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if keys.len() > MAX_KEYS {
        return Err(format!("sortby takes at most {MAX_KEYS} keys"));
    }
    Ok(keys)
}

/// The order of two values of one queryable under `key`: as PostgreSQL
/// orders, missing values come last ascending and first descending.
pub fn compare(a: &Scalar<'_>, b: &Scalar<'_>, key: SortKey) -> Ordering {
    let ascending = match (a, b) {
        (Scalar::Null, Scalar::Null) => Ordering::Equal,
        (Scalar::Null, _) => Ordering::Greater,
        (_, Scalar::Null) => Ordering::Less,
        (Scalar::Num(x), Scalar::Num(y)) => x.total_cmp(y),
        (Scalar::Text(x), Scalar::Text(y)) => x.cmp(y),
        (Scalar::Instant(x), Scalar::Instant(y)) => x.cmp(y),
        (Scalar::Date(x), Scalar::Date(y)) => x.cmp(y),
        (Scalar::Bool(x), Scalar::Bool(y)) => x.cmp(y),
        // One queryable has one kind.
        _ => Ordering::Equal,
    };
    if key.descending {
        ascending.reverse()
    } else {
        ascending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::queryables::{PRIORITIES, priority as q};

    #[test]
    fn keys_take_a_sign_and_must_be_queryables() {
        assert_eq!(
            parse_sortby("-created_at,+title, rank", &PRIORITIES).unwrap(),
            vec![
                SortKey {
                    position: q::CREATED_AT,
                    descending: true
                },
                SortKey {
                    position: q::TITLE,
                    descending: false
                },
                SortKey {
                    position: q::RANK,
                    descending: false
                },
            ]
        );
        // An unencoded `+` is a space.
        assert_eq!(
            parse_sortby(" title", &PRIORITIES).unwrap()[0].position,
            q::TITLE
        );
        let error = parse_sortby("colour", &PRIORITIES).unwrap_err();
        assert!(
            error.starts_with(r#"sortby names "colour", which is not a queryable"#),
            "{error}"
        );
        assert_eq!(
            parse_sortby("geometry", &PRIORITIES).unwrap_err(),
            r#"sortby cannot sort on the geometry "geometry""#
        );
        assert!(
            parse_sortby(
                "title,title,title,title,title,title,title,title,title",
                &PRIORITIES
            )
            .is_err()
        );
    }

    #[test]
    fn missing_values_come_last_ascending_and_first_descending() {
        let up = SortKey {
            position: q::RANK,
            descending: false,
        };
        let down = SortKey {
            descending: true,
            ..up
        };
        assert_eq!(
            compare(&Scalar::Null, &Scalar::Num(1.0), up),
            Ordering::Greater
        );
        assert_eq!(
            compare(&Scalar::Null, &Scalar::Num(1.0), down),
            Ordering::Less
        );
        assert_eq!(
            compare(&Scalar::Num(1.0), &Scalar::Num(2.0), down),
            Ordering::Greater
        );
    }
}
