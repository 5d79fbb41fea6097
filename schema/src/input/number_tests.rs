//! Tests of [`super`]: numbers as inspectors type them.
use proptest::prelude::*;

use super::*;
use crate::input::Lang;

fn whole(raw: &str) -> i64 {
    let parsed = parse_number(raw).unwrap_or_else(|e| panic!("{raw:?}: {e}"));
    assert_eq!(parsed.raw, raw, "raw kept for audit");
    parsed
        .as_i64()
        .unwrap_or_else(|| panic!("{raw:?} read as {:?}", parsed.value))
}

fn decimal(raw: &str) -> f64 {
    match parse_number(raw)
        .unwrap_or_else(|e| panic!("{raw:?}: {e}"))
        .value
    {
        Number::Decimal(d) => d,
        other => panic!("{raw:?} read as {other:?}, not a decimal"),
    }
}

#[test]
fn every_digit_system_and_grouping_gives_the_same_whole_number() {
    for raw in [
        "12000",
        "١٢٠٠٠",
        "۱۲۰۰۰",
        "١٢٬٠٠٠",
        "۱۲٬۰۰۰",
        "12٬000",
        "12,000",
        "12 000",
        "12\u{a0}000",
        "12\u{202f}000",
        " 12000 ",
        "\u{a0}١٢٠٠٠\u{a0}",
        "+12000",
        "+ 12000",
        "\u{200f}١٢٬٠٠٠\u{200f}",
        "\u{200e}12000",
        "\u{61c}١٢٠٠٠",
        "\u{202b}١٢٠٠٠\u{202c}",
        "\u{2067}١٢٬٠٠٠\u{2069}",
        "\u{202e}12000\u{202c}",
        "1\u{200f}2\u{200e}000",
        "١2٠0٠",
        "012000",
    ] {
        assert_eq!(whole(raw), 12_000, "{raw:?}");
    }
}

#[test]
fn signs() {
    for (raw, want) in [
        ("-5", -5),
        ("−5", -5),
        ("-٥", -5),
        ("+٥", 5),
        ("\u{200f}-١٬٥٠٠", -1500),
        ("-1,500", -1500),
        ("- 7", -7),
        ("-0", 0),
        ("-9223372036854775808", i64::MIN),
        ("9٬223٬372٬036٬854٬775٬807", i64::MAX),
    ] {
        assert_eq!(whole(raw), want, "{raw:?}");
    }
}

#[test]
fn every_decimal_separator_gives_the_same_decimal() {
    for (raw, want) in [
        ("12.5", 12.5),
        ("12,5", 12.5),
        ("١٢٫٥", 12.5),
        ("۱۲٫۵", 12.5),
        ("١٢.٥", 12.5),
        ("١٢,٥", 12.5),
        ("12،5", 12.5),
        ("\u{200f}١٢٫٥\u{200f}", 12.5),
        (" 12.50 ", 12.5),
        ("-12,5", -12.5),
        ("−١٢٫٥", -12.5),
        (".5", 0.5),
        ("٫٥", 0.5),
        ("-,5", -0.5),
        ("12.0", 12.0),
        ("1,250.5", 1250.5),
        ("1.250,5", 1250.5),
        ("1,250,000.75", 1_250_000.75),
        ("1.250.000,75", 1_250_000.75),
        ("١٬٢٥٠٫٥", 1250.5),
        ("1 250,5", 1250.5),
        ("1 250.5", 1250.5),
        ("1.500", 1.5),
    ] {
        assert_eq!(decimal(raw), want, "{raw:?}");
    }
}

