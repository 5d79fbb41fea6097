//! Format names, and the sample records the encoder tests share.

use std::collections::BTreeMap;

use automerge::ActorId;

use super::*;
use crate::document_tests::{author, form, new_bakery};
use crate::{CheckDoc, Conflict, FieldValue, Role};

/// A check read from a real document, then given `kind`, `fields` and site coordinates.
pub(crate) fn record(
    kind: FacilityKind,
    fields: &[(&str, FieldValue)],
    site: Option<(f64, f64)>,
) -> CheckRecord {
    let doc = CheckDoc::create(
        &new_bakery(),
        &form(),
        &author("ana", Role::Inspector),
        ActorId::random(),
    )
    .expect("create");
    let mut check = doc.read().expect("read");
    check.kind = kind;
    check.form = crate::Forms::builtin().current(kind).form_ref();
    check.fields = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect::<BTreeMap<_, _>>();
    check.site.lat = site.map(|s| s.0);
    check.site.lon = site.map(|s| s.1);
    CheckRecord::new(check, Vec::<Conflict>::new())
}

fn text(t: &str) -> FieldValue {
    FieldValue::Text(t.to_owned())
}

/// Three checks: an Arabic bakery at its site's coordinates (a formula-like site name, a
/// note over two lines, resolutions 16 and 20); a fuel station without site coordinates
/// but with a `location` field, a decimal and a datetime at +05:45; an `other` facility
/// with no location at all and a broken rule.
pub(crate) fn samples() -> Vec<CheckRecord> {
    let mut bakery = record(
        FacilityKind::Bakery,
        &[
            ("operating", FieldValue::Bool(true)),
            ("bread_price_syp", FieldValue::Int(1250)),
        ],
        Some((35.336, 40.14)),
    );
    bakery.check.site.name_ar = "=مخبز \"الأمل\"".into();
    bakery.check.notes = "سطر أول\nسطر ثانٍ، مع فاصلة".into();
    bakery.check.resolutions = vec![16, 20];
    let fuel = record(
        FacilityKind::FuelStation,
        &[
            ("operating", FieldValue::Bool(true)),
            ("last_delivery_at", text("2026-03-29T02:30:00+05:45")),
            ("location", text("35.95 39.01 210 5")),
        ],
        None,
    );
    let mill = record(
        FacilityKind::Mill,
        &[("flour_output_tonnes", FieldValue::Decimal(12.5))],
        Some((35.5, 40.5)),
    );
    let other = record(
        FacilityKind::Other,
        &[("description", text("ورشة -٣ @ليلاً"))],
        None,
    );
    vec![bakery, fuel, mill, other]
}

/// Every format's output for `records` (XLSX in English, all sheets).
pub(crate) fn encode(
    format: Format,
    records: &[CheckRecord],
    lang: Lang,
) -> (Vec<u8>, ExportTotals) {
    let mut out = Vec::new();
    let mut sink = encoder(format, &mut out, lang, &RecordFilter::default()).expect("encoder");
    for r in records {
        sink.push(r).expect("push");
    }
    let totals = sink.finish().expect("finish");
    drop(sink);
    (out, totals)
}

#[test]
fn format_names_round_trip_and_unknown_ones_are_named() {
    for format in Format::ALL {
        assert_eq!(format.as_str().parse::<Format>(), Ok(format));
        assert_eq!(
            format.to_string().to_uppercase().parse::<Format>(),
            Ok(format)
        );
    }
    let err = "xls".parse::<Format>().expect_err("xls");
    let text = err.to_string();
    assert!(
        text.contains("\"xls\"") && text.contains("ndjson"),
        "{text}"
    );
}

#[test]
fn every_format_counts_what_it_was_given() {
    let records = samples();
    for format in Format::ALL {
        let (bytes, totals) = encode(format, &records, Lang::En);
        assert!(!bytes.is_empty(), "{format}");
        assert_eq!(totals.records, records.len(), "{format}");
        let without = if format == Format::Geojson { 1 } else { 0 };
        assert_eq!(totals.without_location, without, "{format}");
    }
}

#[test]
fn an_xlsx_export_of_one_kind_refuses_another_kind() {
    let mut out = Vec::new();
    let filter = RecordFilter {
        kind: Some(FacilityKind::Silo),
        ..Default::default()
    };
    let mut sink = encoder(Format::Xlsx, &mut out, Lang::En, &filter).expect("encoder");
    let err = sink
        .push(&samples()[0])
        .expect_err("a bakery in a silo export");
    assert!(err.to_string().contains("bakery"), "{err}");
}
