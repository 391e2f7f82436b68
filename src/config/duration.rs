//! Human-written durations for the estate file: `"15m"`, `"4h"`, `"1h30m"`, `"1d"`.
//!
//! RTO/RPO targets and intervals are whole seconds at most, so `Dur` only accepts whole
//! numbers of s, m, h and d. Units must run from largest to smallest and appear once each,
//! which keeps every value readable at a glance and makes `Display` round-trip exactly.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A whole-second duration that reads and prints like `"1h30m"`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Dur(Duration);

/// Why a string is not a duration; its `Display` is the message shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDurError {
    input: String,
}

impl fmt::Display for ParseDurError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid duration {:?}: expected a whole number followed by s, m, h or d, like \"15m\" or \"4h\"",
            self.input
        )
    }
}

impl std::error::Error for ParseDurError {}

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// Largest first: parsing enforces this order and `Display` prints in it.
const UNITS: [(char, u64); 4] = [('d', DAY), ('h', HOUR), ('m', MINUTE), ('s', 1)];

impl Dur {
    pub const ZERO: Dur = Dur(Duration::ZERO);

    pub const fn from_secs(secs: u64) -> Dur {
        Dur(Duration::from_secs(secs))
    }

    pub fn as_duration(&self) -> Duration {
        self.0
    }

    pub fn as_secs(&self) -> u64 {
        self.0.as_secs()
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }
}

impl From<Dur> for Duration {
    fn from(d: Dur) -> Duration {
        d.0
    }
}

impl FromStr for Dur {
    type Err = ParseDurError;

    fn from_str(s: &str) -> Result<Dur, ParseDurError> {
        let fail = || ParseDurError {
            input: s.to_owned(),
        };
        if s.is_empty() {
            return Err(fail());
        }
        let mut total: u64 = 0;
        // Index into UNITS of the next unit allowed; enforces largest-first, each once.
        let mut next_unit = 0;
        let mut rest = s;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(fail());
            }
            let number: u64 = rest[..digits].parse().map_err(|_| fail())?;
            let unit = rest[digits..].chars().next().ok_or_else(fail)?;
            let offset = UNITS[next_unit..]
                .iter()
                .position(|&(c, _)| c == unit)
                .ok_or_else(fail)?;
            let (_, scale) = UNITS[next_unit + offset];
            next_unit += offset + 1;
            total = number
                .checked_mul(scale)
                .and_then(|secs| total.checked_add(secs))
                .ok_or_else(fail)?;
            rest = &rest[digits + unit.len_utf8()..];
        }
        Ok(Dur::from_secs(total))
    }
}

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut secs = self.as_secs();
        if secs == 0 {
            return f.write_str("0m");
        }
        // Build first so width/alignment flags (e.g. `{:>6}` in tables) apply to the whole.
        let mut out = String::new();
        for (unit, scale) in UNITS {
            let n = secs / scale;
            if n > 0 {
                out.push_str(&n.to_string());
                out.push(unit);
                secs %= scale;
            }
        }
        f.pad(&out)
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Dur, D::Error> {
        struct DurVisitor;

        impl Visitor<'_> for DurVisitor {
            type Value = Dur;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration string like \"15m\" or \"4h\"")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Dur, E> {
                v.parse().map_err(E::custom)
            }
        }

        deserializer.deserialize_str(DurVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<u64, String> {
        s.parse::<Dur>()
            .map(|d| d.as_secs())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn parses_single_units() {
        assert_eq!(parse("45s"), Ok(45));
        assert_eq!(parse("15m"), Ok(15 * 60));
        assert_eq!(parse("4h"), Ok(4 * 3600));
        assert_eq!(parse("1d"), Ok(86_400));
        assert_eq!(parse("0m"), Ok(0));
        assert_eq!(parse("007m"), Ok(7 * 60));
    }

    #[test]
    fn parses_combinations() {
        assert_eq!(parse("1h30m"), Ok(5400));
        assert_eq!(parse("1d2h3m4s"), Ok(86_400 + 7200 + 180 + 4));
        assert_eq!(parse("2d12h"), Ok(2 * 86_400 + 12 * 3600));
        assert_eq!(parse("90m"), Ok(5400));
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "15",
            "m",
            "15 m",
            " 15m",
            "15m ",
            "1.5h",
            "-1h",
            "+1h",
            "15M",
            "15min",
            "1w",
            "30m1h",
            "1h1h",
            "1h 30m",
            "1h30",
            "h1",
            "١٥m",
            "99999999999999999999s",
            "213503982334602d",
        ] {
            let err = parse(bad).expect_err(bad);
            assert_eq!(
                err,
                format!(
                    "invalid duration {bad:?}: expected a whole number followed by s, m, h or d, like \"15m\" or \"4h\""
                )
            );
        }
    }

    #[test]
    fn displays_compactly() {
        let show = |secs| Dur::from_secs(secs).to_string();
        assert_eq!(show(0), "0m");
        assert_eq!(show(45), "45s");
        assert_eq!(show(15 * 60), "15m");
        assert_eq!(show(4 * 3600), "4h");
        assert_eq!(show(5400), "1h30m");
        assert_eq!(show(86_400), "1d");
        assert_eq!(show(86_400 + 3600), "1d1h");
        assert_eq!(show(3661), "1h1m1s");
        assert_eq!(format!("{:>6}|", Dur::from_secs(900)), "   15m|");
    }

    #[test]
    fn display_round_trips() {
        for secs in [
            0, 1, 59, 60, 61, 3599, 3600, 5400, 86_399, 86_400, 1_000_000,
        ] {
            let d = Dur::from_secs(secs);
            assert_eq!(d.to_string().parse::<Dur>(), Ok(d));
        }
    }

    #[test]
    fn orders_by_length() {
        assert!(Dur::from_secs(900) < Dur::from_secs(3600));
        assert_eq!(Dur::from_secs(60).as_duration(), Duration::from_secs(60));
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Holder {
        d: Dur,
    }

    #[test]
    fn toml_round_trip() {
        let h: Holder = toml::from_str("d = \"1h30m\"").unwrap();
        assert_eq!(h.d, Dur::from_secs(5400));
        assert_eq!(toml::to_string(&h).unwrap(), "d = \"1h30m\"\n");
    }

    #[test]
    fn toml_errors_name_the_input() {
        let err = toml::from_str::<Holder>("d = \"soon\"").unwrap_err();
        assert_eq!(
            err.message(),
            "invalid duration \"soon\": expected a whole number followed by s, m, h or d, like \"15m\" or \"4h\""
        );
        let err = toml::from_str::<Holder>("d = 15").unwrap_err();
        assert_eq!(
            err.message(),
            "invalid type: integer `15`, expected a duration string like \"15m\" or \"4h\""
        );
    }
}
