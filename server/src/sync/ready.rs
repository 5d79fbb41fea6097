//! A changed document made ready to store: read back as a check, checked against the text
//! limit, validated against its form, re-linked to resolutions, saved and bounded.

use std::collections::BTreeMap;

use automerge::ChangeHash;
use fieldsync_schema::forms::is_valid;
use fieldsync_schema::sync_bounds::MAX_HEADS;
use fieldsync_schema::text_limit::first_over;
use fieldsync_schema::validation::check_violations;
use fieldsync_schema::{
    Catalog, Check, CheckDoc, CheckId, CheckRecord, Deletion, LinkSource, Violation,
};

use super::Round;
use super::refusal::{Rejected, reject};
use super::{INVALID_CHECK, TEXT_TOO_LONG, TOO_LARGE};
use crate::store::records::encode_view;
use crate::store::{DocRecord, StoreError, SyncBatch};

/// A changed document ready to store: everything [`SyncBatch::store_check`] needs.
#[derive(Debug, Clone)]
pub(super) struct Ready {
    pub(super) check: CheckId,
    pub(super) bytes: Vec<u8>,
    pub(super) heads: Vec<ChangeHash>,
    pub(super) read: Check,
    pub(super) links: BTreeMap<u16, LinkSource>,
    pub(super) violations: Vec<Violation>,
    pub(super) valid: bool,
    /// The stored version as exports read it ([`crate::store::records::encode_view`]).
    pub(super) view: Option<String>,
}

/// Reads a changed document back as a check, validates it against its form version and the
/// catalog, writes its resolution links (rules, then manual decisions) as the server and
/// saves it. A check that breaks rules is stored all the same, flagged invalid with its
/// violations (and a warning in the log): only a document that no longer reads as a check
/// at all is refused.
pub(super) fn prepare_store(
    round: &Round<'_>,
    check: CheckId,
    doc: &mut CheckDoc,
) -> Result<Ready, Rejected> {
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
    if let Some(long) = first_over(&read, round.limits.text_chars) {
        return Err(reject(
            TEXT_TOO_LONG,
            format!(
                "check {check}: {} is {} characters; this server accepts at most {} characters \
                 per text (--max-text-chars)",
                long.field, long.chars, round.limits.text_chars
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
    let relinked = doc.set_links(&round.author, &links).map_err(|e| {
        reject(
            INVALID_CHECK,
            format!("check {check}: cannot link resolutions: {e}"),
        )
    })?;
    let view = view_of(doc, &read, relinked, &violations);
    let heads = doc.heads();
    if heads.len() as u64 > MAX_HEADS {
        // Its devices could not announce them: their messages would break the bounds.
        return Err(reject(
            TOO_LARGE,
            format!(
                "check {check} would have {} concurrent heads; sync messages carry at most \
                 {MAX_HEADS}",
                heads.len()
            ),
        ));
    }
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
    Ok(Ready {
        check,
        bytes,
        heads,
        read,
        links,
        violations,
        valid,
        view,
    })
}

/// The [`CheckRecord`] of `doc` as stored, JSON-encoded: `read` is the check before the
/// server linked it, read again only if linking changed the document (links and authors).
fn view_of(
    doc: &CheckDoc,
    read: &Check,
    relinked: bool,
    violations: &[Violation],
) -> Option<String> {
    let check = if relinked {
        doc.read().ok()?
    } else {
        read.clone()
    };
    let record = CheckRecord {
        check,
        conflicts: doc.conflicts().ok()?,
        violations: violations.to_vec(),
    };
    encode_view(&record)
}

/// Stores a prepared document; returns its new `seq`. `kept` is a tombstone the index keeps
/// when the document has none (a damaged deleted check rebuilt from a stale copy).
pub(super) fn write(
    batch: &mut dyn SyncBatch,
    ready: &Ready,
    kept: Option<&Deletion>,
) -> Result<u64, StoreError> {
    let read = &ready.read;
    let deleted = read.deleted.as_ref().or(kept);
    let no_links = BTreeMap::new();
    let seq = batch.store_check(&DocRecord {
        check: ready.check,
        bytes: &ready.bytes,
        heads: &ready.heads,
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
        links: if deleted.is_some() {
            &no_links
        } else {
            &ready.links
        },
        violations: &ready.violations,
        valid: ready.valid,
        deleted,
        view: ready.view.as_deref(),
    })?;
    tracing::debug!(check = %ready.check, seq, links = ?ready.links, "check stored");
    Ok(seq)
}
