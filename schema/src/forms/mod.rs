//! Forms: the fields an inspector fills per facility kind, defined as data in
//! `schema/forms/<id>/v<N>.toml` (see `schema/forms/README.md`), compiled in and checked
//! when first loaded.
//!
//! - [`model`]: [`Form`], [`FormField`], [`FieldType`], [`Unit`], [`Choice`], [`Pattern`].
//! - [`condition`]: the `relevant` condition language ([`Condition`]).
//! - [`load`](Forms::load): refusing broken definitions and inconsistent versions.
//! - [`parse`](FormField::parse): what an inspector types, into a stored value.
//! - [`typed`]: stored values read as their type ([`TypedValue`]).
//! - [`validate`]: whole-check validation ([`Form::validate`], [`Violation`]).
//! - [`messages`]: violation messages in Arabic and English ([`Lang`]).
//!
//! # Versions
//!
//! [`Forms`] keeps every version of every form. A check records the form id and version it
//! was made with ([`crate::FormRef`]) and is validated and read against that version
//! ([`Forms::get`], [`Forms::validate_check`]), so a check made with `bakery` v1 stays valid
//! and readable after v2 adds or tightens rules. New checks use [`Forms::current`]. A
//! field's type and unit never change from one version to the next (load refuses it), so a
//! value means the same under every version that has the field.
//!
//! # Storage
//!
//! A check stores each value as an Automerge scalar, [`crate::FieldValue`]; the form gives the
//! type. Types without a scalar of their own are text in fixed shapes, following ODK:
//!
//! | type              | stored as                  | example                               |
//! |-------------------|----------------------------|---------------------------------------|
//! | `boolean`         | `Bool`                     | `true`                                |
//! | `integer`         | `Int`                      | `1250`                                |
//! | `decimal`         | `Decimal` (an `Int` reads as a decimal too) | `12.5`               |
//! | `select_one`      | `Text`: the choice value   | `in_progress`                         |
//! | `select_multiple` | `Text`: choice values separated by one space, in form order | `grid solar` |
//! | `text`            | `Text`                     | `الباب الخلفي مغلق`                   |
//! | `date`            | `Text`: `YYYY-MM-DD`       | `2026-03-29`                          |
//! | `datetime`        | `Text`: RFC 3339 with offset | `2026-03-29T10:15:00+03:00`         |
//! | `geopoint`        | `Text`: `lat lon [alt [acc]]`, degrees and metres | `35.336 40.14 212 5` |
//! | `photo`           | `Text`: `sha256:` + 64 lowercase hex digits | `sha256:9f86…0f00a08` |
//!
//! Numbers in stored text are ASCII. Units belong to the field, never to the value.
//! [`FormField::parse`] produces these shapes from what an inspector types;
//! [`FormField::interpret`] reads them back as a [`TypedValue`].

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::{Check, FacilityKind};

pub mod condition;
mod load;
pub mod messages;
pub mod model;
mod parse;
pub mod typed;
pub mod validate;

pub use condition::{BadCondition, Condition};
pub use messages::Lang;
pub use model::{BadPattern, Choice, FieldType, Form, FormField, Pattern, Unit};
pub use parse::{normalise_digits, parse_decimal};
pub use typed::{GeoPoint, PhotoRef, TypedValue};
pub use validate::{GeoPart, Measure, Rule, Severity, TypeReason, Violation, is_valid};

/// `(path, text)` of each built-in form file, as [`Forms::load`] takes them.
macro_rules! builtin_sources {
    ($($path:literal),* $(,)?) => {
        [$(($path, include_str!(concat!("../../forms/", $path)))),*]
    };
}

/// The built-in form definitions: `schema/forms/<id>/v<N>.toml`, every version.
pub const BUILTIN_SOURCES: [(&str, &str); 9] = builtin_sources![
    "bakery/v1.toml",
    "bakery/v2.toml",
    "water_station/v1.toml",
    "crossing/v1.toml",
    "silo/v1.toml",
    "mill/v1.toml",
    "fuel_station/v1.toml",
    "consumer_outlet/v1.toml",
    "other/v1.toml",
];

/// A form definition or a value refused, naming what and why.
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
    /// A value breaks a rule of its field (the English message; the violation also has
    /// the Arabic one).
    #[error("{}", .0.message(Lang::En))]
    Invalid(Box<Violation>),
    /// A built-in or supplied form definition is itself broken.
    #[error("form definition {file}: {reason}")]
    Definition {
        /// The file the definition came from (`bakery/v2.toml`).
        file: String,
        /// What is wrong, for the person editing the form.
        reason: String,
    },
}

/// Every version of every form, at least one form per facility kind.
#[derive(Debug, Clone)]
pub struct Forms {
    /// Versions 1..=N of each form id, at index `version - 1`.
    by_id: BTreeMap<String, Vec<Form>>,
    /// The form id for each kind.
    by_kind: BTreeMap<FacilityKind, String>,
}

impl Forms {
    /// The forms compiled into this build ([`BUILTIN_SOURCES`]).
    pub fn builtin() -> &'static Forms {
        static FORMS: OnceLock<Forms> = OnceLock::new();
        FORMS.get_or_init(|| {
            // Covered by the `builtin_forms_load` test, so this cannot fail in a release.
            Forms::load(BUILTIN_SOURCES).expect("built-in forms in schema/forms are valid")
        })
    }

    /// A form by id and version, if known.
    pub fn get(&self, id: &str, version: u32) -> Option<&Form> {
        let index = usize::try_from(version.checked_sub(1)?).ok()?;
        self.by_id.get(id)?.get(index)
    }

    /// Every version of a form id, oldest first (empty for an unknown id).
    pub fn versions(&self, id: &str) -> &[Form] {
        self.by_id.get(id).map_or(&[], Vec::as_slice)
    }

    /// Every version of the form for a facility kind, oldest first.
    pub fn kind_versions(&self, kind: FacilityKind) -> &[Form] {
        self.by_kind.get(&kind).map_or(&[], |id| self.versions(id))
    }

    /// The latest version of the form for a facility kind: the one new checks use.
    pub fn current(&self, kind: FacilityKind) -> &Form {
        // `load` guarantees a form with at least one version for every kind.
        let versions = &self.by_id[&self.by_kind[&kind]];
        &versions[versions.len() - 1]
    }

    /// Same as [`Forms::current`]; kept so existing callers read unchanged.
    pub fn for_kind(&self, kind: FacilityKind) -> &Form {
        self.current(kind)
    }

    /// Validates a check against the form version it was made with (see
    /// [`Form::validate`]). A form id or version this build does not know gives one
    /// `unknown_form` violation on field `form`; a check whose kind is not the form's gets
    /// a `kind` violation on field `kind` as well as the field violations.
    pub fn validate_check(&self, check: &Check) -> Vec<Violation> {
        let Some(form) = self.get(&check.form.id, check.form.version) else {
            let rule = Rule::UnknownForm {
                id: check.form.id.clone(),
                version: check.form.version,
            };
            let shown =
                crate::FieldValue::Text(format!("{} v{}", check.form.id, check.form.version));
            return vec![Violation::new("form", Some(&shown), rule)];
        };
        let mut found = Vec::new();
        if form.kind != check.kind {
            let shown = crate::FieldValue::Text(check.kind.to_string());
            let rule = Rule::Kind {
                expected: form.kind,
            };
            found.push(Violation::new("kind", Some(&shown), rule));
        }
        found.extend(form.validate(&check.fields));
        found
    }
}

#[cfg(test)]
mod tests;
