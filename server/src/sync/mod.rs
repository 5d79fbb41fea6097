//! The server side of the batched sync protocol (see [`fieldsync_schema::sync`] for the
//! protocol itself), independent of HTTP.
//!
//! [`sync_round`] takes one [`SyncRequest`] and runs it as one store transaction:
//! 1. every received message is decoded, applied to the stored document (or a new empty one),
//!    validated by reading the check back, re-linked to resolutions and stored with a new
//!    `seq` if its heads changed (`incoming`); refused messages are quarantined and reported
//!    as [`Rejection`]s while the rest of the batch goes on;
//! 2. every other document changed since the device's cursor gets a primed message
//!    (`outgoing`), up to a bound; the response's cursor covers exactly what was sent. A
//!    document whose message was refused is not "answered": if it changed since the cursor,
//!    the server's version is sent too, next to the rejection;
//! 3. the damaged checks the device held when they were found are named in `wanted`
//!    (`damage`, which also verifies a few stored documents each round, before the rest).
//!
//! Documents are loaded one at a time and dropped after use: server memory does not grow with
//! the number of stored documents.

mod damage;
mod detached;
pub use detached::{DetachedAuth, receive_detached, receive_detached_as};
mod incoming;
mod outgoing;
mod peer;
mod ready;
mod refusal;

use std::collections::{HashMap, HashSet};

use automerge::ActorId;
use fieldsync_schema::sync_bounds::MessageBounds;
use fieldsync_schema::wire::{
    BATCH_BYTES, DeletedCheck, DeviceInfo, DocMessage, MAX_WINDOW_BYTES, Receive, Rejection,
    SyncRequest, SyncResponse,
};
use fieldsync_schema::{Author, CheckId, Role};

use crate::auth::authority::Authority;
use crate::auth::{Identity, Registry};
use crate::store::{Quarantined, Store, StoreError, SyncBatch};
use peer::{cursor_unknown, horizon};
use peer::{put_state, stored_state};

/// Rejection code: the message is not a decodable or applicable Automerge sync message.
pub const MALFORMED_MESSAGE: &str = "malformed_message";
/// Rejection code: the message would make the document an invalid check.
pub const INVALID_CHECK: &str = "invalid_check";
/// Rejection code: the message or the merged document is larger than `--max-document-bytes`.
pub const TOO_LARGE: &str = "too_large";
/// Rejection code: the message carries more Automerge chunks than `--max-changes-per-message`.
pub const TOO_MANY_CHANGES: &str = "too_many_changes";
/// Rejection code: the message's changes describe more operations than `--max-ops-per-message`.
pub const TOO_MANY_OPERATIONS: &str = "too_many_operations";
/// Rejection code: the message makes a free text of the check longer than
/// `--max-text-chars`.
pub const TEXT_TOO_LONG: &str = "text_too_long";
/// Rejection code: the server could not process the document (details in its log).
pub const INTERNAL: &str = "internal";
/// Rejection code: the sender may not make (or relay) a change of the message, or may not
/// see the check ([`crate::auth`]); the reason names the check and the rule.
pub const FORBIDDEN: &str = "forbidden";

/// The author the server registers in documents when it writes resolution links.
pub fn server_author() -> Author {
    Author {
        name: "fieldsync-server".into(),
        device: "server".into(),
        role: Role::Server,
    }
}

/// Bounds of one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most messages in a response (replies first, then changed documents).
    pub reply_messages: usize,
    /// Most bytes of messages in a response when the device names no window; a single larger
    /// message still goes alone. A device's `window` replaces it, kept within
    /// [`BATCH_BYTES`]..=[`MAX_WINDOW_BYTES`].
    pub reply_bytes: usize,
    /// Largest stored document, in bytes (`--max-document-bytes`); larger ones are rejected
    /// `too_large`.
    pub document_bytes: usize,
    /// The structural bounds every received message is checked against before Automerge
    /// decodes it ([`fieldsync_schema::sync_bounds::check_message`]): its size
    /// (`--max-document-bytes`), its chunks (`--max-changes-per-message`), what they
    /// inflate to (`--max-decoded-bytes`) and the operations they describe
    /// (`--max-ops-per-message`).
    pub message: MessageBounds,
    /// Longest free text of a check, in characters (`--max-text-chars`).
    pub text_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            reply_messages: fieldsync_schema::wire::MAX_MESSAGES_PER_REQUEST,
            reply_bytes: 2 * fieldsync_schema::wire::BATCH_BYTES,
            document_bytes: 1024 * 1024,
            message: MessageBounds::default(),
            text_chars: 10_000,
        }
    }
}

