//! The `resolutions` and `manual_links` maps of a check's document (see the layout table in
//! [`crate::document`]): writing links with their provenance, recording supervisors'
//! decisions, and reading both back.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};

use crate::document::CheckDoc;
use crate::document_read::{DocError, invalid};
use crate::{Author, Catalog, LinkSource, ManualLink};

/// A supervisor's decision on one link, as `fieldsync link` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkDecision {
    /// The resolution number.
    pub number: u16,
    /// True to link, false to remove the link.
    pub linked: bool,
}

impl CheckDoc {
    /// Replaces the linked resolutions with `links` (number -> what made it) as `author`.
    /// Returns true if the document changed. Also adds the `manual_links` map to a document
    /// made before it existed.
    ///
    /// # Errors
    /// [`DocError`] if the document lacks the check layout.
    pub fn set_links(
        &mut self,
        author: &Author,
        links: &BTreeMap<u16, LinkSource>,
    ) -> Result<bool, DocError> {
        let obj = self.obj(&ROOT, "resolutions")?;
        let current = self.link_values(&obj)?;
        let wanted: BTreeMap<String, String> = links
            .iter()
            .map(|(n, source)| (n.to_string(), source.to_string()))
            .collect();
        let missing_manual = self.doc.get(ROOT, "manual_links")?.is_none();
        if current == wanted && !missing_manual {
            return Ok(false);
        }
        self.register_author(author)?;
        if missing_manual {
            self.doc.put_object(ROOT, "manual_links", ObjType::Map)?;
        }
        for key in current.keys().filter(|k| !wanted.contains_key(*k)) {
            self.doc.delete(&obj, key.as_str())?;
        }
        for (key, source) in wanted.iter().filter(|(k, v)| current.get(*k) != Some(*v)) {
            self.doc.put(&obj, key.as_str(), source.as_str())?;
        }
        self.commit("link resolutions");
        Ok(true)
    }

    /// Records a supervisor's link decisions (each replaces any earlier decision on that
    /// number) with one comment. Links themselves are recomputed afterwards
    /// ([`Catalog::resolve_links`], then [`CheckDoc::set_links`]). Removing a number the
    /// catalog lacks deletes an old device's decision on it (what clears an
    /// `unknown_resolution` violation).
    ///
    /// # Errors
    /// [`DocError::Forbidden`] if `author` is not a supervisor; [`DocError::Invalid`] on field
    /// `manual_links` naming a number the built-in catalog lacks (to add, or to remove
    /// without a decision on it) and the valid range;
    /// [`DocError`] if the document lacks the check layout.
    pub fn decide_links(
        &mut self,
        author: &Author,
        decisions: &[LinkDecision],
        comment: &str,
    ) -> Result<(), DocError> {
        if !author.role.may_decide() {
            return Err(DocError::Forbidden(format!(
                "{} is an {}: only a supervisor may add or remove resolution links",
                author.name,
                author.role.as_str()
            )));
        }
        let catalog = Catalog::builtin();
        let last = catalog.resolutions().last().map_or(0, |r| r.number);
        let recorded = self.read_manual_links()?;
        // Removing a number the catalog lacks is how a supervisor clears an old device's
        // decision on it; adding one, or removing one nobody decided on, is refused.
        let unknown = |d: &&LinkDecision| {
            catalog.get(d.number).is_none() && (d.linked || !recorded.contains_key(&d.number))
        };
        if let Some(bad) = decisions.iter().find(unknown) {
            return Err(invalid(
                "manual_links",
                &bad.number.to_string(),
                format!("there is no such resolution: resolutions are numbered 1 to {last}"),
            ));
        }
        self.register_author(author)?;
        let map = match self.doc.get(ROOT, "manual_links")? {
            Some((Value::Object(ObjType::Map), id)) => id,
            _ => self.doc.put_object(ROOT, "manual_links", ObjType::Map)?,
        };
        let at = jiff::Timestamp::now().to_string();
        for decision in decisions {
            let key = decision.number.to_string();
            if catalog.get(decision.number).is_none() {
                self.doc.delete(&map, key.as_str())?;
                continue;
            }
            let entry = self.doc.put_object(&map, key.as_str(), ObjType::Map)?;
            self.doc.put(&entry, "linked", decision.linked)?;
            self.doc.put(&entry, "by", author.name.as_str())?;
            self.doc.put(&entry, "at", at.as_str())?;
            if !comment.is_empty() {
                self.doc.put(&entry, "comment", comment)?;
            }
        }
        self.commit("decide resolution links");
        Ok(())
    }

    /// The links with what made them, by number.
    pub(crate) fn read_links(&self) -> Result<BTreeMap<u16, LinkSource>, DocError> {
        let obj = self.obj(&ROOT, "resolutions")?;
        let mut links = BTreeMap::new();
        for (key, value) in self.link_values(&obj)? {
            let number = key
                .parse::<u16>()
                .map_err(|e| invalid("resolutions", &key, e))?;
            // Provenance is informative: text from a newer or older build reads as a rule.
            links.insert(number, value.parse().unwrap_or(LinkSource::Rule(None)));
        }
        Ok(links)
    }

    /// The supervisors' decisions by number (empty for a document without the map).
    pub(crate) fn read_manual_links(&self) -> Result<BTreeMap<u16, ManualLink>, DocError> {
        let Some((Value::Object(ObjType::Map), obj)) = self.doc.get(ROOT, "manual_links")? else {
            return Ok(BTreeMap::new());
        };
        let mut out = BTreeMap::new();
        for key in self.doc.keys(&obj) {
            let number = key
                .parse::<u16>()
                .map_err(|e| invalid("manual_links", &key, e))?;
            let entry = self.obj(&obj, &key)?;
            let linked = match self.doc.get(&entry, "linked")? {
                Some((Value::Scalar(s), _)) => match s.as_ref() {
                    ScalarValue::Boolean(b) => *b,
                    other => {
                        return Err(invalid(
                            "manual_links.linked",
                            &other.to_string(),
                            "not true or false",
                        ));
                    }
                },
                _ => {
                    return Err(DocError::Missing {
                        field: format!("manual_links.{key}.linked"),
                    });
                }
            };
            out.insert(
                number,
                ManualLink {
                    linked,
                    by: self.str_at(&entry, "by", "manual_links.by")?,
                    at: self.str_at(&entry, "at", "manual_links.at")?,
                    comment: self.opt_str(&entry, "comment")?.unwrap_or_default(),
                },
            );
        }
        Ok(out)
    }

    /// Every key of the `resolutions` map with its value as text (`true` for old links).
    fn link_values(&self, obj: &ObjId) -> Result<BTreeMap<String, String>, DocError> {
        let mut out = BTreeMap::new();
        for key in self.doc.keys(obj) {
            let text = match self.doc.get(obj, key.as_str())? {
                Some((Value::Scalar(s), _)) => match s.as_ref() {
                    ScalarValue::Str(t) => t.to_string(),
                    other => other.to_string(),
                },
                _ => String::new(),
            };
            out.insert(key, text);
        }
        Ok(out)
    }
}

#[cfg(test)]
#[path = "document_links_tests.rs"]
mod tests;
