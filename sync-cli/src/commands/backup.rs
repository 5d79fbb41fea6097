//! `fieldsync backup` and `fieldsync restore`: a copy of the device's local store and back.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::Args;

use super::open_store;
use super::reset::{guard_unsynced, lost_note};
use crate::store::{DB_FILE, Store, check_backup};

/// Write a consistent copy of the local store to a file (unsynced changes included).
#[derive(Debug, Args)]
pub struct Backup {
    /// The file to write; refused if it exists.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

impl Backup {
    /// Writes the backup and says what it holds.
    ///
    /// # Errors
    /// No store, `--out` exists, or the copy could not be written or checked.
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let store = open_store(home)?;
        let summary = store
            .backup(&self.out)
            .with_context(|| format!("backing up the store to {}", self.out.display()))?;
        eprintln!(
            "تم حفظ النسخة الاحتياطية / backup written: {} ({} checks, {} not yet synced)",
            self.out.display(),
            summary.checks,
            summary.unsynced
        );
        Ok(())
    }
}

/// Replace the local store with a backup written by `fieldsync backup` (refused while the
/// current store holds unsynced checks, unless --force). The restored device gets a new
/// device id and actor and offers every check again at its next sync.
#[derive(Debug, Args)]
pub struct Restore {
    /// The backup file.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// Replace the store even if it holds checks the server has not acknowledged.
    #[arg(long)]
    pub force: bool,
}

impl Restore {
    /// Checks the backup, then puts it in place of the store.
    ///
    /// # Errors
    /// A missing or unsound backup; unsynced checks without `--force`; file failures.
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        if !self.from.is_file() {
            bail!("backup {} does not exist", self.from.display());
        }
        let summary = check_backup(&self.from)?;
        let lost = guard_unsynced(home, self.force, "restore")?;
        std::fs::create_dir_all(home).with_context(|| format!("creating {}", home.display()))?;
        let incoming = home.join(format!("{DB_FILE}.restoring"));
        std::fs::copy(&self.from, &incoming)
            .and_then(|_| std::fs::File::open(&incoming)?.sync_all())
            .with_context(|| format!("copying {} into {}", self.from.display(), home.display()))?;
        Store::remove(home)?;
        std::fs::rename(&incoming, home.join(DB_FILE))
            .with_context(|| format!("putting the backup in place in {}", home.display()))?;
        let mut store = open_store(home).context("opening the restored store")?;
        store.write(|db| db.start_over_after_restore())?;
        eprintln!(
            "تمت الاستعادة / restored {} ({} checks, {} not yet synced){}",
            self.from.display(),
            summary.checks,
            summary.unsynced,
            lost_note(lost)
        );
        eprintln!(
            "سجّل الجهاز من جديد قبل المزامنة / enrol this device again before syncing: it is \
             a new device now (ask an admin for a code, then `fieldsync enrol --server URL CODE`); \
             its unsynced checks then sync under your name"
        );
        Ok(())
    }
}
