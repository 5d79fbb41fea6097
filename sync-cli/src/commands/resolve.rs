//! `fieldsync resolve`: a supervisor closes a same-field conflict.

use std::path::Path;

use anyhow::{Context as _, bail};
use clap::Args;
use fieldsync_schema::document_resolve::conflict_path;
use fieldsync_schema::{CheckDoc, ConflictDecision, FieldValue};

use super::{open_store, refuse_deleted, require_supervisor};
use crate::form_text::form_of;
use crate::store::Store;

/// Decide a conflicting field (supervisors only): the chosen value is written after every
/// competing one, so the conflict closes on every device once it syncs, and the decision
/// (who, when, kept and discarded values) is kept in the check.
#[derive(Debug, Args)]
pub struct Resolve {
    /// The check: its full id or a unique prefix of at least 8 characters.
    #[arg(value_name = "ID")]
    pub id: String,
    /// The field in conflict: a form field (`bread_price_syp`) or `site.name_ar`, as
    /// `conflicts` names it. (A review-state conflict is settled by `review`.)
    #[arg(value_name = "FIELD")]
    pub field: String,
    /// The value to keep, typed as for `edit --set` (parsed by the form version the check
    /// was made with).
    #[arg(
        long,
        value_name = "VALUE",
        conflicts_with = "keep",
        required_unless_present = "keep"
    )]
    pub value: Option<String>,
    /// Keep the value written by this author (their name as `conflicts` shows it).
    #[arg(long, value_name = "AUTHOR_NAME")]
    pub keep: Option<String>,
}

impl Resolve {
    /// Records the decision and saves the check.
    ///
    /// # Errors
    /// Not a supervisor; no such conflict; a value the form refuses; an author who wrote
    /// none (or several different) of the values; unknown id; store failures.
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let mut store = open_store(home)?;
        let decision = self.apply(&mut store)?;
        eprintln!(
            "تم حل التعارض / resolved: {} = {} (discarded: {})",
            decision.field,
            decision.value,
            list(&decision.discarded)
        );
        Ok(())
    }

    /// Records the decision in one transaction.
    ///
    /// # Errors
    /// As [`Resolve::run`].
    pub fn apply(&self, store: &mut Store) -> anyhow::Result<ConflictDecision> {
        let meta = store.db().meta()?;
        require_supervisor(&meta, "resolve conflicts")?;
        store.write(|db| {
            let id = db.resolve(&self.id)?;
            let mut doc = db.load_existing(id)?.doc;
            refuse_deleted(&doc, id)?;
            let value = self.chosen(&doc)?;
            doc.set_actor(meta.actor.clone());
            let decision = doc.resolve(&meta.author(), &self.field, &value)?;
            db.save_local(id, &mut doc)?;
            Ok(decision)
        })
    }

    /// The value to keep: `--value` parsed by the form, or the one `--keep` wrote.
    fn chosen(&self, doc: &CheckDoc) -> anyhow::Result<FieldValue> {
        let check = doc.read().context("reading the check")?;
        let field = &self.field;
        let path = conflict_path(field).map_err(|_| {
            anyhow::anyhow!(
                "تعارض حالة المراجعة يُحسم بمراجعة جديدة / a review-state conflict is settled by \
                 a new review: fieldsync review {} --state approved|has_issues|rejected",
                check.id
            )
        })?;
        let conflicts = doc.conflicts()?;
        let Some(conflict) = conflicts.iter().find(|c| c.field == path) else {
            bail!(
                "لا يوجد تعارض مفتوح في الحقل {field} / field {field} of check {} has no open \
                 conflict to resolve (`fieldsync conflicts` lists the open ones)",
                check.id
            );
        };
        if let Some(raw) = &self.value {
            return match path.strip_prefix("fields.") {
                Some(key) => Ok(form_of(&check).parse_value(key, raw)?),
                None => Ok(FieldValue::Text(raw.trim().to_owned())),
            };
        }
        let name = self.keep.as_deref().unwrap_or_default().trim();
        let mut values: Vec<&FieldValue> = conflict
            .values
            .iter()
            .filter(|v| v.author.as_ref().is_some_and(|a| a.name == name))
            .map(|v| &v.value)
            .collect();
        values.dedup();
        let authors: Vec<String> = conflict
            .values
            .iter()
            .map(|v| {
                v.author
                    .as_ref()
                    .map_or(v.actor.clone(), |a| a.name.clone())
            })
            .collect();
        match values.as_slice() {
            [one] => Ok((*one).clone()),
            [] => bail!(
                "--keep {name:?}: no value of field {field} was written by {name:?}; the values \
                 are by {}",
                authors.join(", ")
            ),
            _ => bail!(
                "--keep {name:?}: {name:?} wrote several values of field {field}; use --value"
            ),
        }
    }
}

fn list(values: &[FieldValue]) -> String {
    if values.is_empty() {
        return "-".into();
    }
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
