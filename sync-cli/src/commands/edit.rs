//! `fieldsync edit`: change values or notes of a check.

use std::path::Path;

use anyhow::Context as _;
use clap::Args;
use fieldsync_schema::{CheckEdit, CheckId, Forms};

use super::{check_text, open_store, parse_sets, refresh_links};
use crate::store::Store;

/// Change form values or notes of a check (as this device's author).
#[derive(Debug, Args)]
pub struct Edit {
    /// The check: its full id or a unique prefix of at least 8 characters.
    #[arg(value_name = "ID")]
    pub id: String,
    /// A form value, field=value; repeat for each field.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// Replacement notes, up to 10,000 characters (merged character by character with
    /// concurrent edits).
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
}

impl Edit {
    /// Validates the values with the check's form, applies them, refreshes links, saves.
    ///
    /// # Errors
    /// Unknown or ambiguous id, invalid values, notes over the limit, store failures.
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let mut store = open_store(home)?;
        let (id, changed) = self.apply(&mut store)?;
        if changed {
            eprintln!("تم التعديل / edited: {id}");
        } else {
            eprintln!("لا تغيير / no change");
        }
        Ok(())
    }

    /// Applies the edit in one transaction; returns the id and whether anything changed.
    ///
    /// # Errors
    /// As [`Edit::run`].
    pub fn apply(&self, store: &mut Store) -> anyhow::Result<(CheckId, bool)> {
        if let Some(notes) = &self.notes {
            check_text("--notes", notes)?;
        }
        let meta = store.db().meta()?;
        let author = meta.author();
        store.write(|db| {
            let id = db.resolve(&self.id)?;
            let mut doc = db.load_existing(id)?.doc;
            super::refuse_deleted(&doc, id)?;
            let kind = doc
                .read()
                .with_context(|| format!("reading check {id}"))?
                .kind;
            let edit = CheckEdit {
                fields: parse_sets(Forms::builtin().for_kind(kind), &self.set)?,
                notes: self.notes.clone(),
            };
            doc.set_actor(meta.actor.clone());
            if !doc.edit(&author, &edit)? {
                return Ok((id, false));
            }
            refresh_links(&mut doc, &author)?;
            db.save_local(id, &mut doc)?;
            Ok((id, true))
        })
    }
}