#[test]
fn a_lone_comma_before_three_digits_groups_thousands_otherwise_it_is_decimal() {
    let read = |raw: &str| {
        let n = parse_number(raw).unwrap_or_else(|e| panic!("{e}"));
        (n.value, n.comma_read_as_grouping)
    };
    for (raw, want) in [
        ("1,500", (Number::Whole(1500), true)),
        ("١,٥٠٠", (Number::Whole(1500), true)),
        ("250,000", (Number::Whole(250_000), true)),
        ("1,250,000", (Number::Whole(1_250_000), false)),
        ("12,5", (Number::Decimal(12.5), false)),
        ("12,50", (Number::Decimal(12.5), false)),
        ("0,500", (Number::Decimal(0.5), false)),
        ("01,500", (Number::Decimal(1.5), false)),
        ("1234,567", (Number::Decimal(1234.567), false)),
        ("1,5000", (Number::Decimal(1.5), false)),
        ("1٬500", (Number::Whole(1500), false)),
        ("1٫500", (Number::Decimal(1.5), false)),
    ] {
        assert_eq!(read(raw), want, "{raw:?}");
    }
}

#[test]
fn refusals_name_the_value_and_the_rule() {
    use NumberRule::*;
    for (raw, rule) in [
        ("", Empty),
        ("   ", Empty),
        ("\u{200f}\u{a0}", Empty),
        ("-", NoDigits),
        ("٫", NoDigits),
        ("twelve", UnexpectedChar('t')),
        ("12kg", UnexpectedChar('k')),
        ("1e5", UnexpectedChar('e')),
        ("١٥٠٠ ل.س", UnexpectedChar('ل')),
        ("NaN", NotFinite),
        ("-inf", NotFinite),
        ("Infinity", NotFinite),
        ("12-", MisplacedSign),
        ("--5", MisplacedSign),
        ("+-5", MisplacedSign),
        ("12..5", TwoDecimalSeparators),
        ("1.2.3", TwoDecimalSeparators),
        ("١٫٢٫٣", TwoDecimalSeparators),
        ("1,2.5,6", TwoDecimalSeparators),
        ("1٬250.5", ArabicAndLatinSeparators),
        ("12٫5,0", ArabicAndLatinSeparators),
        ("1,250 000", MixedGrouping),
        ("1 250٬000", MixedGrouping),
        ("1٫250٬000", GroupingAfterDecimal),
        ("1,25,000", BadGrouping),
        ("1,,500", BadGrouping),
        ("1234٬567", BadGrouping),
        ("1,2,3", BadGrouping),
        ("12 5", BadGrouping),
        ("٬500", EdgeSeparator),
        ("1٬", EdgeSeparator),
        ("12.", EdgeSeparator),
        ("12٫", EdgeSeparator),
        ("9223372036854775808", TooLarge),
        ("-9٬223٬372٬036٬854٬775٬809", TooLarge),
    ] {
        let err = parse_number(raw).expect_err(raw);
        assert_eq!(
            err,
            NumberError {
                raw: raw.into(),
                rule
            },
            "{raw:?}"
        );
    }
    let too_big_decimal = format!("1{}.5", "0".repeat(400));
    assert_eq!(parse_number(&too_big_decimal).unwrap_err().rule, TooLarge);
}

#[test]
fn messages_quote_the_value_and_say_the_rule() {
    let err = parse_number("12..5").unwrap_err();
    assert_eq!(
        err.to_string(),
        r#""12..5" is not a number: two decimal separators"#
    );
    assert_eq!(err.message(Lang::En), err.to_string());
    assert_eq!(err.message(Lang::Ar), "«12..5» ليس رقماً: فاصلتان عشريتان");
    let err = parse_number("\u{200f}x").unwrap_err();
    assert_eq!(
        err.to_string(),
        r#""\u{200f}x" is not a number: 'x' is not a digit, sign or separator"#
    );
}

#[test]
fn canonical_display_is_ascii() {
    assert_eq!(Number::Whole(-1250).to_string(), "-1250");
    assert_eq!(
        parse_number("١٢٫٥٠").map(|n| n.value.to_string()),
        Ok("12.5".into())
    );
    assert_eq!(parse_number("١٢٫٥").map(|n| n.as_f64()), Ok(12.5));
    assert_eq!(parse_number("١٢").map(|n| n.as_f64()), Ok(12.0));
}

#[test]
fn comma_decimal_reading_for_values_never_in_the_thousands() {
    for (raw, want) in [
        ("1,500", 1.5),
        ("-1,005", -1.005),
        ("35,336", 35.336),
        ("12,5", 12.5),
        ("1,250,000", 1_250_000.0),
        ("1٬500", 1500.0),
        ("35.336", 35.336),
    ] {
        let n = parse_number(raw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n.comma_decimal_f64(), want, "{raw:?}");
    }
}

