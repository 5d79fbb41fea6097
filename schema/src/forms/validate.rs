//! Validation of a whole check's values against one form version.
//!
//! [`Form::validate`] never stops at the first problem: it returns every [`Violation`], each
//! naming the field, the stored value and the rule, with a stable `code` so that a server
//! can store them as the reasons a check is flagged `invalid` and clients can show them in
//! Arabic or English ([`Violation::message`]).
//!
//! Severity: a value present for a field that is not relevant (`reason_closed` while
//! `operating = true`) is a [`Severity::Warning`]: the data is kept and shown, the inspector
//! probably changed an earlier answer. Every other violation is a [`Severity::Error`].
//! A check is valid when it has no error ([`is_valid`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::model::{FieldType, Form, FormField};
use super::typed::TypedValue;
use crate::FieldValue;

/// One problem with one field of a check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// The field name; `form` or `kind` for a problem with the check as a whole.
    pub field: String,
    /// The stored value as text (absent for a missing required value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Whether the check is invalid because of it.
    pub severity: Severity,
    /// The rule broken, serialised flat as `"code": "min", "min": 0, ...`.
    #[serde(flatten)]
    pub rule: Rule,
}

/// How bad a violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Kept and shown, but the check stays valid.
    Warning,
    /// The check is invalid.
    Error,
}

/// A parser's explanation of why typed text is not of a field's type, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeReason {
    /// In English (`it is too large`).
    pub en: String,
    /// In Arabic (`الرقم كبير جداً`).
    pub ar: String,
}

/// The rule a value breaks. Serialised with a stable `code` (the variant name in
/// `snake_case`) and the rule's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Rule {
    /// `unknown_field`: the form has no field of this name.
    UnknownField,
    /// `unknown_form`: the check names a form id and version that are not known.
    UnknownForm {
        /// The form id the check names.
        id: String,
        /// The version the check names.
        version: u32,
    },
    /// `kind`: the check's facility kind is not its form's.
    Kind {
        /// The kind of the form.
        expected: crate::FacilityKind,
    },
    /// `type`: the stored value is not of the field's type or shape.
    Type {
        /// The field's type.
        expected: FieldType,
        /// Why the typed text did not parse, when the parser said (`it is too large`);
        /// absent for stored values of the wrong shape.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<TypeReason>,
    },
    /// `required`: a relevant required field has no value (or only blanks).
    Required,
    /// `not_relevant`: a value is present although the field does not apply (a warning).
    NotRelevant {
        /// The field's `relevant` condition.
        condition: String,
    },
    /// `min`: below the smallest number, length or count of choices.
    Min {
        /// The bound.
        min: f64,
        /// What is measured.
        measure: Measure,
    },
    /// `max`: above the largest number, length or count of choices.
    Max {
        /// The bound.
        max: f64,
        /// What is measured.
        measure: Measure,
    },
    /// `regex`: a text value does not match the field's pattern.
    Regex {
        /// The pattern as written in the form.
        pattern: String,
    },
    /// `choice`: a value (or one of several) is not among the field's choices.
    Choice {
        /// The offending choice value.
        choice: String,
        /// The allowed values.
        allowed: Vec<String>,
    },
    /// `duplicate_choice`: a `select_multiple` value names a choice twice.
    DuplicateChoice {
        /// The repeated choice.
        choice: String,
    },
    /// `geopoint`: a part of a location is out of range.
    Geopoint {
        /// Which part.
        part: GeoPart,
    },
    /// `unknown_resolution`: a manual link decision names a resolution that does not exist
    /// (field `manual_links`; see [`crate::validation`]).
    UnknownResolution {
        /// The number named.
        number: u16,
        /// The last resolution number of the catalog (they run from 1).
        last: u16,
    },
}

/// What a `min`/`max` rule measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// The number itself.
    Value,
    /// The length of a text in characters.
    Length,
    /// The number of selected choices.
    Count,
}

/// The part of a geopoint that is out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeoPart {
    /// Latitude outside -90..=90.
    Latitude,
    /// Longitude outside -180..=180.
    Longitude,
    /// Negative accuracy.
    Accuracy,
}

impl Rule {
    /// The stable code (`min`, `not_relevant`, ...), as serialised.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownField => "unknown_field",
            Self::UnknownForm { .. } => "unknown_form",
            Self::Kind { .. } => "kind",
            Self::Type { .. } => "type",
            Self::Required => "required",
            Self::NotRelevant { .. } => "not_relevant",
            Self::Min { .. } => "min",
            Self::Max { .. } => "max",
            Self::Regex { .. } => "regex",
            Self::Choice { .. } => "choice",
            Self::DuplicateChoice { .. } => "duplicate_choice",
            Self::Geopoint { .. } => "geopoint",
            Self::UnknownResolution { .. } => "unknown_resolution",
        }
    }

    /// Whether a field's `constraint_message_*` replaces the generic text for this rule.
    pub fn is_constraint(&self) -> bool {
        matches!(
            self,
            Self::Min { .. } | Self::Max { .. } | Self::Regex { .. } | Self::Choice { .. }
        )
    }
}

impl Violation {
    /// A violation of `rule` by `value` in `field`; `not_relevant` is a warning, the rest
    /// are errors.
    pub fn new(field: &str, value: Option<&FieldValue>, rule: Rule) -> Self {
        let severity = match rule {
            Rule::NotRelevant { .. } => Severity::Warning,
            _ => Severity::Error,
        };
        Self {
            field: field.to_owned(),
            value: value.map(FieldValue::to_string),
            severity,
            rule,
        }
    }

