//! Values as the inspector typed them, kept for audit.
//!
//! A value is stored in its canonical shape (`12000`, `2026-03-29`); what was typed
//! (`١٢٬٠٠٠`, `29/3/2026`) is kept beside it in the document's `raw` map whenever the two
//! differ, so a supervisor can see exactly what was entered ([`raw_for_audit`] decides).
//!
//! # Merging
//!
//! `raw` is keyed by field name, so two devices' raw texts merge by key like `fields`.
//! Documents made before `raw` existed lack the map; the first edit that keeps raw text
//! creates it. Two devices may both create it while offline: Automerge then keeps both
//! maps under the one key, and [`CheckDoc::read`] reads their union (the winning map's
//! text first) instead of refusing the document.
//!
//! Raw text belongs to the value it was typed for. Changing a value without raw text
//! removes the old raw text; after a concurrent edit the surviving raw text may still
//! belong to the losing value, so readers show it only when it parses to the stored value
//! (the CLI's `show` does).

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};

use crate::FieldValue;
use crate::document::CheckDoc;
use crate::document_read::DocError;

/// The raw text worth keeping for a value typed as `raw` and stored as `stored`: `raw`
/// trimmed, or `None` when it reads the same as the stored value (`1250` for 1250).
pub fn raw_for_audit(raw: &str, stored: &FieldValue) -> Option<String> {
    let typed = raw.trim();
    (typed != stored.to_string()).then(|| typed.to_owned())
}

impl CheckDoc {
    /// Every `raw` map in the document: the winning one first, then any written
    /// concurrently (see the [module docs](self)).
    fn raw_maps(&self) -> Result<Vec<ObjId>, DocError> {
        let winner = match self.doc.get(ROOT, "raw")? {
            Some((Value::Object(ObjType::Map), id)) => id,
            _ => return Ok(Vec::new()),
        };
        let mut maps = vec![winner.clone()];
        for (value, id) in self.doc.get_all(ROOT, "raw")? {
            if matches!(value, Value::Object(ObjType::Map)) && id != winner {
                maps.push(id);
            }
        }
        Ok(maps)
    }

    /// Sets (`Some`) or removes (`None`) the raw text of `field`, creating the `raw` map of
    /// an older document only when there is text to keep.
    pub(crate) fn put_raw(&mut self, field: &str, text: Option<&str>) -> Result<(), DocError> {
        let maps = self.raw_maps()?;
        match (text, maps.first()) {
            (Some(text), Some(map)) => self.doc.put(map, field, text)?,
            (Some(text), None) => {
                let map = self.doc.put_object(ROOT, "raw", ObjType::Map)?;
                self.doc.put(&map, field, text)?;
            }
            (None, _) => {
                for map in &maps {
                    if self.doc.get(map, field)?.is_some() {
                        self.doc.delete(map, field)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The raw texts by field name (empty for a document without `raw`).
    pub(crate) fn read_raw(&self) -> Result<BTreeMap<String, String>, DocError> {
        let mut out = BTreeMap::new();
        for map in self.raw_maps()? {
            for key in self.doc.keys(&map) {
                if out.contains_key(&key) {
                    continue;
                }
                if let Some((Value::Scalar(s), _)) = self.doc.get(&map, key.as_str())?
                    && let ScalarValue::Str(text) = s.as_ref()
                {
                    out.insert(key, text.to_string());
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
#[path = "document_raw_tests.rs"]
mod tests;
