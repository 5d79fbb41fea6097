//! Persistence of the server: documents, their index, resolution links, per-device sync
//! states and quarantined messages.
//!
//! [`Store`] speaks domain verbs and never SQL, so a second backend (Postgres, behind a cargo
//! feature and a URL scheme) can be added without touching the routes or the sync logic. All
//! methods block: async callers run them on `tokio::task::spawn_blocking`
//! ([`crate::AppState::run`]). [`SqliteStore`] is the only implementation today.

mod damaged;
mod error;
mod group_commit;
mod interrupted;
pub mod lock;
mod migrations;
pub mod records;
mod sqlite;
mod sqlite_read;
mod sqlite_read_only;
mod sqlite_write;
mod sync_batch;

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use automerge::{ActorId, ChangeHash};
use fieldsync_schema::wire::CheckSummary;
use fieldsync_schema::{
    CheckId, CheckRecord, Deletion, FacilityKind, LinkSource, RecordFilter, SiteId, Violation,
};

pub use error::{StorageFault, StoreError};
pub use interrupted::{RESTORING, refuse_interrupted_restore};
pub use sqlite::{DB_FILE, SqliteStore, open_connection};
pub use sync_batch::{Damage, SyncBatch};

use crate::auth::directory::{DirectoryError, Enrolment};
use crate::auth::{Identity, Registry};

/// The schema version (`user_version`) this binary writes: the number of migrations.
pub fn schema_version() -> usize {
    migrations::latest_version()
}

/// A stored document: the whole Automerge `save()` output and its change sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDoc {
    /// The document bytes.
    pub bytes: Vec<u8>,
    /// Server change sequence of this version.
    pub seq: u64,
    /// The heads of this version.
    pub heads: Vec<ChangeHash>,
    /// True when the bytes match the checksum stored with them (false when they do not, or
    /// no checksum was stored): only verified bytes are served without loading them.
    pub verified: bool,
    /// The tombstone in the index (`documents.deleted`), if the check is deleted: the
    /// document's own, except for a damaged check rebuilt from a copy without it, which
    /// keeps the damaged version's ([`Damage::deletion`]).
    pub deleted: Option<Deletion>,
}

/// A document to store after a sync message changed it, with its index columns.
#[derive(Debug, Clone, PartialEq)]
pub struct DocRecord<'a> {
    /// The check id (= document id).
    pub check: CheckId,
    /// The whole document (`save()` output).
    pub bytes: &'a [u8],
    /// Its heads after the change.
    pub heads: &'a [ChangeHash],
    /// Facility kind.
    pub kind: FacilityKind,
    /// Site id.
    pub site_id: &'a str,
    /// Site name in Arabic.
    pub site_name_ar: &'a str,
    /// Inspector who recorded it.
    pub inspector: &'a str,
    /// Observation time, RFC 3339 with the device's offset.
    pub observed_at: String,
    /// The same instant in UTC, `YYYY-MM-DDTHH:MM:SSZ` (sorts as text).
    pub observed_at_utc: String,
    /// Review state identifier (`approved`).
    pub review_state: &'a str,
    /// Linked resolution numbers with what made each link (replace the stored ones).
    pub links: &'a BTreeMap<u16, LinkSource>,
    /// Every rule the check breaks ([`fieldsync_schema::validation::check_violations`]).
    pub violations: &'a [Violation],
    /// False when `violations` holds an error: the check is stored, flagged `invalid`.
    pub valid: bool,
    /// The tombstone, if the check was deleted (it then leaves the list and counts).
    pub deleted: Option<&'a Deletion>,
    /// The stored version as exports read it: [`records::encode_view`] of its
    /// [`CheckRecord`], or `None` when it could not be encoded (the walk then reads the
    /// bytes).
    pub view: Option<&'a str>,
}

/// A message refused during a sync round, kept for an operator to inspect or replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    /// The check the message was about.
    pub check: CheckId,
    /// The sending device's id.
    pub device: String,
    /// Why it was refused: `code: explanation`.
    pub reason: String,
    /// The raw message bytes, as received.
    pub message: Vec<u8>,
    /// When it was received, RFC 3339 UTC (filled in by the store when empty).
    pub received_at: String,
}

/// Filters of the check list; `None` means no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckFilter {
    /// Only checks linked to this resolution.
    pub resolution: Option<u16>,
    /// Only checks of this kind.
    pub kind: Option<FacilityKind>,
    /// Only checks of this site.
    pub site: Option<SiteId>,
    /// Only valid (`true`) or only invalid (`false`) checks.
    pub valid: Option<bool>,
    /// Only checks of this team (an inspector's reads).
    pub team: Option<String>,
}

