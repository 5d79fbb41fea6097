//! `fieldsync export`: every check as CSV (for spreadsheets) or JSON.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use fieldsync_schema::{Check, Conflict, FacilityKind, FieldValue, Forms};
use serde::Serialize;

use super::list::warn_unreadable;
use super::open_store;
use crate::output::resolutions_text;
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
    /// UTF-8 CSV with a byte order mark, one row per check.
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
    /// Store failures, or the output cannot be written.
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
            None => std::io::stdout()
                .lock()
                .write_all(&bytes)
                .context("writing to stdout")?,
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
    let fixed = [
        c.id.to_string(),
        c.kind.to_string(),
        c.form.id.clone(),
        c.form.version.to_string(),
        c.site.id.to_string(),
        c.site.name_ar.clone(),
        c.site.name_en.clone().unwrap_or_default(),
        opt(c.site.lat),
        opt(c.site.lon),
        c.inspector.clone(),
        c.observed_at.to_string(),
        c.observed_at.utc().to_string(),
        c.review.state.to_string(),
        c.review.by.clone().unwrap_or_default(),
        resolutions_text(&c.resolutions).replace(',', ";"),
        stored.conflicts.len().to_string(),
        c.notes.clone(),
    ];
    let values = fields
        .iter()
        .map(|name| c.fields.get(name).map(cell).unwrap_or_default());
    fixed.into_iter().chain(values).collect()
}

/// A value as a spreadsheet cell: plain numbers, `true`/`false`, text as is.
fn cell(value: &FieldValue) -> String {
    value.to_string()
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
