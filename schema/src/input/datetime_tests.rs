//! Tests of [`super`]: date-times with offsets as typed.
use super::*;

/// (typed, RFC 3339 shown, offset seconds, UTC instant)
const ACCEPTED: &[(&str, &str, i32, &str)] = &[
    (
        "2026-03-29T02:30+05:45",
        "2026-03-29T02:30:00+05:45",
        20_700,
        "2026-03-28T20:45:00Z",
    ),
    (
        "2026-03-29T02:30:15+03:00",
        "2026-03-29T02:30:15+03:00",
        10_800,
        "2026-03-28T23:30:15Z",
    ),
    (
        "2026-03-29T02:30+03",
        "2026-03-29T02:30:00+03:00",
        10_800,
        "2026-03-28T23:30:00Z",
    ),
    (
        "2026-03-29T02:30Z",
        "2026-03-29T02:30:00+00:00",
        0,
        "2026-03-29T02:30:00Z",
    ),
    (
        "2026-03-29t02:30z",
        "2026-03-29T02:30:00+00:00",
        0,
        "2026-03-29T02:30:00Z",
    ),
    (
        "2026-03-29T02:30-03:30",
        "2026-03-29T02:30:00-03:30",
        -12_600,
        "2026-03-29T06:00:00Z",
    ),
    (
        "2026-03-29T02:30−03:30",
        "2026-03-29T02:30:00-03:30",
        -12_600,
        "2026-03-29T06:00:00Z",
    ),
    (
        "2026-03-29 02:30+03:00",
        "2026-03-29T02:30:00+03:00",
        10_800,
        "2026-03-28T23:30:00Z",
    ),
    (
        " 2026-03-29  02:30   +03:00 ",
        "2026-03-29T02:30:00+03:00",
        10_800,
        "2026-03-28T23:30:00Z",
    ),
    (
        "2026-03-29T02:30 Z",
        "2026-03-29T02:30:00+00:00",
        0,
        "2026-03-29T02:30:00Z",
    ),
    (
        "٢٠٢٦-٠٣-٢٩T٠٢:٣٠+٠٣:٠٠",
        "2026-03-29T02:30:00+03:00",
        10_800,
        "2026-03-28T23:30:00Z",
    ),
    (
        "۲۰۲۶-۰۳-۲۹ ۰۲:۳۰+۰۳",
        "2026-03-29T02:30:00+03:00",
        10_800,
        "2026-03-28T23:30:00Z",
    ),
    (
        "\u{200f}٢٠٢٦-٠٣-٢٩ ٠٢:٣٠\u{200e}+٠٥:٤٥\u{200f}",
        "2026-03-29T02:30:00+05:45",
        20_700,
        "2026-03-28T20:45:00Z",
    ),
    (
        "29/3/2026 02:30 +03:00",
        "2026-03-29T02:30:00+03:00",
        10_800,
        "2026-03-28T23:30:00Z",
    ),
    (
        "٢٩/٠٣/٢٠٢٦ ٠٢:٣٠:٠٠+٠٣",
        "2026-03-29T02:30:00+03:00",
        10_800,
        "2026-03-28T23:30:00Z",
    ),
    (
        "2026/03/29 02:30Z",
        "2026-03-29T02:30:00+00:00",
        0,
        "2026-03-29T02:30:00Z",
    ),
    (
        "2026-03-29T02:30:00+03:00[Asia/Damascus]",
        "2026-03-29T02:30:00+03:00",
        10_800,
        "2026-03-28T23:30:00Z",
    ),
];

#[test]
fn every_offset_form_keeps_the_offset_and_the_instant() {
    for (raw, shown, offset, utc) in ACCEPTED {
        let t = parse_datetime(raw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.to_string(), *shown, "{raw:?}");
        assert_eq!(t.offset().seconds(), *offset, "{raw:?}");
        assert_eq!(t.utc().to_string(), *utc, "{raw:?}");
        assert_eq!(t.local().date(), jiff::civil::date(2026, 3, 29), "{raw:?}");
        assert_eq!(parse_datetime(shown), Ok(t), "{raw:?} round trip");
        assert_eq!(raw.parse::<ObservedAt>(), Ok(t), "ObservedAt {raw:?}");
    }
}

