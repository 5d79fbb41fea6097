//! The resolution catalog: the 42 resolutions with their metadata, and the linking rules.
//!
//! Two seed files feed it. The Arabic text (`seeds/000_8af25a3f10ada137.txt`) gives each
//! resolution's number and wording, parsed by [`crate::resolutions`]. `seeds/resolutions.toml`,
//! written for reviewers rather than programmers, adds an English title, the facility kinds
//! concerned and any stated deadline per resolution, plus the `[[rule]]` entries that link a
//! check to resolutions. Linking is data only: [`Catalog::links`] evaluates the rules and knows
//! nothing about any particular resolution, so changing which checks cite what is an edit to
//! the TOML, reviewed like any other.
//!
//! [`Catalog::load`] cross-checks the two files (every number has exactly one entry, every
//! kind and rule target exists, deadlines quote the text) so a bad edit fails loudly at start-up.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::kind::FacilityKind;
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

/// A linking rule: checks of these kinds cite this resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkRule {
    /// The resolution a matching check is linked to.
    pub resolution: u16,
    /// The facility kinds the rule applies to.
    pub kinds: Vec<FacilityKind>,
    /// If non-empty, the rule applies only when at least one of these fields has a value.
    pub any_field: Vec<String>,
    /// Why the rule exists, for reviewers.
    pub note_en: Option<String>,
}

impl LinkRule {
    /// Whether a check of `kind` with these `fields` is linked by this rule.
    pub fn applies(&self, kind: FacilityKind, fields: &BTreeMap<String, FieldValue>) -> bool {
        self.kinds.contains(&kind)
            && (self.any_field.is_empty() || self.any_field.iter().any(|f| fields.contains_key(f)))
    }
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleToml {
    resolution: u16,
    kinds: Vec<String>,
    #[serde(default)]
    any_field: Vec<String>,
    note_en: Option<String>,
}

fn parse_kinds(names: &[String], context: &str) -> Result<Vec<FacilityKind>, SeedError> {
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
    /// title, or a deadline whose Arabic phrase is not in the resolution's text.
    pub fn load(seed_text: &str, toml_text: &str) -> Result<Catalog, SeedError> {
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

        let mut rules = Vec::with_capacity(file.rule.len());
        for rule in file.rule {
            let context = format!("rule for resolution {}", rule.resolution);
            if !resolutions.iter().any(|r| r.number == rule.resolution) {
                return Err(SeedError::UnknownResolution {
                    number: rule.resolution,
                    context: "[[rule]]".to_owned(),
                });
            }
            rules.push(LinkRule {
                resolution: rule.resolution,
                kinds: parse_kinds(&rule.kinds, &context)?,
                any_field: rule.any_field,
                note_en: rule.note_en,
            });
        }
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

    /// The resolutions a check of `kind` with these `fields` is linked to: sorted, no repeats.
    pub fn links(&self, kind: FacilityKind, fields: &BTreeMap<String, FieldValue>) -> Vec<u16> {
        self.rules
            .iter()
            .filter(|rule| rule.applies(kind, fields))
            .map(|rule| rule.resolution)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
#[path = "catalog_tests.rs"]
mod tests;
