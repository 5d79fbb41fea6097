//! Parallel updates: form fields whose current values were written by different authors in
//! concurrent changes (neither saw the other) and merged cleanly, as opposed to conflicts,
//! where concurrent changes wrote the *same* field.
//!
//! Only each field's current (single) value counts, so a field drops out once anyone edits
//! it again after the merge. The change that wrote a value is found from the value's op id
//! (`hash_for_opid`); concurrency is read from the change graph (neither change is an
//! ancestor of the other).

use std::collections::{BTreeMap, HashSet};

use automerge::{ChangeHash, ROOT, ReadDoc, Value};
use serde::{Deserialize, Serialize};

use crate::document::{CheckDoc, from_scalar};
use crate::document_read::DocError;
use crate::{Author, FieldValue};

/// A field value written in parallel with another author's write of another field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParallelUpdate {
    /// The form field (`licence_valid`).
    pub field: String,
    /// Its current value.
    pub value: FieldValue,
    /// The Automerge actor (hex) that wrote it.
    pub actor: String,
    /// Its registered author, if known.
    pub author: Option<Author>,
}

/// One field's current write: field, value, actor, change.
type Write = (String, FieldValue, String, ChangeHash);

impl CheckDoc {
    /// Fields updated in parallel by different authors without conflict, by field name.
    ///
    /// # Errors
    /// [`DocError`] if the document lacks the check layout.
    pub fn parallel_updates(&self) -> Result<Vec<ParallelUpdate>, DocError> {
        let writes = self.field_writes()?;
        let ancestors: BTreeMap<ChangeHash, HashSet<ChangeHash>> =
            writes.iter().map(|w| (w.3, self.ancestors(w.3))).collect();
        let concurrent = |a: &ChangeHash, b: &ChangeHash| {
            a != b && !ancestors[a].contains(b) && !ancestors[b].contains(a)
        };
        let authors = self.read_authors()?;
        Ok(writes
            .iter()
            .filter(|w| writes.iter().any(|o| o.2 != w.2 && concurrent(&w.3, &o.3)))
            .map(|(field, value, actor, _)| ParallelUpdate {
                field: field.clone(),
                value: value.clone(),
                author: authors.get(actor).cloned(),
                actor: actor.clone(),
            })
            .collect())
    }

    /// The single current write of every field (conflicting fields are left out).
    fn field_writes(&self) -> Result<Vec<Write>, DocError> {
        let fields = self.obj(&ROOT, "fields")?;
        let mut out = Vec::new();
        for key in self.doc.keys(&fields) {
            let mut all = self.doc.get_all(&fields, key.as_str())?;
            let (Some((Value::Scalar(s), id)), None) = (all.pop(), all.pop()) else {
                continue;
            };
            let (Some(value), Some(hash)) = (from_scalar(&s), self.doc.hash_for_opid(&id)) else {
                continue;
            };
            let actor = match &id {
                automerge::ObjId::Id(_, actor, _) => actor.to_hex_string(),
                automerge::ObjId::Root => continue,
            };
            out.push((key, value, actor, hash));
        }
        Ok(out)
    }

    /// Every change `hash` depends on, directly or not.
    fn ancestors(&self, hash: ChangeHash) -> HashSet<ChangeHash> {
        let mut seen = HashSet::new();
        let mut todo = vec![hash];
        while let Some(h) = todo.pop() {
            let Some(change) = self.doc.get_change_by_hash(&h) else {
                continue;
            };
            for dep in change.deps() {
                if seen.insert(*dep) {
                    todo.push(*dep);
                }
            }
        }
        seen
    }
}
