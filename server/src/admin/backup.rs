//! `fieldsync-server backup --out FILE`: a consistent copy of the database, taken while the
//! server serves, with SQLite's online backup API.
//!
//! The whole database is copied in one backup step (`step(-1)`): one read transaction, so
//! one consistent snapshot, which with WAL never blocks the server's writer. (A stepwise
//! backup would restart whenever the server, another process, writes between steps, and
//! under steady sync traffic might never finish.) The copy is written under a temporary
//! name, checked (`integrity_check`), flushed, and only then renamed to `FILE`: a file
//! named `FILE` is always a complete backup, and an interrupted run leaves only the
//! temporary file, removed by the next run.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use rusqlite::{Connection, OpenFlags};

use super::{Summary, check_database, sync_file_and_dir};
use crate::store::DB_FILE;

/// Write a consistent backup of the database while the server runs.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct Backup {
    /// The backup file to write; refused if it exists.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

impl Backup {
    /// Writes the backup of the database in `data` and prints what it holds.
    ///
    /// # Errors
    /// See [`backup`].
    pub fn run(self, data: &Path) -> anyhow::Result<()> {
        let summary = backup(data, &self.out)?;
        println!(
            "backup written: {} ({} checks, latest change {}, schema {})",
            self.out.display(),
            summary.checks,
            summary.latest_seq,
            summary.schema
        );
        Ok(())
    }
}

/// Copies the database of `data_dir` to `out` as one consistent snapshot, while a server may
/// be writing to it, and checks the copy.
///
/// # Errors
/// There is no database in `data_dir`; `out` exists; the copy could not be written, checked
/// or flushed (the partial file is removed; `out` is not created).
pub fn backup(data_dir: &Path, out: &Path) -> anyhow::Result<Summary> {
    let source = data_dir.join(DB_FILE);
    if !source.is_file() {
        bail!(
            "no database to back up: {} does not exist",
            source.display()
        );
    }
    if out.exists() {
        bail!(
            "{} already exists: choose another file for the backup (it was not changed)",
            out.display()
        );
    }
    let partial = partial_name(out);
    let _ = std::fs::remove_file(&partial);
    let written = write_snapshot(&source, &partial)
        .and_then(|()| check_database(&partial))
        .and_then(|summary| sync_file_and_dir(&partial).map(|()| summary));
    let summary = match written {
        Ok(summary) => summary,
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            return Err(err);
        }
    };
    std::fs::rename(&partial, out)
        .with_context(|| format!("cannot rename {} to {}", partial.display(), out.display()))?;
    super::sync_dir(out)?;
    Ok(summary)
}

/// Copies `source` to `target` with the online backup API, all pages in one step, from a
/// read-only connection of its own.
fn write_snapshot(source: &Path, target: &Path) -> anyhow::Result<()> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(source, flags)
        .with_context(|| format!("cannot open {}", source.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let mut copy = Connection::open(target)
        .with_context(|| format!("cannot create the backup {}", target.display()))?;
    let backup = rusqlite::backup::Backup::new(&conn, &mut copy)
        .with_context(|| format!("cannot start the backup to {}", target.display()))?;
    let done = backup
        .step(-1)
        .with_context(|| format!("cannot write the backup to {}", target.display()))?;
    anyhow::ensure!(
        done == rusqlite::backup::StepResult::Done,
        "the backup to {} did not finish in one step ({done:?}); try again",
        target.display()
    );
    Ok(())
}

/// The temporary name of a backup being written: `FILE.partial` beside it.
fn partial_name(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}
