//! `fieldsync edit`: change values or notes of a check.

use std::path::Path;

use anyhow::Context as _;
use clap::Args;
use fieldsync_schema::{Check, CheckEdit, CheckId, Lang, Violation};

use super::values::{new_violations, parse_sets, refuse_errors, warn};
use super::{check_text, open_store, refresh_links};
use crate::form_text::form_of;
use crate::store::Store;
use crate::walk::Answers;

/// Change form values or notes of a check (as this device's author).
///
/// Values are read with the form version the check was made with. A value that breaks a
/// rule of its field is refused; what the edit leaves missing elsewhere (`reason_closed`
/// once `operating=false`) is shown as a warning, so a check can be completed in steps.
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
    pub fn run(self, home: &Path, lang: Lang) -> anyhow::Result<()> {
        let mut store = open_store(home)?;
        let (id, changed) = self.apply_in(&mut store, lang)?;
        if changed {
            eprintln!("تم التعديل / edited: {id}");
        } else {
            eprintln!("لا تغيير / no change");
        }
        Ok(())
    }

    /// Applies the edit with refusals in English: the tests' shortcut for
    /// [`Edit::apply_in`].
    ///
    /// # Errors
    /// As [`Edit::run`].
    #[cfg(test)]
    pub fn apply(&self, store: &mut Store) -> anyhow::Result<(CheckId, bool)> {
        self.apply_in(store, Lang::En)
    }

    /// Applies the edit in one transaction, refusals in `lang`; returns the id and whether
    /// anything changed.
    ///
    /// # Errors
    /// As [`Edit::run`].
    pub fn apply_in(&self, store: &mut Store, lang: Lang) -> anyhow::Result<(CheckId, bool)> {
        if let Some(notes) = &self.notes {
            check_text("--notes", notes)?;
        }
        let meta = store.db().meta()?;
        let author = meta.author();
        store.write(|db| {
            let id = db.resolve(&self.id)?;
            let mut doc = db.load_existing(id)?.doc;
            super::refuse_deleted(&doc, id)?;
            let check = doc.read().with_context(|| format!("reading check {id}"))?;
            let answers = self.values(&check, lang)?;
            if !meta.role.may_decide() {
                refuse_conflicted(&doc, &answers.values)?;
            }
            let edit = CheckEdit {
                fields: answers.values,
                notes: self.notes.clone(),
            };
            doc.set_actor(meta.actor.clone());
            if !doc.edit_with_raw(&author, &edit, &answers.raw)? {
                return Ok((id, false));
            }
            refresh_links(&mut doc, &author)?;
            db.save_local(id, &mut doc)?;
            Ok((id, true))
        })
    }

    /// The `--set` values parsed with the check's own form version. Problems the edit
    /// brings to the fields it sets are refused; new problems elsewhere are warnings.
    fn values(&self, check: &Check, lang: Lang) -> anyhow::Result<Answers> {
        let form = form_of(check);
        let answers = parse_sets(form, &self.set, lang)?;
        let before = form.validate(&check.fields);
        let mut after = check.fields.clone();
        after.extend(answers.values.clone());
        let (mine, elsewhere): (Vec<Violation>, Vec<Violation>) =
            new_violations(&before, form.validate(&after))
                .into_iter()
                .partition(|v| answers.values.contains_key(&v.field));
        refuse_errors(form, &mine, lang)?;
        warn(form, &elsewhere, lang);
        Ok(answers)
    }
}

/// Refuses an inspector's `--set` of a field with an open conflict: writing it would close
/// the conflict, which only a supervisor does (the server refuses it too).
fn refuse_conflicted(
    doc: &fieldsync_schema::CheckDoc,
    values: &std::collections::BTreeMap<String, fieldsync_schema::FieldValue>,
) -> anyhow::Result<()> {
    for conflict in doc.conflicts()? {
        let Some(name) = conflict.field.strip_prefix("fields.") else {
            continue;
        };
        if values.contains_key(name) {
            anyhow::bail!(
                "الحقل {name} فيه تعارض مفتوح يحسمه المشرف / field {name} has an open conflict: \
                 only a supervisor settles it (`fieldsync resolve`); `fieldsync show` lists the values \
                 and who wrote them"
            );
        }
    }
    Ok(())
}