#[test]
fn whole_numbers_refuse_decimals() {
    assert_eq!(parse_whole("١٢٬٠٠٠"), Ok(12_000));
    let err = parse_whole("12٫0").unwrap_err();
    assert_eq!(err.rule, NumberRule::NotWhole);
    assert_eq!(
        err.to_string(),
        r#""12٫0" is not a number: it has a decimal part"#
    );
}

/// The form helpers in [`crate::forms`] delegate here, so forms and the CLI share the rules.
#[test]
fn form_fields_and_helpers_use_these_rules() {
    use crate::forms::{normalise_digits, parse_decimal};
    use crate::{FacilityKind, FieldValue, Forms};
    let bakery = Forms::builtin().for_kind(FacilityKind::Bakery);
    for raw in ["١٢٬٠٠٠", "12,000", "۱۲ ۰۰۰", "\u{200f}12000"] {
        let value = bakery.parse_value("bread_price_syp", raw);
        assert_eq!(value, Ok(FieldValue::Int(12_000)), "{raw:?}");
    }
    let msg = bakery.parse_value("bread_price_syp", "12.5").unwrap_err();
    assert!(
        msg.to_string().contains("\"bread_price_syp\"")
            && msg.to_string().contains("\"12.5\" is not a whole number"),
        "{msg}"
    );
    let water = Forms::builtin().for_kind(FacilityKind::WaterStation);
    let value = water.parse_value("output_m3h", "1,250.5");
    assert_eq!(value, Ok(FieldValue::Decimal(1250.5)));
    let msg = water.parse_value("output_m3h", "12..5").unwrap_err();
    assert!(msg.to_string().contains("\"12..5\" is not a"), "{msg}");
    assert_eq!(
        crate::input::parse_number("12..5").unwrap_err().to_string(),
        "\"12..5\" is not a number: two decimal separators"
    );
    assert_eq!(parse_decimal("35,33"), Some(35.33));
    assert_eq!(parse_decimal("35,336"), Some(35.336));
    assert_eq!(parse_decimal("-٣٥,٠٣٦"), Some(-35.036));
    assert_eq!(parse_decimal("1,250.5"), Some(1250.5));
    assert_eq!(parse_decimal("1e5"), None);
    assert_eq!(normalise_digits("\u{2067}١٬٢٣\u{2069}"), "123");
}

/// `text` with ASCII digits as Arabic-Indic (or Extended Arabic-Indic) and `.` as `٫`.
fn arabic(text: &str, extended: bool) -> String {
    let zero = if extended { '۰' } else { '٠' };
    text.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(zero as u32 + (c as u32 - '0' as u32)).unwrap_or(c),
            '.' => '٫',
            other => other,
        })
        .collect()
}

/// `n` grouped in thousands with `sep`: `-1٬250`.
fn grouped(n: i64, sep: char) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

proptest! {
    #[test]
    fn any_i64_in_arabic_digits_parses_back(n in any::<i64>(), extended in any::<bool>()) {
        for text in [n.to_string(), grouped(n, '٬'), grouped(n, ','), grouped(n, ' ')] {
            let typed = arabic(&text, extended);
            let parsed = parse_number(&typed).map(|p| p.value);
            prop_assert_eq!(parsed, Ok(Number::Whole(n)), "{}", typed);
        }
    }

    #[test]
    fn any_finite_f64_in_arabic_digits_with_arabic_decimal_parses_back(
        v in any::<f64>().prop_filter("finite", |v| v.is_finite()),
        extended in any::<bool>(),
    ) {
        let mut text = v.to_string();
        if !text.contains('.') {
            text.push_str(".0");
        }
        let typed = arabic(&text, extended);
        let parsed = parse_number(&typed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parsed.value, Number::Decimal(v), "{}", typed);
        prop_assert_eq!(parsed.as_f64().to_bits(), v.to_bits(), "{}", typed);
    }
}
