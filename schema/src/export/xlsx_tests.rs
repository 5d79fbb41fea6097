//! The XLSX read back by calamine: a sheet per kind, headers in the language, numbers as
//! numbers, Arabic byte-exact, right-to-left sheets in Arabic.

use std::io::{Cursor, Read as _};

use calamine::{Data, Reader as _, Xlsx};

use super::*;
use crate::export::Format;
use crate::export::tests::{encode, samples};

fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes)).expect("an XLSX calamine reads")
}

fn sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<Data>> {
    let range = book.worksheet_range(name).expect(name);
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(s: &str) -> Data {
    Data::String(s.to_owned())
}

#[test]
fn one_sheet_per_kind_with_its_fields_numbers_as_numbers_and_arabic_byte_exact() {
    let records = samples();
    let (bytes, _) = encode(Format::Xlsx, &records, Lang::En);
    let mut book = open(bytes);
    let names: Vec<&str> = FacilityKind::ALL.iter().map(|k| k.label_en()).collect();
    assert_eq!(book.sheet_names(), names);

    let rows = sheet(&mut book, "bakery");
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    assert_eq!(header, sheet_header(FacilityKind::Bakery, Lang::En));
    assert_eq!(rows.len(), 2, "header and one bakery");
    let at = |label: &str| header.iter().position(|h| h == label).expect(label);
    let bakery = &rows[1];
    let check = &records[0].check;
    assert_eq!(bakery[at("Check id")], text(&check.id.to_string()));
    assert_eq!(
        bakery[at("Site name (Arabic)")],
        text("=مخبز \"الأمل\""),
        "a string, not a formula"
    );
    assert_eq!(bakery[at("Notes")], text(&check.notes), "Arabic byte-exact");
    assert_eq!(bakery[at("Latitude")], Data::Float(35.336));
    assert_eq!(
        bakery[at("Form version")],
        Data::Float(f64::from(check.form.version))
    );
    assert_eq!(bakery[at("Observed at")], text("2026-03-29T10:15:00+03:00"));
    assert_eq!(
        bakery[at("Observed at (UTC)")],
        text("2026-03-29T07:15:00Z")
    );
    let price = FacilityKind::Bakery;
    let label = &crate::Forms::builtin()
        .current(price)
        .field("bread_price_syp")
        .expect("field")
        .label_en;
    assert_eq!(bakery[at(label)], Data::Float(1250.0));
    let operating = &crate::Forms::builtin()
        .current(price)
        .field("operating")
        .expect("field")
        .label_en;
    assert_eq!(bakery[at(operating)], Data::Bool(true));

    let fuel = sheet(&mut book, "fuel station");
    let header: Vec<String> = fuel[0].iter().map(ToString::to_string).collect();
    let form = crate::Forms::builtin().current(FacilityKind::FuelStation);
    let delivery = &form.field("last_delivery_at").expect("field").label_en;
    let i = header
        .iter()
        .position(|h| h == delivery)
        .expect("delivery column");
    assert_eq!(header[i + 1], format!("{delivery} (UTC)"));
    assert_eq!(fuel[1][i], text("2026-03-29T02:30:00+05:45"));
    assert_eq!(fuel[1][i + 1], text("2026-03-28T20:45:00Z"));

    let silo = sheet(&mut book, "silo");
    assert_eq!(silo.len(), 1, "a kind without checks still has its header");
}

/// The `<sheetView ...>` of every worksheet in the workbook, as the file has it.
fn sheet_views(bytes: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let names: Vec<String> = zip
        .file_names()
        .map(|n| n.expect("entry name").into_owned())
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
        .collect();
    names
        .iter()
        .map(|name| {
            let mut xml = String::new();
            zip.by_name(name)
                .expect(name)
                .read_to_string(&mut xml)
                .expect("xml");
            let start = xml.find("<sheetView ").expect("sheetView");
            let end = start + xml[start..].find('>').expect("end");
            xml[start..=end].to_owned()
        })
        .collect()
}

#[test]
fn arabic_exports_have_arabic_sheets_and_headers_right_to_left() {
    let records = samples();
    let (bytes, _) = encode(Format::Xlsx, &records, Lang::Ar);
    let views = sheet_views(&bytes);
    assert_eq!(views.len(), FacilityKind::ALL.len());
    assert!(
        views.iter().all(|v| v.contains("rightToLeft=\"1\"")),
        "{views:?}"
    );
    let mut book = open(bytes);
    let names: Vec<&str> = FacilityKind::ALL.iter().map(|k| k.label_ar()).collect();
    assert_eq!(book.sheet_names(), names);
    let rows = sheet(&mut book, "فرن");
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    assert_eq!(header, sheet_header(FacilityKind::Bakery, Lang::Ar));
    assert_eq!(header[0], "رقم التفقد");
    let notes = header.iter().position(|h| h == "ملاحظات").expect("notes");
    assert_eq!(rows[1][notes], text(&records[0].check.notes));

    let (english, _) = encode(Format::Xlsx, &records, Lang::En);
    assert!(
        sheet_views(&english)
            .iter()
            .all(|v| !v.contains("rightToLeft=\"1\""))
    );
}

#[test]
fn every_sheet_heads_each_column_differently_in_both_languages() {
    use crate::FacilityKind;
    use crate::export::columns::{FIXED, kind_columns};
    for kind in FacilityKind::ALL {
        for lang in [Lang::Ar, Lang::En] {
            let mut headers: Vec<String> = FIXED.iter().map(|c| c.label(lang).to_owned()).collect();
            headers.extend(kind_columns(kind).iter().map(|c| c.label(lang)));
            let mut seen = std::collections::BTreeSet::new();
            for header in &headers {
                assert!(seen.insert(header), "{kind} ({lang:?}): {header:?} twice");
            }
        }
    }
}
