//! Parsing what an inspector types into a stored value.
//!
//! Numbers, dates and date-times are read by [`crate::input`] (any digit system and
//! separator, day-first dates, offsets as typed).

use super::FormError;
use super::model::{Choice, FieldType, Form, FormField};
use super::typed::{GeoPoint, PhotoRef};
use super::validate::{Rule, Severity, TypeReason, Violation};
use crate::FieldValue;

impl Form {
    /// Parses a raw value typed by an inspector into the stored value for `field`, and
    /// checks the field's own rules (see [`FormField::parse`]).
    ///
    /// # Errors
    /// [`FormError::UnknownField`], or [`FormError::Invalid`] naming the field, the value
    /// as typed and the rule.
    pub fn parse_value(&self, field: &str, raw: &str) -> Result<FieldValue, FormError> {
        let def = self.field(field).ok_or_else(|| FormError::UnknownField {
            form: self.id.clone(),
            field: field.to_owned(),
            expected: self.field_names(),
        })?;
        def.parse(raw)
    }
}

impl FormField {
    /// Parses and checks one raw value against this field's type and rules (`min`, `max`,
    /// `regex`, choices, geopoint ranges; not `required` or `relevant`, which need the
    /// whole check).
    ///
    /// Accepts ASCII and Arabic-Indic digits; `.`, `,` or `٫` as decimal separator; yes/no
    /// in Arabic or English; a choice by value or by its Arabic or English label, several
    /// separated by spaces or, when labels contain spaces, by `,` or `،`; dates as
    /// `YYYY-MM-DD`; date-times as RFC 3339 with offset; a location as
    /// `latitude longitude [altitude [accuracy]]`; a photo as its SHA-256 in hex, with or
    /// without `sha256:`. Returns the value in its stored shape (see the
    /// [module docs](super)).
    ///
    /// # Errors
    /// [`FormError::Invalid`] naming this field, the value as typed and the broken rule.
    pub fn parse(&self, raw: &str) -> Result<FieldValue, FormError> {
        let value = self.parse_type(raw).ok_or_else(|| {
            let rule = Rule::Type {
                expected: self.field_type,
                reason: self.parser_reason(raw),
            };
            self.refuse(raw, rule)
        })?;
        self.check(&value).map_err(|v| self.refuse(raw, v.rule))?;
        Ok(value)
    }

    fn refuse(&self, raw: &str, rule: super::validate::Rule) -> FormError {
        FormError::Invalid(Box::new(Violation {
            field: self.name.clone(),
            value: Some(raw.trim().to_owned()),
            severity: Severity::Error,
            rule,
        }))
    }

    /// What the input parser says about `raw` for a number, date or date-time field.
    fn parser_reason(&self, raw: &str) -> Option<TypeReason> {
        let reason = |en: String, ar: String| Some(TypeReason { en, ar });
        match self.field_type {
            FieldType::Integer => {
                let e = crate::input::parse_whole(raw).err()?;
                reason(e.rule.to_string(), e.rule.ar())
            }
            FieldType::Decimal => {
                let e = crate::input::parse_number(raw).err()?;
                reason(e.rule.to_string(), e.rule.ar())
            }
            FieldType::Date => {
                let e = crate::input::parse_date(raw).err()?;
                reason(e.rule.to_string(), e.rule.ar())
            }
            FieldType::Datetime => {
                let e = crate::input::parse_datetime(raw).err()?;
                reason(e.rule.to_string(), e.rule.ar())
            }
            _ => None,
        }
    }

