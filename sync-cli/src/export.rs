//! Every check as CSV (for spreadsheets) or JSON, streamed: [`export_to`] walks the store in
//! order ([`crate::store::Db::for_each_check`], one document at a time) and writes each
//! check as it is read, so time and memory do not depend on holding every check. The
//! `fieldsync export` command and the benchmark harness both call it.
//!
//! The CSV is opened in Excel and LibreOffice by people who did not write it, and its text
//! comes from every inspector: text cells are neutralised against formula injection
//! ([`text_cell`]).

use std::io::{BufWriter, Write};

use clap::ValueEnum;
use fieldsync_schema::forms::FieldType;
use fieldsync_schema::{Check, Conflict, FacilityKind, FieldValue, Forms, Violation};
use serde::Serialize;
use serde::ser::{SerializeSeq as _, Serializer as _};

use crate::output::resolutions_text;
use crate::store::{Store, StoredCheck};

/// UTF-8 byte order mark: lets Excel recognise the encoding and show Arabic.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The fixed CSV columns, before one column per form field.
pub const FIXED_COLUMNS: [&str; 19] = [
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
    "valid",
    "violations",
    "notes",
];

/// Write buffer between the encoders and the output: one system call per 64 KiB, not per
/// cell.
const BUFFER: usize = 64 * 1024;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// UTF-8 CSV with a byte order mark, one row per check; text starting with = + - @ tab
    /// or CR gets a leading ' so spreadsheets do not run it as a formula.
    Csv,
    /// A JSON array of checks, each with its conflicts.
    Json,
}

/// One `export --format json` entry: the check's fields plus its conflicts, validity and
/// violations.
#[derive(Debug, Serialize)]
pub struct ExportJson<'a> {
    /// The check, serialised as the schema does (its keys at the top level).
    #[serde(flatten)]
    pub check: &'a Check,
    /// Its conflicting fields.
    pub conflicts: &'a [Conflict],
    /// False when a violation is an error (flagged `invalid`).
    pub valid: bool,
    /// Every rule the check breaks.
    pub violations: &'a [Violation],
}

impl<'a> From<&'a StoredCheck> for ExportJson<'a> {
    fn from(stored: &'a StoredCheck) -> Self {
        ExportJson {
            check: &stored.check,
            conflicts: &stored.conflicts,
            valid: stored.valid(),
            violations: &stored.violations,
        }
    }
}

/// What [`export_to`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Checks written.
    pub rows: usize,
    /// `(check id, reason)` for documents skipped because they do not read as a check.
    pub unreadable: Vec<(String, String)>,
}

