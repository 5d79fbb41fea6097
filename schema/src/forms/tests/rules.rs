//! Whole-check validation: every rule, on stored values.

use super::*;

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// A small bakery-like test form exercising every rule.
fn rules_form() -> Form {
    let reasons = "choices = [\n  { value = 'no_flour', label_ar = 'نقص الطحين', label_en = 'No flour' },\n  { value = 'other', label_ar = 'آخر', label_en = 'Other' },\n]";
    let power = "choices = [\n  { value = 'grid', label_ar = 'الشبكة', label_en = 'Grid' },\n  { value = 'solar', label_ar = 'شمسية', label_en = 'Solar' },\n  { value = 'generator', label_ar = 'مولدة', label_en = 'Generator' },\n]";
    let fields = [
        field("operating", "boolean", "required = true"),
        field(
            "reason",
            "select_one",
            &format!("required = true\nrelevant = 'operating = false'\n{reasons}"),
        ),
        field(
            "reason_other",
            "text",
            "required = true\nrelevant = 'reason = other'",
        ),
        field(
            "price",
            "integer",
            "unit = 'SYP'\nmin = 100\nmax = 5000\nrelevant = 'operating = true'",
        ),
        field("complaint", "text", "relevant = 'price > 2000'"),
        field("chlorine", "decimal", "unit = 'mg/L'\nmin = 0.2\nmax = 5"),
        field(
            "power",
            "select_multiple",
            &format!("min = 1\nmax = 2\n{power}"),
        ),
        field("solar_panels", "integer", "relevant = 'power = solar'"),
        field("phone", "text", "regex = '09\\d{8}'"),
        field("note", "text", "min = 2\nmax = 5"),
        field("day", "date", ""),
        field("at", "datetime", ""),
        field("where", "geopoint", ""),
        field("photo", "photo", ""),
    ];
    form_t(&fields.concat())
}

#[test]
fn every_rule_reports_field_and_code() {
    let form = rules_form();
    let open = ("operating", FieldValue::Bool(true));
    let closed = ("operating", FieldValue::Bool(false));
    let cases: Vec<(Input, Codes)> = vec![
        (vec![open.clone()], vec![]),
        (vec![], vec![("operating", "required")]),
        // Relevant and required, missing or blank.
        (vec![closed.clone()], vec![("reason", "required")]),
        (
            vec![
                closed.clone(),
                ("reason", text("other")),
                ("reason_other", text("  ")),
            ],
            vec![("reason_other", "required")],
        ),
        // Not relevant: not required, and a value present is a warning.
        (
            vec![open.clone(), ("reason", text("no_flour"))],
            vec![("reason", "not_relevant")],
        ),
        // A condition on a field that is itself not relevant is false.
        (
            vec![
                open.clone(),
                ("reason", text("other")),
                ("reason_other", text("x")),
            ],
            vec![("reason", "not_relevant"), ("reason_other", "not_relevant")],
        ),
        // A condition on a field with no value is false, for = and != alike.
        (
            vec![("price", FieldValue::Int(500))],
            vec![("operating", "required"), ("price", "not_relevant")],
        ),
        // min / max on numbers.
        (
            vec![open.clone(), ("price", FieldValue::Int(99))],
            vec![("price", "min")],
        ),
        (
            vec![open.clone(), ("price", FieldValue::Int(5001))],
            vec![("price", "max")],
        ),
        (
            vec![
                open.clone(),
                ("price", FieldValue::Int(100)),
                ("chlorine", FieldValue::Decimal(5.0)),
            ],
            vec![],
        ),
        (
            vec![open.clone(), ("chlorine", FieldValue::Decimal(0.1))],
            vec![("chlorine", "min")],
        ),
        (
            vec![open.clone(), ("chlorine", FieldValue::Int(6))],
            vec![("chlorine", "max")],
        ),
        // Numeric comparison in a condition.
        (
            vec![
                open.clone(),
                ("price", FieldValue::Int(2500)),
                ("complaint", text("x")),
            ],
            vec![],
        ),
        (
            vec![
                open.clone(),
                ("price", FieldValue::Int(2000)),
                ("complaint", text("x")),
            ],
            vec![("complaint", "not_relevant")],
        ),
        // A price out of range still counts for conditions (it is an integer).
        (
            vec![
                open.clone(),
                ("price", FieldValue::Int(9000)),
                ("complaint", text("x")),
            ],
            vec![("price", "max")],
        ),
        // select_multiple: membership, duplicates, count bounds, `=` meaning "among".
        (
            vec![open.clone(), ("power", text("grid wind"))],
            vec![("power", "choice")],
        ),
        (
            vec![open.clone(), ("power", text("grid grid"))],
            vec![("power", "duplicate_choice")],
        ),
        (
            vec![open.clone(), ("power", text(""))],
            vec![("power", "min")],
        ),
        (
            vec![open.clone(), ("power", text("grid solar generator"))],
            vec![("power", "max")],
        ),
        (
            vec![
                open.clone(),
                ("power", text("grid solar")),
                ("solar_panels", FieldValue::Int(4)),
            ],
            vec![],
        ),
        (
            vec![
                open.clone(),
                ("power", text("grid")),
                ("solar_panels", FieldValue::Int(4)),
            ],
            vec![("solar_panels", "not_relevant")],
        ),
        // select_one membership.
        (
            vec![closed.clone(), ("reason", text("no_wheat"))],
            vec![("reason", "choice")],
        ),
        // regex (anchored; \d takes Arabic-Indic digits) and text length.
        (vec![open.clone(), ("phone", text("0944123456"))], vec![]),
        (vec![open.clone(), ("phone", text("٠٩٤٤١٢٣٤٥٦"))], vec![]),
        (
            vec![open.clone(), ("phone", text("x0944123456"))],
            vec![("phone", "regex")],
        ),
        (
            vec![open.clone(), ("note", text("a"))],
            vec![("note", "min")],
        ),
        (
            vec![open.clone(), ("note", text("ابتثجح"))],
            vec![("note", "max")],
        ),
        (vec![open.clone(), ("note", text("ابتثج"))], vec![]),
        // Types: the stored scalar must fit.
        (
            vec![("operating", text("yes"))],
            vec![("operating", "type")],
        ),
        (
            vec![open.clone(), ("price", text("1250"))],
            vec![("price", "type")],
        ),
        (
            vec![open.clone(), ("price", FieldValue::Decimal(1250.0))],
            vec![("price", "type")],
        ),
        (
            vec![open.clone(), ("phone", FieldValue::Int(944123456))],
            vec![("phone", "type")],
        ),
        (
            vec![open.clone(), ("power", FieldValue::Bool(true))],
            vec![("power", "type")],
        ),
        // Shapes of text-stored types.
        (
            vec![
                open.clone(),
                ("day", text("2026-03-29")),
                ("at", text("2026-03-29T10:15:00+03:00")),
            ],
            vec![],
        ),
        (
            vec![
                open.clone(),
                ("day", text("29-03-2026")),
                ("at", text("2026-03-29T10:15:00")),
            ],
            vec![("day", "type"), ("at", "type")],
        ),
        (
            vec![open.clone(), ("day", text("٢٠٢٦-٠٣-٢٩"))],
            vec![("day", "type")],
        ),
        // Geopoint shape and ranges.
        (
            vec![open.clone(), ("where", text("35.336 40.14 212 5"))],
            vec![],
        ),
        (
            vec![open.clone(), ("where", text("90.5 40"))],
            vec![("where", "geopoint")],
        ),
        (
            vec![open.clone(), ("where", text("35 180.01"))],
            vec![("where", "geopoint")],
        ),
        (
            vec![open.clone(), ("where", text("35 40 0 -1"))],
            vec![("where", "geopoint")],
        ),
        (
            vec![open.clone(), ("where", text("35,3 40,1"))],
            vec![("where", "type")],
        ),
        // Photo hash shape.
        (
            vec![open.clone(), ("photo", text(&format!("sha256:{HASH}")))],
            vec![],
        ),
        (
            vec![
                open.clone(),
                ("photo", text(&format!("sha256:{}", HASH.to_uppercase()))),
            ],
            vec![("photo", "type")],
        ),
        (
            vec![open.clone(), ("photo", text(HASH))],
            vec![("photo", "type")],
        ),
        // Unknown fields come last.
        (
            vec![("colour", text("red")), open.clone()],
            vec![("colour", "unknown_field")],
        ),
    ];
    for (input, want) in cases {
        let got = form.validate(&values(&input));
        let want: Vec<(String, &str)> = want.iter().map(|(f, c)| ((*f).to_owned(), *c)).collect();
        assert_eq!(codes(&got), want, "{input:?}");
    }
}

