//! Parsing raw input per field type: good values in their stored shape, bad ones refused
//! with the rule's code.

use super::*;

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// A test form with one field of every type.
fn every_type() -> Form {
    let choices = "choices = [\n  { value = 'grid', label_ar = 'الشبكة العامة', label_en = 'Public grid' },\n  { value = 'generator', label_ar = 'مولدة', label_en = 'Generator' },\n  { value = 'solar', label_ar = 'طاقة شمسية', label_en = 'Solar' },\n]";
    let fields = [
        field("b", "boolean", ""),
        field("i", "integer", "unit = 'kg'\nmin = 0"),
        field("d", "decimal", "unit = 'm3/h'"),
        field("one", "select_one", choices),
        field("many", "select_multiple", choices),
        field("t", "text", ""),
        field("day", "date", ""),
        field("at", "datetime", ""),
        field("p", "geopoint", ""),
        field("ph", "photo", ""),
    ];
    form_t(&fields.concat())
}

#[test]
fn every_type_parses_good_input_into_its_stored_shape() {
    let form = every_type();
    let cases = [
        ("b", "نعم", FieldValue::Bool(true)),
        ("b", " No ", FieldValue::Bool(false)),
        ("b", "١", FieldValue::Bool(true)),
        ("i", "١٢٥٠", FieldValue::Int(1250)),
        ("i", " 1٬250 ", FieldValue::Int(1250)),
        ("d", "12٫5", FieldValue::Decimal(12.5)),
        ("d", "-3,25", FieldValue::Decimal(-3.25)),
        ("d", "7", FieldValue::Decimal(7.0)),
        ("one", "solar", text("solar")),
        ("one", "مولدة", text("generator")),
        ("one", "public GRID", text("grid")),
        ("many", "solar grid", text("grid solar")),
        ("many", "طاقة شمسية، الشبكة العامة", text("grid solar")),
        ("many", "grid grid", text("grid")),
        ("t", "  الباب مغلق ", text("الباب مغلق")),
        ("day", "2026-03-29", text("2026-03-29")),
        ("day", "٢٠٢٦-٠٣-٢٩", text("2026-03-29")),
        (
            "at",
            "2026-03-29T10:15+03:00",
            text("2026-03-29T10:15:00+03:00"),
        ),
        ("at", "2026-03-29T07:15Z", text("2026-03-29T07:15:00+00:00")),
        ("p", "35.336 40.14", text("35.336 40.14")),
        ("p", "35.336, 40.14", text("35.336 40.14")),
        ("p", "٣٥٫٣٣٦ ٤٠٫١٤ ٢١٢ ٥", text("35.336 40.14 212 5")),
        ("p", "-90 180 0 0", text("-90 180 0 0")),
        (
            "ph",
            &format!("sha256:{HASH}"),
            text(&format!("sha256:{HASH}")),
        ),
        ("ph", &HASH.to_uppercase(), text(&format!("sha256:{HASH}"))),
    ];
    for (name, raw, want) in cases {
        assert_eq!(form.parse_value(name, raw), Ok(want), "{name} = {raw:?}");
    }
}

#[test]
fn every_type_refuses_bad_input_naming_the_rule() {
    let form = every_type();
    let cases = [
        ("b", "maybe", "type"),
        ("i", "cheap", "type"),
        ("i", "12.5", "type"),
        ("i", "-1", "min"),
        ("d", "NaN", "type"),
        ("d", "1e999", "type"),
        ("one", "wind", "choice"),
        ("many", "grid wind", "choice"),
        ("day", "31/02/2026", "type"),
        ("day", "2026-02-30", "type"),
        ("day", "2026-13-29", "type"),
        ("at", "2026-03-29T10:15", "type"),
        ("at", "2026-03-29", "type"),
        ("p", "35.336", "type"),
        ("p", "1 2 3 4 5", "type"),
        ("p", "north east", "type"),
        ("p", "95 40", "geopoint"),
        ("p", "35 -190", "geopoint"),
        ("p", "35 40 200 -5", "geopoint"),
        ("ph", "sha256:abc", "type"),
        ("ph", &"g".repeat(64), "type"),
        ("ph", &format!("md5:{HASH}"), "type"),
    ];
    for (name, raw, code) in cases {
        match form.parse_value(name, raw) {
            Err(FormError::Invalid(v)) => {
                assert_eq!((v.field.as_str(), v.rule.code()), (name, code), "{raw:?}");
                assert_eq!(v.value.as_deref(), Some(raw.trim()));
            }
            other => panic!("{name} = {raw:?}: {other:?}"),
        }
    }
}

