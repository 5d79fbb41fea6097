//! `fieldsync comment`: add to a check's comment thread (any role).

use std::path::Path;

use clap::Args;
use fieldsync_schema::CheckId;

use super::{check_required_text, open_store, refuse_deleted};
use crate::store::Store;

/// Add a comment to a check's thread; it syncs and merges with everyone's comments.
#[derive(Debug, Args)]
pub struct Comment {
    /// The check: its full id or a unique prefix of at least 8 characters.
    #[arg(value_name = "ID")]
    pub id: String,
    /// The comment, 1 to 10,000 characters.
    #[arg(value_name = "TEXT")]
    pub text: String,
}

impl Comment {
    /// Appends the comment and saves the check.
    ///
    /// # Errors
    /// Empty or over-long text, unknown or ambiguous id, a deleted check, store failures.
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let mut store = open_store(home)?;
        let id = self.apply(&mut store)?;
        eprintln!("تمت إضافة التعليق / comment added: {id}");
        Ok(())
    }

    /// Appends the comment in one transaction and returns the check's id.
    ///
    /// # Errors
    /// As [`Comment::run`].
    pub fn apply(&self, store: &mut Store) -> anyhow::Result<CheckId> {
        check_required_text("comment", &self.text)?;
        let meta = store.db().meta()?;
        store.write(|db| {
            let id = db.resolve(&self.id)?;
            let mut doc = db.load_existing(id)?.doc;
            refuse_deleted(&doc, id)?;
            doc.set_actor(meta.actor.clone());
            doc.comment(&meta.author(), &self.text)?;
            db.save_local(id, &mut doc)?;
            Ok(id)
        })
    }
}
