//! XLSX: one sheet per facility kind, with that kind's form fields as columns.
//!
//! - Sheets: one for every kind the export covers (all kinds, or the one `--kind` names), in
//!   [`FacilityKind::ALL`] order, each with its header row even when no check of that kind
//!   is exported (an empty sheet says "none", a missing one would leave the reader
//!   guessing). Sheet names and headers are Arabic, and the sheets right to left, when the
//!   language is Arabic; English otherwise.
//! - Columns: the fixed columns ([`super::columns::FIXED`]), then the kind's fields over
//!   every version of its form ([`kind_columns`]).
//! - Cells: numbers are number cells, yes/no are boolean cells, text is a string cell exactly
//!   as stored (a string cell is never run as a formula, so it needs no `'`). Times and
//!   dates are ISO 8601 text: `observed_at` and `datetime` fields with the inspector's UTC
//!   offset, and a UTC column beside each. Excel's own date cells have no offset, so they
//!   would shift the date the inspector saw or lose the instant; ISO text keeps both and
//!   sorts correctly in the UTC columns.
//! - Memory: sheets are written in rust_xlsxwriter's constant-memory mode: each finished
//!   row goes to a temporary file of the library's (one per sheet, in the system's
//!   temporary directory, deleted when the encoder is dropped), so memory does not grow
//!   with the number of checks. The workbook is zipped into the output by
//!   [`RecordSink::finish`]: nothing is written to `out` before then.

use std::io::Write;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::columns::{Cell, FIXED, FieldColumn, fixed_cells, kind_columns};
use super::{ExportError, ExportTotals, RecordSink};
use crate::{CheckRecord, FacilityKind, Lang};

/// One sheet being written.
struct Sheet {
    kind: FacilityKind,
    index: usize,
    columns: Vec<FieldColumn>,
    next_row: u32,
}

/// Writes an XLSX workbook to `W` when finished; see the [module docs](self).
pub struct XlsxEncoder<W: Write + Send> {
    workbook: Workbook,
    sheets: Vec<Sheet>,
    out: Option<W>,
    totals: ExportTotals,
}

/// The sheet name of `kind` in `lang` (`فرن`, `bakery`).
pub fn sheet_name(kind: FacilityKind, lang: Lang) -> &'static str {
    match lang {
        Lang::Ar => kind.label_ar(),
        Lang::En => kind.label_en(),
    }
}

/// The header row of `kind`'s sheet in `lang`: fixed headers, then field labels.
pub fn sheet_header(kind: FacilityKind, lang: Lang) -> Vec<String> {
    FIXED
        .iter()
        .map(|c| c.label(lang).to_owned())
        .chain(kind_columns(kind).iter().map(|c| c.label(lang)))
        .collect()
}

impl<W: Write + Send> XlsxEncoder<W> {
    /// A workbook with a sheet (and its header row) for each of `kinds`, to be written to
    /// `out` by [`RecordSink::finish`].
    ///
    /// # Errors
    /// The library cannot create its temporary files.
    pub fn new(out: W, lang: Lang, kinds: &[FacilityKind]) -> Result<Self, ExportError> {
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let mut sheets = Vec::new();
        for (index, kind) in kinds.iter().copied().enumerate() {
            let sheet = workbook.add_worksheet_with_constant_memory()?;
            sheet.set_name(sheet_name(kind, lang))?;
            sheet.set_right_to_left(lang == Lang::Ar);
            sheet.set_freeze_panes(1, 0)?;
            for (col, label) in sheet_header(kind, lang).iter().enumerate() {
                sheet.write_string_with_format(0, column(col)?, label, &bold)?;
            }
            sheets.push(Sheet {
                kind,
                index,
                columns: kind_columns(kind),
                next_row: 1,
            });
        }
        Ok(Self {
            workbook,
            sheets,
            out: Some(out),
            totals: ExportTotals::default(),
        })
    }
}

/// A column index as the library numbers them.
fn column(index: usize) -> Result<u16, ExportError> {
    u16::try_from(index).map_err(|_| ExportError::Xlsx(format!("column {index} is out of range")))
}

fn write_cell(sheet: &mut Worksheet, row: u32, col: u16, cell: Cell) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(t) => {
            sheet.write_string(row, col, t)?;
        }
        // Exact up to 2^53; form limits keep stored integers far below it.
        Cell::Int(i) => {
            sheet.write_number(row, col, i as f64)?;
        }
        Cell::Number(n) => {
            sheet.write_number(row, col, n)?;
        }
        Cell::Bool(b) => {
            sheet.write_boolean(row, col, b)?;
        }
    }
    Ok(())
}

impl<W: Write + Send> RecordSink for XlsxEncoder<W> {
    fn push(&mut self, record: &CheckRecord) -> Result<(), ExportError> {
        let kind = record.check.kind;
        let Some(sheet) = self.sheets.iter_mut().find(|s| s.kind == kind) else {
            return Err(ExportError::NoSheet(kind));
        };
        let row = sheet.next_row;
        let ws = self.workbook.worksheet_from_index(sheet.index)?;
        let fixed = fixed_cells(record).into_iter();
        let values = sheet.columns.iter().map(|c| c.cell(&record.check));
        for (col, cell) in fixed.chain(values).enumerate() {
            write_cell(ws, row, column(col)?, cell).map_err(|e| {
                ExportError::Xlsx(format!(
                    "check {}, column {}: {e}",
                    record.check.id,
                    col + 1
                ))
            })?;
        }
        sheet.next_row += 1;
        self.totals.records += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<ExportTotals, ExportError> {
        let Some(mut out) = self.out.take() else {
            return Err(ExportError::Xlsx("the workbook was already written".into()));
        };
        self.workbook.save_to_writer(&mut out)?;
        out.flush()?;
        Ok(self.totals)
    }
}

#[cfg(test)]
#[path = "xlsx_tests.rs"]
mod tests;