    fn parse_type(&self, raw: &str) -> Option<FieldValue> {
        let digits = normalise_digits(raw);
        let text = digits.trim();
        let value = match self.field_type {
            FieldType::Boolean => FieldValue::Bool(parse_bool(text)?),
            FieldType::Integer => FieldValue::Int(crate::input::parse_whole(raw).ok()?),
            FieldType::Decimal => {
                FieldValue::Decimal(crate::input::parse_number(raw).ok()?.as_f64())
            }
            FieldType::SelectOne => FieldValue::Text(self.find_choice(raw.trim()).value.clone()),
            FieldType::SelectMultiple => FieldValue::Text(self.parse_choices(raw)),
            FieldType::Text => FieldValue::Text(raw.trim().to_owned()),
            FieldType::Date => FieldValue::Text(crate::input::parse_date(raw).ok()?.to_string()),
            FieldType::Datetime => {
                FieldValue::Text(crate::input::parse_datetime(raw).ok()?.to_string())
            }
            FieldType::Geopoint => FieldValue::Text(parse_geopoint(text)?.to_string()),
            FieldType::Photo => FieldValue::Text(parse_photo(text)?.to_string()),
        };
        Some(value)
    }

    /// The choice whose value or label is `text`; an unknown one passes through as typed,
    /// for [`FormField::check`] to refuse with the list of choices.
    fn find_choice(&self, text: &str) -> Choice {
        let found = self.choices.iter().find(|c| {
            c.value == text || c.label_ar == text || c.label_en.eq_ignore_ascii_case(text)
        });
        found.cloned().unwrap_or_else(|| Choice {
            value: text.to_owned(),
            label_ar: String::new(),
            label_en: String::new(),
        })
    }

    /// Several choices, stored as their values in form order, each once.
    fn parse_choices(&self, raw: &str) -> String {
        let items: Vec<&str> = if raw.contains([',', '،']) {
            raw.split([',', '،'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        } else {
            raw.split_whitespace().collect()
        };
        let mut values: Vec<String> = items.iter().map(|i| self.find_choice(i).value).collect();
        let order = |v: &String| self.choices.iter().position(|c| &c.value == v);
        values.sort_by_key(|v| order(v).unwrap_or(usize::MAX));
        values.dedup();
        values.join(" ")
    }
}

/// `latitude longitude [altitude [accuracy]]`, numbers as [`parse_decimal`] reads them,
/// separated by spaces (a comma right after a number is ignored).
fn parse_geopoint(text: &str) -> Option<GeoPoint> {
    let parts: Option<Vec<f64>> = text
        .split_whitespace()
        .map(|p| parse_decimal(p.trim_end_matches([',', '،'])))
        .collect();
    let shown = parts?
        .iter()
        .map(f64::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    shown.parse().ok()
}

/// A SHA-256 in hex, any case, with or without the `sha256:` prefix.
fn parse_photo(text: &str) -> Option<PhotoRef> {
    let lower = text.to_ascii_lowercase();
    let hex = lower.strip_prefix(PhotoRef::PREFIX).unwrap_or(&lower);
    format!("{}{hex}", PhotoRef::PREFIX).parse().ok()
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "نعم" => Some(true),
        "false" | "no" | "n" | "0" | "لا" => Some(false),
        _ => None,
    }
}

/// Parses a number as an inspector types it, whole or decimal, with the rules of
/// [`crate::input::number`] (any digit system, `٫` `٬` `.` `,`, grouping, bidi marks),
/// except that a lone comma is always a decimal comma (`35,336` is 35.336): the CLI's
/// coordinates parse with this and are never in the thousands. `None` for anything else,
/// NaN and infinity included; [`crate::input::parse_number`] also says why not.
pub fn parse_decimal(raw: &str) -> Option<f64> {
    crate::input::parse_number(raw)
        .ok()
        .map(|n| n.comma_decimal_f64())
}

/// Maps Arabic-Indic (`٠`-`٩`) and Extended Arabic-Indic (`۰`-`۹`) digits to ASCII and drops
/// invisible bidi marks ([`crate::input::ascii_digits`]) and the Arabic thousands separator,
/// leaving other characters unchanged.
pub fn normalise_digits(raw: &str) -> String {
    crate::input::ascii_digits(raw).replace('٬', "")
}
