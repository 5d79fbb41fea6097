//! Tests of [`super`]: the forms module.
use super::*;

#[test]
fn builtin_forms_load() {
    let forms = Forms::builtin();
    for kind in FacilityKind::ALL {
        assert_eq!(forms.for_kind(kind).kind, kind);
    }
}

#[test]
fn parses_values_as_typed() {
    let bakery = Forms::builtin().for_kind(FacilityKind::Bakery);
    let cases = [
        ("operating", "نعم", FieldValue::Bool(true)),
        ("operating", "false", FieldValue::Bool(false)),
        ("bread_price_syp", "١٢٥٠", FieldValue::Int(1250)),
        ("bread_price_syp", " 1٬250 ", FieldValue::Int(1250)),
    ];
    for (field, raw, want) in cases {
        assert_eq!(bakery.parse_value(field, raw), Ok(want), "{field}={raw}");
    }
    let water = Forms::builtin().for_kind(FacilityKind::WaterStation);
    assert_eq!(
        water.parse_value("output_m3h", "12٫5"),
        Ok(FieldValue::Decimal(12.5))
    );
    assert_eq!(
        water.parse_value("maintenance_status", "قيد التنفيذ"),
        Ok(FieldValue::Text("in_progress".into()))
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
    let bakery = Forms::builtin().for_kind(FacilityKind::Bakery);
    let cases = [
        ("bread_price_syp", "cheap", "is not a whole number"),
        ("bread_price_syp", "-5", "below the minimum"),
        ("operating", "maybe", "is not yes/no"),
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

#[test]
fn broken_definitions_are_refused() {
    let dup = "id='x'\nversion=1\nkind='bakery'\nlabel_ar='a'\nlabel_en='a'\n[[field]]\nname='a'\ntype='text'\nlabel_ar='a'\nlabel_en='a'\n[[field]]\nname='a'\ntype='text'\nlabel_ar='a'\nlabel_en='a'\n";
    let err = Forms::load([("dup.toml", dup)]).unwrap_err().to_string();
    assert!(
        err.contains("dup.toml") && err.contains("defined twice"),
        "{err}"
    );
}
