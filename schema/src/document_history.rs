//! A check's history, read from the Automerge change history: every change in causal order
//! with its time, author and what it changed.
//!
//! Each change is diffed against its own dependencies (`diff(deps, [hash])`): the patches
//! name the places it wrote, and the values before and after are read at those two sets of
//! heads. A change made offline is therefore described against what its author saw, not
//! against whatever a concurrent change did meanwhile.

use std::collections::BTreeMap;

use automerge::{ChangeHash, ObjId, ObjType, Patch, PatchAction, Prop, ROOT, ReadDoc, Value};
use serde::{Deserialize, Serialize};

use crate::Author;
use crate::document::{CheckDoc, from_scalar};
use crate::document_read::DocError;

/// One change of a check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The change hash (hex).
    pub hash: String,
    /// When it was committed, RFC 3339 UTC (the writing device's clock, whole seconds).
    pub at: String,
    /// The Automerge actor (hex) that wrote it.
    pub actor: String,
    /// The registered author of that actor, if known.
    pub author: Option<Author>,
    /// The commit message (`edit check`, `review check`, ...).
    pub message: Option<String>,
    /// What it changed, in document order.
    pub changes: Vec<HistoryItem>,
}

/// One thing a change did: `what: old -> new`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryItem {
    /// What changed: a key path (`fields.bread_price_syp`, `notes`, `review`,
    /// `resolutions`) or an event (`recorded`, `comment`, `decision`, `deleted`).
    pub what: String,
    /// The value before, rendered as text (`None`: absent).
    pub old: Option<String>,
    /// The value after (`None`: removed).
    pub new: Option<String>,
}

/// Root keys whose writes are bookkeeping, never shown on their own.
const QUIET: [&str; 8] = [
    "layout",
    "id",
    "kind",
    "inspector",
    "form",
    "authors",
    "review_history",
    "observed_at",
];

impl CheckDoc {
    /// Every change, oldest first in causal order (Automerge's topological order).
    ///
    /// # Errors
    /// [`DocError`] if the document lacks the check layout.
    pub fn history(&mut self) -> Result<Vec<HistoryEntry>, DocError> {
        let authors = self.authors_by_actor()?;
        let mut out = Vec::new();
        for change in self.doc.get_changes(&[]) {
            let before = change.deps().to_vec();
            let after = vec![change.hash()];
            let patches = self.doc.diff(&before, &after);
            let actor = change.actor_id().to_hex_string();
            let at = jiff::Timestamp::from_second(change.timestamp())
                .map_or_else(|_| change.timestamp().to_string(), |t| t.to_string());
            out.push(HistoryEntry {
                hash: change.hash().to_string(),
                at,
                author: authors.get(&actor).cloned(),
                actor,
                message: change.message().map(str::to_owned),
                changes: self.describe(&patches, &before, &after)?,
            });
        }
        Ok(out)
    }

    fn authors_by_actor(&self) -> Result<BTreeMap<String, Author>, DocError> {
        Ok(self.read().map(|c| c.authors).unwrap_or_default())
    }

    /// The items of one change from its patches.
    fn describe(
        &self,
        patches: &[Patch],
        before: &[ChangeHash],
        after: &[ChangeHash],
    ) -> Result<Vec<HistoryItem>, DocError> {
        let mut items = Vec::new();
        if before.is_empty() {
            items.push(HistoryItem {
                what: "recorded".into(),
                old: None,
                new: self.scalar_at(&ROOT, "observed_at", after)?,
            });
        }
        let mut seen: Vec<(String, Option<String>)> = Vec::new();
        for patch in patches {
            let (top, mut sub) = place(patch);
            if top != "fields" && top != "site" {
                sub = None;
            }
            // Every insert into a thread is its own item; other places are described once.
            let thread = top == "comments" || top == "decisions";
            if QUIET.contains(&top.as_str())
                || (!thread && seen.contains(&(top.clone(), sub.clone())))
            {
                continue;
            }
            seen.push((top.clone(), sub.clone()));
            items.extend(self.item(patch, &top, sub.as_deref(), before, after)?);
        }
        if items.iter().any(|i| is_data(&i.what)) {
            items.extend(self.automatic_edited(before, after)?);
        }
        Ok(items)
    }

