//! Receiving one device message: decode, apply, read back, validate, re-link, store, reply.

use std::collections::BTreeMap;

use automerge::sync::{Message, SyncDoc};
use fieldsync_schema::forms::is_valid;
use fieldsync_schema::sync::{needs_delivery, trust_their_heads};
use fieldsync_schema::validation::check_violations;
use fieldsync_schema::wire::DocMessage;
use fieldsync_schema::{Catalog, CheckDoc, CheckId};

use super::{
    INTERNAL, INVALID_CHECK, MALFORMED_MESSAGE, Round, TOO_LARGE, put_state, stored_state,
};
use crate::store::{DocRecord, Sent, StoreError, SyncBatch};

/// Why a message got no reply.
pub(super) enum Refusal {
    /// The message is refused; the round goes on. `message` names the check and the problem.
    Reject {
        /// Stable code ([`MALFORMED_MESSAGE`], [`INVALID_CHECK`], [`INTERNAL`]).
        code: &'static str,
        /// Human-readable reason.
        message: String,
    },
    /// The store failed: the whole round is aborted.
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

fn reject(code: &'static str, message: String) -> Refusal {
    Refusal::Reject { code, message }
}

/// Applies `incoming` to the stored document and returns the server's reply, or `None` when
/// the reply would only confirm that the server now has exactly the device's heads (the
/// implicit acknowledgement of the protocol).
///
/// The document is stored, with a new `seq`, only if the message changed its heads and it
/// still reads as a valid check with the message's id; the device's sync state is stored only
/// when the message is accepted.
pub(super) fn receive(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    incoming: &DocMessage,
) -> Result<Option<DocMessage>, Refusal> {
    let check = incoming.check;
    let limit = round.limits.document_bytes;
    if incoming.message.len() > limit {
        return Err(reject(
            TOO_LARGE,
            format!(
                "sync message for check {check} is {} bytes; this server accepts at most {limit} \
                 bytes per document (--max-document-bytes)",
                incoming.message.len()
            ),
        ));
    }
    let message = Message::decode(&incoming.message).map_err(|e| {
        reject(
            MALFORMED_MESSAGE,
            format!("sync message for check {check} is malformed: {e}"),
        )
    })?;
    let device_heads = message.heads.clone();
    let (mut doc, mut seq) = load_doc(batch, check)?;
    let mut state = stored_state(batch, round.device, check, round.cursor)?;
    let before = doc.heads();
    doc.automerge()
        .sync()
        .receive_sync_message(&mut state, message)
        .map_err(|e| {
            reject(
                MALFORMED_MESSAGE,
                format!("sync message for check {check} cannot be applied: {e}"),
            )
        })?;
    if doc.heads() != before {
        seq = Some(store_changed(batch, round, check, &mut doc)?);
    } else if seq.is_none() {
        // Neither side has anything of this check (a device asked for one the server does
        // not hold): nothing to store, nothing to answer.
        return Ok(None);
    }
    trust_their_heads(doc.automerge(), &mut state);
    let reply = doc.automerge().sync().generate_sync_message(&mut state);
    // The reply brings the device to the stored version (`seq`) with these heads.
    let sent = seq.map(|seq| Sent {
        seq,
        heads: doc.heads(),
    });
    put_state(batch, round.device, check, &state, sent)?;
    // A reply that only confirms the device's heads is left out: the device treats a message
    // with no reply and no rejection as acknowledged (see `fieldsync_schema::sync`).
    Ok(reply
        .filter(|m| needs_delivery(m) || m.heads != device_heads)
        .map(|m| DocMessage {
            check,
            message: m.encode(),
        }))
}

/// The stored document and its `seq`, or an empty one for a check the server does not have.
fn load_doc(batch: &mut dyn SyncBatch, check: CheckId) -> Result<(CheckDoc, Option<u64>), Refusal> {
    let Some(stored) = batch.load(check)? else {
        return Ok((CheckDoc::empty(), None));
    };
    let doc = CheckDoc::load(&stored.bytes).map_err(|err| {
        tracing::error!(%check, error = %err, "stored document does not load");
        reject(
            INTERNAL,
            format!(
                "check {check} cannot be processed by the server; the message was kept and \
                 the operator can see why in the server log"
            ),
        )
    })?;
    Ok((doc, Some(stored.seq)))
}

/// Reads a changed document back as a check, validates it against its form version and the
/// catalog, writes its resolution links (rules, then manual decisions) as the server and
/// stores it. A check that breaks rules is stored all the same, flagged invalid with its
/// violations (and a warning in the log): only a document that no longer reads as a check
/// at all is refused.
fn store_changed(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    check: CheckId,
    doc: &mut CheckDoc,
) -> Result<u64, Refusal> {
    let read = doc.read().map_err(|e| {
        reject(
            INVALID_CHECK,
            format!("check {check} is not a valid check document: {e}"),
        )
    })?;
    if read.id != check {
        return Err(reject(
            INVALID_CHECK,
            format!(
                "message for check {check} carries the document of check {}: the ids must match",
                read.id
            ),
        ));
    }
    let violations = check_violations(&read);
    let valid = is_valid(&violations);
    if !valid {
        let codes: Vec<String> = violations
            .iter()
            .filter(|v| v.is_error())
            .map(|v| format!("{}:{}", v.field, v.rule.code()))
            .collect();
        tracing::warn!(%check, violations = %codes.join(" "), "check stored but flagged invalid");
    }
    let links = Catalog::builtin().check_links(&read);
    doc.set_actor(round.actor.clone());
    doc.set_links(&round.author, &links).map_err(|e| {
        reject(
            INVALID_CHECK,
            format!("check {check}: cannot link resolutions: {e}"),
        )
    })?;
    let heads = doc.heads();
    let bytes = doc.save();
    let limit = round.limits.document_bytes;
    if bytes.len() > limit {
        return Err(reject(
            TOO_LARGE,
            format!(
                "check {check} would grow to {} bytes; this server stores at most {limit} bytes \
                 per document (--max-document-bytes)",
                bytes.len()
            ),
        ));
    }
    let no_links = BTreeMap::new();
    let seq = batch.store_check(&DocRecord {
        check,
        bytes: &bytes,
        heads: &heads,
        kind: read.kind,
        site_id: read.site.id.as_str(),
        site_name_ar: &read.site.name_ar,
        inspector: &read.inspector,
        observed_at: read.observed_at.to_string(),
        observed_at_utc: read
            .observed_at
            .utc()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
        review_state: read.review.state.as_str(),
        links: if read.deleted.is_some() {
            &no_links
        } else {
            &links
        },
        violations: &violations,
        valid,
        deleted: read.deleted.as_ref(),
    })?;
    tracing::debug!(%check, seq, links = ?links, "check stored");
    Ok(seq)
}
