//! Forms: the fields an inspector fills per facility kind, defined as data in
//! `schema/forms/*.toml` and checked when first loaded.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::{FacilityKind, FieldValue};

/// The built-in form definitions, one TOML file per facility kind.
const FORM_SOURCES: [(&str, &str); 8] = [
    ("bakery.toml", include_str!("../forms/bakery.toml")),
    (
        "water_station.toml",
        include_str!("../forms/water_station.toml"),
    ),
    ("crossing.toml", include_str!("../forms/crossing.toml")),
    ("silo.toml", include_str!("../forms/silo.toml")),
    ("mill.toml", include_str!("../forms/mill.toml")),
    (
        "fuel_station.toml",
        include_str!("../forms/fuel_station.toml"),
    ),
    (
        "consumer_outlet.toml",
        include_str!("../forms/consumer_outlet.toml"),
    ),
    ("other.toml", include_str!("../forms/other.toml")),
];

/// A form: the versioned list of fields for one facility kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// Stable form id (`bakery`).
    pub id: String,
    /// Form version; a check records the version it was made with.
    pub version: u32,
    /// The facility kind this form inspects.
    pub kind: FacilityKind,
    /// Arabic title.
    pub label_ar: String,
    /// English title.
    pub label_en: String,
    /// The fields, in the order an inspector fills them.
    #[serde(rename = "field")]
    pub fields: Vec<FormField>,
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// Field name, the key in a check's `fields` map (`bread_price_syp`).
    pub name: String,
    /// The value type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Unit of a number (`SYP`, `kg`, `tonnes`, `m3/h`, `people`).
    #[serde(default)]
    pub unit: Option<String>,
    /// Smallest allowed number (or shortest text length).
    #[serde(default)]
    pub min: Option<f64>,
    /// Largest allowed number (or longest text length in characters).
    #[serde(default)]
    pub max: Option<f64>,
    /// Arabic label.
    pub label_ar: String,
    /// English label.
    pub label_en: String,
    /// Allowed values of a `select_one` field.
    #[serde(default)]
    pub choices: Vec<Choice>,
}

/// The type of a form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Yes/no.
    Boolean,
    /// Whole number.
    Integer,
    /// Decimal number.
    Decimal,
    /// One of a list of choices.
    SelectOne,
    /// Free text.
    Text,
}

/// One allowed value of a `select_one` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Stored value (`humanitarian`).
    pub value: String,
    /// Arabic label.
    pub label_ar: String,
    /// English label.
    pub label_en: String,
}

/// A value refused by a form: names the field, the value and the rule it broke.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormError {
    /// The form has no such field.
    #[error("unknown field {field:?} for form {form:?}: expected one of {expected}")]
    UnknownField {
        /// The form id.
        form: String,
        /// The rejected field name.
        field: String,
        /// Comma-separated field names of the form.
        expected: String,
    },
    /// The value does not satisfy a rule of the field.
    #[error("field {field:?}: value {value:?} {rule}")]
    Rule {
        /// The field name.
        field: String,
        /// The rejected raw value.
        value: String,
        /// The rule, phrased to follow the value (`is not a whole number`).
        rule: String,
    },
    /// A built-in or supplied form definition is itself broken.
    #[error("form definition {file}: {reason}")]
    Definition {
        /// The file the definition came from.
        file: String,
        /// What is wrong.
        reason: String,
    },
}

/// All forms, one per facility kind.
#[derive(Debug, Clone)]
pub struct Forms {
    by_kind: BTreeMap<FacilityKind, Form>,
}

impl Forms {
    /// Parses and checks form definitions given as `(file name, TOML text)` pairs.
    ///
    /// # Errors
    /// [`FormError::Definition`] for bad TOML, a duplicate kind, a duplicate field name, a
    /// `select_one` without choices, or a kind with no form.
    pub fn load<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, FormError> {
        let mut by_kind = BTreeMap::new();
        for (file, text) in sources {
            let bad = |reason: String| FormError::Definition {
                file: file.to_owned(),
                reason,
            };
            let form: Form = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
            check_form(&form).map_err(bad)?;
            if by_kind.insert(form.kind, form).is_some() {
                return Err(bad("a second form for the same kind".into()));
            }
        }
        if let Some(kind) = FacilityKind::ALL
            .into_iter()
            .find(|k| !by_kind.contains_key(k))
        {
            return Err(FormError::Definition {
                file: "forms".into(),
                reason: format!("no form for kind {kind}"),
            });
        }
        Ok(Self { by_kind })
    }

    /// The forms compiled into this build (`schema/forms/*.toml`).
    pub fn builtin() -> &'static Forms {
        static FORMS: OnceLock<Forms> = OnceLock::new();
        FORMS.get_or_init(|| {
            // Covered by the `builtin_forms_load` test, so this cannot fail in a release.
            Forms::load(FORM_SOURCES).expect("built-in forms in schema/forms are valid")
        })
    }

    /// The form for a facility kind.
    pub fn for_kind(&self, kind: FacilityKind) -> &Form {
        // `load` guarantees a form for every kind.
        &self.by_kind[&kind]
    }
}

