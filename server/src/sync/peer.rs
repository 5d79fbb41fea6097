//! Where a device stands against this server: its cursor and horizon (can the server go on
//! from them?) and its sync state per document.

use automerge::sync::State;
use fieldsync_schema::CheckId;
use fieldsync_schema::sync::load_state;
use fieldsync_schema::wire::{Horizon, SyncRequest};

use crate::store::{PeerState, Sent, StoreError, SyncBatch};

/// Why this server cannot continue from what the device last saw, if it cannot: its cursor
/// or horizon is ahead of everything stored, or the horizon's tag is not the tag stored with
/// that sequence (a backup restored, then the sequence reused by new changes).
pub(super) fn cursor_unknown(
    batch: &mut dyn SyncBatch,
    request: &SyncRequest,
) -> Result<Option<&'static str>, StoreError> {
    let latest = batch.latest_seq()?;
    let seen = request
        .horizon
        .as_ref()
        .map_or(0, |h| h.seq)
        .max(request.cursor);
    if seen > latest {
        return Ok(Some(
            "device saw more than this server holds (restored backup or lost data)",
        ));
    }
    let Some(horizon) = &request.horizon else {
        // A device from before horizons: nothing more to compare.
        return Ok(None);
    };
    let stored = batch.cursor_tag(horizon.seq)?.map(hex);
    Ok((stored.as_ref() != Some(&horizon.tag))
        .then_some("horizon tag does not match (restored backup whose sequence was reused)"))
}

/// The server's horizon now: the latest sequence and its tag; `None` while it stores nothing.
pub(super) fn horizon(batch: &mut dyn SyncBatch) -> Result<Option<Horizon>, StoreError> {
    let seq = batch.latest_seq()?;
    if seq == 0 {
        return Ok(None);
    }
    Ok(batch
        .cursor_tag(seq)?
        .map(|tag| Horizon { seq, tag: hex(tag) }))
}

fn hex(bytes: Vec<u8>) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored sync state for (device, check), or a fresh one if none is stored or it does not
/// decode (a fresh state only costs a fuller message).
///
/// If the server sent this document to the device at a `seq` the device's `cursor` has since
/// reached, the device applied that version: its heads become the shared heads.
pub(super) fn stored_state(
    batch: &mut dyn SyncBatch,
    device: &str,
    check: CheckId,
    cursor: u64,
) -> Result<State, StoreError> {
    let peer = batch.sync_state(device, check)?;
    let mut state = load_state(peer.as_ref().map(|p| p.state.as_slice())).unwrap_or_else(|err| {
        tracing::warn!(%check, device, error = %err, "stored sync state does not decode; starting afresh");
        State::new()
    });
    if let Some(sent) = peer.and_then(|p| p.sent).filter(|sent| sent.seq <= cursor) {
        state.shared_heads = sent.heads;
    }
    Ok(state)
}

/// Stores the state for (device, check), remembering the version sent (if any).
pub(super) fn put_state(
    batch: &mut dyn SyncBatch,
    device: &str,
    check: CheckId,
    state: &State,
    sent: Option<Sent>,
) -> Result<(), StoreError> {
    batch.put_sync_state(
        device,
        check,
        &PeerState {
            state: state.encode(),
            sent,
        },
    )
}
