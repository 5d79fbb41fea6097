//! Linking rules: the `[[rule]]` entries of `seeds/resolutions.toml`, read and checked
//! against the forms when the catalog loads.
//!
//! A rule links a check to one resolution when the check's kind is one of the rule's
//! `kinds`, it has a value for one of the `any_field` names (if given), and its values
//! satisfy the `when` condition (if given). `when` is written in the forms' condition
//! language ([`Condition`]): `open = false`, `maintenance_status = in_progress`,
//! `bread_price_syp > bread_price_official_syp` (a number field compared with another),
//! clauses joined by `and`. Several rules may link the same resolution: any one suffices.
//!
//! [`load_rules`] refuses, naming the rule, a rule id that is not a name or is repeated, a
//! resolution the catalog lacks, a field no form of one of the rule's kinds has (in any
//! version), and a condition that does not fit the field types.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::forms::condition::is_name;
use crate::forms::{Condition, FormField, Forms};
use crate::kind::FacilityKind;
use crate::resolutions::SeedError;
use crate::value::FieldValue;

/// A linking rule: checks of these kinds, with these values, cite this resolution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkRule {
    /// Stable identifier (`bakery_price_above_official`), recorded with every link it makes.
    pub id: String,
    /// The resolution a matching check is linked to.
    pub resolution: u16,
    /// The facility kinds the rule applies to.
    pub kinds: Vec<FacilityKind>,
    /// If non-empty, the rule applies only when at least one of these fields has a value.
    pub any_field: Vec<String>,
    /// If present, the rule applies only when the check's values satisfy it.
    pub when: Option<Condition>,
    /// Why the rule exists, for reviewers.
    pub note_en: Option<String>,
}

impl LinkRule {
    /// Whether a check of `kind` with these `fields` is linked by this rule.
    pub fn applies(&self, kind: FacilityKind, fields: &BTreeMap<String, FieldValue>) -> bool {
        if !self.kinds.contains(&kind) {
            return false;
        }
        if !self.any_field.is_empty() && !self.any_field.iter().any(|f| fields.contains_key(f)) {
            return false;
        }
        self.when.as_ref().is_none_or(|when| {
            let values = fields.iter().map(|(k, v)| (k.as_str(), v)).collect();
            when.holds(&values)
        })
    }
}

/// One `[[rule]]` as written; kinds stay strings so errors can say where a bad one was.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleToml {
    id: String,
    resolution: u16,
    kinds: Vec<String>,
    #[serde(default)]
    any_field: Vec<String>,
    when: Option<String>,
    note_en: Option<String>,
}

/// Reads and checks the rules; `known` tells whether a resolution number exists.
///
/// # Errors
/// [`SeedError::BadRule`] for a bad or repeated id or a `when` that does not read or fit;
/// [`SeedError::UnknownResolution`], [`SeedError::UnknownKind`] and
/// [`SeedError::RuleUnknownField`] naming the rule and the offending value.
pub(crate) fn load_rules(
    rules: Vec<RuleToml>,
    forms: &Forms,
    known: impl Fn(u16) -> bool,
) -> Result<Vec<LinkRule>, SeedError> {
    let mut ids = BTreeSet::new();
    let mut out = Vec::with_capacity(rules.len());
    for (index, rule) in rules.into_iter().enumerate() {
        let bad = |name: String, reason: &str| SeedError::BadRule {
            rule: name,
            resolution: rule.resolution,
            reason: reason.to_owned(),
        };
        if !is_name(&rule.id) {
            let at = format!("#{} ({})", index + 1, rule.id);
            let why = "the id must be lowercase letters, digits and _, starting with a letter";
            return Err(bad(at, why));
        }
        if !ids.insert(rule.id.clone()) {
            return Err(bad(rule.id.clone(), "another rule has the same id"));
        }
        if !known(rule.resolution) {
            return Err(SeedError::UnknownResolution {
                number: rule.resolution,
                context: format!("rule {:?}", rule.id),
            });
        }
        out.push(check_rule(rule, forms)?);
    }
    Ok(out)
}

fn check_rule(rule: RuleToml, forms: &Forms) -> Result<LinkRule, SeedError> {
    let context = format!("rule {:?}", rule.id);
    let kinds = crate::catalog::parse_kinds(&rule.kinds, &context)?;
    let when = rule
        .when
        .as_deref()
        .map(Condition::parse)
        .transpose()
        .map_err(|e| SeedError::BadRule {
            rule: rule.id.clone(),
            resolution: rule.resolution,
            reason: format!("when = {:?}: {}", e.condition, e.reason),
        })?;
    for kind in &kinds {
        let fields = kind_fields(forms, *kind);
        let named = rule
            .any_field
            .iter()
            .map(String::as_str)
            .chain(when.iter().flat_map(Condition::fields));
        for field in named {
            if !fields.iter().any(|f| f.name == field) {
                return Err(SeedError::RuleUnknownField {
                    rule: rule.id.clone(),
                    resolution: rule.resolution,
                    field: field.to_owned(),
                    kind: *kind,
                    expected: fields
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        if let Some(when) = &when {
            when.check(&fields).map_err(|e| SeedError::BadRule {
                rule: rule.id.clone(),
                resolution: rule.resolution,
                reason: format!("when = {:?} for {kind} checks: {}", e.condition, e.reason),
            })?;
        }
    }
    Ok(LinkRule {
        id: rule.id,
        resolution: rule.resolution,
        kinds,
        any_field: rule.any_field,
        when,
        note_en: rule.note_en,
    })
}

/// Every field of every version of the form for `kind`, first version's order first, each
/// name once (a field's type never changes between versions).
fn kind_fields(forms: &Forms, kind: FacilityKind) -> Vec<FormField> {
    let mut fields: Vec<FormField> = Vec::new();
    for form in forms.kind_versions(kind) {
        for field in &form.fields {
            if !fields.iter().any(|f| f.name == field.name) {
                fields.push(field.clone());
            }
        }
    }
    fields
}

#[cfg(test)]
#[path = "link_rules_tests.rs"]
mod tests;
