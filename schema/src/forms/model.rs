//! The form model: forms, fields, field types, units, choices and regex patterns, as read
//! from a form definition file.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::condition::Condition;
use crate::FacilityKind;
use crate::check::FormRef;

/// A form: one version of the list of fields for one facility kind.
///
/// Build forms with [`super::Forms::load`], which checks what serde alone cannot (units,
/// rules and conditions that fit the field types, versions without gaps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// Stable form id (`bakery`); the folder name in `schema/forms/`.
    pub id: String,
    /// Form version, 1, 2, ...; a check records the version it was made with.
    pub version: u32,
    /// The facility kind this form inspects (the same for every version of an id).
    pub kind: FacilityKind,
    /// Arabic title.
    pub label_ar: String,
    /// English title.
    pub label_en: String,
    /// The fields, in the order an inspector fills them.
    #[serde(rename = "field", default)]
    pub fields: Vec<FormField>,
}

/// One field of a form: its name, type, labels and rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// Field name, the key in a check's `fields` map (`bread_price_syp`): lowercase ASCII
    /// letters, digits and `_`, starting with a letter.
    pub name: String,
    /// The value type; it never changes between versions of a form.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Arabic label.
    pub label_ar: String,
    /// English label.
    pub label_en: String,
    /// Arabic hint shown under the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint_ar: Option<String>,
    /// English hint shown under the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint_en: Option<String>,
    /// Unit of an `integer` or `decimal` field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// Whether a value is needed whenever the field is relevant.
    #[serde(default)]
    pub required: bool,
    /// Smallest allowed number; for `text` the shortest length in characters; for
    /// `select_multiple` the fewest choices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest allowed number; for `text` the longest length in characters; for
    /// `select_multiple` the most choices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// A pattern the whole of a `text` value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<Pattern>,
    /// When the field applies (`operating = false`); always when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<Condition>,
    /// Arabic text shown instead of the generic message when a value breaks `min`, `max`,
    /// `regex` or the choice list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint_message_ar: Option<String>,
    /// English counterpart of `constraint_message_ar`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint_message_en: Option<String>,
    /// Allowed values of a `select_one` or `select_multiple` field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
}

/// The type of a form field. How each is stored is in the [module docs](super).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Yes/no.
    Boolean,
    /// Whole number (`i64`).
    Integer,
    /// Decimal number (`f64`, finite).
    Decimal,
    /// Exactly one of the field's choices.
    SelectOne,
    /// Any number of the field's choices.
    SelectMultiple,
    /// Free text.
    Text,
    /// A calendar date.
    Date,
    /// A date and time of day with its UTC offset.
    Datetime,
    /// A point on the earth: latitude, longitude, optional altitude and accuracy in metres.
    Geopoint,
    /// A photo, referred to by the SHA-256 hash of its bytes.
    Photo,
}

impl FieldType {
    /// The name used in form files (`select_one`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Boolean => "boolean",
            Self::Integer => "integer",
            Self::Decimal => "decimal",
            Self::SelectOne => "select_one",
            Self::SelectMultiple => "select_multiple",
            Self::Text => "text",
            Self::Date => "date",
            Self::Datetime => "datetime",
            Self::Geopoint => "geopoint",
            Self::Photo => "photo",
        }
    }

    /// True for `integer` and `decimal`.
    pub fn is_number(self) -> bool {
        matches!(self, Self::Integer | Self::Decimal)
    }

    /// True for `select_one` and `select_multiple`.
    pub fn is_select(self) -> bool {
        matches!(self, Self::SelectOne | Self::SelectMultiple)
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The unit of a number field: a closed list, so reports can add and compare like with like.
/// A form naming any other unit is refused when loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// Syrian pounds (`SYP`).
    #[serde(rename = "SYP")]
    Syp,
    /// Kilograms (`kg`).
    #[serde(rename = "kg")]
    Kg,
    /// Metric tonnes (`tonnes`).
    #[serde(rename = "tonnes")]
    Tonnes,
    /// Cubic metres per hour (`m3/h`).
    #[serde(rename = "m3/h")]
    CubicMetresPerHour,
    /// Milligrams per litre (`mg/L`).
    #[serde(rename = "mg/L")]
    MilligramsPerLitre,
    /// Hours (`hours`).
    #[serde(rename = "hours")]
    Hours,
    /// A count of people (`people`).
    #[serde(rename = "people")]
    People,
}

