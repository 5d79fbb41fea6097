//! `fieldsync list`: one row per check.

use std::path::Path;

use anyhow::Context as _;
use clap::Args;
use fieldsync_schema::{CheckId, FacilityKind, Lang, ReviewState};
use serde::Serialize;

use super::open_store;
use super::search::Search;
use crate::output::{self, resolutions_text, sync_status};
use crate::store::StoredCheck;

/// List every check on this device, oldest observation first.
#[derive(Debug, Args)]
pub struct List {
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also list deleted checks (hidden by default), marked `deleted`.
    #[arg(long)]
    pub deleted: bool,
    /// Which checks to list.
    #[command(flatten)]
    pub filter: Search,
}

/// One `list --json` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListRow {
    /// Check id.
    pub id: CheckId,
    /// Facility kind.
    pub kind: FacilityKind,
    /// Site id.
    pub site_id: String,
    /// Site name in Arabic.
    pub site_name_ar: String,
    /// Observation time with offset.
    pub observed_at: String,
    /// Review state.
    pub review_state: ReviewState,
    /// Linked resolution numbers.
    pub resolutions: Vec<u16>,
    /// Whether the server has not acknowledged the latest changes.
    pub pending: bool,
    /// Whether the server has held the check (false until its first sync: the table then
    /// shows the review as not yet received).
    pub on_server: bool,
    /// Number of conflicting fields.
    pub conflicts: usize,
    /// False when the check breaks its form's rules (see `show`).
    pub valid: bool,
    /// Whether the check was deleted (listed only with `--deleted`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

impl From<&StoredCheck> for ListRow {
    fn from(stored: &StoredCheck) -> Self {
        let c = &stored.check;
        ListRow {
            id: c.id,
            kind: c.kind,
            site_id: c.site.id.to_string(),
            site_name_ar: c.site.name_ar.clone(),
            observed_at: c.observed_at.to_string(),
            review_state: c.review.state,
            resolutions: c.resolutions.clone(),
            pending: stored.pending,
            on_server: stored.on_server,
            conflicts: stored.conflicts.len(),
            valid: stored.valid(),
            deleted: c.deleted.is_some(),
        }
    }
}

impl List {
    /// Prints the checks as a table or JSON.
    ///
    /// # Errors
    /// Store failures, or stdout cannot be written (a closed pipe is not a failure).
    pub fn run(self, home: &Path, lang: Lang) -> anyhow::Result<()> {
        let store = open_store(home)?;
        let (rows, hidden) = self.rows(&store)?;
        if self.json {
            let json = serde_json::to_string_pretty(&rows)? + "\n";
            output::print(json).context("writing to stdout")?;
        } else if rows.is_empty() && self.filter.is_given() {
            eprintln!("لا توجد فحوص مطابقة / no checks match");
        } else if rows.is_empty() && hidden > 0 {
            eprintln!(
                "لا توجد فحوص إلا المحذوفة ({hidden}) / no checks but {hidden} deleted: \
                 `fieldsync list --deleted` shows them"
            );
        } else if rows.is_empty() {
            eprintln!("لا توجد فحوص / no checks yet");
        } else {
            output::print_table(&table(&rows, lang)).context("writing to stdout")?;
        }
        Ok(())
    }

    /// The rows of the checks that pass the filters, oldest observation first, and how
    /// many deleted checks were left out (without `--deleted`); unreadable documents are
    /// skipped with a warning.
    ///
    /// # Errors
    /// Store failures.
    pub fn rows(&self, store: &crate::store::Store) -> anyhow::Result<(Vec<ListRow>, usize)> {
        let mut hidden = 0;
        // One document in memory at a time: only the small rows of kept checks are kept.
        let mut rows: Vec<ListRow> = Vec::new();
        store.db().for_each_check(|read| {
            match read {
                Ok(stored) if stored.check.deleted.is_some() && !self.deleted => {
                    hidden += 1;
                }
                Ok(stored) if self.filter.keeps(&stored.check) => {
                    rows.push(ListRow::from(&stored));
                }
                Ok(_) => {}
                Err((id, reason)) => warn_unreadable(&id, &reason),
            }
            anyhow::Ok(())
        })?;
        Ok((rows, hidden))
    }
}

/// Warns on stderr about a document that does not read as a check.
pub fn warn_unreadable(id: &str, reason: &str) {
    eprintln!("warning: skipping check {id}: {reason}");
}

/// `نعم / yes` or `لا / NO` for the validity column.
fn valid_text(valid: bool) -> String {
    if valid {
        output::bilingual("نعم", "yes")
    } else {
        output::bilingual("لا", "NO")
    }
}

/// The human table: one row per check, headers in `lang`, the kind in Arabic and English.
pub fn table(rows: &[ListRow], lang: Lang) -> comfy_table::Table {
    let mut table = output::table_in(
        lang,
        &[
            ("المعرف", "id"),
            ("النوع", "kind"),
            ("الموقع", "site id"),
            ("اسم الموقع", "site name"),
            ("وقت المعاينة", "observed at"),
            ("المراجعة", "review"),
            ("القرارات", "resolutions"),
            ("المزامنة", "sync"),
            ("تعارضات", "conflicts"),
            ("الصلاحية", "valid"),
        ],
    );
    for row in rows {
        table.add_row(vec![
            row.id.to_string(),
            output::kind_label(row.kind),
            row.site_id.clone(),
            row.site_name_ar.clone(),
            row.observed_at.clone(),
            if row.on_server || row.review_state != ReviewState::Received {
                row.review_state.to_string()
            } else {
                "not yet received".to_owned()
            },
            resolutions_text(&row.resolutions),
            if row.deleted {
                format!("{} (deleted)", sync_status(row.pending))
            } else {
                sync_status(row.pending).to_owned()
            },
            row.conflicts.to_string(),
            valid_text(row.valid),
        ]);
    }
    table
}