fn check_form(form: &Form) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for field in &form.fields {
        if !seen.insert(field.name.as_str()) {
            return Err(format!("field {:?} defined twice", field.name));
        }
        if field.field_type == FieldType::SelectOne && field.choices.is_empty() {
            return Err(format!("select_one field {:?} has no choices", field.name));
        }
    }
    Ok(())
}

impl Form {
    /// The field definition by name.
    pub fn field(&self, name: &str) -> Option<&FormField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Parses a raw value typed by an inspector into a typed value for `field`.
    ///
    /// Accepts ASCII and Arabic-Indic digits, `٫`/`,` as decimal separator, and
    /// yes/no in Arabic or English for booleans.
    ///
    /// # Errors
    /// [`FormError::UnknownField`] or [`FormError::Rule`] naming the field, value and rule.
    pub fn parse_value(&self, field: &str, raw: &str) -> Result<FieldValue, FormError> {
        let def = self.field(field).ok_or_else(|| FormError::UnknownField {
            form: self.id.clone(),
            field: field.to_owned(),
            expected: self
                .fields
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
        def.parse(raw)
    }
}

impl FormField {
    fn rule(&self, raw: &str, rule: impl Into<String>) -> FormError {
        FormError::Rule {
            field: self.name.clone(),
            value: raw.to_owned(),
            rule: rule.into(),
        }
    }

    /// Parses and checks one raw value against this field's type and rules.
    ///
    /// # Errors
    /// [`FormError::Rule`] naming this field, the value and the broken rule.
    pub fn parse(&self, raw: &str) -> Result<FieldValue, FormError> {
        let text = normalise_digits(raw);
        let text = text.trim();
        let value = match self.field_type {
            FieldType::Boolean => FieldValue::Bool(parse_bool(text).ok_or_else(|| {
                self.rule(raw, "is not yes/no (true, false, yes, no, نعم, لا, 1, 0)")
            })?),
            FieldType::Integer => FieldValue::Int(
                text.parse::<i64>()
                    .map_err(|_| self.rule(raw, "is not a whole number"))?,
            ),
            FieldType::Decimal => FieldValue::Decimal(
                parse_decimal(text).ok_or_else(|| self.rule(raw, "is not a number"))?,
            ),
            FieldType::SelectOne => {
                let choice = self
                    .choices
                    .iter()
                    .find(|c| c.value == text || c.label_ar == text);
                let allowed = self
                    .choices
                    .iter()
                    .map(|c| c.value.as_str())
                    .collect::<Vec<_>>();
                let choice = choice.ok_or_else(|| {
                    self.rule(raw, format!("is not one of {}", allowed.join(", ")))
                })?;
                FieldValue::Text(choice.value.clone())
            }
            FieldType::Text => FieldValue::Text(raw.trim().to_owned()),
        };
        self.check_bounds(raw, &value)?;
        Ok(value)
    }

    fn check_bounds(&self, raw: &str, value: &FieldValue) -> Result<(), FormError> {
        let measure = match value {
            FieldValue::Text(t) if self.field_type == FieldType::Text => t.chars().count() as f64,
            other => match other.as_f64() {
                Some(n) => n,
                None => return Ok(()),
            },
        };
        let what = if self.field_type == FieldType::Text {
            "length "
        } else {
            ""
        };
        if let Some(min) = self.min.filter(|min| measure < *min) {
            return Err(self.rule(raw, format!("is below the minimum {what}{min}")));
        }
        if let Some(max) = self.max.filter(|max| measure > *max) {
            return Err(self.rule(raw, format!("is above the maximum {what}{max}")));
        }
        Ok(())
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "نعم" => Some(true),
        "false" | "no" | "n" | "0" | "لا" => Some(false),
        _ => None,
    }
}

/// Parses a decimal number as an inspector types it: ASCII or Arabic-Indic digits (see
/// [`normalise_digits`]), `.`, `,` or `٫` as the decimal separator, surrounding spaces
/// ignored. `None` for anything else, NaN and infinity included. Form decimals and the
/// CLI's coordinates both parse with this.
pub fn parse_decimal(raw: &str) -> Option<f64> {
    normalise_digits(raw)
        .trim()
        .replace([',', '٫'], ".")
        .parse::<f64>()
        .ok()
        .filter(|d| d.is_finite())
}

/// Maps Arabic-Indic (`٠`-`٩`) and Extended Arabic-Indic (`۰`-`۹`) digits to ASCII and drops
/// bidi marks and the Arabic thousands separator, leaving other characters unchanged.
pub fn normalise_digits(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '٬'))
        .map(|c| match c {
            '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
            '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
            other => other,
        })
        .collect()
}

#[cfg(test)]
#[path = "forms_tests.rs"]
mod tests;