/// How many checks, and at how many distinct sites, link to one resolution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkCounts {
    /// Number of linked checks.
    pub checks: u64,
    /// Number of distinct sites among them.
    pub sites: u64,
}

/// What the server keeps per (device, document).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeerState {
    /// `automerge::sync::State::encode()` output (the shared heads).
    pub state: Vec<u8>,
    /// The document version last sent to the device, if any.
    pub sent: Option<Sent>,
}

/// A document version the server sent to a device: once the device's cursor reaches `seq`,
/// the device holds `heads`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The document's change sequence when sent.
    pub seq: u64,
    /// The document's heads when sent.
    pub heads: Vec<ChangeHash>,
}

/// A document changed after some cursor: its id and current sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Changed {
    /// The check.
    pub check: CheckId,
    /// Its current change sequence.
    pub seq: u64,
}

/// The server's storage, in domain verbs. Every method blocks.
pub trait Store: Send + Sync + 'static {
    /// The Automerge actor the server writes as (resolution links); stable across restarts.
    fn server_actor(&self) -> ActorId;

    /// Runs `work` as one write transaction (one sync round): committed if it returns `Ok`,
    /// rolled back otherwise. Rounds are serialised; reads go on concurrently.
    ///
    /// # Errors
    /// `work`'s error, or the transaction could not begin or commit.
    fn sync_batch(
        &self,
        work: &mut dyn FnMut(&mut dyn SyncBatch) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// The index entries of the checks matching `filter`, ordered by observation time (UTC)
    /// then id. Documents are not loaded.
    ///
    /// # Errors
    /// A database error, or a stored index value the store did not write.
    fn list_checks(&self, filter: &CheckFilter) -> Result<Vec<CheckSummary>, StoreError>;

    /// The stored document of `check`, or `None` if the server has never stored it.
    ///
    /// # Errors
    /// A database error.
    fn load_check(&self, check: CheckId) -> Result<Option<StoredDoc>, StoreError>;

    /// True when the server has stored `check` (read without the writer).
    ///
    /// # Errors
    /// A database error.
    fn has_check(&self, check: CheckId) -> Result<bool, StoreError>;

    /// Link counts per resolution number; resolutions without links are absent.
    ///
    /// # Errors
    /// A database error.
    fn resolution_counts(&self) -> Result<BTreeMap<u16, LinkCounts>, StoreError>;

    /// Quarantined messages, oldest first.
    ///
    /// # Errors
    /// A database error, or a stored check id that is not a UUID.
    fn quarantined(&self) -> Result<Vec<Quarantined>, StoreError>;

    /// Calls `visit` with every live check matching `filter`, as a [`CheckRecord`], in
    /// observation order (UTC, then id), one at a time on one read snapshot, so exports
    /// and reports stream with flat memory. Each record comes from the stored `view`
    /// (JSON, about 20 us) or, for a row without a current view, from its bytes (about
    /// 0.15 ms). `visit` returns [`ControlFlow::Break`] to stop early.
    ///
    /// # Errors
    /// A database error. A row whose bytes do not read as a check is skipped, logged and
    /// listed in the returned [`Walked`], never an error.
    fn for_each_record(
        &self,
        filter: &RecordFilter,
        visit: &mut dyn FnMut(CheckRecord) -> ControlFlow<()>,
    ) -> Result<Walked, StoreError>;

    /// The active (not revoked) device whose bearer token is `token`.
    ///
    /// # Errors
    /// A database error.
    fn authenticate(&self, token: &str) -> Result<Option<Identity>, StoreError>;

    /// Every device ever enrolled, by actor (read at the start of each sync round).
    ///
    /// # Errors
    /// A database error.
    fn registry(&self) -> Result<Registry, StoreError>;

    /// Exchanges an enrolment code for a token ([`crate::auth::directory::enrol`]).
    ///
    /// # Errors
    /// See [`crate::auth::directory::enrol`].
    fn enrol(&self, request: &Enrolment<'_>) -> Result<(String, Identity), DirectoryError>;

    /// The team `check` belongs to, if the server stores it.
    ///
    /// # Errors
    /// A database error.
    fn check_team(&self, check: CheckId) -> Result<Option<String>, StoreError>;
}

/// What [`Store::for_each_record`] walked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Walked {
    /// Records passed to the visitor.
    pub records: u64,
    /// Stored rows that did not read as a check: `(check id, reason)`.
    pub unreadable: Vec<(String, String)>,
}
