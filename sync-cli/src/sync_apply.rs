//! Applying the server's answer on the device: each message into its stored document,
//! the documents the server acknowledged silently, the replies to send next.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context as _;
use automerge::ChangeHash;
use automerge::sync::{Message, State, SyncDoc as _};
use fieldsync_schema::sync::{load_state, needs_delivery, trust_their_heads};
use fieldsync_schema::wire::{DeletedCheck, SyncResponse};
use fieldsync_schema::{CheckDoc, CheckId, Deletion};

use super::{Outgoing, outgoing};
use crate::store::{Db, heads_text};

/// What applying one response produced.
#[derive(Debug, Default)]
pub(super) struct Applied {
    pub(super) replies: Vec<Outgoing>,
    pub(super) received: usize,
    pub(super) acknowledged: usize,
    /// Checks this device held that the received changes deleted.
    pub(super) deleted: Vec<DeletedCheck>,
}

/// Applies every message of a response, marks the silently acknowledged documents, and
/// stores the cursor, in the caller's transaction.
pub(super) fn apply_response(
    db: Db<'_>,
    sent: &[(CheckId, Vec<ChangeHash>)],
    response: &SyncResponse,
) -> anyhow::Result<Applied> {
    let mut applied = Applied::default();
    // One reply per document: a later message about the same document supersedes.
    let mut replies: BTreeMap<CheckId, Outgoing> = BTreeMap::new();
    for doc_message in &response.messages {
        let id = doc_message.check;
        let message = Message::decode(&doc_message.message)
            .with_context(|| format!("the server sent a malformed sync message for check {id}"))?;
        let (reply, changed, deleted) = receive(db, id, message)?;
        applied.received += usize::from(changed);
        if let Some(deletion) = deleted {
            applied.deleted.push(DeletedCheck {
                check: id,
                deletion,
            });
        }
        if let Some(reply) = reply {
            replies.insert(id, reply);
        }
    }
    let answered: BTreeSet<CheckId> = response
        .messages
        .iter()
        .map(|m| m.check)
        .chain(response.rejected.iter().map(|r| r.check))
        .collect();
    for (id, heads) in sent.iter().filter(|(id, _)| !answered.contains(id)) {
        let mut state = State::new();
        state.shared_heads = heads.clone();
        db.acknowledge(*id, &heads_text(heads), &state.encode())?;
        applied.acknowledged += 1;
    }
    applied.replies = replies.into_values().collect();
    db.set_cursor(response.cursor, response.horizon.as_ref())?;
    Ok(applied)
}

/// Receives one message into the stored document (created if unknown), stores it with the
/// server's heads and state. Returns the reply (if the server must get it), whether
/// the document changed, and the tombstone if the message deleted a check this
/// device held.
fn receive(
    db: Db<'_>,
    id: CheckId,
    message: Message,
) -> anyhow::Result<(Option<Outgoing>, bool, Option<Deletion>)> {
    let (mut doc, mut state, known) = match db.load(id)? {
        Some(stored) => {
            let state = load_state(stored.sync_state.as_deref())
                .with_context(|| format!("check {id}: stored sync state is corrupt"))?;
            (stored.doc, state, true)
        }
        None => (CheckDoc::empty(), State::new(), false),
    };
    let server_heads = heads_text(&message.heads);
    let was_deleted = !known || doc.deletion().ok().flatten().is_some();
    let before = doc.heads();
    doc.automerge()
        .sync()
        .receive_sync_message(&mut state, message)
        .with_context(|| format!("check {id}: applying the server's changes"))?;
    trust_their_heads(doc.automerge(), &mut state);
    let reply = doc.automerge().sync().generate_sync_message(&mut state);
    // An unknown document that got no changes yet has nothing worth storing or answering.
    if !known && doc.heads().is_empty() {
        return Ok((None, false, None));
    }
    let changed = doc.heads() != before;
    let deleted = if changed && !was_deleted {
        doc.deletion().ok().flatten()
    } else {
        None
    };
    db.save_synced(id, &mut doc, &server_heads, &state.encode())?;
    let reply = reply
        .filter(needs_delivery)
        .map(|message| outgoing(id, message));
    Ok((reply, changed, deleted))
}

/// Forgets what this device believed the server has of each check in `wanted` that it
/// holds and has not sent again in this sync already (`resent`), so each goes whole in
/// the next round. Returns those checks.
pub(super) fn forget_wanted(
    db: Db<'_>,
    wanted: &[CheckId],
    resent: &BTreeSet<CheckId>,
) -> anyhow::Result<Vec<CheckId>> {
    let mut forgotten = Vec::new();
    for &id in wanted {
        if !resent.contains(&id) && !forgotten.contains(&id) && db.forget_server_copy(id)? {
            forgotten.push(id);
        }
    }
    Ok(forgotten)
}
