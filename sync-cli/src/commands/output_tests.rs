//! Command tests of what users read: exports (CSV, JSON) and listings, offline.

use fieldsync_schema::Role;

use super::record::Record;
use super::*;
use crate::test_support::{bakery, new_store};

#[test]
fn csv_export_has_a_bom_and_parses_back_with_arabic_byte_exact() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let late = Record {
        observed_at: Some("2026-03-29T12:00:00+03:00".into()),
        ..bakery(&[
            "bread_price_syp=1250",
            "operating=yes",
            "bread_price_official_syp=1000",
            "licence_valid=no",
        ])
    };
    let late = late.record(&mut store).expect("late");
    // Earlier in UTC although its local time reads later.
    let early = Record {
        kind: "water_station".into(),
        site_name: "محطة مياه الجورة".into(),
        site_name_en: None,
        lat: None,
        lon: None,
        observed_at: Some("2026-03-29T11:00:00+05:00".into()),
        set: vec!["operating=true".into(), "output_m3h=12٫5".into()],
        ..bakery(&[])
    };
    let early = early.record(&mut store).expect("early");
    let checks = store.db().checks().expect("checks").readable;
    let bytes = crate::export::to_csv(&checks).expect("csv");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM first");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header = reader.headers().expect("header").clone();
    let fixed: Vec<&str> = header
        .iter()
        .take(crate::export::fixed_columns().len())
        .collect();
    assert_eq!(fixed, crate::export::fixed_columns());
    let n = fixed.len();
    assert_eq!(&header[n], "operating");
    assert_eq!(header.len(), n + crate::export::field_columns().len());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][col("check_id")], early.to_string());
    assert_eq!(&rows[1][col("check_id")], late.to_string());
    assert_eq!(
        rows[0][col("site_name_ar")].as_bytes(),
        "محطة مياه الجورة".as_bytes()
    );
    assert_eq!(
        rows[1][col("site_name_ar")].as_bytes(),
        "مخبز الأمل".as_bytes()
    );
    assert_eq!(&rows[0][col("observed_at")], "2026-03-29T11:00:00+05:00");
    assert_eq!(&rows[0][col("observed_at_utc")], "2026-03-29T06:00:00Z");
    assert_eq!(&rows[0][col("output_m3h")], "12.5");
    assert_eq!(&rows[0][col("latitude")], "");
    assert_eq!(&rows[1][col("bread_price_syp")], "1250");
    assert_eq!(&rows[1][col("operating")], "true");
    assert_eq!(&rows[1][col("resolutions")], "20;29");
    assert_eq!(&rows[1][col("valid")], "true");
    assert_eq!(&rows[1][col("review_state")], "received");

    let json: serde_json::Value =
        serde_json::from_slice(&crate::export::to_json(&checks).expect("json")).expect("parse");
    assert_eq!(json[1]["site"]["name_ar"], "مخبز الأمل");
    assert_eq!(json[1]["conflicts"], serde_json::json!([]));
}

