//! Receiving one device message: decode, apply, read back, validate, re-link, store, reply.

use automerge::ChangeHash;
use automerge::sync::{Message, State, SyncDoc};
use fieldsync_schema::automerge_guard::contained;
use fieldsync_schema::document_audit::{DecisionEntry, DecisionKind};
use fieldsync_schema::sync::{needs_delivery, trust_their_heads};
use fieldsync_schema::sync_bounds::check_message;
use fieldsync_schema::wire::DocMessage;
use fieldsync_schema::{CheckDoc, CheckId};

use super::damage::{Loaded, accepted_heads, holds_all, load_doc, rebuilt};
use super::ready::{Ready, prepare_store, write};
pub(super) use super::refusal::{Refusal, Rejected};
use super::refusal::{breach_code, reject};
use super::{FORBIDDEN, INVALID_CHECK, MALFORMED_MESSAGE, Round, put_state, stored_state};
use crate::auth::DEFAULT_TEAM;
use crate::auth::audit::{self, NewAudit};
use crate::auth::authority::Verdict;
use crate::store::{Damage, Sent, StoreError, SyncBatch};

/// A message applied to a document, before anything is written: what to store (if the
/// document changed), the device's new sync state, and the reply.
#[derive(Debug, Clone)]
pub(super) struct Applied {
    ready: Option<Ready>,
    state: State,
    heads: Vec<ChangeHash>,
    reply: Option<DocMessage>,
    /// The authority's verdict on the new changes (authenticated rounds that changed it).
    verdict: Option<Verdict>,
    /// The review decisions, conflict decisions and deletion the new changes made.
    decided: Vec<DecisionEntry>,
    /// For a damaged check: the document now holds every change of the damaged version.
    complete: bool,
}

/// What [`prepare_new`] computed for a check the server did not hold when the round began.
pub(super) type Prepared = Result<Option<Applied>, Rejected>;

/// Applies `incoming` to the stored document and returns the server's reply, or `None` when
/// the reply would only confirm that the server now has exactly the device's heads (the
/// implicit acknowledgement of the protocol).
///
/// The document is stored, with a new `seq`, only if the message changed its heads and it
/// still reads as a check with the message's id; the device's sync state is stored only
/// when the message is accepted. `prepared` is the work done before the round took the
/// writer ([`prepare_new`]); it is used only if the check is still new (neither the
/// document nor a sync state stored), else the message is applied here afresh.
pub(super) fn receive(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    incoming: &DocMessage,
    prepared: Option<&Prepared>,
) -> Result<Option<DocMessage>, Refusal> {
    let check = incoming.check;
    if let Some(prepared) = prepared
        && batch.load(check)?.is_none()
        && batch.sync_state(round.device, check)?.is_none()
    {
        return match prepared {
            Err(rejected) => Err(rejected.clone().into()),
            Ok(None) => Ok(None),
            Ok(Some(applied)) => finish(batch, round, check, applied.clone(), None, None),
        };
    }
    let message = decode(round, incoming)?;
    let (mut doc, seq, state) = match load_doc(batch, check)? {
        Loaded::Missing => (CheckDoc::empty(), None, stored(batch, round, check)?),
        Loaded::Doc(doc, seq) => (*doc, Some(seq), stored(batch, round, check)?),
        // Rebuilt from the devices: no state is trusted, so this device is asked for
        // everything it has, and the devices that held it are asked for it (`wanted`).
        Loaded::Corrupt(seq) => {
            batch.forget_sync_states(check)?;
            (CheckDoc::empty(), Some(seq), State::new())
        }
    };
    let (team, damage) = match seq {
        Some(_) => (
            Some(visible_team(batch, round, check)?),
            batch.damage(check)?,
        ),
        None => (None, None),
    };
    let known = Known {
        stored: seq.is_some(),
        team: team.as_deref(),
        damage: damage.as_ref(),
    };
    match apply(round, check, message, &mut doc, state, known)? {
        None => Ok(None),
        Some(applied) => finish(batch, round, check, applied, seq, damage.as_ref()),
    }
}

/// The team of a stored check, refusing a sender who may not see it.
fn visible_team(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    check: CheckId,
) -> Result<String, Refusal> {
    let team = batch
        .check_team(check)?
        .unwrap_or_else(|| DEFAULT_TEAM.to_owned());
    if let Some(auth) = &round.auth
        && !auth.caller.may_see(&team)
    {
        return Err(Refusal::Reject {
            code: FORBIDDEN,
            message: format!(
                "check {check} belongs to team {team:?}; user {:?} ({}, team {:?}) may not see \
                 or change it",
                auth.caller.user,
                auth.caller.role.as_str(),
                auth.caller.team
            ),
        });
    }
    Ok(team)
}

