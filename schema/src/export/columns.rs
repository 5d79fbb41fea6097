//! The columns of the tabular exports (CSV, XLSX) and what fills each cell.
//!
//! A row starts with the [`FIXED`] columns (id, kind, form, site, inspector, observation
//! time local and UTC, review state, resolutions, conflicts, validity, violations, notes),
//! then one column per form field ([`field_columns`]); a `datetime` field is followed by
//! `NAME_utc`, its instant in UTC, so a spreadsheet can sort across offsets while the
//! field itself keeps the date the inspector saw.

use crate::forms::{FieldType, FormField};
use crate::{Check, CheckRecord, FacilityKind, FieldValue, Forms, Lang};

/// One fixed column: its machine name (the CSV header) and its Arabic and English headers
/// (the XLSX headers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedColumn {
    /// The machine name (`observed_at_utc`).
    pub name: &'static str,
    /// The Arabic header.
    pub label_ar: &'static str,
    /// The English header.
    pub label_en: &'static str,
}

impl FixedColumn {
    /// The header in `lang`.
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Ar => self.label_ar,
            Lang::En => self.label_en,
        }
    }
}

const fn col(name: &'static str, ar: &'static str, en: &'static str) -> FixedColumn {
    FixedColumn {
        name,
        label_ar: ar,
        label_en: en,
    }
}

/// The fixed columns, before one column per form field, in order.
pub const FIXED: [FixedColumn; 19] = [
    col("check_id", "رقم التفقد", "Check id"),
    col("kind", "فئة المنشأة في النظام", "Facility kind"),
    col("form_id", "الاستمارة", "Form"),
    col("form_version", "إصدار الاستمارة", "Form version"),
    col("site_id", "رمز الموقع", "Site id"),
    col("site_name_ar", "اسم الموقع بالعربية", "Site name (Arabic)"),
    col(
        "site_name_en",
        "اسم الموقع بالإنكليزية",
        "Site name (English)",
    ),
    col("latitude", "خط العرض", "Latitude"),
    col("longitude", "خط الطول", "Longitude"),
    col("inspector", "المفتش", "Inspector"),
    col("observed_at", "وقت التفقد", "Observed at"),
    col("observed_at_utc", "وقت التفقد (UTC)", "Observed at (UTC)"),
    col("review_state", "حالة المراجعة", "Review state"),
    col("reviewed_by", "المراجِع", "Reviewed by"),
    col("resolutions", "القرارات", "Resolutions"),
    col("conflicts", "التعارضات", "Conflicts"),
    col("valid", "صالح", "Valid"),
    col("violations", "المخالفات", "Violations"),
    col("notes", "ملاحظات", "Notes"),
];

/// One cell as read from a record, before a format writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value.
    Empty,
    /// Text, exactly as stored.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A decimal number.
    Number(f64),
    /// Yes/no.
    Bool(bool),
}

impl Cell {
    fn text(text: &str) -> Self {
        Self::Text(text.to_owned())
    }

    fn opt_text(text: Option<&str>) -> Self {
        text.map_or(Self::Empty, Self::text)
    }

    fn opt_number(number: Option<f64>) -> Self {
        number.map_or(Self::Empty, Self::Number)
    }
}

impl From<&FieldValue> for Cell {
    fn from(value: &FieldValue) -> Self {
        match value {
            FieldValue::Bool(b) => Self::Bool(*b),
            FieldValue::Int(i) => Self::Int(*i),
            FieldValue::Decimal(d) => Self::Number(*d),
            FieldValue::Text(t) => Self::text(t),
        }
    }
}

/// A column after the fixed ones: a field's value, or a `datetime` field's instant in UTC.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldColumn {
    /// The form field (from the newest form version that has it).
    pub field: &'static FormField,
    /// True for the `NAME_utc` column beside a `datetime` field.
    pub utc: bool,
}

impl FieldColumn {
    /// The machine name: the field name, or `NAME_utc`.
    pub fn name(&self) -> String {
        if self.utc {
            format!("{}_utc", self.field.name)
        } else {
            self.field.name.clone()
        }
    }

    /// The header in `lang`: the field's label, with ` (UTC)` for the UTC column.
    pub fn label(&self, lang: Lang) -> String {
        let label = match lang {
            Lang::Ar => &self.field.label_ar,
            Lang::En => &self.field.label_en,
        };
        if self.utc {
            format!("{label} (UTC)")
        } else {
            label.clone()
        }
    }

