//! Exports of checks in five formats, shared by `fieldsync export` and the server's
//! `GET /api/v1/export` (cargo feature `export`).
//!
//! Encoders are push-style: [`encoder`] writes a format's opening to a [`Write`], the caller
//! walks its store and [`RecordSink::push`]es each [`CheckRecord`] it covers
//! ([`crate::RecordFilter`]), then calls [`RecordSink::finish`]. Only one record is held at a
//! time, so memory does not grow with the number of checks.
//!
//! | format | module | shape |
//! |---|---|---|
//! | `csv` | [`csv`] | UTF-8 with BOM, one row per check, one column per form field |
//! | `json` | [`json`] | one pretty-printed array of checks |
//! | `ndjson` | [`json`] | one compact check object per line |
//! | `geojson` | [`geojson`] | a FeatureCollection, one Point per check with a location |
//! | `xlsx` | [`xlsx`] | a sheet per facility kind, right to left in Arabic |
//!
//! This module does no I/O of its own; the XLSX encoder's library keeps finished rows in
//! temporary files (see [`xlsx`]).

pub mod columns;
pub mod csv;
pub mod geojson;
pub mod json;
pub mod xlsx;

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use crate::{CheckRecord, FacilityKind, Lang, RecordFilter};

pub use self::csv::{BOM, CsvEncoder, text_cell};
pub use self::geojson::GeojsonEncoder;
pub use self::json::{ExportJson, JsonEncoder, NdjsonEncoder};
pub use self::xlsx::XlsxEncoder;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// UTF-8 CSV with a byte order mark, one row per check.
    Csv,
    /// A JSON array of checks, each with its conflicts, validity and violations.
    Json,
    /// Newline-delimited JSON: one check object per line.
    Ndjson,
    /// A GeoJSON FeatureCollection of the checks that have a location.
    Geojson,
    /// An Excel workbook, one sheet per facility kind.
    Xlsx,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 5] = [
        Self::Csv,
        Self::Json,
        Self::Ndjson,
        Self::Geojson,
        Self::Xlsx,
    ];

    /// The name used on the command line and in URLs (`ndjson`), also the file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Ndjson => "ndjson",
            Self::Geojson => "geojson",
            Self::Xlsx => "xlsx",
        }
    }

    /// The media type of the format, for HTTP `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json",
            Self::Ndjson => "application/x-ndjson",
            Self::Geojson => "application/geo+json",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// True for formats that are not text (a terminal would show them as noise).
    pub fn is_binary(self) -> bool {
        self == Self::Xlsx
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A format name that is not one of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown export format {value:?}: expected csv, json, ndjson, geojson or xlsx")]
pub struct UnknownFormat {
    /// The rejected text.
    pub value: String,
}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| UnknownFormat {
                value: s.to_owned(),
            })
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportTotals {
    /// Records pushed (the checks the export covers).
    pub records: usize,
    /// GeoJSON only: records pushed that have no location, so no feature (0 otherwise).
    pub without_location: usize,
}

/// Why an export failed. What was written before stays written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The output cannot be written.
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    /// The CSV writer failed (in practice: its output cannot be written).
    #[error("cannot write the CSV export: {0}")]
    Csv(#[from] ::csv::Error),
    /// A record could not be serialised as JSON.
    #[error("cannot write the JSON export: {0}")]
    Json(#[from] serde_json::Error),
    /// The XLSX library failed (a temporary file, a cell over Excel's limits, the output).
    #[error("cannot write the XLSX export: {0}")]
    Xlsx(String),
    /// An XLSX export was given a check of a kind it has no sheet for (a caller whose
    /// filter and sheets disagree).
    #[error("the XLSX export has no sheet for facility kind {0}")]
    NoSheet(FacilityKind),
}

impl From<rust_xlsxwriter::XlsxError> for ExportError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        Self::Xlsx(e.to_string())
    }
}

/// A push-style encoder of one export.
pub trait RecordSink {
    /// Writes one record (or, for XLSX, queues its row; see [`xlsx`]).
    ///
    /// # Errors
    /// The output cannot be written, or the record cannot be encoded.
    fn push(&mut self, record: &CheckRecord) -> Result<(), ExportError>;

    /// Writes the format's closing (and, for XLSX, the whole workbook) and flushes; call it
    /// once, after the last record.
    ///
    /// # Errors
    /// The output cannot be written.
    fn finish(&mut self) -> Result<ExportTotals, ExportError>;
}

/// The encoder of `format` over `out`, its opening written. `lang` chooses XLSX sheet
/// names, headers and direction; `filter` the XLSX sheets (only its kind's when it has
/// one). Buffer `out` when it is unbuffered: encoders write a record in several small
/// writes.
///
/// # Errors
/// `out` cannot be written, or the XLSX library cannot create its temporary files.
pub fn encoder<'a, W: Write + Send + 'a>(
    format: Format,
    out: W,
    lang: Lang,
    filter: &RecordFilter,
) -> Result<Box<dyn RecordSink + 'a>, ExportError> {
    Ok(match format {
        Format::Csv => Box::new(CsvEncoder::new(out)?),
        Format::Json => Box::new(JsonEncoder::new(out)),
        Format::Ndjson => Box::new(NdjsonEncoder::new(out)),
        Format::Geojson => Box::new(GeojsonEncoder::new(out)?),
        Format::Xlsx => {
            let kinds: Vec<FacilityKind> = match filter.kind {
                Some(kind) => vec![kind],
                None => FacilityKind::ALL.to_vec(),
            };
            Box::new(XlsxEncoder::new(out, lang, &kinds)?)
        }
    })
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
