//! What one round carries: queued replies first, then the opening messages of pending
//! documents, within the round's bytes and messages.

use std::collections::{BTreeSet, VecDeque};

use anyhow::Context as _;

use automerge::sync::{Message, State, SyncDoc as _};
use fieldsync_schema::sync::{load_state, prime};
use fieldsync_schema::wire::{DocMessage, MAX_MESSAGES_PER_REQUEST};
use fieldsync_schema::{CheckDoc, CheckId};

use super::Outgoing;
use crate::store::Db;

/// How much one round may carry: bytes of messages, and messages.
#[derive(Debug, Clone, Copy)]
pub(super) struct Batch {
    pub(super) window: usize,
    pub(super) messages: usize,
}

/// Queued replies first, then primed messages for pending documents (`todo`, front first)
/// not yet sent in this run, within [`MAX_MESSAGES_PER_REQUEST`] and `window` bytes.
pub(super) fn next_batch(
    db: Db<'_>,
    queue: &mut VecDeque<Outgoing>,
    todo: &mut VecDeque<CheckId>,
    sent_ids: &mut BTreeSet<CheckId>,
    limit: Batch,
) -> anyhow::Result<Vec<Outgoing>> {
    let mut batch = Vec::new();
    let mut bytes = 0;
    let fits = |batch: &Vec<Outgoing>, bytes: usize, next: &Outgoing| {
        batch.is_empty()
            || (batch.len() < limit.messages.min(MAX_MESSAGES_PER_REQUEST)
                && bytes + next.message.message.len() <= limit.window)
    };
    while let Some(out) = queue.front() {
        if !fits(&batch, bytes, out) {
            return Ok(batch);
        }
        let out = queue.pop_front().expect("front exists");
        bytes += out.message.message.len();
        sent_ids.insert(out.message.check);
        batch.push(out);
    }
    while let Some(&id) = todo.front() {
        if sent_ids.contains(&id) {
            todo.pop_front();
            continue;
        }
        let Some(out) = primed_message(db, id)? else {
            todo.pop_front();
            sent_ids.insert(id);
            continue;
        };
        if !fits(&batch, bytes, &out) {
            break;
        }
        todo.pop_front();
        bytes += out.message.message.len();
        sent_ids.insert(id);
        batch.push(out);
    }
    Ok(batch)
}

/// The opening message of an empty document for each check in `wanted` not held here.
pub(super) fn fetch_messages(db: Db<'_>, wanted: &[CheckId]) -> anyhow::Result<VecDeque<Outgoing>> {
    let mut out = VecDeque::new();
    for &id in wanted.iter().collect::<BTreeSet<_>>() {
        if db.holds(id)? {
            continue;
        }
        let mut empty = CheckDoc::empty();
        if let Some(message) = empty
            .automerge()
            .sync()
            .generate_sync_message(&mut State::new())
        {
            out.push_back(outgoing(id, message));
        }
    }
    Ok(out)
}

/// The first message for a pending document: everything since the shared heads.
fn primed_message(db: Db<'_>, id: CheckId) -> anyhow::Result<Option<Outgoing>> {
    let mut stored = db.load_existing(id)?;
    let mut state = load_state(stored.sync_state.as_deref())
        .with_context(|| format!("check {id}: stored sync state is corrupt"))?;
    prime(&mut state);
    let message = stored
        .doc
        .automerge()
        .sync()
        .generate_sync_message(&mut state);
    Ok(message.map(|m| outgoing(id, m)))
}

pub(super) fn outgoing(check: CheckId, message: Message) -> Outgoing {
    Outgoing {
        has_changes: !message.changes.is_empty(),
        heads: message.heads.clone(),
        message: DocMessage {
            check,
            message: message.encode(),
        },
    }
}
