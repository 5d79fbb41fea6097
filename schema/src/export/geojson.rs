//! GeoJSON (RFC 7946): one `FeatureCollection`, one `Feature` (a `Point`) per check that has
//! a location, written a feature at a time.
//!
//! # Where a check is
//!
//! The site's coordinates when it has both (`site.lat`, `site.lon`): a site is where the
//! facility is, and every check of it should be on the same point. A check whose site has
//! none falls back to the first `geopoint` field of its form ([`kind_fields`] order) holding
//! a readable point, where the inspector's device put it. `location_source` says which
//! (`site` or `field:NAME`). A point outside -90..=90 / -180..=180 is no location.
//!
//! Checks without a location are not features; they are counted, and the count ends the
//! collection as the foreign member `"without_location": N` (RFC 7946 §6.1) and is returned
//! in [`ExportTotals::without_location`] for the caller to report.
//!
//! # Properties
//!
//! `id`, `kind`, `form_id`, `form_version`, `site_id`, `site_name_ar`, `site_name_en`,
//! `inspector`, `observed_at` (with the inspector's offset), `observed_at_utc`,
//! `review_state`, `reviewed_by`, `resolutions` (array of numbers), `conflicts` (count),
//! `valid`, `violations` (array of `field:code`), `notes`, `location_source`, then every
//! field value under its field name (numbers as numbers, a `datetime` field also as
//! `NAME_utc`), flat, so GIS tools show them as attribute columns. No form field is named
//! like a fixed property (a test keeps it so).

use std::io::Write;

use geojson::{Feature, Geometry, JsonObject, feature::Id};
use serde_json::{Value, json};

use super::columns::{Cell, FieldColumn, kind_columns, kind_fields, violation_codes};
use super::{ExportError, ExportTotals, RecordSink};
use crate::forms::{FieldType, GeoPoint};
use crate::{Check, CheckRecord, FacilityKind, FieldValue};

/// The property names written before the field values.
pub const FIXED_PROPERTIES: [&str; 18] = [
    "id",
    "kind",
    "form_id",
    "form_version",
    "site_id",
    "site_name_ar",
    "site_name_en",
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
    "location_source",
];

/// Where a check is: `(longitude, latitude, source)`, source `site` or `field:NAME`
/// (see the [module docs](self)).
pub fn location(check: &Check) -> Option<(f64, f64, String)> {
    let in_range =
        |lat: f64, lon: f64| (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
    if let (Some(lat), Some(lon)) = (check.site.lat, check.site.lon)
        && in_range(lat, lon)
    {
        return Some((lon, lat, "site".to_owned()));
    }
    kind_fields(check.kind)
        .into_iter()
        .filter(|f| f.field_type == FieldType::Geopoint)
        .find_map(|field| {
            let FieldValue::Text(text) = check.fields.get(&field.name)? else {
                return None;
            };
            let point: GeoPoint = text.parse().ok()?;
            in_range(point.lat, point.lon)
                .then(|| (point.lon, point.lat, format!("field:{}", field.name)))
        })
}

fn json_cell(cell: Cell) -> Value {
    match cell {
        Cell::Empty => Value::Null,
        Cell::Text(t) => Value::String(t),
        Cell::Int(i) => json!(i),
        Cell::Number(n) => json!(n),
        Cell::Bool(b) => Value::Bool(b),
    }
}

/// The properties of a located check.
fn properties(record: &CheckRecord, source: String, columns: &[FieldColumn]) -> JsonObject {
    let c = &record.check;
    let violations: Vec<String> = violation_codes(record)
        .split("; ")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let fixed = [
        json!(c.id.to_string()),
        json!(c.kind.as_str()),
        json!(c.form.id),
        json!(c.form.version),
        json!(c.site.id.as_str()),
        json!(c.site.name_ar),
        json!(c.site.name_en),
        json!(c.inspector),
        json!(c.observed_at.to_string()),
        json!(c.observed_at.utc().to_string()),
        json!(c.review.state.as_str()),
        json!(c.review.by),
        json!(c.resolutions),
        json!(record.conflicts.len()),
        json!(record.valid()),
        json!(violations),
        json!(c.notes),
        json!(source),
    ];
    let mut map: JsonObject = FIXED_PROPERTIES
        .iter()
        .map(|k| (*k).to_owned())
        .zip(fixed)
        .collect();
    for column in columns {
        let cell = column.cell(c);
        if cell != Cell::Empty {
            map.insert(column.name(), json_cell(cell));
        }
    }
    map
}

/// Writes a GeoJSON `FeatureCollection` to `W`, one feature per located check.
pub struct GeojsonEncoder<W: Write> {
    out: W,
    /// Field columns per kind, in [`FacilityKind::ALL`] order.
    columns: Vec<Vec<FieldColumn>>,
    totals: ExportTotals,
    features: usize,
}

impl<W: Write> GeojsonEncoder<W> {
    /// Writes the collection's opening to `out`.
    ///
    /// # Errors
    /// `out` cannot be written.
    pub fn new(mut out: W) -> Result<Self, ExportError> {
        out.write_all(br#"{"type":"FeatureCollection","features":["#)?;
        Ok(Self {
            out,
            columns: FacilityKind::ALL.into_iter().map(kind_columns).collect(),
            totals: ExportTotals::default(),
            features: 0,
        })
    }

    fn columns(&self, kind: FacilityKind) -> &[FieldColumn] {
        let index = FacilityKind::ALL.iter().position(|k| *k == kind);
        index.map_or(&[], |i| &self.columns[i])
    }
}

impl<W: Write> RecordSink for GeojsonEncoder<W> {
    fn push(&mut self, record: &CheckRecord) -> Result<(), ExportError> {
        self.totals.records += 1;
        let Some((lon, lat, source)) = location(&record.check) else {
            self.totals.without_location += 1;
            return Ok(());
        };
        let feature = Feature {
            bbox: None,
            geometry: Some(Geometry::new_point([lon, lat])),
            id: Some(Id::String(record.check.id.to_string())),
            properties: Some(properties(record, source, self.columns(record.check.kind))),
            foreign_members: None,
        };
        let lead: &[u8] = if self.features == 0 { b"\n" } else { b",\n" };
        self.out.write_all(lead)?;
        serde_json::to_writer(&mut self.out, &feature)?;
        self.features += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<ExportTotals, ExportError> {
        let n = self.totals.without_location;
        write!(self.out, "\n],\"without_location\":{n}}}\n")?;
        self.out.flush()?;
        Ok(self.totals)
    }
}

#[cfg(test)]
#[path = "geojson_tests.rs"]
mod tests;
