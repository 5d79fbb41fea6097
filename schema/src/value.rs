//! Typed field values stored in a check's `fields` map.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One form field's value as stored in a check document.
///
/// Maps to an Automerge scalar: `Bool` -> boolean, `Int` -> int, `Decimal` -> f64,
/// `Text` -> string. Units are defined by the form field, not the value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// A yes/no answer.
    Bool(bool),
    /// A whole number (counts, SYP prices, kg).
    Int(i64),
    /// A decimal number (tonnes, m3/h).
    Decimal(f64),
    /// Text or a choice identifier.
    Text(String),
}

impl FieldValue {
    /// The value as a number, if it is one (for reports and exports).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Int(i) => Some(*i as f64),
            Self::Decimal(d) => Some(*d),
            _ => None,
        }
    }
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool(b) => write!(f, "{b}"),
            Self::Int(i) => write!(f, "{i}"),
            Self::Decimal(d) => write!(f, "{d}"),
            Self::Text(t) => f.write_str(t),
        }
    }
}
