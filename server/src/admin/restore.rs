//! `fieldsync-server restore --from FILE`: puts a backup in place of the database.
//!
//! Order of work, each step safe to interrupt:
//! 1. the backup is checked ([`super::check_database`]): nothing is touched if it fails;
//! 2. the data directory's lock is taken ([`crate::store::lock::DataLock`]): refused while a
//!    server runs on it (and a server cannot start during the restore);
//! 3. the backup is copied to `fieldsync.db.restoring` and flushed;
//! 4. the current database, if any, has its write-ahead log checkpointed into it and is
//!    renamed `fieldsync.db.before-restore-<UTC time>` (kept: nothing is deleted);
//! 5. the copy is renamed `fieldsync.db`.
//!
//! Interrupted between 4 and 5, the directory has no `fieldsync.db`: the server and the
//! admin commands refuse to start there (rather than create an empty database that would
//! hide the data) and say to run the restore again.
//!
//! A restored server has the backup's server id but not the changes made after the backup;
//! devices that synced since notice it and send those changes again (see the module docs of
//! [`super`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use rusqlite::Connection;

use super::{Summary, check_database, sync_file_and_dir};
use crate::store::lock::DataLock;
use crate::store::{DB_FILE, RESTORING};

/// Replace the database with a backup (the server must be stopped).
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct Restore {
    /// The backup file, as written by `fieldsync-server backup`.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// What the restored database holds.
    pub summary: Summary,
    /// Where the replaced database was kept, if there was one.
    pub kept: Option<PathBuf>,
    /// Active devices of the replaced database that the backup does not know, as
    /// `user (device id)`: enrolled after the backup, they must enrol again.
    pub unenrolled: Vec<String>,
}

impl Restore {
    /// Restores into `data` (created if missing) and prints what was restored and where the replaced database was kept.
    ///
    /// # Errors
    /// See [`restore`].
    pub fn run(self, data: &Path) -> anyhow::Result<()> {
        let restored = restore(data, &self.from)?;
        println!(
            "restored {} into {} ({} checks, latest change {})",
            self.from.display(),
            data.display(),
            restored.summary.checks,
            restored.summary.latest_seq
        );
        if let Some(kept) = restored.kept {
            println!("the replaced database was kept as {}", kept.display());
        }
        if !restored.unenrolled.is_empty() {
            println!(
                "{} device(s) enrolled after this backup was taken must enrol again (issue each \
                 user a code with `device enrol --user NAME`; their unsynced checks stay on them \
                 and sync after): {}",
                restored.unenrolled.len(),
                restored.unenrolled.join(", ")
            );
        }
        Ok(())
    }
}

/// Restores `backup` into `data_dir`.
///
/// # Errors
/// The backup is missing or fails its checks; a server holds `data_dir`; a file could not
/// be checkpointed, copied, flushed or renamed (the database in place is then unchanged or
/// kept under its `before-restore` name).
pub fn restore(data_dir: &Path, backup: &Path) -> anyhow::Result<Restored> {
    if !backup.is_file() {
        bail!("backup {} does not exist", backup.display());
    }
    let summary = check_database(backup)?;
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let _lock = DataLock::acquire(data_dir)
        .with_context(|| format!("cannot restore into {}", data_dir.display()))?;
    let db = data_dir.join(DB_FILE);
    // The copy is whole and on disk before the current database moves aside, so from then
    // on a missing `fieldsync.db` beside a `.restoring` file always means "interrupted
    // here", which the store refuses to open over ([`crate::store::refuse_interrupted_restore`]).
    let incoming = data_dir.join(RESTORING);
    std::fs::copy(backup, &incoming)
        .with_context(|| format!("cannot copy {} to {}", backup.display(), incoming.display()))?;
    sync_file_and_dir(&incoming)?;
    let kept = if db.exists() {
        Some(set_aside(&db)?)
    } else {
        None
    };
    std::fs::rename(&incoming, &db)
        .with_context(|| format!("cannot rename {} to {}", incoming.display(), db.display()))?;
    super::sync_dir(&db)?;
    let unenrolled = match &kept {
        Some(kept) => enrolled_only_in(kept, &db),
        None => Vec::new(),
    };
    Ok(Restored {
        summary,
        kept,
        unenrolled,
    })
}

/// The active devices of `replaced` that `restored` does not know (`user (device id)`),
/// sorted: they were enrolled after the backup was taken, and must enrol again. Empty when
/// either database has no device table (written before identities existed).
fn enrolled_only_in(replaced: &Path, restored: &Path) -> Vec<String> {
    let active = |db: &Path| -> BTreeSet<String> {
        let Ok(conn) = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        else {
            return BTreeSet::new();
        };
        let query = "SELECT u.name || ' (' || d.device_id || ')' FROM devices d \
                     JOIN users u ON u.id = d.user_id WHERE d.revoked_at IS NULL";
        let Ok(mut stmt) = conn.prepare(query) else {
            return BTreeSet::new();
        };
        stmt.query_map([], |r| r.get::<_, String>(0))
            .map(|rows| rows.filter_map(Result::ok).collect())
            .unwrap_or_default()
    };
    let known = active(restored);
    active(replaced)
        .into_iter()
        .filter(|d| !known.contains(d))
        .collect()
}

/// Folds the write-ahead log of `db` into it and renames it (and any leftover `-wal` and
/// `-shm`) out of the way; returns the new name.
fn set_aside(db: &Path) -> anyhow::Result<PathBuf> {
    {
        let conn = Connection::open(db).with_context(|| format!("cannot open {}", db.display()))?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .with_context(|| format!("cannot checkpoint {}", db.display()))?;
    }
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let kept = db.with_file_name(format!("{DB_FILE}.before-restore-{stamp}"));
    for suffix in ["-wal", "-shm"] {
        let side = sibling(db, suffix);
        if side.exists() {
            std::fs::rename(&side, sibling(&kept, suffix))
                .with_context(|| format!("cannot move {} aside", side.display()))?;
        }
    }
    std::fs::rename(db, &kept)
        .with_context(|| format!("cannot rename {} to {}", db.display(), kept.display()))?;
    super::sync_dir(db)?;
    Ok(kept)
}

/// `file` with `suffix` appended to its name (`fieldsync.db` + `-wal`).
fn sibling(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
