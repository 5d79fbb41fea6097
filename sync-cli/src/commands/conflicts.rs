//! `fieldsync conflicts`: every open same-field conflict on this device.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use clap::Args;
use fieldsync_schema::{CheckId, Conflict};
use serde::Serialize;

use super::list::warn_unreadable;
use super::open_store;
use crate::form_text::{form_of, path_label, value_text};
use crate::output::{self, author_text};
use crate::store::StoredCheck;
use fieldsync_schema::Lang;

/// List open conflicts across all checks: fields written concurrently with different values,
/// each value with its author, device and time. (Different fields changed at the same time
/// merge cleanly and are not conflicts.) Deleted checks are left out.
#[derive(Debug, Args)]
pub struct Conflicts {
    /// Print a JSON array of `{check, site_id, site_name_ar, conflicts}` instead.
    #[arg(long)]
    pub json: bool,
}

/// One check with open conflicts, as `conflicts --json` prints it.
#[derive(Debug, Serialize)]
pub struct CheckConflicts {
    /// The check.
    pub check: CheckId,
    /// Its site id.
    pub site_id: String,
    /// Its site name in Arabic.
    pub site_name_ar: String,
    /// Its conflicting fields, with every value, author and time.
    pub conflicts: Vec<Conflict>,
}

impl Conflicts {
    /// Walks every check (one batch of documents in memory at a time) and prints conflicts.
    ///
    /// # Errors
    /// Store failures, or stdout cannot be written (a closed pipe is not a failure).
    pub fn run(self, home: &Path, lang: Lang) -> anyhow::Result<()> {
        let store = open_store(home)?;
        let mut found = Vec::new();
        let mut text = String::new();
        store.db().for_each_check(|read| {
            match read {
                Ok(stored) if has_open(&stored) => {
                    if self.json {
                        found.push(entry(stored));
                    } else {
                        render(&mut text, &stored, lang);
                    }
                }
                Ok(_) => {}
                Err((id, reason)) => warn_unreadable(&id, &reason),
            }
            anyhow::Ok(())
        })?;
        if self.json {
            let json = serde_json::to_string_pretty(&found)? + "\n";
            output::print(json).context("writing to stdout")?;
        } else if text.is_empty() {
            eprintln!("لا توجد تعارضات / no open conflicts");
        } else {
            output::print(text).context("writing to stdout")?;
        }
        Ok(())
    }
}

fn has_open(stored: &StoredCheck) -> bool {
    stored.check.deleted.is_none() && !stored.conflicts.is_empty()
}

fn entry(stored: StoredCheck) -> CheckConflicts {
    CheckConflicts {
        check: stored.check.id,
        site_id: stored.check.site.id.to_string(),
        site_name_ar: stored.check.site.name_ar,
        conflicts: stored.conflicts,
    }
}

/// `ID SITE [SITE_ID]`, then each field and its values (`*` marks the one shown now).
pub fn render(out: &mut String, stored: &StoredCheck, lang: Lang) {
    let c = &stored.check;
    let form = form_of(c);
    let _ = writeln!(out, "{} {} [{}]", c.id, c.site.name_ar, c.site.id);
    for conflict in &stored.conflicts {
        let label = path_label(form, &conflict.field, lang);
        let _ = writeln!(out, "  {label} [{}]", conflict.field);
        let name = conflict.field.strip_prefix("fields.").unwrap_or("");
        for v in &conflict.values {
            let mark = if v.winner { "*" } else { "-" };
            let value = value_text(form, name, &v.value, lang);
            let at = v.at.as_deref().unwrap_or("?");
            let _ = writeln!(out, "    {mark} {value} — {} at {at}", author_text(v));
        }
        let _ = writeln!(
            out,
            "    → {}",
            settle_hint(&conflict.field, &c.id.to_string(), lang)
        );
    }
}

/// The command that closes a conflict on `field`: `resolve` for data, `review` for the
/// review state.
fn settle_hint(field: &str, id: &str, lang: Lang) -> String {
    // The whole id: checks made within a minute share their first characters (UUIDv7).
    let (cmd, what) = match field {
        "review.state" => (
            format!("fieldsync review {id} --state approved|has_issues|rejected"),
            ("مراجعة جديدة تحسمه", "a new review settles it"),
        ),
        _ => {
            let name = field.strip_prefix("fields.").unwrap_or(field);
            (
                format!("fieldsync resolve {id} {name} --keep AUTHOR|--value V"),
                ("قرار المشرف يحسمه", "a supervisor's decision settles it"),
            )
        }
    };
    match lang {
        Lang::Ar => format!("{}: {cmd}", what.0),
        Lang::En => format!("{}: {cmd}", what.1),
    }
}
