//! The filters a client can put on a list of priorities, each parsed from its
//! query-string form into a valid value.
//!
//! # Units
//! Longitudes and latitudes in WGS84 degrees, radii in metres.

use std::str::FromStr;

use geo::{Point, Rect};

use super::codes::{CouncilCode, Level, TerritoryCode};
use super::priority::{Category, Placement, Status};
use super::time::{self, Micros};

/// Default page size.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page size; larger requests are clamped to it (OGC API – Features).
pub const MAX_LIMIT: usize = 10_000;
/// Largest radius a `point`/`radius` query may use, in metres.
pub const MAX_RADIUS_M: f64 = 100_000.0;

/// A `bbox=minLon,minLat,maxLon,maxLat` filter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox(pub Rect<f64>);

impl FromStr for Bbox {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let n = numbers(s, "bbox")?;
        if n.len() != 4 {
            return Err(format!(
                "bbox is minLon,minLat,maxLon,maxLat (4 numbers); got {} values",
                n.len()
            ));
        }
        let (min_lon, min_lat, max_lon, max_lat) = (n[0], n[1], n[2], n[3]);
        check_lon_lat(min_lon, min_lat, "bbox")?;
        check_lon_lat(max_lon, max_lat, "bbox")?;
        if min_lon > max_lon || min_lat > max_lat {
            return Err(format!(
                "bbox is inverted: minLon {min_lon} must be <= maxLon {max_lon} and minLat {min_lat} <= maxLat {max_lat}"
            ));
        }
        Ok(Bbox(Rect::new((min_lon, min_lat), (max_lon, max_lat))))
    }
}

/// A `point=lon,lat` centre.
pub fn parse_point(s: &str) -> Result<Point<f64>, String> {
    let n = numbers(s, "point")?;
    if n.len() != 2 {
        return Err(format!(
            "point is lon,lat (2 numbers); got {} values",
            n.len()
        ));
    }
    check_lon_lat(n[0], n[1], "point")?;
    Ok(Point::new(n[0], n[1]))
}

/// A `radius=<metres>` from 0 to [`MAX_RADIUS_M`].
pub fn parse_radius(s: &str) -> Result<f64, String> {
    let r: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("radius must be a number of metres; got {s:?}"))?;
    if !r.is_finite() || !(0.0..=MAX_RADIUS_M).contains(&r) {
        return Err(format!(
            "radius must be from 0 to {MAX_RADIUS_M} metres; got {s}"
        ));
    }
    Ok(r)
}

/// Features within `radius_m` metres of `center`, nearest first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    /// The centre, WGS84 lon/lat degrees.
    pub center: Point<f64>,
    /// The radius, metres.
    pub radius_m: f64,
}

/// A closed interval of creation times; `None` ends are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Interval {
    /// The first instant included; `None`: no start.
    pub start: Option<Micros>,
    /// The last instant included; `None`: no end.
    pub end: Option<Micros>,
}

impl Interval {
    /// Whether `t` lies in the interval.
    pub fn contains(&self, t: Micros) -> bool {
        self.start.is_none_or(|s| t >= s) && self.end.is_none_or(|e| t <= e)
    }
}

impl FromStr for Interval {
    type Err = String;

    /// OGC `datetime`: an instant (`2026-01-31T10:00:00Z`, or a date standing for
    /// its whole day) or an interval `start/end` where either end may be `..`
    /// or empty for open.
    fn from_str(s: &str) -> Result<Self, String> {
        let bound = |part: &str, is_end: bool| -> Result<Option<Micros>, String> {
            match part {
                "" | ".." => Ok(None),
                p => match day(p) {
                    Some((start, end)) => Ok(Some(if is_end { end } else { start })),
                    None => time::parse_datetime(p).map(Some),
                },
            }
        };
        let interval = match s.split_once('/') {
            None => match day(s) {
                Some((start, end)) => Interval {
                    start: Some(start),
                    end: Some(end),
                },
                None => {
                    let t = time::parse_datetime(s)?;
                    Interval {
                        start: Some(t),
                        end: Some(t),
                    }
                }
            },
            Some((a, b)) => {
                if b.contains('/') {
                    return Err(format!("datetime has more than one '/': {s:?}"));
                }
                Interval {
                    start: bound(a, false)?,
                    end: bound(b, true)?,
                }
            }
        };
        if let (Some(a), Some(b)) = (interval.start, interval.end)
            && a > b
        {
            return Err(format!("datetime interval {s:?} ends before it starts"));
        }
        Ok(interval)
    }
}