#[test]
fn csv_text_cells_cannot_run_as_formulas_and_numbers_stay_numbers() {
    let (_home, mut store) = new_store("@ana", Role::Inspector);
    let formula = Record {
        site_id: "+SYR-1".into(),
        site_name: r#"=HYPERLINK("x")"#.into(),
        site_name_en: Some("-minus".into()),
        lat: Some(-35.5),
        lon: Some(-40.0),
        notes: Some("\tindented".into()),
        ..bakery(&["bread_price_syp=1250"])
    };
    formula.record(&mut store).expect("record");
    let other = Record {
        kind: "other".into(),
        site_name: "مخبز الأمل".into(),
        site_name_en: None,
        observed_at: Some("2026-03-30T10:15:00+03:00".into()),
        notes: Some("\rcarriage".into()),
        set: vec!["operating=yes".into(), "description=@SUM(A1)".into()],
        ..bakery(&[])
    };
    other.record(&mut store).expect("record");
    let checks = store.db().checks().expect("checks").readable;
    let bytes = crate::export::to_csv(&checks).expect("csv");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header = reader.headers().expect("header").clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let cases = [
        (0, "site_name_ar", r#"'=HYPERLINK("x")"#),
        (0, "site_name_en", "'-minus"),
        (0, "site_id", "'+SYR-1"),
        (0, "inspector", "'@ana"),
        (0, "notes", "'\tindented"),
        (0, "latitude", "-35.5"),
        (0, "longitude", "-40"),
        (0, "bread_price_syp", "1250"),
        (1, "site_name_ar", "مخبز الأمل"),
        (1, "notes", "'\rcarriage"),
        (1, "description", "'@SUM(A1)"),
    ];
    for (row, name, want) in cases {
        assert_eq!(rows[row][col(name)].as_bytes(), want.as_bytes(), "{name}");
    }
    for (text, want) in [("-5", "'-5"), ("5", "5"), ("a=b", "a=b"), ("", "")] {
        assert_eq!(crate::export::text_cell(text), want);
    }
}

#[test]
fn show_and_list_name_resolutions_and_kinds_in_arabic_then_english() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    bakery(&[
        "operating=no",
        "reason_closed=no_flour",
        "reserve_bakery=yes",
    ])
    .record(&mut store)
    .expect("record");
    let checks = store.db().checks().expect("checks").readable;
    let text = show::render(&checks[0], fieldsync_schema::Lang::En);
    let resolution = fieldsync_schema::Catalog::builtin()
        .get(16)
        .expect("resolution 16");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("16. "))
        .unwrap_or_else(|| panic!("no line for resolution 16 in\n{text}"));
    let first_word = resolution.text_ar.split_whitespace().next().expect("text");
    assert!(line.contains(first_word), "Arabic text first: {line}");
    assert!(
        line.ends_with(&format!(" / {}", resolution.title_en)),
        "English title last: {line}"
    );
    assert!(
        line.chars().count() < 80 + resolution.title_en.len(),
        "{line}"
    );

    let rows: Vec<list::ListRow> = checks.iter().map(list::ListRow::from).collect();
    let table = list::table(&rows, fieldsync_schema::Lang::Ar);
    for terminal in [true, false] {
        let text = crate::output::table_text(&table, terminal);
        assert!(text.contains("فرن / bakery"), "{text}");
    }
}

#[test]
fn without_a_terminal_tables_print_as_record_blocks_within_the_log_width() {
    let all = fieldsync_schema::Catalog::builtin().resolutions();
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let id = bakery(&["operating=yes"])
        .record(&mut store)
        .expect("record");
    let checks = store.db().checks().expect("checks").readable;
    let rows: Vec<list::ListRow> = checks.iter().map(list::ListRow::from).collect();
    let resolutions = crate::output::table_text(&resolutions::table(all), false);
    let list = crate::output::table_text(&list::table(&rows, fieldsync_schema::Lang::Ar), false);
    for text in [&resolutions, &list] {
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(
            widest <= crate::output::LOG_WIDTH,
            "{widest} columns:\n{text}"
        );
        assert!(!text.contains('│'), "no table borders in a log:\n{text}");
    }
    assert_eq!(resolutions.matches("رقم / no.: ").count(), all.len());
    let last = all.last().expect("resolutions");
    assert!(resolutions.contains(&format!("  العنوان / title: {}", last.title_en)));
    assert!(list.starts_with(&format!("المعرف: {id}\n")), "{list}");
    assert!(list.contains("\n  المزامنة: pending\n"), "{list}");
}

#[cfg(unix)]
#[test]
fn export_to_a_file_keeps_its_permissions_and_leaves_no_partial_file() {
    use std::os::unix::fs::PermissionsExt as _;

    use super::export::Export;
    use crate::export::Format;

    let (home, mut store) = new_store("sara", Role::Supervisor);
    bakery(&[]).record(&mut store).expect("record");
    drop(store);
    let out = home.path().join("checks.csv");
    std::fs::write(&out, "previous").expect("previous export");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    Export {
        format: Format::Csv,
        out: Some(out.clone()),
        filter: Default::default(),
    }
    .run(home.path(), fieldsync_schema::Lang::En)
    .expect("export");
    let mode = std::fs::metadata(&out)
        .expect("exported")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "a private export stays private");
    assert!(
        std::fs::read(&out)
            .expect("read")
            .starts_with(b"\xEF\xBB\xBF")
    );
    let leftovers: Vec<_> = std::fs::read_dir(home.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