/// The server id announced in responses: the first 16 hex digits (64 bits) of the server's
/// actor id, random per database, which is plenty to tell two servers apart.
fn server_id(actor: &ActorId) -> String {
    actor.to_hex_string().chars().take(16).collect()
}

/// What every step of a round needs to know.
struct Round<'a> {
    device: &'a str,
    cursor: u64,
    actor: ActorId,
    author: Author,
    limits: Limits,
    /// Only documents the device holds, when it asked for [`Receive::Own`].
    held_only: bool,
    /// The authenticated sender and who is who; `None` for a trusted in-process round
    /// ([`sync_round`]), which judges nothing.
    auth: Option<RoundAuth>,
}

/// What an authenticated round knows about identities.
struct RoundAuth {
    caller: Identity,
    registry: Registry,
    server_actor: String,
}

impl RoundAuth {
    fn authority(&self) -> Authority<'_> {
        Authority {
            sender: &self.caller,
            registry: &self.registry,
            server_actor: &self.server_actor,
        }
    }
}

/// Runs one sync round for `request`, sent by the authenticated `caller`, in one write
/// transaction and returns the response: [`sync_round`] with the server's authority over
/// what the caller may send and see ([`crate::auth`]). The request's `device` claim is
/// ignored: the device is `caller`'s.
///
/// # Errors
/// As [`sync_round`]; the registry could not be read.
pub fn sync_round_as(
    store: &dyn Store,
    caller: &Identity,
    request: &SyncRequest,
    limits: &Limits,
) -> Result<SyncResponse, StoreError> {
    let auth = RoundAuth {
        caller: caller.clone(),
        registry: store.registry()?,
        server_actor: store.server_actor().to_hex_string(),
    };
    let mut request = request.clone();
    request.device = DeviceInfo {
        id: caller.device.clone(),
        user: caller.user.clone(),
        role: caller.role,
    };
    round(store, &request, limits, Some(auth))
}

/// Runs one sync round for `request` in one write transaction and returns the response,
/// trusting the request's device claim and judging no change: for in-process tests and
/// tools over a store, never for a network peer (the HTTP route uses [`sync_round_as`]).
///
/// At most `limits.reply_messages` messages and about `limits.reply_bytes` bytes are returned
/// (replies first, then changed documents); when changed documents are left out, `more` is
/// true and `cursor` stops before them. The caller
/// enforces [`fieldsync_schema::wire::MAX_MESSAGES_PER_REQUEST`] on the request.
///
/// # Errors
/// A [`StoreError`] aborts the whole round (nothing of it is stored). Problems with single
/// documents are not errors: they are [`Rejection`]s in the response.
#[tracing::instrument(skip_all, fields(device = %request.device.id, messages = request.messages.len(), cursor = request.cursor))]
pub fn sync_round(
    store: &dyn Store,
    request: &SyncRequest,
    limits: &Limits,
) -> Result<SyncResponse, StoreError> {
    round(store, request, limits, None)
}

fn round(
    store: &dyn Store,
    request: &SyncRequest,
    limits: &Limits,
    auth: Option<RoundAuth>,
) -> Result<SyncResponse, StoreError> {
    let round = Round {
        device: &request.device.id,
        cursor: request.cursor,
        actor: store.server_actor(),
        author: server_author(),
        limits: Limits {
            reply_bytes: request.window.map_or(limits.reply_bytes, |w| {
                usize::try_from(w)
                    .unwrap_or(MAX_WINDOW_BYTES)
                    .clamp(BATCH_BYTES, MAX_WINDOW_BYTES)
            }),
            ..*limits
        },
        held_only: request.receive == Receive::Own,
        auth,
    };
    // With "sync round done", brackets the round in the log (the fault suite kills the
    // server between the two).
    tracing::info!(messages = request.messages.len(), "sync round started");
    let prepared = prepare_new(store, &round, request)?;
    let mut response = None;
    store.sync_batch(&mut |batch| {
        response = Some(run(batch, &round, request, &prepared)?);
        Ok(())
    })?;
    let response = response.unwrap_or_else(|| SyncResponse {
        server: server_id(&round.actor),
        reset: false,
        cursor: request.cursor,
        horizon: request.horizon.clone(),
        more: false,
        messages: Vec::new(),
        rejected: Vec::new(),
        deleted: Vec::new(),
        wanted: Vec::new(),
    });
    tracing::info!(
        sent = response.messages.len(),
        rejected = response.rejected.len(),
        wanted = response.wanted.len(),
        cursor = response.cursor,
        more = response.more,
        "sync round done"
    );
    Ok(response)
}

