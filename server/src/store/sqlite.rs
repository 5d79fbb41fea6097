//! The SQLite implementation of [`Store`].
//!
//! ## Files
//! One database file, `<data>/fieldsync.db` (plus SQLite's `-wal` and `-shm`), created with
//! its directory on first start. Schema changes are the numbered files in
//! `server/migrations/`, applied at start-up; a database newer than the binary is refused.
//! `<data>/fieldsync.lock` is held (`flock`) while the store is open ([`super::lock`]): a
//! second server or a restore on the same directory is refused. A directory the server
//! cannot write is opened read-only: reads are served, every round fails with a storage
//! fault (503) until the directory is writable again ([`super::sqlite_read_only`]).
//! `--max-db-bytes` caps the file (`max_page_count`; beyond it, 507).
//!
//! ## Damage
//! `documents.checksum` is the SHA-256 of `bytes`. Bytes that fail it are never sent as they
//! are. Every round verifies a few more rows of a rolling pass ([`super::SyncBatch::scrub`]);
//! bytes that do not load are recorded in `damaged` with the devices that held them
//! (`damaged_holders`, from `sync_states`, which are then reset), and those devices are
//! asked for the check until a stored version holds every change of the damaged one.
//!
//! ## Tables
//! | table | key | holds |
//! |---|---|---|
//! | `meta` | `key` | `actor`: the server's Automerge actor id (hex), created once |
//! | `documents` | `check_id` | `bytes` (whole `save()` output), `heads` (hex, space-separated, sorted), `seq`, and index columns read from the check: `kind`, `site_id`, `site_name_ar`, `inspector`, `observed_at`, `observed_at_utc`, `review_state`, `updated_at`; `valid` (0 when flagged invalid) and `violations` (JSON array of `Violation`) from validating that version; `deleted` (the tombstone as JSON); `view` and `view_version`: the version's `CheckRecord` as JSON for exports and reports ([`super::records`]) |
//! | `links` | (`check_id`, `resolution`) | the resolutions a check is linked to, with `source`: `rule:<id>` or `manual:<supervisor>` |
//! | `sync_states` | (`device`, `check_id`) | the encoded Automerge sync state for that device |
//! | `quarantine` | `id` | refused messages, raw, with device, reason and time |
//! | `damaged` | `check_id` | a check found damaged: the damaged version's `heads` and, while no rebuild carries one, its tombstone `deleted` |
//! | `damaged_holders` | (`device`, `check_id`) | devices asked for a damaged check (`wanted`) |
//!
//! ## Invariants
//! - `documents.seq` is unique and assigned as `max(seq) + 1` inside the write transaction
//!   that stores the document, so seq order is commit order and a device that has applied
//!   everything up to `seq = n` has missed nothing at or below `n`. This relies on documents
//!   never being deleted (a deletion must first add a high-water mark to `meta`).
//! - A row in `documents` is only written after the document read back as a check; the
//!   index columns, `valid`, `violations` and `links` are derived from that same read in the
//!   same transaction. A check that breaks its form's rules is stored, with `valid = 0`.
//! - `links` rows always belong to a `documents` row (foreign key).
//! - A `sync_states` row may exist for a document the server does not have (a device asked
//!   for it); it is only a cache: losing it costs a fuller message, never data.
//!
//! ## Concurrency and durability
//! One writer connection takes every write; rounds run on it one at a time, each in its own
//! savepoint, and rounds that arrive together share one transaction and one commit
//! ([`super::group_commit`]). Reads use a small pool of separate connections and, thanks to
//! WAL, never wait for the writer. `synchronous=FULL`: a round is answered only after the
//! commit holding it, so an acknowledged round survives a power cut. A crash mid-round rolls
//! the open transaction back; the devices retry, which is harmless.
//!
//! ## Compaction
//! Every stored version is a whole `save()` (a compacted snapshot), replacing the previous
//! one in the round's transaction: checks are small (about 1 KB, `save()` about 0.02 ms), so
//! appending incremental change chunks and compacting them later (automerge-repo style)
//! would add a second code path without saving work.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use automerge::ActorId;
use fieldsync_schema::wire::CheckSummary;
use fieldsync_schema::{CheckId, CheckRecord, RecordFilter};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::group_commit::GroupWriter;
use super::lock::DataLock;
use super::sqlite_write::Batch;
use super::{
    CheckFilter, LinkCounts, Quarantined, Store, StoreError, StoredDoc, SyncBatch, Walked,
};
use super::{migrations, sqlite_read};
use crate::auth::directory::{self, DirectoryError, Enrolment};
use crate::auth::{Identity, Registry};

/// Name of the database file inside the data directory.
pub const DB_FILE: &str = "fieldsync.db";

