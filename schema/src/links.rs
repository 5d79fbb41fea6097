//! Resolution links with their provenance, and supervisors' manual link decisions.
//!
//! A check's links are recomputed whenever it changes (by the server on every merge, and by
//! a device after a local edit): first every [`LinkRule`](crate::LinkRule) that matches its
//! kind and values ([`Catalog::rule_links`]), then the supervisors' manual decisions, which
//! win ([`Catalog::resolve_links`], [`Catalog::check_links`]): a manual "linked" adds the link (or takes it over from
//! a rule), a manual "not linked" removes it even when a rule matches. Each link records what
//! made it ([`LinkSource`]), so `show` and the API can say "rule bakery_price_above_official"
//! or "manual, sara".
//!
//! A manual decision naming a number the catalog lacks (an old or broken device) links
//! nothing; [`Catalog::unknown_manual_links`] lists them so validation can flag the check.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Catalog, Check, FacilityKind, FieldValue};

/// What made a link, stored as the link's value in the document: `rule:<id>`,
/// `manual:<name>`, or `rule` for a link written before links recorded their rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum LinkSource {
    /// A linking rule, by id (`None` for a link from before rules had ids).
    Rule(Option<String>),
    /// A supervisor's manual decision, by the supervisor's name.
    Manual(String),
}

impl fmt::Display for LinkSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rule(Some(id)) => write!(f, "rule:{id}"),
            Self::Rule(None) => f.write_str("rule"),
            Self::Manual(by) => write!(f, "manual:{by}"),
        }
    }
}

/// Text that is not `rule`, `rule:<id>` or `manual:<name>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid link source {value:?}: expected rule:<id> or manual:<name>")]
pub struct BadLinkSource {
    /// The rejected text.
    pub value: String,
}

impl FromStr for LinkSource {
    type Err = BadLinkSource;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            None if s == "rule" => Ok(Self::Rule(None)),
            Some(("rule", id)) if !id.is_empty() => Ok(Self::Rule(Some(id.to_owned()))),
            Some(("manual", by)) if !by.is_empty() => Ok(Self::Manual(by.to_owned())),
            _ => Err(BadLinkSource {
                value: s.to_owned(),
            }),
        }
    }
}

impl TryFrom<String> for LinkSource {
    type Error = BadLinkSource;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<LinkSource> for String {
    fn from(source: LinkSource) -> String {
        source.to_string()
    }
}

/// A supervisor's decision on one resolution link, kept in the document's `manual_links`
/// map under the resolution number, so decisions on different numbers merge and the latest
/// decision on one number wins as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualLink {
    /// True to link the check to the resolution, false to remove the link.
    pub linked: bool,
    /// The supervisor's name.
    pub by: String,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Why, for the inspector (may be empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

impl Catalog {
    /// The rule links of a check of `kind` with these `fields`: each resolution with the
    /// first rule (in file order) that links it.
    pub fn rule_links(
        &self,
        kind: FacilityKind,
        fields: &BTreeMap<String, FieldValue>,
    ) -> BTreeMap<u16, LinkSource> {
        let mut links = BTreeMap::new();
        for rule in self.rules().iter().filter(|r| r.applies(kind, fields)) {
            links
                .entry(rule.resolution)
                .or_insert_with(|| LinkSource::Rule(Some(rule.id.clone())));
        }
        links
    }

    /// The links a check of `kind` with these `fields` and `manual` decisions should carry:
    /// its rule links, overridden by the manual decisions (a decision naming a number this
    /// catalog lacks is ignored). For a [`Check`]: [`Catalog::check_links`].
    pub fn resolve_links(
        &self,
        kind: FacilityKind,
        fields: &BTreeMap<String, FieldValue>,
        manual: &BTreeMap<u16, ManualLink>,
    ) -> BTreeMap<u16, LinkSource> {
        let mut links = self.rule_links(kind, fields);
        for (number, decision) in manual {
            if self.get(*number).is_none() {
                continue;
            }
            if decision.linked {
                links.insert(*number, LinkSource::Manual(decision.by.clone()));
            } else {
                links.remove(number);
            }
        }
        links
    }

    /// [`Catalog::resolve_links`] for a check as read from its document.
    pub fn check_links(&self, check: &Check) -> BTreeMap<u16, LinkSource> {
        self.resolve_links(check.kind, &check.fields, &check.manual_links)
    }

    /// The numbers of `check`'s manual decisions that are not resolutions of this catalog.
    pub fn unknown_manual_links(&self, check: &Check) -> Vec<u16> {
        check
            .manual_links
            .keys()
            .copied()
            .filter(|n| self.get(*n).is_none())
            .collect()
    }
}