/// A calendar date's whole day. GDAL 3.6 sends a date followed by a bare
/// `T` (`2026-01-01T`) for a date-only condition; that means the same day.
fn day(s: &str) -> Option<(Micros, Micros)> {
    time::parse_date(s).or_else(|| s.strip_suffix('T').and_then(time::parse_date))
}

/// Parses a comma-separated list with `parse` for each element.
pub fn parse_list<T>(s: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Vec<T>, String> {
    s.split(',').map(|item| parse(item.trim())).collect()
}

/// A comma-separated list of territory codes of one level.
pub fn parse_codes(s: &str, level: Level) -> Result<Vec<TerritoryCode>, String> {
    parse_list(s, |c| TerritoryCode::parse(level, c))
}

/// Everything a client can ask of the priorities collection. Every filter
/// present must hold (AND); within a list, any value may match (OR).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriorityFilter {
    /// Only priorities whose geometry intersects the box.
    pub bbox: Option<Bbox>,
    /// Only priorities within the circle, nearest first.
    pub near: Option<Near>,
    /// Only priorities created in the interval.
    pub datetime: Option<Interval>,
    /// States; a priority matches if it lies in any of them.
    pub states: Vec<TerritoryCode>,
    /// Municipalities; a priority matches if it lies in any of them.
    pub municipalities: Vec<TerritoryCode>,
    /// Parishes; a priority matches if it lies in any of them.
    pub parishes: Vec<TerritoryCode>,
    /// Councils; a priority matches if it is of any of them.
    pub councils: Vec<CouncilCode>,
    /// Categories; a priority matches if it has any of them.
    pub categories: Vec<Category>,
    /// Statuses; a priority matches if it has any of them.
    pub statuses: Vec<Status>,
    /// Placements; a priority matches if it has any of them.
    pub placements: Vec<Placement>,
    /// `Some((wanted, today))`: only priorities whose plan's target date is
    /// before `today` and that are not done or rejected (or, with `false`,
    /// all others).
    pub overdue: Option<(bool, chrono::NaiveDate)>,
    /// Originals; a priority matches if it is marked the duplicate of any
    /// of them.
    pub duplicate_of: Vec<uuid::Uuid>,
    /// `Some(true)`: only priorities that other priorities are marked the
    /// duplicates of; `Some(false)`: only the others.
    pub has_duplicates: Option<bool>,
    /// A CQL2 filter (`filter=`), checked on every candidate; see
    /// [`PriorityFilter::narrowed`] for how it also narrows the candidates.
    pub filter: Option<std::sync::Arc<super::cql::Filter>>,
}

impl PriorityFilter {
    /// Whether a filter must read each candidate's entry, which no R-tree
    /// leaf carries: councils, overdue plans, duplicates, a CQL2 filter.
    pub fn needs_entry(&self) -> bool {
        !self.councils.is_empty()
            || self.overdue.is_some()
            || !self.duplicate_of.is_empty()
            || self.has_duplicates.is_some()
            || self.filter.is_some()
    }
}

/// Which page of a result to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Most items on the page.
    pub limit: usize,
    /// Items skipped before the page.
    pub offset: usize,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

/// A `limit`: a whole number from 1; above [`MAX_LIMIT`] it is clamped.
pub fn parse_limit(s: &str) -> Result<usize, String> {
    match s.parse::<u64>() {
        Ok(0) => Err("limit must be at least 1".into()),
        Ok(n) => Ok((n.min(MAX_LIMIT as u64)) as usize),
        Err(_) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => Ok(MAX_LIMIT),
        Err(_) => Err(format!(
            "limit must be a whole number from 1 to {MAX_LIMIT}; got {s:?}"
        )),
    }
}

/// An `offset`: a whole number from 0.
pub fn parse_offset(s: &str) -> Result<usize, String> {
    s.parse::<usize>()
        .map_err(|_| format!("offset must be a whole number from 0; got {s:?}"))
}

fn numbers(s: &str, name: &str) -> Result<Vec<f64>, String> {
    s.split(',')
        .map(|p| {
            let x: f64 = p
                .trim()
                .parse()
                .map_err(|_| format!("{name} has a value that is not a number: {p:?}"))?;
            if x.is_finite() {
                Ok(x)
            } else {
                Err(format!("{name} values must be finite; got {p}"))
            }
        })
        .collect()
}

