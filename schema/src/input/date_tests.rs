//! Tests of [`super`]: calendar dates as typed.
use jiff::civil::date;

use super::*;

#[test]
fn iso_and_day_first_in_every_digit_system() {
    for (raw, want) in [
        ("2026-03-29", date(2026, 3, 29)),
        ("2026/03/29", date(2026, 3, 29)),
        ("2026.3.29", date(2026, 3, 29)),
        ("29/3/2026", date(2026, 3, 29)),
        ("29/03/2026", date(2026, 3, 29)),
        ("29-03-2026", date(2026, 3, 29)),
        ("29.03.2026", date(2026, 3, 29)),
        ("29؍3؍2026", date(2026, 3, 29)),
        ("8/8/2014", date(2014, 8, 8)),
        ("1/12/2025", date(2025, 12, 1)),
        ("12/1/2025", date(2025, 1, 12)),
        ("٢٩/٣/٢٠٢٦", date(2026, 3, 29)),
        ("۲۹/۳/۲۰۲۶", date(2026, 3, 29)),
        ("٢٠٢٦-٠٣-٢٩", date(2026, 3, 29)),
        ("\u{200f}٢٩/٠٣/٢٠٢٦\u{200f}", date(2026, 3, 29)),
        ("\u{2067}29/3/2026\u{2069}", date(2026, 3, 29)),
        ("  29/3/2026 ", date(2026, 3, 29)),
        ("29/2/2028", date(2028, 2, 29)),
        ("31/12/2025", date(2025, 12, 31)),
    ] {
        assert_eq!(parse_date(raw), Ok(want), "{raw:?}");
    }
}

#[test]
fn refusals_name_the_value_and_the_rule() {
    use DateRule::*;
    let no_day = |day, month, year, days_in_month| NoSuchDay {
        day,
        month,
        year,
        days_in_month,
    };
    for (raw, rule) in [
        ("", Empty),
        ("\u{200f}", Empty),
        ("31/2/2026", no_day(31, 2, 2026, 28)),
        ("29/2/2026", no_day(29, 2, 2026, 28)),
        ("31/4/2026", no_day(31, 4, 2026, 30)),
        ("2026-02-30", no_day(30, 2, 2026, 28)),
        ("0/3/2026", no_day(0, 3, 2026, 31)),
        ("3/29/2026", NoSuchMonth(29)),
        ("29/13/2026", NoSuchMonth(13)),
        ("29/0/2026", NoSuchMonth(0)),
        ("8/8/14", TwoDigitYear(14)),
        ("٨/٨/١٤", TwoDigitYear(14)),
        ("26-03-29", TwoDigitYear(29)),
        ("8/8/214", BadYear),
        ("8/8/20145", BadYear),
        ("29/03-2026", MixedSeparators),
        ("29.3/2026", MixedSeparators),
        ("29/3", Shape),
        ("20260329", Shape),
        ("29//2026", Shape),
        ("29/3/2026/1", Shape),
        ("129/3/2026", Shape),
        ("2026-03-29T10:00", UnexpectedChar('T')),
        ("29 آذار 2026", UnexpectedChar(' ')),
        ("yesterday", UnexpectedChar('y')),
    ] {
        let err = parse_date(raw).expect_err(raw);
        assert_eq!(
            err,
            DateError {
                raw: raw.into(),
                rule
            },
            "{raw:?}"
        );
    }
}

#[test]
fn messages_say_what_is_wrong() {
    for (raw, en, ar) in [
        (
            "31/2/2026",
            r#""31/2/2026" is not a date: February 2026 has no day 31 (it has 28 days)"#,
            "«31/2/2026» ليس تاريخاً: لا يوجد يوم 31 في شباط 2026 (فيه 28 يوماً)",
        ),
        (
            "8/8/14",
            r#""8/8/14" is not a date: the two-digit year 14 is ambiguous; write all four digits (2014 or 1914)"#,
            "«8/8/14» ليس تاريخاً: السنة 14 من رقمين غير واضحة؛ اكتب أربعة أرقام (2014 أو 1914)",
        ),
        (
            "3/29/2026",
            r#""3/29/2026" is not a date: there is no month 29; dates are day/month/year (29/3/2026)"#,
            "«3/29/2026» ليس تاريخاً: لا يوجد شهر 29؛ التاريخ يُكتب يوم/شهر/سنة (29/3/2026)",
        ),
    ] {
        let err = parse_date(raw).expect_err(raw);
        assert_eq!(err.to_string(), en);
        assert_eq!(err.message(Lang::En), en);
        assert_eq!(err.message(Lang::Ar), ar);
    }
}
