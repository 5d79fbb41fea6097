//! The operations of one sync round ([`SyncBatch`]), and the damage record of a document
//! found damaged on disk ([`Damage`]).

use automerge::ChangeHash;
use fieldsync_schema::{CheckId, Deletion};

use super::{Changed, DocRecord, PeerState, Quarantined, StoreError, StoredDoc};
use crate::auth::audit::NewAudit;

/// A check whose stored bytes failed their checksum and did not load, until the devices
/// that hold it have rebuilt it (see the README, "Damaged rows").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The check.
    pub check: CheckId,
    /// The heads of the damaged version: the rebuild is complete once a stored version
    /// holds every one of them.
    pub heads: Vec<ChangeHash>,
    /// Heads of versions the server is known to have stored: `heads`, and, once recorded
    /// ([`SyncBatch::mark_damaged`]), those of every version it had sent a device. The
    /// changes in their history were judged when they first arrived.
    pub accepted: Vec<ChangeHash>,
    /// The damaged version's tombstone, while no rebuilt version carries one: the check
    /// stays deleted in the index and is not sent to devices.
    pub deletion: Option<Deletion>,
}

/// The operations of one sync round, inside its write transaction.
pub trait SyncBatch {
    /// The stored document of `check`, if any.
    ///
    /// # Errors
    /// A database error.
    fn load(&mut self, check: CheckId) -> Result<Option<StoredDoc>, StoreError>;

    /// Stores a changed document with the next change sequence, replaces its index columns
    /// and links, and returns the new sequence.
    ///
    /// # Errors
    /// A database error.
    fn store_check(&mut self, doc: &DocRecord<'_>) -> Result<u64, StoreError>;

    /// The sync state stored for (`device`, `check`), if any.
    ///
    /// # Errors
    /// A database error, or stored heads that are not change hashes.
    fn sync_state(&mut self, device: &str, check: CheckId)
    -> Result<Option<PeerState>, StoreError>;

    /// Stores the sync state for (`device`, `check`), replacing the previous one.
    ///
    /// # Errors
    /// A database error.
    fn put_sync_state(
        &mut self,
        device: &str,
        check: CheckId,
        state: &PeerState,
    ) -> Result<(), StoreError>;

    /// Forgets every device's sync state for `check` (a cache: the next exchange with each
    /// device starts afresh and carries whatever either side lacks), keeping the record that
    /// the device holds the check. Used when the stored document was found corrupt and is
    /// rebuilt from the devices.
    ///
    /// # Errors
    /// A database error.
    fn forget_sync_states(&mut self, check: CheckId) -> Result<(), StoreError>;

    /// Keeps a refused message. A refusal already kept for the same check, device and reason
    /// (a device re-sending the change it still holds) is updated in place, with the newest
    /// message and time. Returns true when the refusal is new.
    ///
    /// # Errors
    /// A database error.
    fn quarantine(&mut self, entry: &Quarantined) -> Result<bool, StoreError>;

    /// Documents with `seq > cursor`, ascending by sequence, at most `limit` of them; with
    /// `held_by`, only documents that device holds (it sent or received them before); with
    /// `team`, only checks of that team.
    ///
    /// # Errors
    /// A database error, or a stored check id that is not a UUID.
    fn changed_since(
        &mut self,
        cursor: u64,
        limit: usize,
        held_by: Option<&str>,
        team: Option<&str>,
    ) -> Result<Vec<Changed>, StoreError>;

    /// The team of a stored check (`None` if the server does not hold it).
    ///
    /// # Errors
    /// A database error.
    fn check_team(&mut self, check: CheckId) -> Result<Option<String>, StoreError>;

    /// Records the team of a check stored for the first time (kept if already set).
    ///
    /// # Errors
    /// A database error.
    fn set_check_team(&mut self, check: CheckId, team: &str) -> Result<(), StoreError>;

    /// Appends a row to the audit log, in this round's transaction.
    ///
    /// # Errors
    /// A database error.
    fn audit(&mut self, entry: &NewAudit<'_>) -> Result<(), StoreError>;

    /// The random tag stored with change sequence `seq`, if this database ever assigned it.
    ///
    /// # Errors
    /// A database error.
    fn cursor_tag(&mut self, seq: u64) -> Result<Option<Vec<u8>>, StoreError>;

    /// The highest change sequence stored (0 when there are no documents).
    ///
    /// # Errors
    /// A database error.
    fn latest_seq(&mut self) -> Result<u64, StoreError>;

    /// The tombstone of `check` as last stored, if it is deleted (an index read; the
    /// document is not loaded).
    ///
    /// # Errors
    /// A database error, or a stored tombstone that does not parse.
    fn deletion(&mut self, check: CheckId) -> Result<Option<Deletion>, StoreError>;

    /// The damage recorded for `check` ([`SyncBatch::mark_damaged`]), if it is not rebuilt
    /// yet.
    ///
    /// # Errors
    /// A database error, or stored heads or a tombstone the store did not write.
    fn damage(&mut self, check: CheckId) -> Result<Option<Damage>, StoreError>;

    /// Records that the stored document of `damage.check` was found damaged, unless it is
    /// recorded already: every device with a sync state for the check is asked for it
    /// ([`SyncBatch::wanted`]), the heads last sent to each are added to `accepted`, and
    /// every sync state for it is forgotten ([`SyncBatch::forget_sync_states`]). Returns
    /// true when the damage is new.
    ///
    /// # Errors
    /// A database error.
    fn mark_damaged(&mut self, damage: &Damage) -> Result<bool, StoreError>;

    /// A stored version of `check` carries a tombstone again: the damage no longer keeps
    /// the recorded one.
    ///
    /// # Errors
    /// A database error.
    fn damage_tombstone_restored(&mut self, check: CheckId) -> Result<(), StoreError>;

    /// A stored version of `check` holds every change of the damaged one: its damage is
    /// forgotten and no device is asked for it any more.
    ///
    /// # Errors
    /// A database error.
    fn repaired(&mut self, check: CheckId) -> Result<(), StoreError>;

    /// The damaged checks `device` is asked for (it held them when they were found and has
    /// not sent them since), in id order, at most `limit`.
    ///
    /// # Errors
    /// A database error, or a stored check id that is not a UUID.
    fn wanted(&mut self, device: &str, limit: usize) -> Result<Vec<CheckId>, StoreError>;

    /// `device` sent a message about `check`: it is no longer asked for it.
    ///
    /// # Errors
    /// A database error.
    fn heard_from(&mut self, device: &str, check: CheckId) -> Result<(), StoreError>;

    /// Verifies the next stored documents of a rolling pass over all of them against their
    /// checksums: at most `rows` documents and, past the first, `bytes` bytes. The pass
    /// goes on where the previous call stopped (the position is kept in memory by the
    /// store) and starts again from the beginning after the last document. Returns the
    /// checks whose bytes do not match their checksum or have none.
    ///
    /// # Errors
    /// A database error, or a stored check id that is not a UUID.
    fn scrub(&mut self, rows: usize, bytes: usize) -> Result<Vec<CheckId>, StoreError>;

    /// Stores the checksum of the bytes of `check` as they are: for a document whose bytes
    /// load (Automerge checks its own chunk checksums) but whose checksum is damaged or
    /// missing, so it is not loaded again to be verified.
    ///
    /// # Errors
    /// A database error.
    fn seal(&mut self, check: CheckId) -> Result<(), StoreError>;
}