fn check_lon_lat(lon: f64, lat: f64, name: &str) -> Result<(), String> {
    if !(-180.0..=180.0).contains(&lon) {
        return Err(format!("{name} longitude {lon} is outside [-180, 180]"));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!("{name} latitude {lat} is outside [-90, 90]"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_must_have_four_ordered_numbers_in_range() {
        assert!("-67,10,-66,11".parse::<Bbox>().is_ok());
        assert!(
            "-66,10,-67,11"
                .parse::<Bbox>()
                .unwrap_err()
                .contains("inverted")
        );
        assert!(
            "-67,11,-66,10"
                .parse::<Bbox>()
                .unwrap_err()
                .contains("inverted")
        );
        let error = |s: &str| s.parse::<Bbox>().unwrap_err();
        assert_eq!(
            error("-67,10,-66"),
            "bbox is minLon,minLat,maxLon,maxLat (4 numbers); got 3 values"
        );
        assert_eq!(
            error("-67,10,-66,x"),
            r#"bbox has a value that is not a number: "x""#
        );
        // Rust reads `NaN` and `inf` as numbers; they are refused as not finite.
        assert_eq!(
            error("-67,10,-66,NaN"),
            "bbox values must be finite; got NaN"
        );
        assert_eq!(
            error("-67,10,-66,inf"),
            "bbox values must be finite; got inf"
        );
        assert_eq!(
            error("-190,10,-66,11"),
            "bbox longitude -190 is outside [-180, 180]"
        );
    }

    #[test]
    fn radius_is_bounded() {
        assert_eq!(parse_radius("1500").unwrap(), 1500.0);
        let out_of_range = |got: &str| format!("radius must be from 0 to 100000 metres; got {got}");
        assert_eq!(parse_radius("-1"), Err(out_of_range("-1")));
        assert_eq!(parse_radius("100001"), Err(out_of_range("100001")));
        assert_eq!(parse_radius("NaN"), Err(out_of_range("NaN")));
        assert_eq!(
            parse_radius("ten"),
            Err(r#"radius must be a number of metres; got "ten""#.to_owned())
        );
    }

    #[test]
    fn limit_is_clamped_above_the_maximum_and_rejected_when_not_positive() {
        assert_eq!(parse_limit("10").unwrap(), 10);
        assert_eq!(parse_limit("50000").unwrap(), MAX_LIMIT);
        assert_eq!(parse_limit("99999999999999999999999").unwrap(), MAX_LIMIT);
        assert_eq!(parse_limit("0"), Err("limit must be at least 1".to_owned()));
        let not_whole =
            |got: &str| format!("limit must be a whole number from 1 to 10000; got {got:?}");
        assert_eq!(parse_limit("-5"), Err(not_whole("-5")));
        assert_eq!(parse_limit("unlimited"), Err(not_whole("unlimited")));
        assert_eq!(parse_limit(""), Err(not_whole("")));
    }

    #[test]
    fn datetime_accepts_instants_dates_and_open_intervals() {
        let i: Interval = "2026-01-01T00:00:00Z/..".parse().unwrap();
        assert!(i.start.is_some() && i.end.is_none());
        let i: Interval = "../2026-01-01".parse().unwrap();
        assert_eq!(
            i.end.map(time::format).unwrap(),
            "2026-01-01T23:59:59.999999Z"
        );
        let i: Interval = "2026-01-01T10:00:00Z".parse().unwrap();
        assert_eq!(i.start, i.end);
        let error = |s: &str| s.parse::<Interval>().unwrap_err();
        assert_eq!(
            error("2026-02-01/2026-01-01"),
            r#"datetime interval "2026-02-01/2026-01-01" ends before it starts"#
        );
        // The rest of the message is chrono's own reason.
        let yesterday = error("yesterday");
        assert!(
            yesterday.starts_with(r#""yesterday" is not an RFC 3339 date-time ("#),
            "{yesterday}"
        );
        assert_eq!(error("a/b/c"), r#"datetime has more than one '/': "a/b/c""#);
        // GDAL 3.6's date with a trailing `T` is that day.
        let gdal: Interval = "2026-01-01T/..".parse().unwrap();
        let date: Interval = "2026-01-01/..".parse().unwrap();
        assert_eq!(gdal, date);
        let gdal: Interval = "2026-01-01T".parse().unwrap();
        assert_eq!(gdal, "2026-01-01".parse::<Interval>().unwrap());
    }
}
