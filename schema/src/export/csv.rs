//! CSV: UTF-8 with a byte order mark, a header of machine names ([`super::columns::FIXED`]
//! then [`field_columns`]), one row per check. Numbers are plain numbers (`-3.5`, never
//! prefixed); text cells are neutralised against formula injection ([`text_cell`]), since
//! the file is opened in Excel and LibreOffice by people who did not write it.

use std::io::Write;

use super::columns::{Cell, FIXED, FieldColumn, field_columns, fixed_cells};
use super::{ExportError, ExportTotals, RecordSink};
use crate::CheckRecord;

/// UTF-8 byte order mark: lets Excel recognise the encoding and show Arabic.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

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

/// The CSV header: the fixed column names, then [`field_columns`]' names.
pub fn header() -> Vec<String> {
    FIXED
        .iter()
        .map(|c| c.name.to_owned())
        .chain(field_columns().iter().map(FieldColumn::name))
        .collect()
}

fn csv_text(cell: Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(t) => text_cell(&t),
        Cell::Int(i) => i.to_string(),
        Cell::Number(n) => n.to_string(),
        Cell::Bool(b) => b.to_string(),
    }
}

/// Writes the CSV export to `W`, one row per [`RecordSink::push`].
pub struct CsvEncoder<W: Write> {
    csv: csv::Writer<W>,
    columns: Vec<FieldColumn>,
    totals: ExportTotals,
}

impl<W: Write> CsvEncoder<W> {
    /// Writes the BOM and the header to `out`.
    ///
    /// # Errors
    /// `out` cannot be written.
    pub fn new(mut out: W) -> Result<Self, ExportError> {
        out.write_all(BOM)?;
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(header())?;
        Ok(Self {
            csv,
            columns: field_columns(),
            totals: ExportTotals::default(),
        })
    }
}

impl<W: Write> RecordSink for CsvEncoder<W> {
    fn push(&mut self, record: &CheckRecord) -> Result<(), ExportError> {
        let fixed = fixed_cells(record).into_iter();
        let values = self.columns.iter().map(|c| c.cell(&record.check));
        self.csv.write_record(fixed.chain(values).map(csv_text))?;
        self.totals.records += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<ExportTotals, ExportError> {
        self.csv.flush()?;
        Ok(self.totals)
    }
}

#[cfg(test)]
#[path = "csv_tests.rs"]
mod tests;
