//! A store whose database cannot be written: opened read-only at start, and opened for
//! writing again, without a restart, once the directory is writable.

use std::sync::atomic::Ordering;

use automerge::ActorId;
use rusqlite::Connection;

use std::path::Path;

use super::StoreError;
use super::migrations;
use super::sqlite::{SqliteStore, lock, open_writable};

impl SqliteStore {
    /// For a read-only store: opens the database for writing if it can be now, and serves
    /// it read-write from then on, without a restart. The read-only connections are closed
    /// first (SQLite would give a new connection their read-only shared memory); if the
    /// database still cannot be written, a read-only writer connection is opened again.
    pub(super) fn retry_writable(&self) {
        lock(&self.readers).clear();
        let mut writable = false;
        let path = self.path.clone();
        self.writer.reopen(&mut |old| {
            drop(old);
            match open_writable(&path) {
                Ok((conn, _)) => {
                    writable = true;
                    conn
                }
                Err(err) => {
                    tracing::debug!(error = %err, "the database is still not writable");
                    open_read_only(&path)
                        .map(|(conn, _)| conn)
                        .or_else(|_| Connection::open_in_memory())
                        .expect("an in-memory connection opens")
                }
            }
        });
        if writable {
            self.read_only.store(false, Ordering::SeqCst);
            tracing::info!(path = %self.path.display(), "the database is writable again: sync rounds are stored");
        }
    }
}

/// Opens a database the process cannot write: it must be at this binary's schema and hold
/// a server actor already.
pub(super) fn open_read_only(path: &Path) -> Result<(Connection, ActorId), StoreError> {
    let conn = migrations::open_read_only(path)?;
    migrations::check_current(&conn, path)?;
    let hex: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
            r.get(0)
        })
        .map_err(|e| StoreError::Corrupt {
            what: "meta.actor".into(),
            detail: format!("not readable in the read-only database: {e}"),
        })?;
    let actor = hex.parse::<ActorId>().map_err(|e| StoreError::Corrupt {
        what: "meta.actor".into(),
        detail: format!("{hex:?} is not a hex actor id: {e}"),
    })?;
    Ok((conn, actor))
}