impl Unit {
    /// Every unit, in the order the forms README lists them.
    pub const ALL: [Unit; 7] = [
        Self::Syp,
        Self::Kg,
        Self::Tonnes,
        Self::CubicMetresPerHour,
        Self::MilligramsPerLitre,
        Self::Hours,
        Self::People,
    ];

    /// The name used in form files (`m3/h`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Syp => "SYP",
            Self::Kg => "kg",
            Self::Tonnes => "tonnes",
            Self::CubicMetresPerHour => "m3/h",
            Self::MilligramsPerLitre => "mg/L",
            Self::Hours => "hours",
            Self::People => "people",
        }
    }

    /// The Arabic abbreviation shown after a number (`ل.س`, `م³/سا`).
    pub fn label_ar(self) -> &'static str {
        match self {
            Self::Syp => "ل.س",
            Self::Kg => "كغ",
            Self::Tonnes => "طن",
            Self::CubicMetresPerHour => "م³/سا",
            Self::MilligramsPerLitre => "ملغ/ل",
            Self::Hours => "ساعة",
            Self::People => "شخص",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One allowed value of a `select_one` or `select_multiple` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Stored value (`humanitarian`): lowercase ASCII letters, digits and `_`.
    pub value: String,
    /// Arabic label.
    pub label_ar: String,
    /// English label.
    pub label_en: String,
}

/// A `regex` rule: the whole text value must match (the pattern is anchored at both ends).
///
/// Syntax is the `regex` crate's. The value is matched with Arabic-Indic digits read as
/// ASCII ones (see [`super::normalise_digits`]), so `09\d{8}` accepts `٠٩٤٤١٢٣٤٥٦`; the value
/// itself is stored as typed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pattern {
    source: String,
    compiled: regex::Regex,
}

/// A `regex` rule that does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad regex {pattern:?}: {reason}")]
pub struct BadPattern {
    /// The pattern as written.
    pub pattern: String,
    /// The compiler's complaint.
    pub reason: String,
}

impl Pattern {
    /// Compiles `source`, anchored so that it must match the whole value.
    ///
    /// # Errors
    /// [`BadPattern`] naming the pattern and the compiler's complaint.
    pub fn new(source: &str) -> Result<Self, BadPattern> {
        let compiled = regex::Regex::new(&format!("^(?:{source})$")).map_err(|e| BadPattern {
            pattern: source.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            source: source.to_owned(),
            compiled,
        })
    }

    /// The pattern as written in the form.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `text`, with Arabic-Indic digits read as ASCII, matches.
    pub fn matches(&self, text: &str) -> bool {
        self.compiled.is_match(&super::normalise_digits(text))
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl TryFrom<String> for Pattern {
    type Error = BadPattern;

    fn try_from(source: String) -> Result<Self, Self::Error> {
        Self::new(&source)
    }
}

impl From<Pattern> for String {
    fn from(p: Pattern) -> Self {
        p.source
    }
}

impl Form {
    /// The field definition by name.
    pub fn field(&self, name: &str) -> Option<&FormField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The id and version to record in a check made with this form.
    pub fn form_ref(&self) -> FormRef {
        FormRef {
            id: self.id.clone(),
            version: self.version,
        }
    }

    /// Field names, comma-separated, for error messages.
    pub(crate) fn field_names(&self) -> String {
        let names: Vec<&str> = self.fields.iter().map(|f| f.name.as_str()).collect();
        names.join(", ")
    }
}

impl FormField {
    /// The choice with this stored value.
    pub fn choice(&self, value: &str) -> Option<&Choice> {
        self.choices.iter().find(|c| c.value == value)
    }

    /// Allowed choice values, in form order.
    pub fn choice_values(&self) -> Vec<String> {
        self.choices.iter().map(|c| c.value.clone()).collect()
    }
}
