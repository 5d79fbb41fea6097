//! The device's local store: one SQLite file, `<home>/fieldsync.db`.
//!
//! ## Tables (migration `001_init.sql`)
//!
//! - `meta`: exactly one row (`id = 1`), written by `fieldsync init`:
//!   `device_id` (a UUID v7 made at init), `actor_id` (the Automerge actor this device writes
//!   as, random, hex), `user_name`, `role` (`inspector` | `supervisor`), `server_url` (the
//!   last server a sync succeeded with, or NULL), `cursor` (the highest server `seq` whose
//!   changes are fully applied here; 0 before the first sync).
//! - `documents`: one row per check. `check_id` (hyphenated UUID, lower case, the primary
//!   key), `bytes` (the whole document, Automerge `save()`), `heads` (its heads: sorted hex,
//!   comma-separated), `server_heads` (the server's heads as last seen in a sync message, same
//!   format; NULL when the server never spoke about it), `sync_state` (Automerge
//!   `State::encode()` for the server peer, NULL before the first sync), `updated_at` (RFC 3339
//!   UTC of the last write), `observed_at_utc` (migration `004_index.sql`: the check's
//!   observation instant as fixed-width RFC 3339 UTC, NULL when the document does not read
//!   as a check; indexed with `check_id` so checks are listed in order without loading them,
//!   see `index.rs`).
//!
//! ## Invariants
//!
//! - `heads` and `observed_at_utc` always describe `bytes`: all three are written by the
//!   same statement (rows stored before migration 004 are filled by its hook, in the
//!   migration's transaction).
//! - A document is *pending* (has something to send) when `server_heads` is NULL or differs
//!   from `heads`.
//! - `cursor` moves only in the transaction that applied a whole sync response, so a crash
//!   mid-response makes the next sync ask for the same changes again (applying them twice is
//!   harmless: Automerge ignores changes it already has).
//! - Every multi-statement operation runs in one `IMMEDIATE` transaction
//!   ([`Store::write`]); commands report success only after it commits.
//! - Migrations are applied at open, each in a transaction with its `user_version` bump; a
//!   file whose `user_version` is newer than this build knows is refused, never touched.

mod documents;
mod files;
mod index;
mod meta;
mod token;
mod view;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

pub use documents::{Checks, StoredCheck, heads_text};
pub use files::{BackupSummary, check_backup};
pub use meta::{Meta, NewIdentity};

/// The store's file name inside the home directory.
pub const DB_FILE: &str = "fieldsync.db";

/// The migrations, in order; the store's `user_version` is how many have been applied.
fn migrations() -> Vec<M<'static>> {
    vec![
        M::up(include_str!("migrations/001_init.sql")),
        M::up(include_str!("migrations/002_server_id.sql")),
        M::up(include_str!("migrations/003_receive.sql")),
        M::up_with_hook(include_str!("migrations/004_index.sql"), index::backfill),
        M::up(include_str!("migrations/005_horizon.sql")),
        M::up_with_hook(include_str!("migrations/006_view.sql"), view::backfill),
        M::up(include_str!("migrations/007_view_version.sql")),
        M::up(include_str!("migrations/008_token.sql")),
    ]
}