    fn item(
        &self,
        patch: &Patch,
        top: &str,
        sub: Option<&str>,
        before: &[ChangeHash],
        after: &[ChangeHash],
    ) -> Result<Vec<HistoryItem>, DocError> {
        let one = |what: String, old, new| Ok(vec![HistoryItem { what, old, new }]);
        match (top, sub) {
            ("fields" | "site", Some(key)) => {
                let obj = self.obj(&ROOT, top)?;
                let old = self.scalar_at(&obj, key, before)?;
                let new = self.scalar_at(&obj, key, after)?;
                if old == new || (top == "site" && before.is_empty()) {
                    return Ok(Vec::new());
                }
                one(format!("{top}.{key}"), old, new)
            }
            ("notes", _) => {
                let obj = self.obj(&ROOT, "notes")?;
                let old = self.text_at_heads(&obj, before)?;
                let new = self.text_at_heads(&obj, after)?;
                if old.as_deref().unwrap_or("") == new.as_deref().unwrap_or("") {
                    return Ok(Vec::new());
                }
                one("notes".into(), old, new)
            }
            ("review", _) if !before.is_empty() => {
                let obj = self.obj(&ROOT, "review")?;
                // The state the reviewer saw (`edited` included), as the decision recorded it.
                let Some(old) = self.review_event_from(after)? else {
                    // No decision in this change: the review kept after a conflict decision.
                    return Ok(Vec::new());
                };
                let old = Some(old);
                let state = self.scalar_at(&obj, "state", after)?.unwrap_or_default();
                let comment = self.scalar_at(&obj, "comment", after)?;
                let new = match comment.filter(|c| !c.is_empty()) {
                    Some(c) => format!("{state} ({c})"),
                    None => state,
                };
                one("review".into(), old, Some(new))
            }
            ("resolutions", _) if !before.is_empty() => {
                let obj = self.obj(&ROOT, "resolutions")?;
                let keys = |heads| {
                    let keys = self.doc.keys_at(&obj, heads).collect::<Vec<_>>();
                    if keys.is_empty() {
                        "-".to_owned()
                    } else {
                        keys.join(", ")
                    }
                };
                one("resolutions".into(), Some(keys(before)), Some(keys(after)))
            }
            ("manual_links", _) if !before.is_empty() => {
                let (old, new) = (self.manual_at(before)?, self.manual_at(after)?);
                if old == new {
                    return Ok(Vec::new());
                }
                one("manual links".into(), Some(old), Some(new))
            }
            ("comments" | "decisions", _) => self.inserted(patch, top, after),
            ("deleted", _) => {
                let obj = self.obj(&ROOT, "deleted")?;
                let by = self.scalar_at(&obj, "by", after)?.unwrap_or_default();
                let reason = self.scalar_at(&obj, "reason", after)?.unwrap_or_default();
                one("deleted".into(), None, Some(format!("{by}: {reason}")))
            }
            _ => Ok(Vec::new()),
        }
    }

    /// The `from` of the review decision the change at `after` appended to
    /// `review_history`, if it appended one.
    fn review_event_from(&self, after: &[ChangeHash]) -> Result<Option<String>, DocError> {
        let history = self.obj(&ROOT, "review_history")?;
        for i in (0..self.doc.length_at(&history, after)).rev() {
            if let Some((Value::Object(ObjType::Map), id)) = self.doc.get_at(&history, i, after)?
                && self.doc.hash_for_opid(&id).as_ref() == after.first()
            {
                return self.scalar_at(&id, "from", after);
            }
        }
        Ok(None)
    }

