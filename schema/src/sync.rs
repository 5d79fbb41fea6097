//! Transport-agnostic pieces of fieldsync's batched sync, used by both peers.
//!
//! ## The protocol (`POST /api/v1/sync`, one HTTP request per round)
//!
//! Both peers speak Automerge's sync protocol ([`automerge::sync`]) per document, but batch
//! many documents into one request, and skip unchanged documents with a server change cursor.
//!
//! State kept:
//! - server: per document its bytes and `seq` (a global, strictly increasing change sequence,
//!   bumped whenever the stored heads change); per (device, document) the encoded sync
//!   [`State`].
//! - device: per document its bytes, its encoded sync [`State`] for the server, and the
//!   server's last known heads; globally the `cursor` (highest server `seq` applied).
//!
//! One round:
//! 1. The device loads the state of every document it has something to say about (its heads
//!    differ from the server's last known heads, or the server asked for changes), [`prime`]s
//!    it, and generates a message. It sends `{device, cursor, messages}`
//!    ([`crate::wire::SyncRequest`], at most [`crate::wire::MAX_MESSAGES_PER_REQUEST`]).
//! 2. The server, for each message: decodes it (malformed: a rejection naming the check, the
//!    rest goes on), loads the document and its stored state for that device (not primed),
//!    receives the message, reads the check back (unreadable: rejected and quarantined),
//!    recomputes resolution links, stores the document with a new `seq` if its heads changed,
//!    generates a reply and stores the state. A reply that would carry no changes, no `need`
//!    and exactly the heads the device announced is left out: **a message with neither a
//!    reply nor a rejection is acknowledged**, the server durably holds the device's heads.
//!    This keeps a push of N new checks from costing N acknowledgements down the wire.
//!    Then, for every other document with `seq > cursor` (ascending, bounded), it primes the
//!    stored state for that device and generates a message carrying the changes.
//!    It answers `{cursor, more, messages, rejected, deleted, wanted}`; `deleted` names the
//!    checks among the received messages that carry a deletion tombstone written on another
//!    device (the device's changes were merged into the deleted check; the tombstone comes
//!    back in the messages, and the device tells its user); `wanted` names the checks the
//!    server needs whole from this device (see "Damaged documents" below).
//! 3. The device marks every document it sent that got neither a reply nor a rejection as
//!    acknowledged (server heads = the heads it sent). It receives each message into its copy
//!    (creating unknown documents), stores the server's heads, and queues a reply for the
//!    next round only if
//!    [`needs_delivery`] (it has changes the server lacks, or needs some). It stores the new
//!    cursor only after applying the whole response. For each check in `wanted` it holds
//!    (once per sync run), it forgets the server's heads and its sync state, so the check is
//!    pending and its next message, in the next round, carries the whole document. It
//!    repeats while something is queued or `more` is true, up to a round limit.
//!
//! A device remembers the server's id (`server` in every response). If the id changes (it
//! was pointed at another server) or the server answers `reset` (the device's cursor is
//! ahead of everything the server holds: a restored backup), the device forgets the cursor,
//! the server heads and the sync states of every document, and syncs again from scratch:
//! every document is offered again and the server keeps what it lacks. Nothing the device
//! holds is lost, whatever happened to the server.
//!
//! Retrying a round is harmless: Automerge ignores changes it already has, and `seq` moves
//! only when heads change.
//!
//! ## Damaged documents
//!
//! A device with nothing pending sends nothing, so a server whose stored copy of a check
//! was damaged on disk must ask for it. Each round the server verifies a few more stored
//! documents against their SHA-256 (a rolling pass; a round that loads a document checks it
//! too). For a document whose bytes do not load it records the damaged version's heads and
//! tombstone, and the devices that held the check (a per-device sync state), and forgets
//! those states. Each response to such a device names the check in `wanted` until the
//! device sends a message about it; the device sends it whole (above) and the server
//! rebuilds the document from it, merging what every holder sends (changes in the history
//! of a version it had stored are not judged again). The damage is forgotten
//! once a stored version holds every head of the damaged one. Until then a tombstone the
//! damaged version had stays in the server's index and the check is not sent to devices:
//! a copy that never received the deletion cannot bring the check back. A device that
//! does not know `wanted` ignores it (the check is rebuilt when it next edits it); a
//! server that does not know it never sends it.
//!
//! ## Priming
//!
//! Each peer keeps, per document and per remote peer, the Automerge [`State`] encoded with
//! [`State::encode`] (which keeps only the shared heads). Before generating the first message
//! of a request, the stored state is *primed* ([`prime`]): we assume the peer still has the
//! shared heads and nothing else, so the first message already carries every change made since
//! (or, for a document the peer has never seen, the whole compressed document). A push or a
//! pull therefore costs one round trip instead of Automerge's usual two or three; if the
//! assumption is wrong (the peer lost data), the peer's reply carries `need`/`have` and the
//! ordinary protocol repairs it in the next round.

use automerge::sync::{BloomFilter, Capability, Have, Message, State};
use automerge::{ChangeHash, ReadDoc as _};

/// Decodes a stored sync state, or a fresh one when none is stored.
///
/// # Errors
/// The stored bytes are not an encoded [`State`].
pub fn load_state(stored: Option<&[u8]>) -> Result<State, automerge::sync::DecodeStateError> {
    match stored {
        Some(bytes) => State::decode(bytes),
        None => Ok(State::new()),
    }
}

/// Primes `state` so the next generated message carries all changes since its shared heads.
pub fn prime(state: &mut State) {
    let shared = state.shared_heads.clone();
    let shared_empty = shared.is_empty();
    state.their_heads = Some(shared.clone());
    state.their_need = Some(Vec::new());
    state.their_have = Some(vec![Have {
        last_sync: shared,
        bloom: BloomFilter::default(),
    }]);
    // Both fieldsync peers speak V2, which lets a first sync send the whole document in
    // Automerge's compressed format. Once the peer has a version, send only the changes since:
    // with V2 Automerge resends the whole document whenever a third of its changes are new,
    // which for a small check is after one or two edits.
    state.their_capabilities = Some(if shared_empty {
        vec![Capability::MessageV2, Capability::SyncReset]
    } else {
        vec![Capability::MessageV1, Capability::SyncReset]
    });
}

/// After receiving a message, replaces the peer's Bloom filter with the exact knowledge we
/// now have: if every head the peer announced is in `doc`, the peer holds exactly those heads'
/// history, so the next message carries precisely the changes since them.
///
/// Automerge's filter is probabilistic; for a small check (one or two changes) a false
/// positive is likely enough (several percent) to withhold a change and cost an extra round.
pub fn trust_their_heads(doc: &automerge::AutoCommit, state: &mut State) {
    let Some(heads) = state.their_heads.clone() else {
        return;
    };
    if heads.iter().all(|h| doc.get_change_by_hash(h).is_some()) {
        state.their_have = Some(vec![Have {
            last_sync: heads,
            bloom: BloomFilter::default(),
        }]);
    }
}

/// True when a message would tell the other peer something it must act on: changes to apply,
/// or changes this peer still needs. A message with only heads is an acknowledgement.
pub fn needs_delivery(message: &Message) -> bool {
    !message.changes.is_empty() || !message.need.is_empty()
}

/// Heads as hex strings, for storage and display.
pub fn heads_to_hex(heads: &[ChangeHash]) -> Vec<String> {
    heads.iter().map(|h| h.to_string()).collect()
}