/// Writes every check of `store` to `out` in `format`, sorted by observation time (UTC) then
/// id, one document in memory at a time. Documents that do not read as a check are skipped
/// and listed in the summary. `out` is buffered here and flushed before returning.
///
/// # Errors
/// Store failures, or `out` cannot be written; what was written before stays written.
pub fn export_to(
    store: &Store,
    format: Format,
    out: &mut dyn Write,
) -> anyhow::Result<ExportSummary> {
    let mut out = BufWriter::with_capacity(BUFFER, out);
    let mut summary = ExportSummary::default();
    let mut visit = |write: &mut dyn FnMut(&StoredCheck) -> anyhow::Result<()>| {
        store.db().for_each_check(|read| match read {
            // Deleted checks are tombstones: kept for sync, never exported.
            Ok(stored) if stored.check.deleted.is_some() => Ok(()),
            Ok(stored) => {
                summary.rows += 1;
                write(&stored)
            }
            Err(unreadable) => {
                summary.unreadable.push(unreadable);
                Ok(())
            }
        })
    };
    match format {
        Format::Csv => {
            out.write_all(BOM)?;
            let sources = column_sources();
            let mut csv = csv_writer(&mut out, &field_columns())?;
            visit(&mut |stored| Ok(csv.write_record(csv_row(stored, &sources))?))?;
            csv.flush()?;
        }
        Format::Json => {
            let mut json = serde_json::Serializer::pretty(&mut out);
            let mut array = json.serialize_seq(None)?;
            visit(&mut |stored| Ok(array.serialize_element(&ExportJson::from(stored))?))?;
            array.end()?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(summary)
}

/// A CSV writer over `out` that has written the header.
fn csv_writer<W: Write>(out: W, fields: &[String]) -> csv::Result<csv::Writer<W>> {
    let mut writer = csv::Writer::from_writer(out);
    let header = FIXED_COLUMNS
        .iter()
        .copied()
        .chain(fields.iter().map(String::as_str));
    writer.write_record(header)?;
    Ok(writer)
}

/// The CSV column names after [`FIXED_COLUMNS`]: every field name of every built-in form, in
/// kind and form order, without repeats; a `datetime` field is followed by `NAME_utc`, its
/// instant in UTC (the field itself keeps the offset it was typed with, so its calendar date
/// never shifts).
pub fn field_columns() -> Vec<String> {
    column_sources()
        .into_iter()
        .map(|(name, utc)| if utc { format!("{name}_utc") } else { name })
        .collect()
}

/// What fills each column of [`field_columns`], in order: a field's value (`false`), or a
/// datetime field's instant in UTC (`true`).
fn column_sources() -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    for kind in FacilityKind::ALL {
        for field in &Forms::builtin().for_kind(kind).fields {
            if !out.iter().any(|(name, _)| *name == field.name) {
                out.push((field.name.clone(), false));
                if field.field_type == FieldType::Datetime {
                    out.push((field.name.clone(), true));
                }
            }
        }
    }
    out
}

/// A datetime value's instant in UTC (`2026-03-29T07:15:00Z`), or nothing if it does not read.
fn utc_cell(value: &FieldValue) -> String {
    match value {
        FieldValue::Text(t) => fieldsync_schema::input::parse_datetime(t)
            .map(|at| at.utc().to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The CSV export of checks already in memory: BOM, header, one row per check (the same
/// bytes [`export_to`] writes for them).
///
/// # Errors
/// A CSV writer failure (not expected when writing to memory).
pub fn to_csv(checks: &[StoredCheck]) -> anyhow::Result<Vec<u8>> {
    let sources = column_sources();
    let mut out = BOM.to_vec();
    let mut writer = csv_writer(&mut out, &field_columns())?;
    for stored in checks {
        writer.write_record(csv_row(stored, &sources))?;
    }
    writer.flush()?;
    drop(writer);
    Ok(out)
}

fn csv_row(stored: &StoredCheck, sources: &[(String, bool)]) -> Vec<String> {
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
        stored.valid().to_string(),
        text(Some(&violation_codes(stored))),
        text(Some(&c.notes)),
    ];
    let values = sources.iter().map(|(name, utc)| {
        c.fields
            .get(name)
            .map(|v| if *utc { utc_cell(v) } else { cell(v) })
            .unwrap_or_default()
    });
    fixed.into_iter().chain(values).collect()
}

/// The violations as `field:code` separated by `; ` (the messages are in `show` and JSON).
fn violation_codes(stored: &StoredCheck) -> String {
    let codes: Vec<String> = stored
        .violations
        .iter()
        .map(|v| format!("{}:{}", v.field, v.rule.code()))
        .collect();
    codes.join("; ")
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

/// The JSON export of checks already in memory: a pretty-printed array of checks with their
/// conflicts and a final newline (the same bytes [`export_to`] writes for them).
///
/// # Errors
/// A serialisation failure (not expected).
pub fn to_json(checks: &[StoredCheck]) -> anyhow::Result<Vec<u8>> {
    let entries: Vec<ExportJson<'_>> = checks.iter().map(ExportJson::from).collect();
    let mut out = serde_json::to_vec_pretty(&entries)?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
