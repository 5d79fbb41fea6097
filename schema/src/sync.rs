//! Transport-agnostic pieces of fieldsync's batched sync, used by both peers.
//!
//! Each peer keeps, per document and per remote peer, the Automerge [`State`] encoded with
//! [`State::encode`] (which keeps only the shared heads). Before generating the first message
//! of a request, the stored state is *primed* ([`prime`]): we assume the peer still has the
//! shared heads and nothing else, so the first message already carries every change made since
//! (or, for a document the peer has never seen, the whole compressed document). A push or a
//! pull therefore costs one round trip instead of Automerge's usual two or three; if the
//! assumption is wrong (the peer lost data), the peer's reply carries `need`/`have` and the
//! ordinary protocol repairs it in the next round.

use automerge::ChangeHash;
use automerge::sync::{BloomFilter, Capability, Have, Message, State};

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
    state.their_heads = Some(shared.clone());
    state.their_need = Some(Vec::new());
    state.their_have = Some(vec![Have {
        last_sync: shared,
        bloom: BloomFilter::default(),
    }]);
    // Both fieldsync peers speak V2, which lets a first sync send a compressed document.
    state.their_capabilities = Some(vec![Capability::MessageV2, Capability::SyncReset]);
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