#[test]
fn the_local_date_never_shifts_to_utc() {
    let t = parse_datetime("2026-03-29T23:30-05:00").expect("valid");
    assert_eq!(t.local(), jiff::civil::datetime(2026, 3, 29, 23, 30, 0, 0));
    assert_eq!(t.utc().to_string(), "2026-03-30T04:30:00Z");
    let t = parse_datetime("2026-03-29T00:15+05:45").expect("valid");
    assert_eq!(t.local().date(), jiff::civil::date(2026, 3, 29));
    assert_eq!(t.utc().to_string(), "2026-03-28T18:30:00Z");
}

#[test]
fn refusals_name_the_value_and_the_rule() {
    let rule = |raw: &str| parse_datetime(raw).expect_err(raw).rule;
    assert_eq!(rule("2026-03-29T10:15"), DateTimeRule::NoOffset);
    assert_eq!(rule("٢٠٢٦-٠٣-٢٩ ١٠:١٥"), DateTimeRule::NoOffset);
    assert_eq!(
        rule("2026-03-29T10:15[Asia/Damascus]"),
        DateTimeRule::NoOffset
    );
    assert_eq!(rule("2026-03-29"), DateTimeRule::NoTime);
    assert_eq!(rule("29/3/2026"), DateTimeRule::NoTime);
    assert_eq!(rule("29/3/2026 10:15"), DateTimeRule::NoOffset);
    assert_eq!(
        rule("31/2/2026 10:15+03:00"),
        DateTimeRule::Date(DateRule::NoSuchDay {
            day: 31,
            month: 2,
            year: 2026,
            days_in_month: 28
        })
    );
    assert_eq!(
        rule("29 March 2026 10:15+03:00"),
        DateTimeRule::Date(DateRule::Shape)
    );
    assert_eq!(
        rule("8/8/14 10:15+03:00"),
        DateTimeRule::Date(DateRule::TwoDigitYear(14))
    );
    assert_eq!(rule(""), DateTimeRule::Empty);
    assert_eq!(rule("\u{200f} "), DateTimeRule::Empty);
    assert_eq!(rule("9999-12-31T23:59-05:00"), DateTimeRule::OutOfRange);
    for raw in [
        "yesterday",
        "Tuesday 10:15+03:00",
        "2026-02-30T10:00+03:00",
        "2026-03-29T24:30+03:00",
        "2026-03-29T10:15+3",
        "2026-03-29T10:15+03:00 extra",
    ] {
        assert!(
            matches!(rule(raw), DateTimeRule::Syntax(_)),
            "{raw:?}: {:?}",
            rule(raw)
        );
    }
}

#[test]
fn messages_say_how_to_fix_it() {
    let err = parse_datetime("2026-03-29T10:15").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(r#""2026-03-29T10:15" is not a date-time: no UTC offset: add one"#),
        "{msg}"
    );
    assert!(msg.contains("+03:00"), "{msg}");
    assert_eq!(err.message(Lang::En), msg);
    assert!(
        err.message(Lang::Ar).contains("+03:00"),
        "{}",
        err.message(Lang::Ar)
    );
    let msg = "2026-03-29T10:15"
        .parse::<ObservedAt>()
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("no UTC offset: add one such as +03:00"),
        "{msg}"
    );
    let msg = parse_datetime("yesterday").unwrap_err().to_string();
    assert!(
        msg.starts_with(
            r#""yesterday" is not a date-time: expected a form like 2026-03-29T10:15+03:00 ("#
        ),
        "{msg}"
    );
}

#[test]
fn observed_at_reads_typed_forms_and_stores_rfc3339() {
    let t: ObservedAt = serde_json::from_str(r#""٢٠٢٦-٠٣-٢٩ ١٠:١٥+٠٣""#).expect("valid");
    assert_eq!(
        serde_json::to_string(&t).expect("serialises"),
        r#""2026-03-29T10:15:00+03:00""#
    );
}
