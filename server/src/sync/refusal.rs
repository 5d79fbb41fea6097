//! Why the server refused one device message.

use fieldsync_schema::CheckId;
use fieldsync_schema::sync_bounds::{Breach, MessageError};

use super::{MALFORMED_MESSAGE, Round, TOO_LARGE, TOO_MANY_CHANGES, TOO_MANY_OPERATIONS};
use crate::auth::audit::{self, NewAudit};
use crate::store::{StoreError, SyncBatch};

/// Why a message got no reply.
pub(super) enum Refusal {
    /// The message is refused; the round goes on. `message` names the check and the problem.
    Reject {
        /// Stable code ([`MALFORMED_MESSAGE`](super::MALFORMED_MESSAGE), [`INVALID_CHECK`](super::INVALID_CHECK), [`super::INTERNAL`]).
        code: &'static str,
        /// Human-readable reason.
        message: String,
    },
    /// The store failed: the whole round is aborted.
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

/// A refusal that does not depend on the store: the message, or the check it makes, is
/// refused whatever the store holds.
#[derive(Debug, Clone)]
pub(super) struct Rejected {
    /// Stable code ([`MALFORMED_MESSAGE`], [`INVALID_CHECK`](super::INVALID_CHECK),
    /// [`TOO_LARGE`], [`TOO_MANY_CHANGES`], [`TOO_MANY_OPERATIONS`],
    /// [`TEXT_TOO_LONG`](super::TEXT_TOO_LONG), [`super::INTERNAL`]).
    pub(super) code: &'static str,
    /// Human-readable reason naming the check.
    pub(super) message: String,
}

impl From<Rejected> for Refusal {
    fn from(r: Rejected) -> Self {
        Refusal::Reject {
            code: r.code,
            message: r.message,
        }
    }
}

pub(super) fn reject(code: &'static str, message: String) -> Rejected {
    Rejected { code, message }
}

/// The rejection code of a message that broke the structural bounds, and the flag that sets
/// the limit it broke (empty for a malformed message).
pub(super) fn breach_code(e: &MessageError) -> (&'static str, &'static str) {
    match (e.breach(), e) {
        (Breach::Malformed, _) => (MALFORMED_MESSAGE, ""),
        (Breach::TooLarge, MessageError::TooLarge { .. }) => (TOO_LARGE, " (--max-document-bytes)"),
        (Breach::TooLarge, _) => (TOO_LARGE, " (--max-decoded-bytes)"),
        (Breach::TooManyChanges, _) => (TOO_MANY_CHANGES, " (--max-changes-per-message)"),
        (Breach::TooManyOperations, _) => (TOO_MANY_OPERATIONS, " (--max-ops-per-message)"),
    }
}

/// Appends a refused change to the audit log.
pub(super) fn audit(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    check: CheckId,
    why: &str,
) -> Result<(), StoreError> {
    let caller = round.auth.as_ref().map(|a| &a.caller);
    batch.audit(&NewAudit {
        action: audit::REJECTED_CHANGE,
        user: caller.map(|c| c.user.as_str()),
        device: Some(round.device),
        check: Some(check.to_string()),
        detail: why.to_owned(),
    })
}
