//! Whole-check validation as the server and the CLI both apply it, so a device shows the
//! same `invalid` flag offline as the server stores.
//!
//! A check's violations are its form's ([`Forms::validate_check`], against the form version
//! the check records) plus one `unknown_resolution` violation per manual link decision
//! naming a number the catalog lacks ([`Catalog::unknown_manual_links`]). A check is valid
//! when none is an error ([`is_valid`]). Nothing here refuses a check: the server stores an
//! invalid check with its violations and syncs it like any other.

use crate::forms::validate::Rule;
use crate::forms::{Violation, is_valid};
use crate::{Catalog, Check, FieldValue, Forms};

/// Every violation of `check` against the built-in forms and catalog, form fields first.
pub fn check_violations(check: &Check) -> Vec<Violation> {
    violations_with(check, Forms::builtin(), Catalog::builtin())
}

/// [`check_violations`] against the given forms and catalog.
pub fn violations_with(check: &Check, forms: &Forms, catalog: &Catalog) -> Vec<Violation> {
    let mut found = forms.validate_check(check);
    let last = catalog.resolutions().last().map_or(0, |r| r.number);
    for number in catalog.unknown_manual_links(check) {
        let shown = FieldValue::Int(i64::from(number));
        let rule = Rule::UnknownResolution { number, last };
        found.push(Violation::new("manual_links", Some(&shown), rule));
    }
    found
}

/// Whether `check` is valid: [`check_violations`] holds no error.
pub fn check_is_valid(check: &Check) -> bool {
    is_valid(&check_violations(check))
}
