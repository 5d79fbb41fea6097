//! Server-initiated messages: documents changed since the device's cursor.

use std::collections::HashSet;

use automerge::sync::SyncDoc;
use fieldsync_schema::sync::prime;
use fieldsync_schema::wire::DocMessage;
use fieldsync_schema::{CheckDoc, CheckId};

use super::{Round, put_state, stored_state};
use crate::store::{Changed, Sent, StoreError, SyncBatch};

/// The changed documents to send and the cursor they cover.
pub(super) struct Outgoing {
    /// One primed message per changed document, ascending by `seq`.
    pub(super) messages: Vec<DocMessage>,
    /// Every document with `seq <= cursor` is in this response (or was before).
    pub(super) cursor: u64,
    /// True when the budget cut the list.
    pub(super) more: bool,
}

/// Builds messages for the documents with `seq > cursor` that were not `answered` already,
/// ascending by `seq`, at most `budget` of them.
pub(super) fn changed(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    cursor: u64,
    answered: &HashSet<CheckId>,
    budget: usize,
) -> Result<Outgoing, StoreError> {
    let latest = batch.latest_seq()?;
    // Each row is either answered or costs budget, so one more row than that tells us
    // whether the budget cut the list.
    let rows = batch.changed_since(cursor, budget + answered.len() + 1)?;
    let mut out = Outgoing {
        messages: Vec::new(),
        cursor: latest,
        more: false,
    };
    let mut covered = cursor;
    let mut left = budget;
    for row in rows {
        if answered.contains(&row.check) {
            covered = row.seq;
            continue;
        }
        if left == 0 {
            out.cursor = covered;
            out.more = true;
            return Ok(out);
        }
        left -= 1;
        out.messages.extend(message_for(batch, round, row)?);
        covered = row.seq;
    }
    Ok(out)
}

/// A primed message carrying every change of `row`'s document since the state shared with
/// the device. A document that no longer loads is logged and skipped (it must not block
/// every device's cursor).
fn message_for(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    row: Changed,
) -> Result<Option<DocMessage>, StoreError> {
    let Some(stored) = batch.load(row.check)? else {
        return Ok(None);
    };
    let mut doc = match CheckDoc::load(&stored.bytes) {
        Ok(doc) => doc,
        Err(err) => {
            tracing::error!(check = %row.check, seq = row.seq, error = %err, "stored document does not load; not sent");
            return Ok(None);
        }
    };
    let mut state = stored_state(batch, round.device, row.check, round.cursor)?;
    prime(&mut state);
    let message = doc.automerge().sync().generate_sync_message(&mut state);
    let sent = Sent {
        seq: stored.seq,
        heads: doc.heads(),
    };
    put_state(batch, round.device, row.check, &state, Some(sent))?;
    Ok(message.map(|m| DocMessage {
        check: row.check,
        message: m.encode(),
    }))
}
