//! Exports end to end: four checks recorded by an inspector, synced, one approved by a
//! supervisor; then every format from the supervisor's CLI and from the server's
//! `GET /api/v1/export`, each read back by a real reader (csv, calamine, geojson,
//! serde_json) and compared field by field with the checks as the server reads them,
//! Arabic text byte-exact. The checks are in `export_fixture.rs`; filters and refusals in
//! `export_filters.rs`.

use std::collections::BTreeMap;
use std::io::Cursor;

use anyhow::{Result, bail};
use calamine::{Data, Reader as _, Xlsx};
use fieldsync_schema::FacilityKind;
use fieldsync_schema::Lang;
use fieldsync_schema::export::columns::{FIXED, kind_columns};
use fieldsync_schema::export::text_cell;
use fieldsync_schema::export::xlsx::{sheet_header, sheet_name};
use serde_json::Value;

use crate::export_fixture::{Fixture, both, fixture};

fn check<'a>(fx: &'a Fixture, id: &str) -> &'a Value {
    &fx.details[id]["check"]
}

/// A JSON or NDJSON entry against the server's reading of the check.
fn same_as_source(fx: &Fixture, entry: &Value) {
    let id = entry["id"].as_str().expect("id");
    let detail = &fx.details[id];
    for key in [
        "kind",
        "form",
        "site",
        "inspector",
        "observed_at",
        "fields",
        "notes",
        "resolutions",
        "review",
    ] {
        assert_eq!(entry[key], detail["check"][key], "{id}: {key}");
    }
    assert_eq!(entry["valid"], detail["valid"], "{id}");
    // The server's detail leaves out an empty list.
    let violations = detail
        .get("violations")
        .cloned()
        .unwrap_or(Value::Array(Vec::new()));
    assert_eq!(entry["violations"], violations, "{id}");
}

#[test]
fn json_and_ndjson_carry_every_check_as_the_server_reads_it() -> Result<()> {
    let fx = fixture()?;
    for [cli, server] in [
        both(&fx, "json", &[], "en")?,
        both(&fx, "ndjson", &[], "en")?,
    ] {
        for bytes in [cli, server] {
            let entries: Vec<Value> = match serde_json::from_slice::<Vec<Value>>(&bytes) {
                Ok(array) => array,
                Err(_) => std::str::from_utf8(&bytes)?
                    .lines()
                    .map(serde_json::from_str)
                    .collect::<Result<_, _>>()?,
            };
            let ids: Vec<&str> = entries.iter().filter_map(|e| e["id"].as_str()).collect();
            assert_eq!(ids, fx.in_order());
            for entry in &entries {
                same_as_source(&fx, entry);
            }
        }
    }
    Ok(())
}

/// A field value as the CSV writes it.
fn csv_value(value: &Value) -> String {
    match value {
        Value::String(s) => text_cell(s),
        other => other.to_string(),
    }
}

#[test]
fn csv_rows_read_back_with_every_field_and_arabic_byte_exact() -> Result<()> {
    let fx = fixture()?;
    for bytes in both(&fx, "csv", &[], "en")? {
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM");
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let header = reader.headers()?.clone();
        let col = |name: &str| header.iter().position(|h| h == name).expect(name);
        let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
        assert_eq!(rows.len(), 4);
        for (row, id) in rows.iter().zip(fx.in_order()) {
            let c = check(&fx, &id);
            assert_eq!(&row[col("check_id")], id);
            assert_eq!(
                row[col("site_name_ar")].as_bytes(),
                text_cell(c["site"]["name_ar"].as_str().expect("name")).as_bytes()
            );
            assert_eq!(
                row[col("notes")].as_bytes(),
                text_cell(c["notes"].as_str().expect("notes")).as_bytes()
            );
            assert_eq!(
                &row[col("observed_at")],
                c["observed_at"].as_str().expect("time")
            );
            assert_eq!(
                &row[col("review_state")],
                c["review"]["state"].as_str().expect("state")
            );
            let links: Vec<String> = c["resolutions"]
                .as_array()
                .expect("links")
                .iter()
                .map(Value::to_string)
                .collect();
            assert_eq!(&row[col("resolutions")], links.join(";"));
            for (name, value) in c["fields"].as_object().expect("fields") {
                assert_eq!(&row[col(name)], csv_value(value), "{id}: {name}");
            }
        }
        let fuel = &rows[1];
        assert_eq!(
            &fuel[col("site_name_ar")],
            "'=كازية الفرات",
            "formula neutralised"
        );
        assert_eq!(&fuel[col("last_delivery_at_utc")], "2026-03-28T20:45:00Z");
        assert_eq!(&rows[3][col("observed_at_utc")], "2026-03-31T22:00:00Z");
    }
    Ok(())
}