/// Idle reader connections kept open; more are opened under load and closed after use.
const MAX_IDLE_READERS: usize = 4;

/// The SQLite store: one writer connection and a small pool of readers.
#[derive(Debug)]
pub struct SqliteStore {
    /// Held while the store is open: no restore, no second server on this directory.
    _lock: DataLock,
    pub(super) path: PathBuf,
    pub(super) writer: GroupWriter,
    pub(super) readers: Mutex<Vec<Connection>>,
    actor: ActorId,
    /// Serving read-only (see [`SqliteStore::is_read_only`]).
    pub(super) read_only: AtomicBool,
    /// The last rowid of the rolling checksum pass ([`SyncBatch::scrub`]).
    scrubbed: AtomicI64,
}

impl SqliteStore {
    /// Opens (creating if missing) the store in `data_dir`, migrating it to the latest schema.
    ///
    /// # Errors
    /// [`StoreError::CreateDir`], [`StoreError::Open`], [`StoreError::TooNew`] for a database
    /// written by a newer binary, [`StoreError::Migrate`], or [`StoreError::Corrupt`] if the
    /// stored server actor is not hex.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::CreateDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let lock = DataLock::acquire(data_dir)?;
        super::interrupted::refuse_interrupted_restore(data_dir)?;
        let path = data_dir.join(DB_FILE);
        let (writer, actor, read_only) = match open_writable(&path) {
            Ok((writer, actor)) => (writer, actor, false),
            Err(err) if path.is_file() && err.storage_fault().is_some() => {
                tracing::warn!(
                    path = %path.display(),
                    error = %err,
                    "the database cannot be written: serving it read-only; sync rounds are \
                     answered 503 until the directory is writable again"
                );
                let (writer, actor) = super::sqlite_read_only::open_read_only(&path)?;
                (writer, actor, true)
            }
            Err(err) => return Err(err),
        };
        Ok(Self {
            _lock: lock,
            path,
            writer: GroupWriter::new(writer),
            readers: Mutex::new(Vec::new()),
            actor,
            read_only: AtomicBool::new(read_only),
            scrubbed: AtomicI64::new(0),
        })
    }

    /// True while the database cannot be written (it could not be at start): reads are
    /// served, and every sync round first retries opening it for writing (about a
    /// millisecond) and fails with a storage fault (503) while it still cannot.
    pub fn is_read_only(&self) -> bool {
        self.read_only.load(Ordering::SeqCst)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Caps the database file at `max_bytes` (whole pages; 0 lifts the cap) with SQLite's
    /// `max_page_count` on the writer connection: beyond it writes fail with `SQLITE_FULL`,
    /// as on a full disk, and the round is answered 507. A cap below the current size keeps
    /// the current size (SQLite never shrinks the limit below the file).
    ///
    /// # Errors
    /// A database error.
    pub fn limit_size(&self, max_bytes: u64) -> Result<(), StoreError> {
        self.writer.with_conn(&mut |conn| {
            let page_size: u64 = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
            let pages = if max_bytes == 0 {
                u64::from(u32::MAX - 1)
            } else {
                (max_bytes / page_size.max(1)).max(1)
            };
            conn.pragma_update(None, "max_page_count", pages)?;
            Ok(())
        })
    }

    /// Sets the writer's `synchronous` level (default `FULL`; see
    /// [`crate::config::Config::sqlite_synchronous`]).
    ///
    /// # Errors
    /// A database error.
    pub fn set_synchronous(&self, level: crate::config::Synchronous) -> Result<(), StoreError> {
        if level != crate::config::Synchronous::Full {
            tracing::warn!(
                level = level.as_str(),
                "synchronous is not FULL: acknowledged rounds may be lost on a power cut"
            );
        }
        self.writer.with_conn(&mut |conn| {
            conn.pragma_update(None, "synchronous", level.as_str())?;
            Ok(())
        })
    }

    /// Runs `f` on a reader connection, returning it to the pool afterwards.
    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let idle = lock(&self.readers).pop();
        let conn = match idle {
            Some(conn) => conn,
            None if self.is_read_only() => migrations::open_read_only(&self.path)?,
            None => migrations::open_reader(&self.path)?,
        };
        let result = f(&conn);
        let mut readers = lock(&self.readers);
        if readers.len() < MAX_IDLE_READERS {
            readers.push(conn);
        }
        result
    }
}

/// Locks a mutex, recovering it after a panic elsewhere: a panicking round's transaction was
/// rolled back when it unwound, so the connection is still consistent.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Opens, migrates and reads the actor of a writable database.
pub(super) fn open_writable(path: &Path) -> Result<(Connection, ActorId), StoreError> {
    let mut writer = migrations::open(path)?;
    if writer.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
        // SQLite opened a write-protected file read-only without an error.
        return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
            Some(format!("{} is write-protected", path.display())),
        )));
    }
    migrations::migrate(&mut writer, path)?;
    let actor = server_actor(&mut writer)?;
    Ok((writer, actor))
}

