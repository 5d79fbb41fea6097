//! Observation times that keep the inspector's UTC offset.

use std::fmt;
use std::str::FromStr;

use jiff::civil::DateTime;
use jiff::tz::Offset;
use jiff::{Timestamp, ZonedDateTime};
use serde::{Deserialize, Serialize};

/// When a check was observed: a local date-time plus the UTC offset in force on the device.
///
/// Stored and shown as RFC 3339 with offset (`2026-03-29T10:15:00+03:00`); the calendar date
/// the inspector saw never shifts, and [`ObservedAt::utc`] gives the instant for sorting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ObservedAt {
    local: DateTime,
    offset: Offset,
}

/// Error for a time that is not RFC 3339 with an offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid observed_at {value:?}: expected a date-time with UTC offset such as 2026-03-29T10:15+03:00 or 2026-03-29T07:15Z ({reason})"
)]
pub struct InvalidTime {
    /// The rejected input.
    pub value: String,
    /// Why the parser refused it.
    pub reason: String,
}

impl ObservedAt {
    /// The civil date-time and the offset it was recorded with, for parsers that have
    /// checked that the pair maps to an instant jiff can represent.
    pub(crate) fn from_parts(local: DateTime, offset: Offset) -> Self {
        Self { local, offset }
    }

    /// The current time with the system's current UTC offset.
    pub fn now() -> Self {
        let now = ZonedDateTime::now();
        Self {
            local: now.datetime(),
            offset: now.offset(),
        }
    }

    /// The instant in UTC.
    pub fn utc(&self) -> Timestamp {
        // A civil date-time plus a fixed offset always maps to exactly one instant.
        self.offset
            .to_timestamp(self.local)
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// The UTC offset the observation was recorded with.
    pub fn offset(&self) -> Offset {
        self.offset
    }

    /// The local civil date-time the inspector's device showed; its date never shifts.
    pub fn local(&self) -> DateTime {
        self.local
    }
}

impl FromStr for ObservedAt {
    type Err = InvalidTime;

    /// Parses with [`crate::input::parse_datetime`]: RFC 3339 with an offset, and the
    /// forms people type (space for `T`, `+03`, Arabic-Indic digits).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use crate::input::DateTimeRule;
        crate::input::parse_datetime(s).map_err(|e| InvalidTime {
            value: s.to_owned(),
            reason: match e.rule {
                DateTimeRule::Syntax(reason) => reason,
                rule => rule.to_string(),
            },
        })
    }
}

impl fmt::Display for ObservedAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.offset.seconds();
        let sign = if secs < 0 { '-' } else { '+' };
        let abs = secs.unsigned_abs();
        write!(
            f,
            "{}{sign}{:02}:{:02}",
            self.local.strftime("%Y-%m-%dT%H:%M:%S"),
            abs / 3600,
            (abs % 3600) / 60
        )
    }
}

impl TryFrom<String> for ObservedAt {
    type Error = InvalidTime;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<ObservedAt> for String {
    fn from(t: ObservedAt) -> Self {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_offset_and_local_date() {
        for (input, shown, utc) in [
            (
                "2026-03-29T02:30+05:45",
                "2026-03-29T02:30:00+05:45",
                "2026-03-28T20:45:00Z",
            ),
            (
                "2026-03-29T10:15:00+03:00",
                "2026-03-29T10:15:00+03:00",
                "2026-03-29T07:15:00Z",
            ),
            (
                "2026-03-29T07:15Z",
                "2026-03-29T07:15:00+00:00",
                "2026-03-29T07:15:00Z",
            ),
        ] {
            let t: ObservedAt = input.parse().expect(input);
            assert_eq!(t.to_string(), shown);
            assert_eq!(t.utc().to_string(), utc);
            assert_eq!(t.to_string().parse::<ObservedAt>(), Ok(t));
        }
    }

    #[test]
    fn rejects_times_without_offset() {
        let err = "2026-03-29T10:15".parse::<ObservedAt>().unwrap_err();
        assert!(err.to_string().contains("no UTC offset"), "{err}");
        assert!("yesterday".parse::<ObservedAt>().is_err());
    }
}