#[test]
fn not_relevant_is_a_warning_and_the_rest_are_errors() {
    let form = rules_form();
    let open = ("operating", FieldValue::Bool(true));
    let warned = form.validate(&values(&[open.clone(), ("reason", text("no_flour"))]));
    assert_eq!(warned.len(), 1);
    assert_eq!(warned[0].severity, Severity::Warning);
    assert_eq!(warned[0].value.as_deref(), Some("no_flour"));
    assert!(is_valid(&warned));
    let failed = form.validate(&values(&[open, ("price", FieldValue::Int(1))]));
    assert_eq!(failed[0].severity, Severity::Error);
    assert!(!is_valid(&failed));
}

#[test]
fn violations_name_field_value_and_rule_parameters() {
    let form = rules_form();
    let found = form.validate(&values(&[
        ("operating", FieldValue::Bool(true)),
        ("price", FieldValue::Int(99)),
        ("phone", text("123")),
        ("power", text("grid wind")),
    ]));
    let rules: Vec<(&str, Option<&str>, &Rule)> = found
        .iter()
        .map(|v| (v.field.as_str(), v.value.as_deref(), &v.rule))
        .collect();
    let allowed = vec!["grid".to_owned(), "solar".into(), "generator".into()];
    assert_eq!(
        rules,
        vec![
            (
                "price",
                Some("99"),
                &Rule::Min {
                    min: 100.0,
                    measure: Measure::Value
                }
            ),
            (
                "power",
                Some("grid wind"),
                &Rule::Choice {
                    choice: "wind".into(),
                    allowed
                }
            ),
            (
                "phone",
                Some("123"),
                &Rule::Regex {
                    pattern: "09\\d{8}".into()
                }
            ),
        ]
    );
}

#[test]
fn builtin_bakery_closed_needs_a_reason_and_hides_the_price() {
    let bakery = Forms::builtin().current(FacilityKind::Bakery);
    let found = bakery.validate(&values(&[
        ("operating", FieldValue::Bool(false)),
        ("bread_price_syp", FieldValue::Int(1250)),
        ("hygiene", text("good")),
        ("hygiene_issues", text("pests")),
    ]));
    assert_eq!(
        codes(&found),
        vec![
            ("reason_closed".to_owned(), "required"),
            ("bread_price_syp".to_owned(), "not_relevant"),
            ("hygiene_issues".to_owned(), "not_relevant"),
        ]
    );
}
