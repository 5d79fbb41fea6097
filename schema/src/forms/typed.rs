//! The typed view of stored values: what a [`FieldValue`] means under its field's type.
//!
//! A check stores only Automerge scalars ([`FieldValue`]); dates, locations, photos and
//! multiple choices are text in fixed shapes (see the [module docs](super)). Reading them
//! back through [`FormField::interpret`] checks the shape and gives a [`TypedValue`] for
//! exports and reports.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::model::{FieldType, Form, FormField};
use super::validate::{Rule, Violation};
use crate::{FieldValue, ObservedAt};

/// A stored value read as its field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypedValue {
    /// `boolean`.
    Bool(bool),
    /// `integer`.
    Integer(i64),
    /// `decimal` (an integer stored for a decimal field reads as a decimal).
    Decimal(f64),
    /// `select_one`: the choice value.
    Choice(String),
    /// `select_multiple`: the choice values, as stored.
    Choices(Vec<String>),
    /// `text`.
    Text(String),
    /// `date`.
    Date(Date),
    /// `datetime`, with the offset it was recorded with.
    Datetime(ObservedAt),
    /// `geopoint`.
    Geopoint(GeoPoint),
    /// `photo`.
    Photo(PhotoRef),
}

/// A location: WGS 84 decimal degrees, with optional altitude and accuracy in metres.
///
/// Stored as `"lat lon"`, `"lat lon alt"` or `"lat lon alt acc"` (ODK's geopoint). Reading
/// checks only the shape; the ranges (latitude -90..=90, longitude -180..=180, accuracy
/// >= 0) are rules that [`super::Form::validate`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude in decimal degrees.
    pub lat: f64,
    /// Longitude in decimal degrees.
    pub lon: f64,
    /// Altitude in metres above the WGS 84 ellipsoid.
    pub altitude_m: Option<f64>,
    /// Horizontal accuracy in metres (a radius).
    pub accuracy_m: Option<f64>,
}

/// A reference to a photo by the SHA-256 of its bytes; stored as `sha256:` and 64 lowercase
/// hex digits. The bytes travel separately.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhotoRef {
    hex: String,
}

/// Text that is not a stored geopoint or photo reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {expected}")]
pub struct BadShape {
    /// The rejected text.
    pub value: String,
    /// What was expected (`geopoint`, `photo`).
    pub expected: FieldType,
}

impl PhotoRef {
    /// The prefix of a stored photo reference.
    pub const PREFIX: &'static str = "sha256:";

    /// The 64 lowercase hex digits of the hash.
    pub fn hex(&self) -> &str {
        &self.hex
    }
}

impl FromStr for PhotoRef {
    type Err = BadShape;

    /// Accepts exactly the stored shape: `sha256:` and 64 lowercase hex digits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex = s.strip_prefix(Self::PREFIX).filter(|h| {
            h.len() == 64
                && h.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        match hex {
            Some(hex) => Ok(Self {
                hex: hex.to_owned(),
            }),
            None => Err(BadShape {
                value: s.to_owned(),
                expected: FieldType::Photo,
            }),
        }
    }
}

impl fmt::Display for PhotoRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", Self::PREFIX, self.hex)
    }
}

impl TryFrom<String> for PhotoRef {
    type Error = BadShape;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<PhotoRef> for String {
    fn from(p: PhotoRef) -> Self {
        p.to_string()
    }
}

impl FromStr for GeoPoint {
    type Err = BadShape;

    /// Accepts the stored shape: two to four finite ASCII numbers separated by single
    /// spaces.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Option<Vec<f64>> = s
            .split(' ')
            .map(|p| p.parse::<f64>().ok().filter(|n| n.is_finite()))
            .collect();
        match parts.as_deref() {
            Some(&[lat, lon, ref rest @ ..]) if rest.len() <= 2 => Ok(Self {
                lat,
                lon,
                altitude_m: rest.first().copied(),
                accuracy_m: rest.get(1).copied(),
            }),
            _ => Err(BadShape {
                value: s.to_owned(),
                expected: FieldType::Geopoint,
            }),
        }
    }
}

impl fmt::Display for GeoPoint {
    /// The stored shape; an accuracy without altitude is written with altitude 0, as ODK
    /// does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.lat, self.lon)?;
        match (self.altitude_m, self.accuracy_m) {
            (alt, Some(acc)) => write!(f, " {} {acc}", alt.unwrap_or(0.0)),
            (Some(alt), None) => write!(f, " {alt}"),
            (None, None) => Ok(()),
        }
    }
}

