//! The CSV read back by the csv crate: header, numbers, UTC columns, Arabic byte-exact,
//! formula-like text neutralised.

use super::*;
use crate::Lang;
use crate::export::tests::{encode, samples};
use crate::export::{ExportTotals, Format};

fn read(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(bytes.starts_with(BOM), "BOM first");
    let mut reader = ::csv::Reader::from_reader(&bytes[BOM.len()..]);
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[test]
fn an_empty_export_is_the_bom_and_the_header() {
    let (bytes, totals) = encode(Format::Csv, &[], Lang::En);
    let (header, rows) = read(&bytes);
    assert_eq!(header, super::header());
    assert!(rows.is_empty());
    assert_eq!(totals, ExportTotals::default());
}

#[test]
fn rows_read_back_with_numbers_utc_columns_and_arabic_byte_exact() {
    let records = samples();
    let (bytes, _) = encode(Format::Csv, &records, Lang::Ar);
    let (header, rows) = read(&bytes);
    assert_eq!(rows.len(), records.len());
    let at = |name: &str| header.iter().position(|h| h == name).expect(name);
    for (row, record) in rows.iter().zip(&records) {
        let c = &record.check;
        assert_eq!(row[at("check_id")], c.id.to_string());
        assert_eq!(row[at("kind")], c.kind.as_str());
        assert_eq!(row[at("observed_at")], "2026-03-29T10:15:00+03:00");
        assert_eq!(row[at("observed_at_utc")], "2026-03-29T07:15:00Z");
        assert_eq!(row.len(), header.len());
    }
    let bakery = &rows[0];
    assert_eq!(
        bakery[at("site_name_ar")],
        "'=مخبز \"الأمل\"",
        "formula neutralised"
    );
    assert_eq!(
        bakery[at("notes")],
        records[0].check.notes,
        "Arabic byte-exact"
    );
    assert_eq!(bakery[at("bread_price_syp")], "1250");
    assert_eq!(bakery[at("operating")], "true");
    assert_eq!(bakery[at("latitude")], "35.336");
    assert_eq!(bakery[at("resolutions")], "16;20");
    let fuel = &rows[1];
    assert_eq!(fuel[at("last_delivery_at")], "2026-03-29T02:30:00+05:45");
    assert_eq!(fuel[at("last_delivery_at_utc")], "2026-03-28T20:45:00Z");
    assert_eq!(at("last_delivery_at_utc"), at("last_delivery_at") + 1);
    assert_eq!(fuel[at("latitude")], "", "no site coordinates");
    assert_eq!(rows[2][at("flour_output_tonnes")], "12.5");
    assert_eq!(rows[3][at("description")], "ورشة -٣ @ليلاً", "not a formula");
}

#[test]
fn text_that_a_spreadsheet_would_run_gets_a_quote_and_nothing_else_changes() {
    for (text, want) in [
        ("=1+1", "'=1+1"),
        ("+963", "'+963"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("مخبز = فرن", "مخبز = فرن"),
        ("", ""),
    ] {
        assert_eq!(text_cell(text), want);
    }
}
