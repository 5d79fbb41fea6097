//! The review state as read from a document, with `edited` derived from the data.
//!
//! A decision records the heads the supervisor saw (`reviewed_heads`). The state reads as
//! `edited` whenever the check's data (form fields, notes, site, observation time) now
//! differs from the data at those heads, whether the edit came after the decision reached
//! the inspector or was made offline at the same time. Deriving it on read, rather than
//! writing `edited` when editing, is what makes the concurrent case work: the inspector's
//! device did not know about the approval when the edit was made.

use automerge::{ChangeHash, ObjId, ROOT, ReadDoc, Value};

use crate::ReviewState;
use crate::document::CheckDoc;
use crate::document_read::{DocError, invalid};

/// The keys of the check's data: everything a review vouches for.
const DATA_KEYS: [&str; 4] = ["fields", "notes", "site", "observed_at"];

impl CheckDoc {
    /// The current review state: the latest decision, or `edited` if the data changed since
    /// the heads that decision saw.
    ///
    /// # Errors
    /// [`DocError`] if the review map or its state is missing or unknown.
    pub fn review_state(&self) -> Result<ReviewState, DocError> {
        let stored = self.decided_state()?;
        if !stored.is_decision() {
            return Ok(stored);
        }
        match self.reviewed_heads()? {
            Some(seen) if self.data_changed_since(&seen)? => Ok(ReviewState::Edited),
            _ => Ok(stored),
        }
    }

    /// The review state as it read at `heads` (for the history): the decision then, or
    /// `edited` if the data at `heads` differs from the data that decision saw.
    ///
    /// # Errors
    /// [`DocError`] if the review map is missing, or its state at `heads` unknown.
    pub(crate) fn review_state_at(&self, heads: &[ChangeHash]) -> Result<ReviewState, DocError> {
        let review = self.obj(&ROOT, "review")?;
        let text = |key: &str| -> Result<Option<String>, DocError> {
            Ok(match self.doc.get_at(&review, key, heads)? {
                Some((Value::Scalar(s), _)) => s.as_str().map(str::to_owned),
                _ => None,
            })
        };
        let state_text = text("state")?.unwrap_or_default();
        let state: ReviewState = state_text
            .parse()
            .map_err(|e: String| invalid("review.state", &state_text, e))?;
        if !state.is_decision() {
            return Ok(state);
        }
        let Some(seen) = text("reviewed_heads")? else {
            return Ok(state);
        };
        let seen: Vec<ChangeHash> = seen
            .split_whitespace()
            .filter_map(|h| h.parse().ok())
            .collect();
        for key in DATA_KEYS {
            if self.snapshot(&ROOT, key, Some(&seen))? != self.snapshot(&ROOT, key, Some(heads))? {
                return Ok(ReviewState::Edited);
            }
        }
        Ok(state)
    }

    /// The state last written to `review.state`.
    fn decided_state(&self) -> Result<ReviewState, DocError> {
        let review = self.obj(&ROOT, "review")?;
        let state = self.str_at(&review, "state", "review.state")?;
        state
            .parse()
            .map_err(|e: String| invalid("review.state", &state, e))
    }

    fn reviewed_heads(&self) -> Result<Option<Vec<ChangeHash>>, DocError> {
        let review = self.obj(&ROOT, "review")?;
        let Some(text) = self.opt_str(&review, "reviewed_heads")? else {
            return Ok(None);
        };
        let heads = text
            .split_whitespace()
            .map(|h| {
                h.parse()
                    .map_err(|e| invalid("review.reviewed_heads", h, e))
            })
            .collect::<Result<Vec<ChangeHash>, DocError>>()?;
        Ok(Some(heads))
    }

    /// True if any data key reads differently now than at `heads`. Heads this document
    /// does not have (a decision merged before the data it saw) count as changed.
    fn data_changed_since(&self, heads: &[ChangeHash]) -> Result<bool, DocError> {
        if heads
            .iter()
            .any(|h| self.doc.get_change_by_hash(h).is_none())
        {
            return Ok(true);
        }
        for key in DATA_KEYS {
            if self.snapshot(&ROOT, key, None)? != self.snapshot(&ROOT, key, Some(heads))? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// A comparable rendering of `parent[key]` (recursing into maps and text), now or at
    /// `heads`.
    fn snapshot(
        &self,
        parent: &ObjId,
        key: &str,
        heads: Option<&[ChangeHash]>,
    ) -> Result<String, DocError> {
        let value = match heads {
            Some(h) => self.doc.get_at(parent, key, h)?,
            None => self.doc.get(parent, key)?,
        };
        Ok(match value {
            None => String::from("∅"),
            Some((Value::Scalar(s), _)) => format!("{s:?}"),
            Some((Value::Object(automerge::ObjType::Text), id)) => match heads {
                Some(h) => self.doc.text_at(&id, h)?,
                None => self.doc.text(&id)?,
            },
            Some((Value::Object(_), id)) => {
                let keys: Vec<String> = match heads {
                    Some(h) => self.doc.keys_at(&id, h).collect(),
                    None => self.doc.keys(&id).collect(),
                };
                let mut out = String::new();
                for k in keys {
                    out.push_str(&format!("{k}={};", self.snapshot(&id, &k, heads)?));
                }
                out
            }
        })
    }
}
