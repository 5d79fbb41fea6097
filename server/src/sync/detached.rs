//! One device message received outside any store or round: the fuzz targets' way in.

use automerge::ActorId;
use fieldsync_schema::wire::{DocMessage, Rejection};

use super::{Limits, Round, RoundAuth, incoming, server_author};
use crate::auth::{Identity, Registry};

/// Applies one device message to a document outside any store, as a round does for it:
/// bounds, decode, receive, read back as a check, validate, link, save, reply. `stored` is
/// the server's copy of the document, if it has one; the device's sync state is fresh.
/// For fuzzing and tests; real rounds go through [`super::sync_round`].
///
/// # Errors
/// The [`Rejection`] a round would report for the message.
pub fn receive_detached(
    stored: Option<&[u8]>,
    incoming: &DocMessage,
    limits: &Limits,
) -> Result<Option<DocMessage>, Rejection> {
    receive_detached_as(stored, incoming, limits, None)
}

/// Who sends a detached message, for [`receive_detached_as`]: the sender, every registered
/// device by actor hex, and the server's actor (hex).
#[derive(Debug, Clone)]
pub struct DetachedAuth {
    /// The authenticated sender.
    pub caller: Identity,
    /// Registered devices by actor hex.
    pub registry: Registry,
    /// The server's own actor, hex.
    pub server_actor: String,
}

/// [`receive_detached`] judged by the server's authority as if `auth.caller` sent it (the
/// stored copy, if any, belongs to [`crate::auth::DEFAULT_TEAM`]): the fuzz target's way
/// into the authority rules.
///
/// # Errors
/// As [`receive_detached`], plus `forbidden` for what the authority refuses.
pub fn receive_detached_as(
    stored: Option<&[u8]>,
    incoming: &DocMessage,
    limits: &Limits,
    auth: Option<DetachedAuth>,
) -> Result<Option<DocMessage>, Rejection> {
    let round = Round {
        device: "detached",
        cursor: 0,
        actor: ActorId::from(&[0x5e; 16][..]),
        author: server_author(),
        limits: *limits,
        held_only: false,
        auth: auth.map(|a| RoundAuth {
            caller: a.caller,
            registry: a.registry,
            server_actor: a.server_actor,
        }),
    };
    incoming::detached(&round, stored, incoming).map_err(|r| Rejection {
        check: incoming.check,
        error: r.code.to_owned(),
        message: r.message,
    })
}
