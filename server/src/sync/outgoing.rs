//! Server-initiated messages: documents changed since the device's cursor.

use std::collections::HashSet;

use automerge::sync::{ChunkList, Message, MessageFlags, MessageVersion, SyncDoc};
use fieldsync_schema::sync::prime;
use fieldsync_schema::wire::DocMessage;
use fieldsync_schema::{CheckDoc, CheckId};

use super::{Round, put_state, stored_state};
use crate::store::{Changed, Sent, StoreError, StoredDoc, SyncBatch};

/// The changed documents to send and the cursor they cover.
pub(super) struct Outgoing {
    /// One primed message per changed document, ascending by `seq`.
    pub(super) messages: Vec<DocMessage>,
    /// Every document with `seq <= cursor` is in this response (or was before).
    pub(super) cursor: u64,
    /// True when the budget cut the list.
    pub(super) more: bool,
}

/// What a response may still carry after the replies.
#[derive(Debug, Clone, Copy)]
pub(super) struct Budget {
    /// Messages left.
    pub(super) messages: usize,
    /// Message bytes left.
    pub(super) bytes: usize,
    /// True when the response carries nothing yet: one message goes whatever its size.
    pub(super) empty: bool,
}

/// Builds messages for the documents with `seq > cursor` that were not `answered` already,
/// ascending by `seq`, within `budget`.
pub(super) fn changed(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    cursor: u64,
    answered: &HashSet<CheckId>,
    mut budget: Budget,
) -> Result<Outgoing, StoreError> {
    let latest = batch.latest_seq()?;
    // Each row is either answered or costs budget, so one more row than that tells us
    // whether the budget cut the list.
    let held_by = round.held_only.then_some(round.device);
    let team = round.auth.as_ref().and_then(|a| a.caller.visible_team());
    let rows = batch.changed_since(cursor, budget.messages + answered.len() + 1, held_by, team)?;
    let mut out = Outgoing {
        messages: Vec::new(),
        cursor: latest,
        more: false,
    };
    let mut covered = cursor;
    for row in rows {
        if answered.contains(&row.check) {
            covered = row.seq;
            continue;
        }
        let prepared = if budget.messages == 0 {
            None
        } else {
            Some(prepare(batch, round, row)?)
        };
        let fits = |p: &Prepared| budget.empty || p.bytes() <= budget.bytes;
        let Some(prepared) = prepared.filter(fits) else {
            out.cursor = covered;
            out.more = true;
            return Ok(out);
        };
        budget.messages -= 1;
        budget.bytes = budget.bytes.saturating_sub(prepared.bytes());
        budget.empty = false;
        out.messages.extend(prepared.commit(batch, round)?);
        covered = row.seq;
    }
    Ok(out)
}

/// A primed message for one changed document, not yet committed to the response.
struct Prepared {
    check: CheckId,
    message: Option<Vec<u8>>,
    state: Option<(automerge::sync::State, Sent)>,
}

impl Prepared {
    fn bytes(&self) -> usize {
        self.message.as_ref().map_or(0, Vec::len)
    }

    /// Stores the device's sync state (remembering the version sent) and yields the message.
    fn commit(
        self,
        batch: &mut dyn SyncBatch,
        round: &Round<'_>,
    ) -> Result<Option<DocMessage>, StoreError> {
        if let Some((state, sent)) = &self.state {
            put_state(batch, round.device, self.check, state, Some(sent.clone()))?;
        }
        Ok(self.message.map(|message| DocMessage {
            check: self.check,
            message,
        }))
    }
}

/// A primed message carrying every change of `row`'s document since the state shared with
/// the device. A document that no longer loads is logged, recorded as damaged and skipped
/// (it must not block every device's cursor); so is a damaged deleted check rebuilt from a
/// copy without its tombstone ([`super::damage::withheld`]).
///
/// A device that holds nothing of the document (no shared heads) gets the stored bytes as
/// they are, in a V2 message: that is exactly what Automerge would send (the saved
/// document), without loading and re-saving it. This is the common case of fan-out. Only
/// bytes that match their stored checksum go out this way; others are loaded, which
/// detects damage.
fn prepare(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    row: Changed,
) -> Result<Prepared, StoreError> {
    let skipped = Prepared {
        check: row.check,
        message: None,
        state: None,
    };
    let Some(stored) = batch.load(row.check)? else {
        return Ok(skipped);
    };
    if super::damage::withheld(batch, row.check)? {
        tracing::warn!(check = %row.check, "damaged deleted check rebuilt without its tombstone; not sent");
        return Ok(skipped);
    }
    let mut state = stored_state(batch, round.device, row.check, round.cursor)?;
    let sent = Sent {
        seq: stored.seq,
        heads: stored.heads.clone(),
    };
    if state.shared_heads.is_empty() && stored.verified {
        return Ok(Prepared {
            check: row.check,
            message: Some(whole_document(&stored).encode()),
            state: Some((state, sent)),
        });
    }
    let mut doc = match CheckDoc::load(&stored.bytes) {
        Ok(doc) => doc,
        Err(err) => {
            tracing::error!(check = %row.check, seq = row.seq, error = %err, "stored document does not load; not sent");
            super::damage::found(batch, row.check, &stored)?;
            return Ok(skipped);
        }
    };
    prime(&mut state);
    let message = doc.automerge().sync().generate_sync_message(&mut state);
    Ok(Prepared {
        check: row.check,
        message: message.map(|m| m.encode()),
        state: Some((state, sent)),
    })
}

/// The sync message Automerge sends a peer that has nothing: the whole saved document.
fn whole_document(stored: &StoredDoc) -> Message {
    let mut flags = MessageFlags::new();
    flags.set(MessageFlags::SUPPORTS_SYNC_RESET);
    Message {
        heads: stored.heads.clone(),
        need: Vec::new(),
        have: Vec::new(),
        changes: ChunkList::from(stored.bytes.clone()),
        flags: Some(flags),
        version: MessageVersion::V2,
    }
}
