//! JSON and NDJSON: each check as [`ExportJson`] (the check's own keys, plus its conflicts,
//! validity and violations). `json` is one pretty-printed array (the bytes
//! `serde_json::to_vec_pretty` gives for the whole list, written one record at a time);
//! `ndjson` is one compact object per line, for tools that read a record at a time.

use std::io::Write;

use serde::Serialize;

use super::{ExportError, ExportTotals, RecordSink};
use crate::{Check, CheckRecord, Conflict, Violation};

/// One JSON or NDJSON entry: the check's fields plus its conflicts, validity and violations.
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

impl<'a> From<&'a CheckRecord> for ExportJson<'a> {
    fn from(record: &'a CheckRecord) -> Self {
        ExportJson {
            check: &record.check,
            conflicts: &record.conflicts,
            valid: record.valid(),
            violations: &record.violations,
        }
    }
}

/// Writes a pretty-printed JSON array, one element per [`RecordSink::push`], and a final
/// newline.
pub struct JsonEncoder<W: Write> {
    out: W,
    totals: ExportTotals,
}

impl<W: Write> JsonEncoder<W> {
    /// An encoder over `out` (nothing is written before the first record).
    pub fn new(out: W) -> Self {
        Self {
            out,
            totals: ExportTotals::default(),
        }
    }
}

impl<W: Write> RecordSink for JsonEncoder<W> {
    fn push(&mut self, record: &CheckRecord) -> Result<(), ExportError> {
        // An element at depth 1 of a pretty array is its own pretty text indented by two
        // spaces; JSON text has no raw newline inside strings, so lines are safe to indent.
        let element = serde_json::to_string_pretty(&ExportJson::from(record))?;
        let lead: &[u8] = if self.totals.records == 0 {
            b"[\n"
        } else {
            b",\n"
        };
        self.out.write_all(lead)?;
        for (i, line) in element.split('\n').enumerate() {
            if i > 0 {
                self.out.write_all(b"\n")?;
            }
            self.out.write_all(b"  ")?;
            self.out.write_all(line.as_bytes())?;
        }
        self.totals.records += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<ExportTotals, ExportError> {
        let end: &[u8] = if self.totals.records == 0 {
            b"[]\n"
        } else {
            b"\n]\n"
        };
        self.out.write_all(end)?;
        self.out.flush()?;
        Ok(self.totals)
    }
}

/// Writes NDJSON: one compact [`ExportJson`] object and a newline per
/// [`RecordSink::push`].
pub struct NdjsonEncoder<W: Write> {
    out: W,
    totals: ExportTotals,
}

impl<W: Write> NdjsonEncoder<W> {
    /// An encoder over `out`.
    pub fn new(out: W) -> Self {
        Self {
            out,
            totals: ExportTotals::default(),
        }
    }
}

impl<W: Write> RecordSink for NdjsonEncoder<W> {
    fn push(&mut self, record: &CheckRecord) -> Result<(), ExportError> {
        serde_json::to_writer(&mut self.out, &ExportJson::from(record))?;
        self.out.write_all(b"\n")?;
        self.totals.records += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<ExportTotals, ExportError> {
        self.out.flush()?;
        Ok(self.totals)
    }
}

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
