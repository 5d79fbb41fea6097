//! The store as files: counting what would be lost, removing the store, and writing or
//! putting back a backup of it.
//!
//! A backup is `VACUUM INTO` (one consistent snapshot, compacted, no extra rusqlite
//! feature), written under `FILE.partial`, checked with `integrity_check`, flushed, then
//! renamed to `FILE`: a file named `FILE` is always a whole backup.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::{DB_FILE, Db, Store, StoreError};

/// The store's files in `home`: the database and SQLite's `-wal` and `-shm` beside it.
fn store_files(home: &Path) -> [PathBuf; 3] {
    let db = home.join(DB_FILE);
    [sibling(&db, "-wal"), sibling(&db, "-shm"), db]
}

fn sibling(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What a backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    /// Checks in the backup.
    pub checks: u64,
    /// Of those, checks with changes the server had not acknowledged when it was taken.
    pub unsynced: u64,
}

impl Db<'_> {
    /// How many checks have changes the server has not acknowledged (would be lost if the
    /// store were deleted).
    ///
    /// # Errors
    /// SQLite failures.
    pub fn unsynced_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM documents WHERE server_heads IS NULL OR server_heads <> heads",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

impl Db<'_> {
    /// Makes a store just put back from a backup safe to write and sync: a new device id
    /// and a new Automerge actor (the old actor may have written changes after the backup
    /// was taken, which the server holds; writing again as it would reuse their sequence
    /// numbers with other content), no token (the server ties a token to the actor: the
    /// device enrols again, as the new device it is), and no belief about what the server
    /// holds, so every check is offered again. No check changes.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn start_over_after_restore(&self) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE meta SET device_id = ?1, actor_id = ?2, token = NULL WHERE id = 1",
            [
                uuid::Uuid::now_v7().to_string(),
                automerge::ActorId::random().to_hex_string(),
            ],
        )?;
        let server_id = self.server_id()?.unwrap_or_default();
        self.reset_sync(&server_id)
    }
}

impl Store {
    /// True when `home` holds a store file (initialised or not).
    pub fn exists(home: &Path) -> bool {
        home.join(DB_FILE).exists()
    }

    /// Deletes the store in `home` (database, `-wal`, `-shm`); missing files are fine. The
    /// caller decides whether that loses anything ([`Db::unsynced_count`]).
    ///
    /// # Errors
    /// [`StoreError::Io`] naming the file that could not be removed.
    pub fn remove(home: &Path) -> Result<(), StoreError> {
        for file in store_files(home) {
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&file)(e)),
            }
        }
        Ok(())
    }

    /// Writes a consistent copy of the store to `out` (refused if it exists).
    ///
    /// # Errors
    /// [`StoreError::Io`] when `out` exists or cannot be written, flushed or renamed;
    /// [`StoreError::Corrupt`] when the copy fails its integrity check (it is removed).
    pub fn backup(&self, out: &Path) -> Result<BackupSummary, StoreError> {
        if out.exists() {
            return Err(io(out)(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "the file exists; choose another name (it was not changed)",
            )));
        }
        let partial = sibling(out, ".partial");
        let _ = std::fs::remove_file(&partial);
        let target = partial.to_str().ok_or_else(|| StoreError::Corrupt {
            what: format!("backup path {}", out.display()),
            reason: "not UTF-8".into(),
        })?;
        let written = self
            .conn
            .execute("VACUUM INTO ?1", [target])
            .map_err(StoreError::from)
            .and_then(|_| check_backup(&partial))
            .and_then(|summary| {
                std::fs::File::open(&partial)
                    .and_then(|f| f.sync_all())
                    .map_err(io(&partial))?;
                Ok(summary)
            });
        match written {
            Ok(summary) => {
                std::fs::rename(&partial, out).map_err(io(out))?;
                sync_dir(out)?;
                Ok(summary)
            }
            Err(err) => {
                let _ = std::fs::remove_file(&partial);
                Err(err)
            }
        }
    }
}

/// Checks that `file` is a sound device store and says what it holds.
///
/// # Errors
/// [`StoreError::Corrupt`] naming the file and the problem; SQLite failures.
pub fn check_backup(file: &Path) -> Result<BackupSummary, StoreError> {
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let bad = |reason: String| StoreError::Corrupt {
        what: format!("backup {}", file.display()),
        reason,
    };
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| bad(e.to_string()))?;
    if verdict != "ok" {
        return Err(bad(format!("integrity check reports {verdict:?}")));
    }
    let meta: i64 = conn
        .query_row("SELECT count(*) FROM meta", [], |r| r.get(0))
        .map_err(|e| bad(format!("not a fieldsync store: {e}")))?;
    if meta != 1 {
        return Err(bad("not an initialised fieldsync store".into()));
    }
    let checks: i64 = conn.query_row("SELECT count(*) FROM documents", [], |r| r.get(0))?;
    let unsynced = Db { conn: &conn }.unsynced_count()?;
    Ok(BackupSummary {
        checks: u64::try_from(checks).unwrap_or(0),
        unsynced,
    })
}

/// Flushes the directory holding `file`, so a rename survives a power cut.
fn sync_dir(file: &Path) -> Result<(), StoreError> {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(io(&dir))
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