impl fmt::Display for TypedValue {
    /// The stored text of the value (`2026-03-29`, `35.33 40.14`, `a b`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool(b) => write!(f, "{b}"),
            Self::Integer(i) => write!(f, "{i}"),
            Self::Decimal(d) => write!(f, "{d}"),
            Self::Choice(c) | Self::Text(c) => f.write_str(c),
            Self::Choices(cs) => f.write_str(&cs.join(" ")),
            Self::Date(d) => write!(f, "{d}"),
            Self::Datetime(t) => write!(f, "{t}"),
            Self::Geopoint(p) => write!(f, "{p}"),
            Self::Photo(p) => write!(f, "{p}"),
        }
    }
}

impl TypedValue {
    /// The value as it is stored in a check document.
    pub fn to_field_value(&self) -> FieldValue {
        match self {
            Self::Bool(b) => FieldValue::Bool(*b),
            Self::Integer(i) => FieldValue::Int(*i),
            Self::Decimal(d) => FieldValue::Decimal(*d),
            other => FieldValue::Text(other.to_string()),
        }
    }
}

/// Parses a stored date: exactly `YYYY-MM-DD` in ASCII digits, a real calendar day.
pub(crate) fn parse_stored_date(text: &str) -> Option<Date> {
    let shape = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    shape.then(|| text.parse::<Date>().ok()).flatten()
}

impl FormField {
    /// Reads a stored value as this field's type, checking its Automerge scalar and, for
    /// values stored as text, their shape. Rules (`min`, `regex`, choices, ...) are not
    /// checked here: see [`FormField::check`].
    ///
    /// # Errors
    /// A [`Violation`] with code `type` naming this field, the value and the expected type.
    pub fn interpret(&self, value: &FieldValue) -> Result<TypedValue, Violation> {
        self.read(value)
            .ok_or_else(|| Violation::new(&self.name, Some(value), self.type_rule()))
    }

    pub(crate) fn type_rule(&self) -> Rule {
        Rule::Type {
            expected: self.field_type,
            reason: None,
        }
    }

    fn read(&self, value: &FieldValue) -> Option<TypedValue> {
        let text = match value {
            FieldValue::Text(t) => t.as_str(),
            FieldValue::Bool(b) if self.field_type == FieldType::Boolean => {
                return Some(TypedValue::Bool(*b));
            }
            FieldValue::Int(i) if self.field_type == FieldType::Integer => {
                return Some(TypedValue::Integer(*i));
            }
            FieldValue::Int(_) | FieldValue::Decimal(_)
                if self.field_type == FieldType::Decimal =>
            {
                return value
                    .as_f64()
                    .filter(|d| d.is_finite())
                    .map(TypedValue::Decimal);
            }
            _ => return None,
        };
        self.read_text(text)
    }

    fn read_text(&self, text: &str) -> Option<TypedValue> {
        match self.field_type {
            FieldType::SelectOne => Some(TypedValue::Choice(text.to_owned())),
            FieldType::SelectMultiple => Some(TypedValue::Choices(
                text.split_whitespace().map(str::to_owned).collect(),
            )),
            FieldType::Text => Some(TypedValue::Text(text.to_owned())),
            FieldType::Date => parse_stored_date(text).map(TypedValue::Date),
            FieldType::Datetime => text.parse().ok().map(TypedValue::Datetime),
            FieldType::Geopoint => text.parse().ok().map(TypedValue::Geopoint),
            FieldType::Photo => text.parse().ok().map(TypedValue::Photo),
            FieldType::Boolean | FieldType::Integer | FieldType::Decimal => None,
        }
    }
}

impl Form {
    /// The values of a check that read as their field's type, in form order, for exports
    /// and reports. Unknown fields and values of the wrong type are left out; see
    /// [`Form::validate`] for the list of what is wrong.
    pub fn typed<'a>(
        &'a self,
        fields: &std::collections::BTreeMap<String, FieldValue>,
    ) -> Vec<(&'a FormField, TypedValue)> {
        self.fields
            .iter()
            .filter_map(|f| {
                let value = fields.get(&f.name)?;
                f.interpret(value).ok().map(|typed| (f, typed))
            })
            .collect()
    }
}
