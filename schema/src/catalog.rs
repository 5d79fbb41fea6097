//! The resolution catalog: the 42 resolutions with their metadata, and the linking rules.
//!
//! Two seed files feed it. The Arabic text (`seeds/000_8af25a3f10ada137.txt`) gives each
//! resolution's number and wording, parsed by [`crate::resolutions`]. `seeds/resolutions.toml`,
//! written for reviewers rather than programmers, adds an English title, the facility kinds
//! concerned and any stated deadline per resolution, plus the `[[rule]]` entries that link a
//! check to resolutions, by kind and by value ([`crate::link_rules`]). Linking is data only:
//! [`Catalog::rule_links`] evaluates the rules and knows nothing about any particular
//! resolution, so changing which checks cite what is an edit to the TOML, reviewed like any
//! other. Supervisors' manual decisions override the rules ([`crate::links`]).
//!
//! [`Catalog::load`] cross-checks the two files (every number has exactly one entry, every
//! kind and rule target exists, rule fields exist in the forms, deadlines quote the text) so
//! a bad edit fails loudly at start-up.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::forms::Forms;
use crate::kind::FacilityKind;
use crate::link_rules::{LinkRule, RuleToml, load_rules};
use crate::resolutions::{SeedError, parse_resolutions};
use crate::value::FieldValue;

/// The built-in Arabic text of the resolutions.
pub const SEED_TEXT: &str = include_str!("../../seeds/000_8af25a3f10ada137.txt");
/// The built-in metadata and linking rules.
pub const RESOLUTIONS_TOML: &str = include_str!("../../seeds/resolutions.toml");

/// A deadline the resolution itself states, in both languages (never a computed date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    /// English wording (`within the next year`).
    pub text_en: String,
    /// The Arabic phrase, as it occurs in the resolution's text.
    pub text_ar: String,
}

/// A resolution with its reviewer-maintained metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolutionInfo {
    /// The resolution's number (1-42 in the built-in text).
    pub number: u16,
    /// The Arabic text, exactly as the seed text states it.
    pub text_ar: String,
    /// A short English translation.
    pub title_en: String,
    /// The facility kinds it concerns; empty for political or governance resolutions.
    pub kinds: Vec<FacilityKind>,
    /// The deadline it states, if any.
    pub deadline: Option<Deadline>,
}

/// The resolutions merged with their metadata, and the linking rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalog {
    resolutions: Vec<ResolutionInfo>,
    rules: Vec<LinkRule>,
}

/// The TOML file's shape; kinds stay strings so errors can say where a bad one was written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    resolution: Vec<EntryToml>,
    #[serde(default)]
    rule: Vec<RuleToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryToml {
    number: u16,
    title_en: String,
    kinds: Vec<String>,
    deadline: Option<Deadline>,
}

pub(crate) fn parse_kinds(names: &[String], context: &str) -> Result<Vec<FacilityKind>, SeedError> {
    names
        .iter()
        .map(|name| {
            name.parse().map_err(|_| SeedError::UnknownKind {
                value: name.clone(),
                context: context.to_owned(),
            })
        })
        .collect()
}

impl Catalog {
    /// Builds the catalog from the Arabic seed text and the metadata and rules TOML.
    ///
    /// Fails, naming the offending value, on a malformed text or TOML, an unknown kind, an
    /// entry or rule for a number the text lacks, a missing or repeated entry, an empty
    /// title, a deadline whose Arabic phrase is not in the resolution's text, or a rule that
    /// is not sound (see [`crate::link_rules`]: bad or repeated id, a field no form of its
    /// kinds has, a `when` condition that does not read or fit the field types).
    pub fn load(seed_text: &str, toml_text: &str) -> Result<Catalog, SeedError> {
        Self::load_with_forms(seed_text, toml_text, Forms::builtin())
    }

    /// [`Catalog::load`], checking the rules' fields against `forms` instead of the built-in
    /// forms.
    ///
    /// # Errors
    /// As [`Catalog::load`].
    pub fn load_with_forms(
        seed_text: &str,
        toml_text: &str,
        forms: &Forms,
    ) -> Result<Catalog, SeedError> {
        let parsed = parse_resolutions(seed_text)?;
        let file: SeedFile = toml::from_str(toml_text).map_err(|e| SeedError::Toml {
            message: e.to_string(),
        })?;

        let mut entries: BTreeMap<u16, EntryToml> = BTreeMap::new();
        for entry in file.resolution {
            let number = entry.number;
            if !parsed.iter().any(|r| r.number == number) {
                return Err(SeedError::UnknownResolution {
                    number,
                    context: "[[resolution]] entry".to_owned(),
                });
            }
            if entries.insert(number, entry).is_some() {
                return Err(SeedError::DuplicateEntry { number });
            }
        }

        let mut resolutions = Vec::with_capacity(parsed.len());
        for resolution in parsed {
            let number = resolution.number;
            let entry = entries
                .remove(&number)
                .ok_or(SeedError::MissingEntry { number })?;
            if entry.title_en.trim().is_empty() {
                return Err(SeedError::EmptyTitle { number });
            }
            if let Some(deadline) = &entry.deadline
                && !resolution.text_ar.contains(&deadline.text_ar)
            {
                return Err(SeedError::DeadlineNotInText {
                    number,
                    text_ar: deadline.text_ar.clone(),
                });
            }
            resolutions.push(ResolutionInfo {
                number,
                kinds: parse_kinds(&entry.kinds, &format!("resolution {number}"))?,
                text_ar: resolution.text_ar,
                title_en: entry.title_en,
                deadline: entry.deadline,
            });
        }

        let known = |n: u16| resolutions.iter().any(|r| r.number == n);
        let rules = load_rules(file.rule, forms, known)?;
        Ok(Catalog { resolutions, rules })
    }

    /// The catalog built from the seed files compiled into this crate.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The built-in files are checked by this module's tests.
            Catalog::load(SEED_TEXT, RESOLUTIONS_TOML).expect("built-in seed files are valid")
        })
    }

    /// All resolutions, in number order.
    pub fn resolutions(&self) -> &[ResolutionInfo] {
        &self.resolutions
    }

    /// The resolution with this number, if there is one.
    pub fn get(&self, number: u16) -> Option<&ResolutionInfo> {
        self.resolutions.iter().find(|r| r.number == number)
    }

    /// The linking rules, in file order.
    pub fn rules(&self) -> &[LinkRule] {
        &self.rules
    }

    /// The resolutions a check of `kind` with these `fields` is linked to by rules: sorted,
    /// no repeats (manual decisions aside: see [`Catalog::resolve_links`]).
    pub fn links(&self, kind: FacilityKind, fields: &BTreeMap<String, FieldValue>) -> Vec<u16> {
        self.rule_links(kind, fields).into_keys().collect()
    }
}

#[cfg(test)]
#[path = "catalog_tests.rs"]
mod tests;
