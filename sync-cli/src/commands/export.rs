//! `fieldsync export`: every check as CSV (for spreadsheets) or JSON.
//!
//! The CSV is opened in Excel and LibreOffice by people who did not write it, and its text
//! comes from every inspector: text cells are neutralised against formula injection
//! ([`text_cell`]).
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use fieldsync_schema::{Check, Conflict, FacilityKind, FieldValue, Forms};
use serde::Serialize;

use super::list::warn_unreadable;
use super::open_store;
use crate::output::{self, resolutions_text};
use crate::store::StoredCheck;

/// UTF-8 byte order mark: lets Excel recognise the encoding and show Arabic.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The fixed CSV columns, before one column per form field.
pub const FIXED_COLUMNS: [&str; 17] = [
    "check_id",
    "kind",
    "form_id",
    "form_version",
    "site_id",
    "site_name_ar",
    "site_name_en",
    "latitude",
    "longitude",
    "inspector",
    "observed_at",
    "observed_at_utc",
    "review_state",
    "reviewed_by",
    "resolutions",
    "conflicts",
    "notes",
];

/// Export every check, sorted by observation time (UTC) then id.
///
/// CSV and formulas: a text cell (site id and names, inspector, notes, reviewed by, text
/// values) that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a
/// leading `'`, as OWASP recommends against CSV injection, so a spreadsheet shows
/// `=HYPERLINK(...)` as text instead of running it. Numbers stay numbers (`-3.5` is not
/// prefixed); JSON is never altered.
#[derive(Debug, Args)]
pub struct Export {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Format,
    /// Output file; `-` or absent for stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// UTF-8 CSV with a byte order mark, one row per check; text starting with = + - @ tab
    /// or CR gets a leading ' so spreadsheets do not run it as a formula.
    Csv,
    /// A JSON array of checks, each with its conflicts.
    Json,
}

/// One `export --format json` entry: the check's fields plus its conflicts.
#[derive(Debug, Serialize)]
pub struct ExportJson<'a> {
    /// The check, serialised as the schema does (its keys at the top level).
    #[serde(flatten)]
    pub check: &'a Check,
    /// Its conflicting fields.
    pub conflicts: &'a [Conflict],
}

impl Export {
    /// Writes the export to the file or stdout.
    ///
    /// # Errors
    /// Store failures, or the output cannot be written (a closed stdout pipe is not a
    /// failure).
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let store = open_store(home)?;
        let checks = store.db().checks()?;
        warn_unreadable(&checks);
        let bytes = match self.format {
            Format::Csv => to_csv(&checks.readable)?,
            Format::Json => to_json(&checks.readable)?,
        };
        match self.out.as_deref().filter(|p| *p != Path::new("-")) {
            Some(path) => {
                std::fs::write(path, &bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!(
                    "تم التصدير / exported {} checks to {}",
                    checks.readable.len(),
                    path.display()
                );
            }
            None => output::print(&bytes).context("writing to stdout")?,
        }
        Ok(())
    }
}

/// Every field name of every built-in form, in kind and form order, without repeats.
pub fn field_columns() -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for kind in FacilityKind::ALL {
        for field in &Forms::builtin().for_kind(kind).fields {
            if !names.contains(&field.name) {
                names.push(field.name.clone());
            }
        }
    }
    names
}

/// The CSV export: BOM, header, one row per check.
///
/// # Errors
/// A CSV writer failure (not expected when writing to memory).
pub fn to_csv(checks: &[StoredCheck]) -> anyhow::Result<Vec<u8>> {
    let fields = field_columns();
    let mut out = BOM.to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let header = FIXED_COLUMNS
            .iter()
            .copied()
            .chain(fields.iter().map(String::as_str));
        writer.write_record(header)?;
        for stored in checks {
            writer.write_record(csv_row(stored, &fields))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

fn csv_row(stored: &StoredCheck, fields: &[String]) -> Vec<String> {
    let c = &stored.check;
    let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let text = |t: Option<&str>| text_cell(t.unwrap_or_default());
    let fixed = [
        c.id.to_string(),
        c.kind.to_string(),
        text(Some(&c.form.id)),
        c.form.version.to_string(),
        text(Some(c.site.id.as_str())),
        text(Some(&c.site.name_ar)),
        text(c.site.name_en.as_deref()),
        opt(c.site.lat),
        opt(c.site.lon),
        text(Some(&c.inspector)),
        c.observed_at.to_string(),
        c.observed_at.utc().to_string(),
        c.review.state.to_string(),
        text(c.review.by.as_deref()),
        resolutions_text(&c.resolutions).replace(',', ";"),
        stored.conflicts.len().to_string(),
        text(Some(&c.notes)),
    ];
    let values = fields
        .iter()
        .map(|name| c.fields.get(name).map(cell).unwrap_or_default());
    fixed.into_iter().chain(values).collect()
}

/// A value as a spreadsheet cell: plain numbers, `true`/`false`, text through [`text_cell`].
fn cell(value: &FieldValue) -> String {
    match value {
        FieldValue::Text(t) => text_cell(t),
        number_or_bool => number_or_bool.to_string(),
    }
}

/// Text as a CSV cell that a spreadsheet will not run: text beginning with `=`, `+`, `-`,
/// `@`, tab or carriage return gets a leading `'` (OWASP, "CSV Injection"), which Excel and
/// LibreOffice read as "this is text" and do not display. Any other text is unchanged, byte
/// for byte.
pub fn text_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The JSON export: an array of checks with their conflicts.
///
/// # Errors
/// A serialisation failure (not expected).
pub fn to_json(checks: &[StoredCheck]) -> anyhow::Result<Vec<u8>> {
    let entries: Vec<ExportJson<'_>> = checks
        .iter()
        .map(|s| ExportJson {
            check: &s.check,
            conflicts: &s.conflicts,
        })
        .collect();
    let mut out = serde_json::to_vec_pretty(&entries)?;
    out.push(b'\n');
    Ok(out)
}