/// The checks of `request` the server does not hold yet, prepared before the round takes the
/// single writer ([`incoming::prepare_new`]): loading nothing, that work (decode, apply,
/// read, validate, link, save: most of a new check's cost) runs on this request's own
/// thread, in parallel with other devices' rounds. The writer checks each is still new.
fn prepare_new(
    store: &dyn Store,
    round: &Round<'_>,
    request: &SyncRequest,
) -> Result<HashMap<CheckId, incoming::Prepared>, StoreError> {
    let mut prepared = HashMap::new();
    for message in &request.messages {
        if prepared.contains_key(&message.check) || store.has_check(message.check)? {
            continue;
        }
        prepared.insert(message.check, incoming::prepare_new(round, message));
    }
    Ok(prepared)
}

fn run(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    request: &SyncRequest,
    prepared: &HashMap<CheckId, incoming::Prepared>,
) -> Result<SyncResponse, StoreError> {
    let server = server_id(&round.actor);
    if let Some(why) = cursor_unknown(batch, request)? {
        tracing::warn!(cursor = request.cursor, why, "device must start over");
        return Ok(SyncResponse {
            server,
            reset: true,
            cursor: 0,
            horizon: None,
            more: false,
            messages: Vec::new(),
            rejected: Vec::new(),
            deleted: Vec::new(),
            wanted: Vec::new(),
        });
    }
    damage::scrub(batch)?;
    let mut messages = Vec::new();
    let mut rejected = Vec::new();
    let mut answered = HashSet::new();
    let mut deleted = Vec::new();
    for message in &request.messages {
        match incoming::receive(batch, round, message, prepared.get(&message.check)) {
            Ok(reply) => {
                answered.insert(message.check);
                messages.extend(reply);
                deleted.extend(tombstone(batch, round, message.check)?);
            }
            Err(incoming::Refusal::Store(err)) => return Err(err),
            Err(incoming::Refusal::Reject { code, message: why }) => {
                tracing::warn!(check = %message.check, code, reason = %why, "message refused");
                let new = batch.quarantine(&Quarantined {
                    check: message.check,
                    device: round.device.to_owned(),
                    reason: format!("{code}: {why}"),
                    // An oversized payload is not kept: the device still holds it, and
                    // storing it would let one device fill the server's disk.
                    message: if code == TOO_LARGE {
                        Vec::new()
                    } else {
                        message.message.clone()
                    },
                    received_at: String::new(),
                })?;
                // Audited once per refusal, however often the device re-sends it.
                if code == FORBIDDEN && new {
                    refusal::audit(batch, round, message.check, &why)?;
                }
                rejected.push(Rejection {
                    check: message.check,
                    error: code.to_owned(),
                    message: why,
                });
            }
        }
    }
    let used = messages.iter().map(|m: &DocMessage| m.message.len()).sum();
    let budget = outgoing::Budget {
        messages: round.limits.reply_messages.saturating_sub(messages.len()),
        bytes: round.limits.reply_bytes.saturating_sub(used),
        empty: messages.is_empty(),
    };
    let changed = outgoing::changed(batch, round, request.cursor, &answered, budget)?;
    messages.extend(changed.messages);
    let heard = request.messages.iter().map(|m| m.check).collect();
    let wanted = damage::wanted(batch, round, &heard)?;
    let horizon = horizon(batch)?;
    Ok(SyncResponse {
        server,
        reset: false,
        cursor: changed.cursor,
        horizon,
        more: changed.more,
        messages,
        rejected,
        deleted,
        wanted,
    })
}

/// The tombstone to tell the device about, if `check` is deleted by another device.
fn tombstone(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    check: CheckId,
) -> Result<Option<DeletedCheck>, StoreError> {
    Ok(batch
        .deletion(check)?
        .filter(|d| d.device != round.device)
        .map(|deletion| DeletedCheck { check, deletion }))
}

#[cfg(test)]
#[path = "validation_tests.rs"]
pub(crate) mod validation_tests;

#[cfg(test)]
#[path = "prepared_tests.rs"]
mod prepared_tests;

#[cfg(test)]
#[path = "records_tests.rs"]
mod records_tests;

#[cfg(test)]
#[path = "corrupt_tests.rs"]
mod corrupt_tests;
