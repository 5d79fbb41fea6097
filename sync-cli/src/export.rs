//! Checks exported from the device's store, streamed: [`export_to`] walks the store in order
//! ([`crate::store::Db::for_each_check`], one document at a time), keeps the checks a
//! [`RecordFilter`] covers, and pushes each to the format's encoder
//! ([`fieldsync_schema::export`]: CSV, JSON, NDJSON, GeoJSON, XLSX), so time and memory do
//! not depend on holding every check. The `fieldsync export` command and the benchmark
//! harness both call it.

use std::io::{BufWriter, Write};

use fieldsync_schema::export::columns::{FIXED, FieldColumn};
use fieldsync_schema::export::{ExportError, encoder};
use fieldsync_schema::{CheckRecord, Lang, RecordFilter};

pub use fieldsync_schema::export::{BOM, ExportJson, Format, text_cell};

use crate::store::{Store, StoredCheck};

/// Write buffer between the encoders and the output: one system call per 64 KiB, not per
/// cell.
const BUFFER: usize = 64 * 1024;

/// What [`export_to`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Checks the export covers (written, or for GeoJSON also those without a location).
    pub rows: usize,
    /// GeoJSON: checks covered but left out for having no location (0 for other formats).
    pub without_location: usize,
    /// `(check id, reason)` for documents skipped because they do not read as a check.
    pub unreadable: Vec<(String, String)>,
}

/// The record an export reads from a stored check (its violations as already computed).
pub fn record_of(stored: StoredCheck) -> CheckRecord {
    CheckRecord {
        check: stored.check,
        conflicts: stored.conflicts,
        violations: stored.violations,
    }
}

/// Writes every check of `store` that `filter` covers to `out` in `format`, sorted by
/// observation time (UTC) then id, one document in memory at a time. Deleted checks are
/// never exported. Documents that do not read as a check are skipped and listed in the
/// summary. `lang` chooses XLSX sheet names, headers and direction. `out` is buffered here
/// and flushed before returning.
///
/// # Errors
/// Store failures, or `out` cannot be written; what was written before stays written.
pub fn export_to(
    store: &Store,
    format: Format,
    filter: &RecordFilter,
    lang: Lang,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<ExportSummary> {
    let mut out = BufWriter::with_capacity(BUFFER, out);
    let mut summary = ExportSummary::default();
    {
        let mut sink = encoder(format, &mut out, lang, filter)?;
        store.db().for_each_check(|read| match read {
            Ok(stored) if !filter.matches(&stored.check) => Ok(()),
            Ok(stored) => Ok::<_, anyhow::Error>(sink.push(&record_of(stored))?),
            Err(unreadable) => {
                summary.unreadable.push(unreadable);
                Ok(())
            }
        })?;
        let totals = sink.finish()?;
        summary.rows = totals.records;
        summary.without_location = totals.without_location;
    }
    out.flush()?;
    Ok(summary)
}

/// The CSV's fixed column names, before one column per form field.
pub fn fixed_columns() -> Vec<&'static str> {
    FIXED.iter().map(|c| c.name).collect()
}

/// The CSV's column names after [`fixed_columns`]: every field of every kind's form, a
/// `datetime` field followed by `NAME_utc`.
pub fn field_columns() -> Vec<String> {
    fieldsync_schema::export::columns::field_columns()
        .iter()
        .map(FieldColumn::name)
        .collect()
}

/// The export of checks already in memory, in `format` (the same bytes [`export_to`]
/// writes for them).
///
/// # Errors
/// An encoder failure (not expected when writing to memory).
pub fn to_bytes(checks: &[StoredCheck], format: Format) -> Result<Vec<u8>, ExportError> {
    let mut out = Vec::new();
    let mut sink = encoder(format, &mut out, Lang::En, &RecordFilter::default())?;
    for stored in checks {
        sink.push(&record_of(stored.clone()))?;
    }
    sink.finish()?;
    drop(sink);
    Ok(out)
}

/// The CSV export of checks already in memory: BOM, header, one row per check.
///
/// # Errors
/// An encoder failure (not expected).
pub fn to_csv(checks: &[StoredCheck]) -> Result<Vec<u8>, ExportError> {
    to_bytes(checks, Format::Csv)
}

/// The JSON export of checks already in memory: a pretty-printed array and a newline.
///
/// # Errors
/// An encoder failure (not expected).
pub fn to_json(checks: &[StoredCheck]) -> Result<Vec<u8>, ExportError> {
    to_bytes(checks, Format::Json)
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
