//! Documents damaged on disk: found (by the rolling checksum pass, or by a round that
//! loads one), recorded with the devices that held them, asked of those devices
//! (`wanted` in the response), and forgotten once rebuilt. See the README, "Damaged rows".
//!
//! A damaged check is rebuilt from whatever the devices send; it is complete once a stored
//! version holds every change of the damaged one (its heads). Until then the devices that
//! held it and have not sent it are asked for it, and a tombstone the damaged version had
//! is kept in the index: a check rebuilt from a copy that never received its deletion stays
//! deleted, and is not sent to devices, until a copy with the tombstone arrives.

use std::collections::HashSet;

use automerge::ChangeHash;
use fieldsync_schema::wire::MAX_MESSAGES_PER_REQUEST;
use fieldsync_schema::{CheckDoc, CheckId};

use super::Round;
use crate::store::{Damage, StoreError, StoredDoc, SyncBatch};

/// Most stored documents one round verifies against their checksums.
pub(super) const SCRUB_ROWS: usize = 64;
/// Most bytes one round hashes to verify them (past the first document).
pub(super) const SCRUB_BYTES: usize = 256 * 1024;

/// What the store holds for a check.
pub(super) enum Loaded {
    /// Nothing: a check new to the server.
    Missing,
    /// The document and its `seq`.
    Doc(Box<CheckDoc>, u64),
    /// A row whose bytes fail their checksum and do not load (damaged on disk): its `seq`.
    /// The damage is recorded ([`found`]).
    Corrupt(u64),
}

/// Loads the stored document of `check`. Bytes that fail their checksum are still tried
/// (a damaged checksum column leaves good bytes: they are sealed again); bytes that do not
/// load are reported with the check id and recorded as damaged.
pub(super) fn load_doc(batch: &mut dyn SyncBatch, check: CheckId) -> Result<Loaded, StoreError> {
    let Some(stored) = batch.load(check)? else {
        return Ok(Loaded::Missing);
    };
    match CheckDoc::load(&stored.bytes) {
        Ok(doc) => {
            if !stored.verified {
                tracing::warn!(%check, seq = stored.seq, "stored document does not match its checksum but loads; using it, with a new checksum");
                batch.seal(check)?;
            }
            Ok(Loaded::Doc(Box::new(doc), stored.seq))
        }
        Err(err) => {
            tracing::error!(
                %check,
                seq = stored.seq,
                verified = stored.verified,
                error = %err,
                "stored document is corrupt"
            );
            found(batch, check, &stored)?;
            Ok(Loaded::Corrupt(stored.seq))
        }
    }
}

/// Records the damage of `stored`, the row of `check` that does not load (once): the devices
/// that hold the check are asked for it from now on.
pub(super) fn found(
    batch: &mut dyn SyncBatch,
    check: CheckId,
    stored: &StoredDoc,
) -> Result<(), StoreError> {
    let damage = Damage {
        check,
        heads: stored.heads.clone(),
        accepted: stored.heads.clone(),
        deletion: stored.deleted.clone(),
    };
    if batch.mark_damaged(&damage)? {
        tracing::error!(
            %check,
            seq = stored.seq,
            deleted = damage.deletion.is_some(),
            "stored document is damaged: asking the devices that hold it to send it whole"
        );
    }
    Ok(())
}

/// Verifies the next slice of the rolling checksum pass; records what does not load.
pub(super) fn scrub(batch: &mut dyn SyncBatch) -> Result<(), StoreError> {
    for check in batch.scrub(SCRUB_ROWS, SCRUB_BYTES)? {
        load_doc(batch, check)?;
    }
    Ok(())
}

/// True when `doc` holds every change of the damaged version.
pub(super) fn holds_all(doc: &mut CheckDoc, damage: &Damage) -> bool {
    let doc = doc.automerge();
    damage
        .heads
        .iter()
        .all(|h| doc.get_change_by_hash(h).is_some())
}

/// The heads of what the server had accepted of a damaged check, as far as `doc` (after a
/// message) holds it: the stored heads `before` and the heads of versions the server had
/// stored ([`Damage::accepted`]: the damaged one, those sent to devices) present in `doc`,
/// reduced to the heads of that history. A change in it was judged when it first reached
/// the server (a change's hash covers its content and its ancestors), so a rebuild judges
/// only the changes beyond it: an inspector's device may send a supervisor's review back.
/// A document that holds none of them is judged whole, as any new document.
pub(super) fn accepted_heads(
    doc: &mut CheckDoc,
    before: &[ChangeHash],
    damage: &Damage,
) -> Vec<ChangeHash> {
    let am = doc.automerge();
    let mut heads = before.to_vec();
    heads.extend(
        damage
            .accepted
            .iter()
            .filter(|h| !before.contains(h) && am.get_change_by_hash(h).is_some()),
    );
    if heads.len() == before.len() {
        return heads;
    }
    match am.fork_at(&heads) {
        Ok(mut history) => history.get_heads(),
        Err(err) => {
            tracing::warn!(check = %damage.check, error = %err, "judging the rebuild whole");
            before.to_vec()
        }
    }
}

/// After a version of a damaged check was stored: forgets the damage if it held every change
/// of the damaged version (`complete`), else stops keeping the tombstone once the stored
/// version carries one (`tombstone`).
pub(super) fn rebuilt(
    batch: &mut dyn SyncBatch,
    damage: &Damage,
    complete: bool,
    tombstone: bool,
    device: &str,
) -> Result<(), StoreError> {
    let check = damage.check;
    if complete {
        tracing::info!(%check, device, "damaged document rebuilt from the devices");
        batch.repaired(check)
    } else {
        tracing::warn!(%check, device, "damaged document partly rebuilt; still asking the devices that held it");
        if tombstone && damage.deletion.is_some() {
            batch.damage_tombstone_restored(check)?;
        }
        Ok(())
    }
}

/// The damaged checks to ask this round's device for. A check the request carried a
/// message about is not asked again: the device has spoken, and the protocol goes on from
/// what it said.
pub(super) fn wanted(
    batch: &mut dyn SyncBatch,
    round: &Round<'_>,
    sent: &HashSet<CheckId>,
) -> Result<Vec<CheckId>, StoreError> {
    let limit = MAX_MESSAGES_PER_REQUEST + sent.len();
    let mut wanted = batch.wanted(round.device, limit)?;
    for check in wanted.iter().filter(|c| sent.contains(c)) {
        batch.heard_from(round.device, *check)?;
    }
    wanted.retain(|c| !sent.contains(c));
    wanted.truncate(MAX_MESSAGES_PER_REQUEST);
    Ok(wanted)
}

/// True when `check` must not be sent to devices: it was found damaged while deleted, and
/// no rebuilt version carries the tombstone yet.
pub(super) fn withheld(batch: &mut dyn SyncBatch, check: CheckId) -> Result<bool, StoreError> {
    Ok(batch.damage(check)?.is_some_and(|d| d.deletion.is_some()))
}