    /// The cell of `check` in this column: its value as stored (numbers as numbers), or
    /// for the UTC column the instant as RFC 3339 text in UTC (empty if it does not read).
    pub fn cell(&self, check: &Check) -> Cell {
        match check.fields.get(&self.field.name) {
            None => Cell::Empty,
            Some(value) if self.utc => utc_cell(value),
            Some(value) => Cell::from(value),
        }
    }
}

/// A datetime value's instant in UTC (`2026-03-28T20:45:00Z`), or empty if it does not read.
fn utc_cell(value: &FieldValue) -> Cell {
    match value {
        FieldValue::Text(t) => crate::input::parse_datetime(t)
            .map(|at| Cell::Text(at.utc().to_string()))
            .unwrap_or(Cell::Empty),
        _ => Cell::Empty,
    }
}

/// The fields of every version of `kind`'s form: the newest version's in its order, then
/// fields only older versions have (so checks made with an older version lose nothing).
pub fn kind_fields(kind: FacilityKind) -> Vec<&'static FormField> {
    let mut fields: Vec<&'static FormField> = Vec::new();
    for form in Forms::builtin().kind_versions(kind).iter().rev() {
        for field in &form.fields {
            if !fields.iter().any(|f| f.name == field.name) {
                fields.push(field);
            }
        }
    }
    fields
}

/// The field columns of `fields`, each `datetime` field followed by its UTC column.
fn columns_of(fields: impl IntoIterator<Item = &'static FormField>) -> Vec<FieldColumn> {
    let mut out = Vec::new();
    for field in fields {
        out.push(FieldColumn { field, utc: false });
        if field.field_type == FieldType::Datetime {
            out.push(FieldColumn { field, utc: true });
        }
    }
    out
}

/// The field columns of one kind's sheet ([`kind_fields`]).
pub fn kind_columns(kind: FacilityKind) -> Vec<FieldColumn> {
    columns_of(kind_fields(kind))
}

/// The field columns of the CSV, which holds every kind: every field name of every kind
/// ([`kind_fields`], kinds in [`FacilityKind::ALL`] order) without repeats.
pub fn field_columns() -> Vec<FieldColumn> {
    let mut fields: Vec<&'static FormField> = Vec::new();
    for kind in FacilityKind::ALL {
        for field in kind_fields(kind) {
            if !fields.iter().any(|f| f.name == field.name) {
                fields.push(field);
            }
        }
    }
    columns_of(fields)
}

/// The cells of the [`FIXED`] columns for `record`, in order.
pub fn fixed_cells(record: &CheckRecord) -> [Cell; 19] {
    let c = &record.check;
    [
        Cell::Text(c.id.to_string()),
        Cell::text(c.kind.as_str()),
        Cell::text(&c.form.id),
        Cell::Int(i64::from(c.form.version)),
        Cell::text(c.site.id.as_str()),
        Cell::text(&c.site.name_ar),
        Cell::opt_text(c.site.name_en.as_deref()),
        Cell::opt_number(c.site.lat),
        Cell::opt_number(c.site.lon),
        Cell::text(&c.inspector),
        Cell::Text(c.observed_at.to_string()),
        Cell::Text(c.observed_at.utc().to_string()),
        Cell::text(c.review.state.as_str()),
        Cell::opt_text(c.review.by.as_deref()),
        Cell::Text(resolutions_cell(&c.resolutions)),
        Cell::Int(record.conflicts.len() as i64),
        Cell::Bool(record.valid()),
        Cell::Text(violation_codes(record)),
        Cell::text(&c.notes),
    ]
}

/// Resolution numbers separated by `;` (`16;20`), so a CSV cell needs no quoting.
pub fn resolutions_cell(numbers: &[u16]) -> String {
    let text: Vec<String> = numbers.iter().map(u16::to_string).collect();
    text.join(";")
}

/// The violations as `field:code` separated by `; ` (the messages are in JSON exports).
pub fn violation_codes(record: &CheckRecord) -> String {
    let codes: Vec<String> = record
        .violations
        .iter()
        .map(|v| format!("{}:{}", v.field, v.rule.code()))
        .collect();
    codes.join("; ")
}