    /// True for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Whether a list of violations leaves a check valid (warnings only).
pub fn is_valid(violations: &[Violation]) -> bool {
    !violations.iter().any(Violation::is_error)
}

impl FormField {
    /// Reads a stored value as this field's type and checks the field's own rules: `min`,
    /// `max`, `regex`, choices and geopoint ranges. Whole-check rules (`required`,
    /// `relevant`) are [`Form::validate`]'s.
    ///
    /// # Errors
    /// The first [`Violation`] found.
    pub fn check(&self, value: &FieldValue) -> Result<TypedValue, Violation> {
        let typed = self.interpret(value)?;
        self.check_rules(&typed)
            .map_err(|rule| Violation::new(&self.name, Some(value), rule))?;
        Ok(typed)
    }

    fn check_rules(&self, typed: &TypedValue) -> Result<(), Rule> {
        match typed {
            TypedValue::Integer(i) => self.check_bounds(*i as f64, Measure::Value),
            TypedValue::Decimal(d) => self.check_bounds(*d, Measure::Value),
            TypedValue::Text(t) => {
                self.check_bounds(t.chars().count() as f64, Measure::Length)?;
                self.check_regex(t)
            }
            TypedValue::Choice(c) => self.check_choice(c),
            TypedValue::Choices(cs) => self.check_choices(cs),
            TypedValue::Geopoint(p) => check_geopoint(p),
            TypedValue::Bool(_)
            | TypedValue::Date(_)
            | TypedValue::Datetime(_)
            | TypedValue::Photo(_) => Ok(()),
        }
    }

    fn check_bounds(&self, measure: f64, what: Measure) -> Result<(), Rule> {
        if let Some(min) = self.min.filter(|min| measure < *min) {
            return Err(Rule::Min { min, measure: what });
        }
        if let Some(max) = self.max.filter(|max| measure > *max) {
            return Err(Rule::Max { max, measure: what });
        }
        Ok(())
    }

    fn check_regex(&self, text: &str) -> Result<(), Rule> {
        match &self.regex {
            Some(p) if !p.matches(text) => Err(Rule::Regex {
                pattern: p.as_str().to_owned(),
            }),
            _ => Ok(()),
        }
    }

    fn check_choice(&self, choice: &str) -> Result<(), Rule> {
        match self.choice(choice) {
            Some(_) => Ok(()),
            None => Err(Rule::Choice {
                choice: choice.to_owned(),
                allowed: self.choice_values(),
            }),
        }
    }

    fn check_choices(&self, choices: &[String]) -> Result<(), Rule> {
        let mut seen = BTreeSet::new();
        for choice in choices {
            self.check_choice(choice)?;
            if !seen.insert(choice) {
                return Err(Rule::DuplicateChoice {
                    choice: choice.clone(),
                });
            }
        }
        self.check_bounds(choices.len() as f64, Measure::Count)
    }
}

fn check_geopoint(p: &super::typed::GeoPoint) -> Result<(), Rule> {
    let part = if !(-90.0..=90.0).contains(&p.lat) {
        GeoPart::Latitude
    } else if !(-180.0..=180.0).contains(&p.lon) {
        GeoPart::Longitude
    } else if p.accuracy_m.is_some_and(|a| a < 0.0) {
        GeoPart::Accuracy
    } else {
        return Ok(());
    };
    Err(Rule::Geopoint { part })
}

/// Blank text counts as no answer for `required`.
fn is_blank(value: &FieldValue) -> bool {
    matches!(value, FieldValue::Text(t) if t.trim().is_empty())
}

impl Form {
    /// Checks a whole check's values against this form version: unknown fields, types and
    /// shapes, field rules, `required` fields that are relevant, and values present for
    /// fields that are not relevant (warnings). Violations come in form order, unknown
    /// fields last.
    pub fn validate(&self, values: &BTreeMap<String, FieldValue>) -> Vec<Violation> {
        let mut found = Vec::new();
        // Values of relevant fields that read as their type: what conditions look at.
        let mut answered: BTreeMap<&str, &FieldValue> = BTreeMap::new();
        for field in &self.fields {
            let relevant = field.relevant.as_ref().is_none_or(|c| c.holds(&answered));
            let value = values.get(&field.name);
            found.extend(field.violations(value, relevant));
            if let Some(value) = value.filter(|v| relevant && field.interpret(v).is_ok()) {
                answered.insert(&field.name, value);
            }
        }
        let unknown = values.iter().filter(|(name, _)| self.field(name).is_none());
        found.extend(unknown.map(|(name, v)| Violation::new(name, Some(v), Rule::UnknownField)));
        found
    }
}

impl FormField {
    /// The violations of this field's value (or its absence), given whether it applies.
    fn violations(&self, value: Option<&FieldValue>, relevant: bool) -> Vec<Violation> {
        let mut found = Vec::new();
        if let Some(value) = value {
            found.extend(self.check(value).err());
            if let (false, Some(c)) = (relevant, &self.relevant) {
                let rule = Rule::NotRelevant {
                    condition: c.as_str().to_owned(),
                };
                found.push(Violation::new(&self.name, Some(value), rule));
            }
        }
        if relevant && self.required && value.is_none_or(is_blank) {
            found.push(Violation::new(&self.name, value, Rule::Required));
        }
        found
    }
}
