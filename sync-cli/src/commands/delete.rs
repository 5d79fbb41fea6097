//! `fieldsync delete`: a supervisor deletes a check (a tombstone that syncs).

use std::path::Path;

use anyhow::bail;
use clap::Args;
use fieldsync_schema::CheckId;

use super::{check_required_text, open_store, require_supervisor};
use crate::store::Store;

/// Delete a check (supervisors only). The check is kept as a tombstone: hidden from `list`
/// and `export`, and a device that syncs an old copy later cannot bring it back.
#[derive(Debug, Args)]
pub struct Delete {
    /// The check: its full id or a unique prefix of at least 8 characters.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Why it is deleted (required, up to 10,000 characters).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

impl Delete {
    /// Writes the tombstone and saves the check.
    ///
    /// # Errors
    /// Not a supervisor, empty reason, already deleted, unknown id, store failures.
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let mut store = open_store(home)?;
        let id = self.apply(&mut store)?;
        eprintln!("تم الحذف / deleted: {id}");
        Ok(())
    }

    /// Writes the tombstone in one transaction and returns the check's id.
    ///
    /// # Errors
    /// As [`Delete::run`].
    pub fn apply(&self, store: &mut Store) -> anyhow::Result<CheckId> {
        check_required_text("--reason", &self.reason)?;
        let meta = store.db().meta()?;
        require_supervisor(&meta, "delete a check")?;
        store.write(|db| {
            let id = db.resolve(&self.id)?;
            let mut doc = db.load_existing(id)?.doc;
            doc.set_actor(meta.actor.clone());
            if doc.delete(&meta.author(), &self.reason)?.is_none() {
                bail!("check {id} is already deleted");
            }
            db.save_local(id, &mut doc)?;
            Ok(id)
        })
    }
}