/// Reads the server's actor id from `meta`, creating it on first start.
fn server_actor(conn: &mut Connection) -> Result<ActorId, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let stored: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let actor = match stored {
        Some(hex) => hex.parse::<ActorId>().map_err(|e| StoreError::Corrupt {
            what: "meta.actor".into(),
            detail: format!("{hex:?} is not a hex actor id: {e}"),
        })?,
        None => {
            let actor = ActorId::random();
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('actor', ?1)",
                [actor.to_hex_string()],
            )?;
            actor
        }
    };
    tx.commit()?;
    Ok(actor)
}

impl Store for SqliteStore {
    fn server_actor(&self) -> ActorId {
        self.actor.clone()
    }

    fn sync_batch(
        &self,
        work: &mut dyn FnMut(&mut dyn SyncBatch) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if self.is_read_only() {
            self.retry_writable();
        }
        self.writer
            .run(&mut |conn| work(&mut Batch::new(conn, &self.scrubbed)))
    }

    fn list_checks(&self, filter: &CheckFilter) -> Result<Vec<CheckSummary>, StoreError> {
        self.read(|conn| sqlite_read::list_checks(conn, filter))
    }

    fn load_check(&self, check: CheckId) -> Result<Option<StoredDoc>, StoreError> {
        self.read(|conn| sqlite_read::load(conn, check))
    }

    fn has_check(&self, check: CheckId) -> Result<bool, StoreError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT 1 FROM documents WHERE check_id = ?1")?
                .exists([check.to_string()])?)
        })
    }

    fn resolution_counts(&self) -> Result<BTreeMap<u16, LinkCounts>, StoreError> {
        self.read(sqlite_read::resolution_counts)
    }

    fn for_each_record(
        &self,
        filter: &RecordFilter,
        visit: &mut dyn FnMut(CheckRecord) -> ControlFlow<()>,
    ) -> Result<Walked, StoreError> {
        self.read(|conn| super::records::for_each_record(conn, filter, visit))
    }

    fn quarantined(&self) -> Result<Vec<Quarantined>, StoreError> {
        self.read(sqlite_read::quarantined)
    }

    fn authenticate(&self, token: &str) -> Result<Option<Identity>, StoreError> {
        self.read(|conn| directory::authenticate(conn, token).map_err(into_store))
    }

    fn registry(&self) -> Result<Registry, StoreError> {
        self.read(|conn| directory::registry(conn).map_err(into_store))
    }

    fn enrol(&self, request: &Enrolment<'_>) -> Result<(String, Identity), DirectoryError> {
        // A connection of its own: enrolment is rare, and its transaction must not join a
        // group of sync rounds (a refused code rolls back only itself).
        let mut conn = migrations::open(&self.path)?;
        directory::enrol(&mut conn, request)
    }

    fn check_team(&self, check: CheckId) -> Result<Option<String>, StoreError> {
        self.read(|conn| sqlite_read::check_team(conn, check))
    }
}

/// A directory error on a read path, where only the store can fail.
fn into_store(err: DirectoryError) -> StoreError {
    match err {
        DirectoryError::Store(e) => e,
        other => StoreError::Corrupt {
            what: "identities".into(),
            detail: other.to_string(),
        },
    }
}

/// Opens (creating if missing) the database in `data_dir` on a connection of its own,
/// migrated to the latest schema: for the admin subcommands, which run beside a serving
/// server (WAL lets them).
///
/// # Errors
/// As [`SqliteStore::open`].
pub fn open_connection(data_dir: &Path) -> Result<Connection, StoreError> {
    std::fs::create_dir_all(data_dir).map_err(|source| StoreError::CreateDir {
        path: data_dir.to_owned(),
        source,
    })?;
    super::interrupted::refuse_interrupted_restore(data_dir)?;
    let path = data_dir.join(DB_FILE);
    let mut conn = migrations::open(&path)?;
    migrations::migrate(&mut conn, &path)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_twice_keeps_the_server_actor() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("nested").join("data");
        let first = SqliteStore::open(&data).expect("first open").server_actor();
        let second = SqliteStore::open(&data)
            .expect("second open")
            .server_actor();
        assert_eq!(first, second);
        assert!(data.join(DB_FILE).exists());
    }

    #[test]
    fn pragmas_are_set() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path()).expect("open");
        let mut found = None;
        store
            .writer
            .run(&mut |conn| {
                let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
                let sync: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
                let fk: i64 = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
                found = Some((mode, sync, fk));
                Ok(())
            })
            .expect("pragmas");
        let (mode, sync, fk) = found.expect("ran");
        assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1));
    }
}
