//! `fieldsync reset`: delete the local store; and the guard it shares with re-`init` and
//! `restore`: nothing unsynced is dropped without `--force`.

use std::path::Path;

use anyhow::{Context as _, bail};
use clap::Args;

use crate::store::{Store, StoreError};

/// Delete the local store of this device (refused while it holds checks the server has not
/// acknowledged, unless --force).
#[derive(Debug, Args)]
pub struct Reset {
    /// Delete it even if checks on this device have changes the server has not
    /// acknowledged: those changes are lost.
    #[arg(long)]
    pub force: bool,
}

impl Reset {
    /// Deletes the store after [`guard_unsynced`].
    ///
    /// # Errors
    /// No store; unsynced checks without `--force`; a file that cannot be removed.
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        if !Store::exists(home) {
            bail!("no fieldsync store in {}: nothing to reset", home.display());
        }
        let lost = guard_unsynced(home, self.force, "reset")?;
        Store::remove(home).with_context(|| format!("deleting the store in {}", home.display()))?;
        eprintln!(
            "تم حذف المخزن / store deleted: {}{}",
            home.display(),
            lost_note(lost)
        );
        Ok(())
    }
}

/// Refuses to go on when the store in `home` holds checks with changes the server has not
/// acknowledged, unless `force`; says how many and what to do. Returns how many are
/// dropped (0 without a store, or when everything is synced).
///
/// # Errors
/// Unsynced checks and no `force` (naming the count and `command`); a store that cannot be
/// read, without `force` (it cannot be known what would be lost).
pub fn guard_unsynced(home: &Path, force: bool, command: &str) -> anyhow::Result<u64> {
    if !Store::exists(home) {
        return Ok(0);
    }
    let counted = Store::open(home).and_then(|store| store.db().unsynced_count());
    match counted {
        // A file left by an init that never finished holds nothing.
        Ok(0) | Err(StoreError::NotInitialised { .. }) => Ok(0),
        Ok(n) if force => Ok(n),
        Ok(n) => bail!(
            "على هذا الجهاز {n} فحص/فحوص بتغييرات لم يؤكد الخادم استلامها، وسيضيعها `{command}`: \
             زامن أولاً (`fieldsync sync`) أو أضف --force لإضاعتها / {n} check(s) on this device \
             have changes the server has not acknowledged; `{command}` would lose them: run \
             `fieldsync sync` first, or add --force to lose them"
        ),
        Err(_) if force => Ok(0),
        Err(err) => Err(anyhow::Error::new(err).context(format!(
            "cannot count the unsynced checks in {} before `{command}`; add --force to go on \
             anyway",
            home.display()
        ))),
    }
}

/// The end of a message saying how many unsynced checks were dropped, if any.
pub fn lost_note(lost: u64) -> String {
    if lost == 0 {
        String::new()
    } else {
        format!(" ({lost} unsynced check(s) dropped, as --force asked)")
    }
}