/// Why the local store could not do what was asked. Every variant names what it concerns.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `fieldsync init` has not been run for this home directory.
    #[error("no fieldsync store in {home}: run `fieldsync init --inspector NAME` first")]
    NotInitialised {
        /// The home directory searched.
        home: PathBuf,
    },
    /// `fieldsync init` was run twice.
    #[error("a fieldsync store already exists at {path}; it was not changed")]
    AlreadyInitialised {
        /// The existing store file.
        path: PathBuf,
    },
    /// The file was written by a newer fieldsync.
    #[error(
        "the store at {path} has schema version {found}, newer than this fieldsync supports ({supported}): upgrade fieldsync"
    )]
    TooNew {
        /// The store file.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
        /// The highest version this build knows.
        supported: usize,
    },
    /// No check id starts with the given text.
    #[error("no check matches {prefix:?}")]
    UnknownCheck {
        /// What the user typed.
        prefix: String,
    },
    /// Several check ids start with the given text.
    #[error("{prefix:?} matches several checks ({matches}): type more of the id")]
    Ambiguous {
        /// What the user typed.
        prefix: String,
        /// Some of the matching ids, comma-separated.
        matches: String,
    },
    /// A prefix too short to be resolved safely.
    #[error("check id prefix {prefix:?} is too short: give at least {min} characters")]
    PrefixTooShort {
        /// What the user typed.
        prefix: String,
        /// The minimum length.
        min: usize,
    },
    /// A stored row cannot be read back.
    #[error("the stored {what} is corrupt: {reason}")]
    Corrupt {
        /// Which row or column (`check 0192…`, `meta.role`).
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The home directory could not be created.
    #[error("cannot create {path}")]
    Io {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// SQLite refused an operation.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// A migration failed.
    #[error(transparent)]
    Migration(#[from] rusqlite_migration::Error),
}

/// An open local store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

/// Read and write verbs over a connection or an open transaction.
#[derive(Debug, Clone, Copy)]
pub struct Db<'c> {
    conn: &'c Connection,
}

impl Store {
    /// Creates the store in `home` with a new identity.
    ///
    /// # Errors
    /// [`StoreError::AlreadyInitialised`] if `home` already holds an initialised store; any
    /// I/O, SQLite or migration failure.
    pub fn init(home: &Path, identity: &NewIdentity) -> Result<Store, StoreError> {
        std::fs::create_dir_all(home).map_err(|source| StoreError::Io {
            path: home.to_owned(),
            source,
        })?;
        let path = home.join(DB_FILE);
        let mut store = Store::open_file(&path, OpenFlags::default())?;
        store.write(|db| {
            if db.has_meta()? {
                return Err(StoreError::AlreadyInitialised { path: path.clone() });
            }
            db.insert_meta(identity)
        })?;
        Ok(store)
    }

    /// Opens the initialised store in `home`.
    ///
    /// # Errors
    /// [`StoreError::NotInitialised`] if there is none; [`StoreError::TooNew`] if a newer
    /// fieldsync wrote it; any SQLite or migration failure.
    pub fn open(home: &Path) -> Result<Store, StoreError> {
        let path = home.join(DB_FILE);
        let not_initialised = || StoreError::NotInitialised {
            home: home.to_owned(),
        };
        if !path.is_file() {
            return Err(not_initialised());
        }
        let flags = OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE;
        let store = Store::open_file(&path, flags)?;
        if !store.db().has_meta()? {
            return Err(not_initialised());
        }
        Ok(store)
    }

    fn open_file(path: &Path, flags: OpenFlags) -> Result<Store, StoreError> {
        let mut conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let migrations = migrations();
        if found > migrations.len() as i64 {
            return Err(StoreError::TooNew {
                path: path.to_owned(),
                found,
                supported: migrations.len(),
            });
        }
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Migrations::new(migrations).to_latest(&mut conn)?;
        view::refresh(&mut conn)?;
        Ok(Store { conn })
    }

    /// Verbs outside a transaction, for reads and single-statement writes.
    pub fn db(&self) -> Db<'_> {
        Db { conn: &self.conn }
    }

    /// Runs `f` in one `IMMEDIATE` transaction, committed only if `f` succeeds.
    ///
    /// # Errors
    /// Whatever `f` returns, or a SQLite failure to begin or commit.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(Db { conn: &tx })?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }
}

/// Current time for `updated_at`.
fn now_text() -> String {
    jiff::Timestamp::now().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{identity, temp_home};

    #[test]
    fn init_then_reopen_keeps_identity_and_migrates() {
        let home = temp_home();
        let created = Store::init(
            home.path(),
            &identity("أحمد", fieldsync_schema::Role::Inspector),
        )
        .expect("init");
        let meta = created.db().meta().expect("meta");
        drop(created);
        let store = Store::open(home.path()).expect("reopen");
        let again = store.db().meta().expect("meta");
        assert_eq!(again.user, "أحمد");
        assert_eq!(again.device_id, meta.device_id);
        assert_eq!(again.actor, meta.actor);
        assert_eq!(again.cursor, 0);
        let version: i64 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(version, migrations().len() as i64);
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .expect("mode");
        assert_eq!(mode, "wal");
    }

    #[test]
    fn open_without_init_and_double_init_are_refused() {
        let home = temp_home();
        let err = Store::open(home.path()).expect_err("not initialised");
        assert!(matches!(err, StoreError::NotInitialised { .. }), "{err}");
        let who = identity("ana", fieldsync_schema::Role::Inspector);
        Store::init(home.path(), &who).expect("init");
        let err = Store::init(home.path(), &who).expect_err("second init");
        assert!(err.to_string().contains("already exists"), "{err}");
    }

    #[test]
    fn refuses_a_newer_user_version() {
        let home = temp_home();
        let who = identity("ana", fieldsync_schema::Role::Inspector);
        let store = Store::init(home.path(), &who).expect("init");
        store
            .conn
            .pragma_update(None, "user_version", 99)
            .expect("bump");
        drop(store);
        let err = Store::open(home.path()).expect_err("too new");
        let msg = err.to_string();
        assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{msg}");
        assert!(msg.contains("upgrade fieldsync"), "{msg}");
    }
}
