//! Timestamps: microseconds since the Unix epoch, shown as RFC 3339 in UTC.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// Microseconds since 1970-01-01T00:00:00Z.
pub type Micros = i64;

/// The current time, in microseconds.
pub fn now() -> Micros {
    Utc::now().timestamp_micros()
}

/// RFC 3339 in UTC with microseconds, e.g. `2026-11-24T12:00:00.123456Z`.
pub fn format(t: Micros) -> String {
    DateTime::<Utc>::from_timestamp_micros(t)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses an RFC 3339 date-time (any offset) into microseconds.
pub fn parse_datetime(s: &str) -> Result<Micros, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.timestamp_micros())
        .map_err(|e| format!("{s:?} is not an RFC 3339 date-time ({e})"))
}

/// Parses a calendar date `YYYY-MM-DD` into the microsecond range it spans
/// (start inclusive, end inclusive).
pub fn parse_date(s: &str) -> Option<(Micros, Micros)> {
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let start = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_micros();
    Some((start, start + 86_400_000_000 - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_round_trips_through_parsing() {
        let t = parse_datetime("2026-11-24T12:30:00.25-04:00").unwrap();
        assert_eq!(format(t), "2026-11-24T16:30:00.250000Z");
        assert_eq!(parse_datetime(&format(t)).unwrap(), t);
    }

    #[test]
    fn a_date_spans_its_whole_day() {
        let (a, b) = parse_date("2026-01-31").unwrap();
        assert_eq!(format(a), "2026-01-31T00:00:00.000000Z");
        assert_eq!(format(b), "2026-01-31T23:59:59.999999Z");
        assert!(parse_date("2026-02-30").is_none());
    }
}