/// What the server holds of a check when a message arrives.
#[derive(Debug, Clone, Copy)]
struct Known<'a> {
    /// The server stores the document.
    stored: bool,
    /// Its team, when stored.
    team: Option<&'a str>,
    /// The damage recorded for it, while it is being rebuilt.
    damage: Option<&'a Damage>,
}

/// The work of [`receive`] for a check the server does not hold, done without the store
/// (so off the single writer, in parallel with other rounds): decode, apply to an empty
/// document with a fresh sync state, read, validate, link and save.
pub(super) fn prepare_new(round: &Round<'_>, incoming: &DocMessage) -> Prepared {
    let message = decode(round, incoming)?;
    let mut doc = CheckDoc::empty();
    let known = Known {
        stored: false,
        team: None,
        damage: None,
    };
    apply(
        round,
        incoming.check,
        message,
        &mut doc,
        State::new(),
        known,
    )
}

/// [`receive`] without a store: `stored` is the server's copy of the document, if any, and
/// the device's sync state is fresh. Yields the reply.
pub(super) fn detached(
    round: &Round<'_>,
    stored: Option<&[u8]>,
    incoming: &DocMessage,
) -> Result<Option<DocMessage>, Rejected> {
    let message = decode(round, incoming)?;
    let (mut doc, stored) = match stored {
        None => (CheckDoc::empty(), false),
        Some(bytes) => {
            let doc = CheckDoc::load(bytes).map_err(|e| {
                reject(
                    super::INTERNAL,
                    format!("stored document does not load: {e}"),
                )
            })?;
            (doc, true)
        }
    };
    let team = (stored && round.auth.is_some()).then_some(DEFAULT_TEAM);
    let known = Known {
        stored,
        team,
        damage: None,
    };
    let applied = apply(
        round,
        incoming.check,
        message,
        &mut doc,
        State::new(),
        known,
    )?;
    Ok(applied.and_then(|a| a.reply))
}

/// The message decoded, after its structure and bounds were checked
/// ([`check_message`]): Automerge never sees a message that breaks them.
fn decode(round: &Round<'_>, incoming: &DocMessage) -> Result<Message, Rejected> {
    let check = incoming.check;
    check_message(&incoming.message, &round.limits.message).map_err(|e| {
        let (code, flag) = breach_code(&e);
        let what = if code == MALFORMED_MESSAGE {
            "is malformed"
        } else {
            "is over this server's limit"
        };
        reject(
            code,
            format!("sync message for check {check} {what}: {e}{flag}"),
        )
    })?;
    Message::decode(&incoming.message).map_err(|e| {
        reject(
            MALFORMED_MESSAGE,
            format!("sync message for check {check} is malformed: {e}"),
        )
    })
}

/// Receives `message` into `doc` with the device's `state`; `known` says whether the server
/// holds the document, and its team. New changes are judged by the round's authority (if
/// any) before anything else. `None` when neither side has anything of the check (a device
/// asked for one the server does not hold): nothing to store, nothing to answer.
fn apply(
    round: &Round<'_>,
    check: CheckId,
    message: Message,
    doc: &mut CheckDoc,
    mut state: State,
    known: Known<'_>,
) -> Result<Option<Applied>, Rejected> {
    let device_heads = message.heads.clone();
    let before = doc.heads();
    // A panic inside automerge leaves `doc` half-changed: it is dropped with the rejection.
    contained(|| {
        doc.automerge()
            .sync()
            .receive_sync_message(&mut state, message)
    })
    .map_err(|e| e.to_string())
    .and_then(|applied| applied.map_err(|e| e.to_string()))
    .map_err(|e| {
        reject(
            MALFORMED_MESSAGE,
            format!("sync message for check {check} cannot be applied: {e}"),
        )
    })?;
    let changed = doc.heads() != before;
    if changed {
        // Before anything walks it recursively (the authority, the review's snapshot).
        doc.check_nesting().map_err(|e| {
            reject(
                INVALID_CHECK,
                format!("check {check} is not a valid check document: {e}"),
            )
        })?;
    }
    // For a damaged check, what the damaged version held was accepted before: only the rest
    // is judged (and audited) as new.
    let accepted = match known.damage {
        Some(damage) if changed => accepted_heads(doc, &before, damage),
        _ => before.clone(),
    };
    let verdict = match &round.auth {
        Some(auth) if changed => Some(
            auth.authority()
                .judge(check, doc, &accepted, known.team)
                .map_err(|why| reject(FORBIDDEN, why))?,
        ),
        _ => None,
    };
    // Each decision the changes carry, worded for the audit log (read before linking).
    let decided = match &verdict {
        Some(v) if !v.decisions.is_empty() => doc.decisions_since(&accepted).unwrap_or_default(),
        _ => Vec::new(),
    };
    let ready = if changed {
        Some(prepare_store(round, check, doc)?)
    } else if known.stored {
        None
    } else {
        return Ok(None);
    };
    trust_their_heads(doc.automerge(), &mut state);
    let reply = doc.automerge().sync().generate_sync_message(&mut state);
    // A reply that only confirms the device's heads is left out: the device treats a message
    // with no reply and no rejection as acknowledged (see `fieldsync_schema::sync`).
    let reply = reply
        .filter(|m| needs_delivery(m) || m.heads != device_heads)
        .map(|m| DocMessage {
            check,
            message: m.encode(),
        });
    Ok(Some(Applied {
        ready,
        state,
        heads: doc.heads(),
        reply,
        verdict,
        decided,
        complete: known.damage.is_none_or(|d| holds_all(doc, d)),
    }))
}

