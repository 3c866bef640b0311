//! Territory and council codes.
//!
//! Territories use INE-style numeric codes: a state has 2 digits, a
//! municipality 4 (its state's code plus 2), a parish 6 (its municipality's
//! code plus 2). Because every code is prefixed by its parent's, the parent of
//! any territory is derived from its code alone, and a parish code held as a
//! number answers "is this parish inside state S" with one division.

use std::fmt;
use std::str::FromStr;

/// The three territorial levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// A state (*estado*): two digits.
    State,
    /// A municipality (*municipio*): four digits, its state's first.
    Municipality,
    /// A parish (*parroquia*): six digits, its municipality's first.
    Parish,
}

impl Level {
    /// Number of digits in a code of this level.
    pub const fn digits(self) -> usize {
        match self {
            Level::State => 2,
            Level::Municipality => 4,
            Level::Parish => 6,
        }
    }

    /// The level directly above, if any.
    pub const fn parent(self) -> Option<Level> {
        match self {
            Level::State => None,
            Level::Municipality => Some(Level::State),
            Level::Parish => Some(Level::Municipality),
        }
    }

    /// The name used in the API (`state`, `municipality`, `parish`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::State => "state",
            Level::Municipality => "municipality",
            Level::Parish => "parish",
        }
    }

    /// The collection that lists territories of this level.
    pub const fn collection(self) -> &'static str {
        match self {
            Level::State => "states",
            Level::Municipality => "municipalities",
            Level::Parish => "parishes",
        }
    }

    /// Every level, from the largest.
    pub const ALL: [Level; 3] = [Level::State, Level::Municipality, Level::Parish];
}

/// A validated territory code of a known level, e.g. `01`, `0101`, `010101`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TerritoryCode {
    level: Level,
    value: u32,
}

impl TerritoryCode {
    /// Parses a code of the given level: exactly `level.digits()` ASCII digits,
    /// and (for states) not `00`.
    pub fn parse(level: Level, s: &str) -> Result<Self, String> {
        let digits = level.digits();
        if s.len() != digits || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "a {} code is {digits} digits (got {s:?})",
                level.as_str()
            ));
        }
        let value: u32 = s.parse().map_err(|_| format!("invalid code {s:?}"))?;
        if value.is_multiple_of(100) {
            return Err(format!(
                "{s:?} is not a {} code: its last two digits cannot be 00",
                level.as_str()
            ));
        }
        Ok(Self { level, value })
    }

    /// A parish code from its numeric value (as kept in the index).
    pub fn parish(value: u32) -> Self {
        Self {
            level: Level::Parish,
            value,
        }
    }

    /// The level the code names a territory of.
    pub fn level(self) -> Level {
        self.level
    }

    /// The code as a number (`010101` → 10101).
    pub fn value(self) -> u32 {
        self.value
    }

    /// The territory one level up (a parish's municipality, a municipality's state).
    pub fn parent(self) -> Option<TerritoryCode> {
        self.level.parent().map(|level| TerritoryCode {
            level,
            value: self.value / 100,
        })
    }

    /// The ancestor (or self) at `level`, when `level` is not below this code's.
    pub fn at_level(self, level: Level) -> Option<TerritoryCode> {
        let up = self.level.digits().checked_sub(level.digits())?;
        Some(TerritoryCode {
            level,
            value: self.value / 10u32.pow(up as u32),
        })
    }

    /// The first and last parish codes inside this territory (itself, for a
    /// parish): indexes keyed by parish answer a state or municipality with
    /// one range.
    pub fn parish_range(self) -> (TerritoryCode, TerritoryCode) {
        let scale = 10u32.pow((Level::Parish.digits() - self.level.digits()) as u32);
        let first = self.value * scale;
        (
            TerritoryCode::parish(first),
            TerritoryCode::parish(first + scale - 1),
        )
    }

    /// Whether `self` is `other` or lies inside it.
    pub fn is_within(self, other: TerritoryCode) -> bool {
        self.at_level(other.level) == Some(other)
    }
}

impl fmt::Display for TerritoryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value, width = self.level.digits())
    }
}

/// A council's registry code: 1–40 characters of letters, digits, `-`, `_` or `.`.
///
/// The national registry's format has changed over the years, so the service
/// only enforces what keeps the code safe in URLs and logs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CouncilCode(String);

impl CouncilCode {
    /// The code as written (`CC-010101-001`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CouncilCode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok_len = (1..=40).contains(&s.len());
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if ok_len && ok_chars {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!(
                "a council code is 1 to 40 letters, digits, '-', '_' or '.' (got {s:?})"
            ))
        }
    }
}

impl fmt::Display for CouncilCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parish_codes_know_their_ancestors() {
        let parish = TerritoryCode::parse(Level::Parish, "010122").unwrap();
        assert_eq!(parish.to_string(), "010122");
        assert_eq!(parish.parent().unwrap().to_string(), "0101");
        assert_eq!(parish.at_level(Level::State).unwrap().to_string(), "01");
        let state = TerritoryCode::parse(Level::State, "01").unwrap();
        assert!(parish.is_within(state));
        assert!(!parish.is_within(TerritoryCode::parse(Level::State, "02").unwrap()));
        assert_eq!(state.at_level(Level::Parish), None);
    }

    #[test]
    fn codes_of_the_wrong_length_or_with_letters_are_rejected() {
        assert!(TerritoryCode::parse(Level::State, "1").is_err());
        assert!(TerritoryCode::parse(Level::State, "001").is_err());
        assert!(TerritoryCode::parse(Level::Municipality, "01a1").is_err());
        assert!(TerritoryCode::parse(Level::Parish, "010100").is_err());
        assert!(TerritoryCode::parse(Level::State, "00").is_err());
        assert!(TerritoryCode::parse(Level::State, "+1").is_err());
    }

    #[test]
    fn council_codes_are_url_safe() {
        assert!("CC-0101-001".parse::<CouncilCode>().is_ok());
        assert!("".parse::<CouncilCode>().is_err());
        assert!("a b".parse::<CouncilCode>().is_err());
        assert!("x/y".parse::<CouncilCode>().is_err());
        assert!("x".repeat(41).parse::<CouncilCode>().is_err());
    }
}
