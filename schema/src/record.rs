//! A check as exports and reports read it ([`CheckRecord`]), and which checks they read
//! ([`RecordFilter`]): the same selection on a device (`fieldsync export --kind bakery`) and
//! on the server (`GET /api/v1/export?kind=bakery`).

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::forms::is_valid;
use crate::validation::check_violations;
use crate::{Check, Conflict, FacilityKind, ReviewState, SiteId, Violation};

/// One check with what a reader of an export needs beside its values: its open conflicts
/// and every rule it breaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRecord {
    /// The check (winning values).
    pub check: Check,
    /// Its concurrent writes of the same field.
    pub conflicts: Vec<Conflict>,
    /// Every rule it breaks ([`check_violations`] against its own form version).
    pub violations: Vec<Violation>,
}

impl CheckRecord {
    /// A record with its violations computed from the check.
    pub fn new(check: Check, conflicts: Vec<Conflict>) -> Self {
        Self {
            violations: check_violations(&check),
            check,
            conflicts,
        }
    }

    /// False when a violation is an error (the check is flagged `invalid`).
    pub fn valid(&self) -> bool {
        is_valid(&self.violations)
    }
}

/// Which checks an export or report covers; every criterion that is set must hold. Deleted
/// checks are never covered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFilter {
    /// Only this facility kind.
    pub kind: Option<FacilityKind>,
    /// Only checks linked to this resolution number.
    pub resolution: Option<u16>,
    /// Only checks in this review state.
    pub state: Option<ReviewState>,
    /// Only checks observed at or after this bound.
    pub since: Option<TimeBound>,
    /// Only checks observed at or before this bound.
    pub until: Option<TimeBound>,
    /// Only checks of this site.
    pub site: Option<SiteId>,
}

impl RecordFilter {
    /// True when `check` is covered: not deleted, and every set criterion holds.
    pub fn matches(&self, check: &Check) -> bool {
        check.deleted.is_none()
            && self.kind.is_none_or(|k| check.kind == k)
            && self
                .resolution
                .is_none_or(|n| check.resolutions.contains(&n))
            && self.state.is_none_or(|s| check.review.state == s)
            && self.site.as_ref().is_none_or(|s| check.site.id == *s)
            && self.since.is_none_or(|b| b.at_or_before(check))
            && self.until.is_none_or(|b| b.at_or_after(check))
    }

    /// True when nothing is filtered (every live check is covered).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A `--since`/`--until` bound: a calendar date, compared with the date the inspector's
/// device showed (its own UTC offset, so a check made at 01:00+03:00 on 1 March counts for
/// 1 March), or an instant with a UTC offset, compared with the observation's instant.
/// Both ends are inclusive: `--since 2026-03-01 --until 2026-03-31` is all of March.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBound {
    /// `2026-03-01` (any form [`crate::input::parse_date`] reads: `1/3/2026`, Arabic-Indic
    /// digits).
    Date(Date),
    /// `2026-03-01T08:00:00+03:00` or `...Z`.
    Instant(Timestamp),
}

impl TimeBound {
    /// The bound is at or before the check's observation.
    fn at_or_before(self, check: &Check) -> bool {
        match self {
            Self::Date(d) => check.observed_at.local().date() >= d,
            Self::Instant(t) => check.observed_at.utc() >= t,
        }
    }

    /// The bound is at or after the check's observation.
    fn at_or_after(self, check: &Check) -> bool {
        match self {
            Self::Date(d) => check.observed_at.local().date() <= d,
            Self::Instant(t) => check.observed_at.utc() <= t,
        }
    }
}

/// A bound that is neither a date nor a date-time with an offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid time bound {value:?}: expected a date such as 2026-03-01 or a date-time with a UTC offset such as 2026-03-01T08:00+03:00 ({reason})"
)]
pub struct InvalidBound {
    /// The rejected text.
    pub value: String,
    /// Why: the date parser's reason when the text has no time of day, else the date-time
    /// parser's.
    pub reason: String,
}

impl FromStr for TimeBound {
    type Err = InvalidBound;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let as_date = crate::input::parse_date(s);
        if let Ok(date) = as_date {
            return Ok(Self::Date(date));
        }
        let has_time = s.contains([':', 'T']);
        crate::input::parse_datetime(s)
            .map(|at| Self::Instant(at.utc()))
            .map_err(|e| InvalidBound {
                value: s.to_owned(),
                reason: match as_date {
                    Err(date) if !has_time => date.rule.to_string(),
                    _ => e.rule.to_string(),
                },
            })
    }
}

impl fmt::Display for TimeBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Date(d) => write!(f, "{d}"),
            Self::Instant(t) => write!(f, "{t}"),
        }
    }
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