/// Stores what `applied` changed and the device's sync state, and yields the reply. For a
/// damaged check (`damage`), the stored version keeps the damaged version's tombstone if
/// it has none, and the damage is forgotten once the version holds all of it.
fn finish(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    check: CheckId,
    applied: Applied,
    seq: Option<u64>,
    damage: Option<&Damage>,
) -> Result<Option<DocMessage>, Refusal> {
    let seq = match &applied.ready {
        Some(ready) => {
            // A rebuild from a copy without the damaged version's tombstone stays deleted.
            let kept = damage.and_then(|d| d.deletion.as_ref());
            let stored = write(batch, ready, kept)?;
            if let Some(damage) = damage {
                let tombstone = ready.read.deleted.is_some();
                rebuilt(batch, damage, applied.complete, tombstone, round.device)?;
            }
            record_authority(
                batch,
                round,
                ready,
                applied.verdict.as_ref(),
                &applied.decided,
            )?;
            Some(stored)
        }
        None => seq,
    };
    // The reply brings the device to the stored version (`seq`) with these heads.
    let sent = seq.map(|seq| Sent {
        seq,
        heads: applied.heads,
    });
    put_state(batch, round.device, check, &applied.state, sent)?;
    Ok(applied.reply)
}

/// Records the team of a check stored for the first time, and audits the decisions the
/// accepted changes made: one row per review decision, conflict decision and deletion in
/// `decided` (worded from the document), one per manual-link decision.
fn record_authority(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    ready: &Ready,
    verdict: Option<&Verdict>,
    decided: &[DecisionEntry],
) -> Result<(), StoreError> {
    let team = verdict.map_or(DEFAULT_TEAM, |v| v.team.as_str());
    batch.set_check_team(ready.check, team)?;
    for decision in verdict.iter().flat_map(|v| &v.decisions) {
        let author = &decision.author;
        let kind = match decision.action {
            audit::REVIEW => Some(DecisionKind::Review),
            audit::DELETION => Some(DecisionKind::Deletion),
            audit::CONFLICT_DECISION => Some(DecisionKind::Conflict),
            _ => None,
        };
        let mut details: Vec<String> = decided
            .iter()
            .filter(|d| Some(d.kind) == kind && d.by == author.user)
            .map(|d| d.detail.clone())
            .collect();
        if details.is_empty() {
            details.push(match decision.action {
                audit::MANUAL_LINK => format!("links {:?}", ready.links.keys().collect::<Vec<_>>()),
                action => format!("{action}: {}", ready.read.review.state),
            });
        }
        for detail in details {
            batch.audit(&NewAudit {
                action: decision.action,
                user: Some(&author.user),
                device: Some(&author.device),
                check: Some(ready.check.to_string()),
                detail: format!("{detail} (sent by device {})", round.device),
            })?;
        }
    }
    Ok(())
}

/// The stored sync state of the round's device for `check`.
fn stored(batch: &mut dyn SyncBatch, round: &Round<'_>, check: CheckId) -> Result<State, Refusal> {
    Ok(stored_state(batch, round.device, check, round.cursor)?)
}
