//! The typed view of stored values.

use jiff::civil::date;

use super::*;

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

#[test]
fn stored_values_read_as_their_type() {
    let choices = "choices = [{ value = 'a', label_ar = 'أ', label_en = 'A' }, { value = 'b', label_ar = 'ب', label_en = 'B' }]";
    let form = form_t(
        &[
            field("b", "boolean", ""),
            field("i", "integer", ""),
            field("d", "decimal", ""),
            field("one", "select_one", choices),
            field("many", "select_multiple", choices),
            field("t", "text", ""),
            field("day", "date", ""),
            field("at", "datetime", ""),
            field("p", "geopoint", ""),
            field("ph", "photo", ""),
        ]
        .concat(),
    );
    let at: crate::ObservedAt = "2026-03-29T10:15:00+03:00".parse().expect("time");
    let point = GeoPoint {
        lat: 35.336,
        lon: 40.14,
        altitude_m: Some(212.0),
        accuracy_m: Some(5.0),
    };
    let cases = [
        ("b", FieldValue::Bool(true), TypedValue::Bool(true)),
        ("i", FieldValue::Int(-3), TypedValue::Integer(-3)),
        ("d", FieldValue::Decimal(1.5), TypedValue::Decimal(1.5)),
        ("d", FieldValue::Int(2), TypedValue::Decimal(2.0)),
        ("one", text("b"), TypedValue::Choice("b".into())),
        (
            "many",
            text("a b"),
            TypedValue::Choices(vec!["a".into(), "b".into()]),
        ),
        ("t", text("نص"), TypedValue::Text("نص".into())),
        (
            "day",
            text("2026-03-29"),
            TypedValue::Date(date(2026, 3, 29)),
        ),
        (
            "at",
            text("2026-03-29T10:15:00+03:00"),
            TypedValue::Datetime(at),
        ),
        ("p", text("35.336 40.14 212 5"), TypedValue::Geopoint(point)),
        (
            "ph",
            text(&format!("sha256:{HASH}")),
            TypedValue::Photo(format!("sha256:{HASH}").parse().expect("hash")),
        ),
    ];
    for (name, stored, want) in cases {
        let field = form.field(name).expect(name);
        assert_eq!(field.interpret(&stored), Ok(want.clone()), "{name}");
        assert_eq!(want.to_string(), stored.to_string(), "{name}");
    }
    let d = form.field("d").expect("d");
    assert_eq!(
        d.interpret(&FieldValue::Decimal(f64::NAN))
            .map_err(|v| v.rule.code()),
        Err("type")
    );
}

#[test]
fn geopoints_round_trip_their_stored_shape() {
    let cases = [
        ("35.336 40.14", (35.336, 40.14, None, None)),
        ("-1 2 3", (-1.0, 2.0, Some(3.0), None)),
        ("0 0 0 4.5", (0.0, 0.0, Some(0.0), Some(4.5))),
    ];
    for (text, (lat, lon, altitude_m, accuracy_m)) in cases {
        let p: GeoPoint = text.parse().expect(text);
        assert_eq!(
            p,
            GeoPoint {
                lat,
                lon,
                altitude_m,
                accuracy_m
            }
        );
        assert_eq!(p.to_string(), text);
    }
    let no_altitude = GeoPoint {
        lat: 1.0,
        lon: 2.0,
        altitude_m: None,
        accuracy_m: Some(3.0),
    };
    assert_eq!(no_altitude.to_string(), "1 2 0 3");
    for bad in ["", "1", "1  2", "1,2", "1 2 3 4 5", "1 inf", "a b"] {
        assert!(bad.parse::<GeoPoint>().is_err(), "{bad:?}");
    }
}

#[test]
fn photo_references_are_sha256_hex() {
    let p: PhotoRef = format!("sha256:{HASH}").parse().expect("hash");
    assert_eq!(p.hex(), HASH);
    let json = serde_json::to_string(&p).expect("json");
    assert_eq!(json, format!("\"sha256:{HASH}\""));
    for bad in [
        HASH.to_owned(),
        format!("sha256:{}", &HASH[1..]),
        format!("sha256:{HASH}0"),
        format!("SHA256:{HASH}"),
    ] {
        assert!(bad.parse::<PhotoRef>().is_err(), "{bad}");
    }
}

#[test]
fn typed_view_of_a_check_skips_unknown_and_mistyped_values() {
    let bakery = Forms::builtin().get("bakery", 1).expect("v1");
    let fields = values(&[
        ("photo", text("sha256:nope")),
        ("operating", FieldValue::Bool(false)),
        ("colour", text("red")),
        ("reason_closed", text("no_fuel")),
    ]);
    let typed: Vec<(&str, TypedValue)> = bakery
        .typed(&fields)
        .into_iter()
        .map(|(f, v)| (f.name.as_str(), v))
        .collect();
    assert_eq!(
        typed,
        [
            ("operating", TypedValue::Bool(false)),
            ("reason_closed", TypedValue::Choice("no_fuel".into())),
        ]
    );
}