#[test]
fn parsed_values_are_valid_stored_values() {
    let form = every_type();
    let inputs = [
        ("b", "نعم"),
        ("i", "٥"),
        ("d", "1,5"),
        ("one", "مولدة"),
        ("many", "solar,grid"),
        ("t", "x"),
        ("day", "2026-03-29"),
        ("at", "2026-03-29T10:15+03:00"),
        ("p", "35 40 1 2"),
        ("ph", HASH),
    ];
    let mut stored = BTreeMap::new();
    for (name, raw) in inputs {
        let value = form.parse_value(name, raw).expect(raw);
        // What parse stores reads back as its type, and parses again to itself.
        let typed = form.field(name).expect(name).interpret(&value).expect(raw);
        assert_eq!(typed.to_field_value(), value, "{name}");
        assert_eq!(
            form.parse_value(name, &value.to_string()),
            Ok(value.clone())
        );
        stored.insert(name.to_owned(), value);
    }
    assert_eq!(form.validate(&stored), vec![]);
}

#[test]
fn builtin_forms_parse_as_before() {
    let bakery = Forms::builtin().current(FacilityKind::Bakery);
    let cases = [
        ("operating", "نعم", FieldValue::Bool(true)),
        ("operating", "false", FieldValue::Bool(false)),
        ("bread_price_syp", "١٢٥٠", FieldValue::Int(1250)),
        ("bread_price_syp", " 1٬250 ", FieldValue::Int(1250)),
        ("manager_phone", "0944123456", text("0944123456")),
        ("manager_phone", "٠٩٤٤١٢٣٤٥٦", text("٠٩٤٤١٢٣٤٥٦")),
    ];
    for (field, raw, want) in cases {
        assert_eq!(bakery.parse_value(field, raw), Ok(want), "{field}={raw}");
    }
    let water = Forms::builtin().current(FacilityKind::WaterStation);
    assert_eq!(
        water.parse_value("output_m3h", "12٫5"),
        Ok(FieldValue::Decimal(12.5))
    );
    assert_eq!(
        water.parse_value("maintenance_status", "قيد التنفيذ"),
        Ok(text("in_progress"))
    );
}

#[test]
fn decimals_accept_arabic_digits_and_separators_but_not_nan_or_infinity() {
    let cases = [
        ("٣٥٫٣", Some(35.3)),
        ("-٣٥,٣", Some(-35.3)),
        ("۱۲.۵", Some(12.5)),
        (" 40 ", Some(40.0)),
        ("NaN", None),
        ("inf", None),
        ("-Infinity", None),
        ("1e999", None),
        ("twelve", None),
    ];
    for (raw, want) in cases {
        assert_eq!(parse_decimal(raw), want, "{raw:?}");
    }
}

#[test]
fn refusals_name_field_value_and_rule() {
    let bakery = Forms::builtin().current(FacilityKind::Bakery);
    let cases = [
        (
            "bread_price_syp",
            "cheap",
            "is not a whole number: 'c' is not a digit",
        ),
        // The parser's own reason follows the expected type.
        (
            "bread_price_syp",
            "99999999999999999999",
            "is not a whole number: it is too large",
        ),
        (
            "bread_price_syp",
            "12.5",
            "is not a whole number: it has a decimal part",
        ),
        (
            "bread_price_syp",
            "1,25,000",
            "thousands groups must have three digits",
        ),
        ("bread_price_syp", "-5", "below the minimum"),
        ("operating", "maybe", "is not yes/no"),
        ("manager_phone", "12345", "does not match the pattern"),
        ("hygiene", "dirty", "is not one of good, acceptable, poor"),
    ];
    for (field, raw, rule) in cases {
        let msg = bakery.parse_value(field, raw).unwrap_err().to_string();
        assert!(
            msg.contains(field) && msg.contains(raw) && msg.contains(rule),
            "{msg}"
        );
    }
    let msg = bakery.parse_value("colour", "red").unwrap_err().to_string();
    assert!(msg.contains("unknown field \"colour\""), "{msg}");
}
