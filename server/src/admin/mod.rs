//! Administration subcommands of `fieldsync-server`, beside serving: `backup` and
//! `restore` here, and users, devices and the audit log in [`identities`]. Every subcommand
//! works on the data directory given by the global `--data` (env `FIELDSYNC_DATA`), which
//! may come before or after the subcommand.
//!
//! Both work on the data directory's database file (`<data>/fieldsync.db`):
//! - [`backup`]: a consistent copy taken while the server keeps serving (SQLite's online backup API in one step, one
//!   read snapshot), checked and made durable before it gets its final name.
//! - [`restore`]: puts a checked backup in place; refused while a server holds the data
//!   directory ([`crate::store::lock`]); the database it replaces is kept beside it.
//!
//! Devices that synced with the server after the backup was taken notice the restore at
//! their next sync (their cursor is unknown to the restored database, or its tag differs)
//! and offer every check again, so what the backup lacks comes back from them.

pub mod backup;
pub mod identities;
pub mod qr;
pub mod restore;

use std::path::Path;

use anyhow::Context as _;
use clap::Subcommand;
use rusqlite::{Connection, OpenFlags};

/// The administration subcommands.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Write a consistent backup of the database while the server runs.
    Backup(backup::Backup),
    /// Replace the database with a backup (the server must be stopped).
    Restore(restore::Restore),
    /// Add or list users.
    #[command(subcommand)]
    User(identities::UserCommand),
    /// Issue enrolment codes, revoke or list devices.
    #[command(subcommand)]
    Device(identities::DeviceCommand),
    /// Print the audit log (enrolments, revocations, reviews, deletions, refused changes).
    Audit(identities::AuditArgs),
}

impl Command {
    /// Runs the subcommand on the database in `data`, printing what it did on stdout.
    ///
    /// # Errors
    /// What the subcommand reports (each names the file or value and the problem).
    pub fn run(self, data: &Path) -> anyhow::Result<()> {
        use identities::AdminCommand;
        match self {
            Command::Backup(backup) => backup.run(data),
            Command::Restore(restore) => restore.run(data),
            Command::User(user) => identities::run(data, &AdminCommand::User(user)),
            Command::Device(device) => identities::run(data, &AdminCommand::Device(device)),
            Command::Audit(audit) => identities::run(data, &AdminCommand::Audit(audit)),
        }
    }
}

/// What a database file holds, as checked before it is trusted as a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Stored checks (deleted ones included).
    pub checks: u64,
    /// The highest change sequence.
    pub latest_seq: u64,
    /// Schema version (`user_version`).
    pub schema: usize,
}

/// Opens `file` read-only and checks it is a sound fieldsync-server database this binary
/// can use: SQLite's `integrity_check` passes, the schema is not newer than this binary's,
/// and the tables are there.
///
/// # Errors
/// Each failure names the file and what is wrong with it.
pub fn check_database(file: &Path) -> anyhow::Result<Summary> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(file, flags)
        .with_context(|| format!("cannot open {} as a database", file.display()))?;
    let bad = |what: String| anyhow::anyhow!("{} is not a usable backup: {what}", file.display());
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| bad(format!("integrity check failed to run: {e}")))?;
    if verdict != "ok" {
        return Err(bad(format!("integrity check reports {verdict:?}")));
    }
    let schema: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let supported = crate::store::schema_version();
    let schema = usize::try_from(schema).unwrap_or(usize::MAX);
    if schema == 0 || schema > supported {
        return Err(bad(format!(
            "schema version {schema}; this fieldsync-server reads versions 1 to {supported}"
        )));
    }
    let (checks, latest): (i64, i64) = conn
        .query_row(
            "SELECT count(*), COALESCE(max(seq), 0) FROM documents",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| bad(format!("no readable documents table: {e}")))?;
    Ok(Summary {
        checks: u64::try_from(checks).unwrap_or(0),
        latest_seq: u64::try_from(latest).unwrap_or(0),
        schema,
    })
}

/// Flushes `file` and then its directory entry to disk, so a rename that follows (or came
/// before) survives a power cut.
///
/// # Errors
/// The file or its directory could not be opened or synced.
pub(crate) fn sync_file_and_dir(file: &Path) -> anyhow::Result<()> {
    std::fs::File::open(file)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot flush {} to disk", file.display()))?;
    sync_dir(file)
}

/// Flushes the directory holding `file` (its entries: renames, creations).
///
/// # Errors
/// The directory could not be opened or synced.
pub(crate) fn sync_dir(file: &Path) -> anyhow::Result<()> {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot flush directory {} to disk", dir.display()))
}

#[cfg(test)]
#[path = "admin_tests.rs"]
mod tests;