    /// A `review: approved -> edited` item when the change at `after` changed data a
    /// decision vouched for (the automatic `edited`; offline edits concurrent with the
    /// decision turn it `edited` only at the merge, which is not a change).
    fn automatic_edited(
        &self,
        before: &[ChangeHash],
        after: &[ChangeHash],
    ) -> Result<Option<HistoryItem>, DocError> {
        if before.is_empty() {
            return Ok(None);
        }
        let (old, new) = (self.review_state_at(before)?, self.review_state_at(after)?);
        Ok(
            (old != new && new == crate::ReviewState::Edited).then(|| HistoryItem {
                what: "review".into(),
                old: Some(old.as_str().to_owned()),
                new: Some(format!("{} (automatic)", new.as_str())),
            }),
        )
    }

    /// The supervisors' link decisions at `heads` as `16 linked, 20 unlinked` (`-`: none).
    fn manual_at(&self, heads: &[ChangeHash]) -> Result<String, DocError> {
        let Some((Value::Object(ObjType::Map), links)) =
            self.doc.get_at(ROOT, "manual_links", heads)?
        else {
            return Ok("-".into());
        };
        let mut out = Vec::new();
        for number in self.doc.keys_at(&links, heads) {
            let Some((Value::Object(ObjType::Map), entry)) =
                self.doc.get_at(&links, number.as_str(), heads)?
            else {
                continue;
            };
            let linked = self.scalar_at(&entry, "linked", heads)?.as_deref() == Some("true");
            out.push(format!(
                "{number} {}",
                if linked { "linked" } else { "unlinked" }
            ));
        }
        Ok(if out.is_empty() {
            "-".into()
        } else {
            out.join(", ")
        })
    }

    /// Items for the maps a patch inserted into the `comments` or `decisions` list.
    fn inserted(
        &self,
        patch: &Patch,
        top: &str,
        after: &[ChangeHash],
    ) -> Result<Vec<HistoryItem>, DocError> {
        let PatchAction::Insert { values, .. } = &patch.action else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (value, id, _) in values.iter() {
            if !matches!(value, Value::Object(ObjType::Map)) {
                continue;
            }
            let get = |key| {
                self.scalar_at(id, key, after)
                    .map(Option::unwrap_or_default)
            };
            let (what, new) = if top == "comments" {
                ("comment", format!("{}: {}", get("by")?, get("text")?))
            } else {
                let value = self.scalar_at(id, "value", after)?.unwrap_or_default();
                ("decision", format!("{} = {value}", get("field")?))
            };
            out.push(HistoryItem {
                what: what.into(),
                old: None,
                new: Some(new),
            });
        }
        Ok(out)
    }

    fn scalar_at(
        &self,
        obj: &ObjId,
        key: &str,
        heads: &[ChangeHash],
    ) -> Result<Option<String>, DocError> {
        Ok(match self.doc.get_at(obj, key, heads)? {
            Some((Value::Scalar(s), _)) => {
                Some(from_scalar(&s).map_or_else(|| s.to_string(), |v| v.to_string()))
            }
            Some((Value::Object(ObjType::Text), id)) => Some(self.doc.text_at(&id, heads)?),
            _ => None,
        })
    }

    fn text_at_heads(&self, obj: &ObjId, heads: &[ChangeHash]) -> Result<Option<String>, DocError> {
        if heads.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.doc.text_at(obj, heads)?))
    }
}

/// True for a history item that changed the check's data (what a review vouches for).
fn is_data(what: &str) -> bool {
    what.starts_with("fields.")
        || what.starts_with("site.")
        || what == "notes"
        || what == "observed_at"
}

/// The root key a patch is under, and the key below it (for maps of scalars).
fn place(patch: &Patch) -> (String, Option<String>) {
    let key_of = |prop: &Prop| match prop {
        Prop::Map(k) => k.clone(),
        Prop::Seq(i) => i.to_string(),
    };
    let action_key = match &patch.action {
        PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => Some(key.clone()),
        _ => None,
    };
    match patch.path.first() {
        None => (action_key.unwrap_or_default(), None),
        Some((_, prop)) => {
            let sub = patch.path.get(1).map(|(_, p)| key_of(p)).or(action_key);
            (key_of(prop), sub)
        }
    }
}

#[cfg(test)]
#[path = "document_history_tests.rs"]
mod tests;
