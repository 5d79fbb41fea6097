//! Identifier newtypes: checks, sites, devices.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The identifier of a check (and of its Automerge document): a UUID v7, so ids sort by
/// creation time and need no coordination between offline devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CheckId(Uuid);

impl CheckId {
    /// A fresh v7 id from the current time.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// The underlying UUID.
    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl Default for CheckId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// Error for a malformed check id; carries the rejected value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid check id {value:?}: expected a UUID such as 0192f0c1-7a2b-7c3d-8e4f-5a6b7c8d9e0f")]
pub struct InvalidCheckId {
    /// The rejected input.
    pub value: String,
}

impl FromStr for CheckId {
    type Err = InvalidCheckId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim())
            .map(Self)
            .map_err(|_| InvalidCheckId {
                value: s.to_owned(),
            })
    }
}

/// A stable site identifier chosen by the programme (e.g. `DEZ-BAK-014`).
///
/// Rules: 1 to 64 characters, no whitespace or control characters. Arabic letters are allowed
/// but ASCII codes are recommended so ids survive every spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SiteId(String);

/// Error for a site id that breaks the rules of [`SiteId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid site id {value:?}: must be 1 to 64 characters with no spaces or control characters"
)]
pub struct InvalidSiteId {
    /// The rejected input.
    pub value: String,
}

impl SiteId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for SiteId {
    type Err = InvalidSiteId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = (1..=64).contains(&s.chars().count())
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidSiteId {
                value: s.to_owned(),
            })
        }
    }
}

impl TryFrom<String> for SiteId {
    type Error = InvalidSiteId;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<SiteId> for String {
    fn from(id: SiteId) -> Self {
        id.0
    }
}

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_are_v7_and_round_trip() {
        let id = CheckId::new();
        assert_eq!(id.as_uuid().get_version_num(), 7);
        assert_eq!(id.to_string().parse::<CheckId>(), Ok(id));
        assert!("not-a-uuid".parse::<CheckId>().is_err());
    }

    #[test]
    fn site_ids_follow_the_rules() {
        for ok in ["DEZ-BAK-014", "فرن-١", "a"] {
            assert!(ok.parse::<SiteId>().is_ok(), "{ok}");
        }
        for bad in ["", "has space", "tab\there", &"x".repeat(65)] {
            let err = bad.parse::<SiteId>().unwrap_err();
            assert!(err.to_string().contains("invalid site id"), "{err}");
        }
    }
}
