//! What a set of changes decided, one entry per decision, for the server's audit log: every
//! review decision, conflict decision and deletion present in the document now but not at
//! the heads it had before (two reviews synced together are two entries).

use automerge::ChangeHash;

use crate::document::CheckDoc;
use crate::document_read::DocError;

/// The kind of a decision ([`DecisionEntry::kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionKind {
    /// A review state set by a supervisor.
    Review,
    /// A same-field conflict closed by a supervisor.
    Conflict,
    /// The check deleted (a tombstone).
    Deletion,
}

/// One decision, as the audit log words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionEntry {
    /// What was decided.
    pub kind: DecisionKind,
    /// The user's name recorded with it.
    pub by: String,
    /// `review has_issues -> approved: comment`, `conflict bread_price_syp = 1750
    /// (discarded 1500, 2000)`, `deleted: reason`.
    pub detail: String,
}

impl CheckDoc {
    /// The decisions present now but not at `before` (empty `before`: every decision),
    /// in the order the document lists them.
    ///
    /// # Errors
    /// [`DocError`] if the document (now or at `before`) lacks the check layout.
    pub fn decisions_since(
        &mut self,
        before: &[ChangeHash],
    ) -> Result<Vec<DecisionEntry>, DocError> {
        let old = if before.is_empty() {
            None
        } else {
            Some(CheckDoc {
                doc: self.doc.fork_at(before)?,
            })
        };
        let mut out = Vec::new();
        let old_reviews = old
            .as_ref()
            .map_or(Ok(Vec::new()), CheckDoc::read_history)?;
        for e in self.read_history()? {
            if !old_reviews.contains(&e) {
                let comment = if e.comment.is_empty() {
                    String::new()
                } else {
                    format!(": {}", e.comment)
                };
                out.push(DecisionEntry {
                    kind: DecisionKind::Review,
                    detail: format!("review {} -> {}{comment}", e.from, e.to),
                    by: e.by,
                });
            }
        }
        let old_decisions = old.as_ref().map_or(Ok(Vec::new()), CheckDoc::decisions)?;
        for d in self.decisions()? {
            if !old_decisions.contains(&d) {
                let discarded: Vec<String> = d.discarded.iter().map(ToString::to_string).collect();
                out.push(DecisionEntry {
                    kind: DecisionKind::Conflict,
                    detail: format!(
                        "conflict {} = {} (discarded {})",
                        d.field,
                        d.value,
                        discarded.join(", ")
                    ),
                    by: d.by,
                });
            }
        }
        let was_deleted = old.as_ref().map_or(Ok(None), CheckDoc::deletion)?.is_some();
        if let Some(d) = self.deletion()?.filter(|_| !was_deleted) {
            out.push(DecisionEntry {
                kind: DecisionKind::Deletion,
                detail: format!("deleted: {}", d.reason),
                by: d.by,
            });
        }
        Ok(out)
    }
}