/// A field value as XLSX stores it (empty text is an empty cell).
fn xlsx_value(value: &Value) -> Data {
    match value {
        Value::String(s) if s.is_empty() => Data::Empty,
        Value::Bool(b) => Data::Bool(*b),
        Value::Number(n) => Data::Float(n.as_f64().expect("number")),
        Value::String(s) => Data::String(s.clone()),
        other => panic!("unexpected value {other}"),
    }
}

fn read_xlsx(bytes: Vec<u8>, lang: Lang, fx: &Fixture) -> Result<()> {
    let mut book = Xlsx::new(Cursor::new(bytes))?;
    let names: Vec<&str> = FacilityKind::ALL
        .iter()
        .map(|k| sheet_name(*k, lang))
        .collect();
    assert_eq!(book.sheet_names(), names);
    let mut seen = Vec::new();
    for kind in FacilityKind::ALL {
        let range = book.worksheet_range(sheet_name(kind, lang))?;
        let mut rows = range.rows();
        let header: Vec<String> = rows
            .next()
            .expect("header")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(header, sheet_header(kind, lang), "{kind}");
        let columns = kind_columns(kind);
        for row in rows {
            let Data::String(id) = &row[0] else {
                panic!("{kind}: no id in {row:?}")
            };
            let c = check(fx, id);
            assert_eq!(c["kind"], kind.as_str());
            assert_eq!(
                row[5],
                Data::String(c["site"]["name_ar"].as_str().expect("name").to_owned()),
                "Arabic byte-exact"
            );
            assert_eq!(row[18], xlsx_value(&c["notes"]).clone(), "notes");
            for (name, value) in c["fields"].as_object().expect("fields") {
                let at = columns
                    .iter()
                    .position(|col| !col.utc && col.field.name == *name)
                    .expect(name);
                assert_eq!(row[FIXED.len() + at], xlsx_value(value), "{id}: {name}");
            }
            seen.push(id.clone());
        }
    }
    seen.sort();
    let mut all = fx.in_order();
    all.sort();
    assert_eq!(seen, all, "every check on its kind's sheet");
    Ok(())
}

#[test]
fn xlsx_has_a_sheet_per_kind_with_typed_cells_in_english_and_in_arabic() -> Result<()> {
    let fx = fixture()?;
    for (lang, code) in [(Lang::En, "en"), (Lang::Ar, "ar")] {
        for bytes in both(&fx, "xlsx", &[], code)? {
            read_xlsx(bytes, lang, &fx)?;
        }
    }
    Ok(())
}

#[test]
fn geojson_has_a_point_per_located_check_and_counts_the_rest() -> Result<()> {
    let fx = fixture()?;
    let stderr = fx.sara.run(&["export", "--format", "geojson"])?.stderr;
    assert!(String::from_utf8_lossy(&stderr).contains(
        "checks without a location (no site coordinates, no location field), not in the GeoJSON: 1"
    ));
    for bytes in both(&fx, "geojson", &[], "en")? {
        let geojson: geojson::GeoJson = std::str::from_utf8(&bytes)?.parse()?;
        let geojson::GeoJson::FeatureCollection(fc) = geojson else {
            bail!("not a collection")
        };
        assert_eq!(fc.foreign_members.expect("members")["without_location"], 1);
        let mut points = BTreeMap::new();
        for feature in &fc.features {
            let props = feature.properties.as_ref().expect("properties");
            let id = props["id"].as_str().expect("id");
            let c = check(&fx, id);
            assert_eq!(
                props["site_name_ar"], c["site"]["name_ar"],
                "Arabic byte-exact"
            );
            assert_eq!(props["notes"], c["notes"]);
            assert_eq!(props["review_state"], c["review"]["state"]);
            assert_eq!(props["resolutions"], c["resolutions"]);
            for (name, value) in c["fields"].as_object().expect("fields") {
                assert_eq!(&props[name], value, "{id}: {name}");
            }
            let geometry = feature.geometry.as_ref().expect("geometry");
            let geojson::GeometryValue::Point { coordinates } = &geometry.value else {
                bail!("not a point")
            };
            points.insert(
                id.to_owned(),
                (
                    coordinates.as_slice().to_vec(),
                    props["location_source"].clone(),
                ),
            );
        }
        let expected = BTreeMap::from([
            (fx.id("bakery"), (vec![40.14, 35.336], Value::from("site"))),
            (fx.id("mill"), (vec![40.92, 34.45], Value::from("site"))),
            (
                fx.id("water"),
                (vec![40.12, 35.33], Value::from("field:location")),
            ),
        ]);
        assert_eq!(points, expected, "the fuel station has no location");
    }
    Ok(())
}
