//! Tests of the streamed export: the same bytes as the in-memory export, in order, with
//! unreadable documents skipped.

use fieldsync_schema::{CheckDoc, CheckId, FacilityKind, Role};

use super::*;
use crate::commands::record::Record;
use crate::test_support::{bakery, new_store};

fn export(store: &Store, format: Format) -> (Vec<u8>, ExportSummary) {
    export_filtered(store, format, &RecordFilter::default())
}

fn export_filtered(
    store: &Store,
    format: Format,
    filter: &RecordFilter,
) -> (Vec<u8>, ExportSummary) {
    let mut out = Vec::new();
    let summary = export_to(store, format, filter, Lang::En, &mut out).expect("export");
    (out, summary)
}

#[test]
fn streamed_exports_are_byte_for_byte_the_in_memory_ones() {
    let (_home, mut store) = new_store("@ana", Role::Inspector);
    for format in [Format::Csv, Format::Json, Format::Ndjson, Format::Geojson] {
        let (bytes, summary) = export(&store, format);
        let want = match format {
            Format::Csv => to_csv(&[]).expect("csv"),
            other => to_bytes(&[], other).expect("empty"),
        };
        assert_eq!(bytes, want, "empty {format:?}");
        assert_eq!(summary, ExportSummary::default());
    }
    let records = [
        Record {
            site_name: r#"=HYPERLINK("x")"#.into(),
            notes: Some("سطر\nثانٍ".into()),
            ..bakery(&["bread_price_syp=1250", "operating=yes"])
        },
        Record {
            kind: "water_station".into(),
            observed_at: Some("2026-03-29T11:00:00+05:00".into()),
            set: vec!["operating=true".into(), "output_m3h=12٫5".into()],
            ..bakery(&[])
        },
        Record {
            kind: "other".into(),
            observed_at: Some("2026-03-30T00:00:00-07:00".into()),
            set: vec!["operating=yes".into(), "description=@SUM(A1)".into()],
            ..bakery(&[])
        },
    ];
    for record in &records {
        record.record(&mut store).expect("record");
    }
    let checks = store.db().checks().expect("checks").readable;
    let (csv, summary) = export(&store, Format::Csv);
    assert_eq!(csv, to_csv(&checks).expect("csv"));
    assert_eq!(summary.rows, 3);
    let (json, _) = export(&store, Format::Json);
    assert_eq!(
        String::from_utf8(json).expect("utf-8"),
        String::from_utf8(to_json(&checks).expect("json")).expect("utf-8")
    );
    assert!(String::from_utf8_lossy(&csv).contains(r#""'=HYPERLINK(""x"")""#));
}

#[test]
fn a_document_that_is_not_a_check_is_skipped_and_the_rest_exported_in_order() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let late = Record {
        observed_at: Some("2026-03-29T12:00:00+03:00".into()),
        ..bakery(&[])
    }
    .record(&mut store)
    .expect("late");
    let early = Record {
        observed_at: Some("2026-03-29T11:00:00+05:00".into()),
        ..bakery(&[])
    }
    .record(&mut store)
    .expect("early");
    let broken = CheckId::new();
    store
        .write(|db| db.save_synced(broken, &mut CheckDoc::empty(), "", &[]))
        .expect("store an empty document");
    for format in [Format::Csv, Format::Json] {
        let (bytes, summary) = export(&store, format);
        assert_eq!(summary.rows, 2, "{format:?}");
        let [(id, reason)] = summary.unreadable.as_slice() else {
            panic!("one unreadable document expected: {summary:?}")
        };
        assert_eq!(id, &broken.to_string());
        assert!(reason.contains("corrupt"), "{reason}");
        let ids: Vec<String> = match format {
            Format::Csv => csv::Reader::from_reader(&bytes[BOM.len()..])
                .records()
                .map(|r| r.expect("row")[0].to_owned())
                .collect(),
            _ => serde_json::from_slice::<Vec<serde_json::Value>>(&bytes)
                .expect("json")
                .iter()
                .map(|c| c["id"].as_str().expect("id").to_owned())
                .collect(),
        };
        assert_eq!(ids, [early.to_string(), late.to_string()], "{format:?}");
    }
}

#[test]
fn a_datetime_field_is_exported_as_typed_and_in_utc_and_its_date_does_not_shift() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    Record {
        kind: "fuel_station".into(),
        set: vec![
            "operating=yes".into(),
            "last_delivery_at=2026-03-29T02:30+05:45".into(),
        ],
        ..bakery(&[])
    }
    .record(&mut store)
    .expect("record");
    let (csv, _) = export(&store, Format::Csv);
    let mut reader = csv::Reader::from_reader(&csv[BOM.len()..]);
    let header = reader.headers().expect("header").clone();
    let row = reader.records().next().expect("a row").expect("row");
    let col = |name: &str| {
        let i = header.iter().position(|h| h == name).expect(name);
        row[i].to_owned()
    };
    assert_eq!(col("last_delivery_at"), "2026-03-29T02:30:00+05:45");
    assert_eq!(col("last_delivery_at_utc"), "2026-03-28T20:45:00Z");
    let at = header
        .iter()
        .position(|h| h == "last_delivery_at")
        .expect("col");
    assert_eq!(
        header.get(at + 1),
        Some("last_delivery_at_utc"),
        "side by side"
    );
}

#[test]
fn only_the_checks_the_filter_covers_are_exported() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let bakery_march = bakery(&[]).record(&mut store).expect("bakery");
    let water_april = Record {
        kind: "water_station".into(),
        observed_at: Some("2026-04-02T09:00:00+03:00".into()),
        set: vec!["operating=true".into()],
        ..bakery(&[])
    }
    .record(&mut store)
    .expect("water");
    let ids = |filter: RecordFilter| {
        let (bytes, summary) = export_filtered(&store, Format::Ndjson, &filter);
        let ids: Vec<String> = String::from_utf8(bytes)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json")["id"].to_string())
            .collect();
        assert_eq!(ids.len(), summary.rows);
        ids
    };
    let quoted = |id: CheckId| format!("\"{id}\"");
    assert_eq!(ids(RecordFilter::default()).len(), 2);
    let kind = RecordFilter {
        kind: Some(FacilityKind::WaterStation),
        ..Default::default()
    };
    assert_eq!(ids(kind), [quoted(water_april)]);
    let april = RecordFilter {
        since: Some("2026-04-01".parse().expect("date")),
        ..Default::default()
    };
    assert_eq!(ids(april), [quoted(water_april)]);
    let march = RecordFilter {
        until: Some("2026-03-31".parse().expect("date")),
        ..Default::default()
    };
    assert_eq!(ids(march), [quoted(bakery_march)]);
}
