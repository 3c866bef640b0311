//! Timestamps: microseconds since the Unix epoch, shown as RFC 3339 in UTC.

use chrono::format::{Item, Numeric, Pad, Parsed};
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Timelike, Utc};

/// Microseconds since 1970-01-01T00:00:00Z.
pub type Micros = i64;

/// The current time, in microseconds.
pub fn now() -> Micros {
    Utc::now().timestamp_micros()
}

/// RFC 3339 in UTC with microseconds, e.g. `2026-11-24T12:00:00.123456Z`.
pub fn format(t: Micros) -> String {
    let mut out = Vec::with_capacity(27);
    write(&mut out, t);
    // Only ASCII is ever written.
    String::from_utf8(out).unwrap_or_default()
}

/// [`format`] written at the end of `out`. Digit by digit: chrono's own
/// formatting costs more than the rest of a Feature's text, and every
/// Feature has two timestamps.
pub fn write(out: &mut Vec<u8>, t: Micros) {
    let time = DateTime::<Utc>::from_timestamp_micros(t).unwrap_or_default();
    let year = time.year();
    if !(0..=9999).contains(&year) {
        // Years RFC 3339 cannot write in four digits: chrono's text.
        let text = time.to_rfc3339_opts(SecondsFormat::Micros, true);
        out.extend_from_slice(text.as_bytes());
        return;
    }
    let digits = |out: &mut Vec<u8>, n: u32, width: u32| {
        for place in (0..width).rev() {
            out.push(b'0' + (n / 10u32.pow(place) % 10) as u8);
        }
    };
    digits(out, year as u32, 4);
    let parts = [
        (b'-', time.month(), 2),
        (b'-', time.day(), 2),
        (b'T', time.hour(), 2),
        (b':', time.minute(), 2),
        (b':', time.second(), 2),
        (b'.', time.timestamp_subsec_micros(), 6),
    ];
    for (separator, n, width) in parts {
        out.push(separator);
        digits(out, n, width);
    }
    out.push(b'Z');
}

/// Parses an RFC 3339 date-time (any offset) into microseconds.
pub fn parse_datetime(s: &str) -> Result<Micros, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.timestamp_micros())
        .map_err(|e| format!("{s:?} is not an RFC 3339 date-time ({e})"))
}

/// `%Y-%m-%d` as chrono's parser takes it, spelled out once instead of
/// read from the format string on every call (as `parse_from_str` does):
/// start-up reads every stored plan's two dates.
const DATE_ITEMS: [Item<'static>; 5] = [
    Item::Numeric(Numeric::Year, Pad::Zero),
    Item::Literal("-"),
    Item::Numeric(Numeric::Month, Pad::Zero),
    Item::Literal("-"),
    Item::Numeric(Numeric::Day, Pad::Zero),
];

/// A calendar date `YYYY-MM-DD`, exactly as
/// `NaiveDate::parse_from_str(s, "%Y-%m-%d")` reads it.
pub fn parse_calendar_date(s: &str) -> Option<NaiveDate> {
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, s, DATE_ITEMS.iter()).ok()?;
    parsed.to_naive_date().ok()
}

/// Parses a calendar date `YYYY-MM-DD` into the microsecond range it spans
/// (start inclusive, end inclusive).
pub fn parse_date(s: &str) -> Option<(Micros, Micros)> {
    let date = parse_calendar_date(s)?;
    let start = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_micros();
    Some((start, start + 86_400_000_000 - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_exactly_as_chronos_format_string_parser_reads_them() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let pieces = [
            "2026",
            "0999",
            "99999",
            "+2026",
            "-0044",
            "1",
            "01",
            "12",
            "13",
            "00",
            "29",
            "30",
            "31",
            "32",
            "02",
            "-",
            " ",
            "",
            "x",
            "2024-02-29",
            "2023-02-29",
            "٣",
        ];
        let mut cases: Vec<String> = vec![
            "2026-06-30".into(),
            "2026-6-30".into(),
            " 2026-06-30".into(),
            "2026-06-30 ".into(),
            "2026-06-30x".into(),
            "".into(),
        ];
        for _ in 0..20_000 {
            let n = rng.random_range(1..6);
            cases.push(
                (0..n)
                    .map(|_| pieces[rng.random_range(0..pieces.len())])
                    .collect(),
            );
        }
        assert_eq!(
            chrono::format::StrftimeItems::new("%Y-%m-%d").collect::<Vec<_>>(),
            DATE_ITEMS.to_vec()
        );
        let mut valid = 0;
        for s in &cases {
            let reference = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            assert_eq!(parse_calendar_date(s), reference, "{s:?}");
            valid += usize::from(reference.is_some());
        }
        // The cases exercise both outcomes.
        assert!(valid > 100, "only {valid} valid dates");
    }

    #[test]
    fn formatting_round_trips_through_parsing() {
        let t = parse_datetime("2026-11-24T12:30:00.25-04:00").unwrap();
        assert_eq!(format(t), "2026-11-24T16:30:00.250000Z");
        assert_eq!(parse_datetime(&format(t)).unwrap(), t);
    }

    /// The same text as chrono's RFC 3339 writer, for instants from before
    /// year 0 to after 9999 and at the edges of days and seconds.
    #[test]
    fn formatting_writes_what_chrono_writes() {
        use rand::{RngExt, SeedableRng};
        let chrono_text = |t: Micros| {
            DateTime::<Utc>::from_timestamp_micros(t)
                .unwrap()
                .to_rfc3339_opts(SecondsFormat::Micros, true)
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let year = 31_556_952_000_000_i64;
        let mut cases = vec![0, -1, 1, 999_999, 1_000_000, 86_400_000_000 - 1];
        cases.extend((0..100_000).map(|_| rng.random_range(-100 * year..300 * year)));
        cases.extend((0..10_000).map(|_| rng.random_range(-1_980 * year..8_100 * year)));
        cases.extend((0..10_000).map(|_| rng.random_range(0..86_400) * 1_000_000));
        for t in cases {
            assert_eq!(format(t), chrono_text(t), "{t}");
        }
    }

    #[test]
    fn a_date_spans_its_whole_day() {
        let (a, b) = parse_date("2026-01-31").unwrap();
        assert_eq!(format(a), "2026-01-31T00:00:00.000000Z");
        assert_eq!(format(b), "2026-01-31T23:59:59.999999Z");
        assert!(parse_date("2026-02-30").is_none());
    }
}
