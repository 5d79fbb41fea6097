//! Load-time refusal of broken form definitions, naming the file and the problem.

use super::*;

const CHOICES: &str = "choices = [{ value = 'good', label_ar = 'جيد', label_en = 'Good' }]";

#[test]
fn broken_fields_are_refused_with_the_reason() {
    let flag = field("operating", "boolean", "");
    let cases: Vec<(String, &str)> = vec![
        (
            field("p", "decimal", "unit = 'litres'"),
            "unknown variant `litres`",
        ),
        (field("p", "decimal", "unit = 'KG'"), "unknown variant `KG`"),
        (
            field("t", "text", "regex = '(unclosed'"),
            "bad regex \"(unclosed\"",
        ),
        (
            field("t", "text", "relevant = 'colour = red'"),
            "\"colour\" is not a field before this one",
        ),
        (
            format!(
                "{}{flag}",
                field("t", "text", "relevant = 'operating = false'")
            ),
            "\"operating\" is not a field before this one",
        ),
        (
            field("t", "text", "relevant = 't = true'"),
            "\"t\" is not a field before this one",
        ),
        (
            format!("{flag}{}", field("t", "text", "relevant = 'operating = 5'")),
            "operating is a yes/no field",
        ),
        (
            format!(
                "{flag}{}",
                field("t", "text", "relevant = 'operating > true'")
            ),
            "operating is a yes/no field",
        ),
        (
            format!(
                "{}{}",
                field("n", "integer", ""),
                field("t", "text", "relevant = 'n = good'")
            ),
            "n is a number field",
        ),
        (
            format!(
                "{}{}",
                field("h", "select_one", CHOICES),
                field("t", "text", "relevant = 'h = bad'")
            ),
            "\"bad\" is not a choice of h: good",
        ),
        (
            format!(
                "{}{}",
                field("h", "select_one", CHOICES),
                field("t", "text", "relevant = 'h > 1'")
            ),
            "h is a choice field",
        ),
        (
            format!(
                "{}{}",
                field("d", "date", ""),
                field("t", "text", "relevant = 'd = 1'")
            ),
            "conditions can test only",
        ),
        (
            format!("{flag}{}", field("t", "text", "relevant = 'operating'")),
            "has no comparison",
        ),
        (
            format!(
                "{flag}{}",
                field("t", "text", "relevant = 'operating = maybe yes'")
            ),
            "is not true, false, a number or a choice value",
        ),
        (
            field("t", "text", "unit = 'kg'"),
            "a unit is for integer and decimal fields, not text",
        ),
        (
            field("t", "integer", "regex = '\\d+'"),
            "regex is for text fields, not integer",
        ),
        (
            field("n", "integer", "min = 10\nmax = 5"),
            "min 10 is above max 5",
        ),
        (
            field("b", "boolean", "min = 0"),
            "min and max are for numbers, text and select_multiple, not boolean",
        ),
        (field("t", "text", "min = -1"), "not a usable count"),
        (
            field("h", "select_one", ""),
            "a select_one field needs choices",
        ),
        (
            field("h", "select_multiple", "choices = []"),
            "a select_multiple field needs choices",
        ),
        (
            field("t", "text", CHOICES),
            "choices are for select fields, not text",
        ),
        (
            field(
                "h",
                "select_one",
                "choices = [{ value = 'Good', label_ar = 'جيد', label_en = 'Good' }]",
            ),
            "choice \"Good\"",
        ),
        (
            field(
                "h",
                "select_one",
                "choices = [{ value = 'a', label_ar = 'أ', label_en = 'A' }, { value = 'a', label_ar = 'ب', label_en = 'B' }]",
            ),
            "choice \"a\" listed twice",
        ),
        (
            field(
                "h",
                "select_one",
                "choices = [{ value = 'a', label_ar = '', label_en = 'A' }]",
            ),
            "needs label_ar and label_en",
        ),
        (format!("{flag}{flag}"), "field \"operating\" defined twice"),
        (
            field("Bread Price", "integer", ""),
            "names use lowercase letters",
        ),
        (
            field("n", "integer", "requird = true"),
            "unknown field `requird`",
        ),
        (field("n", "money", ""), "unknown variant `money`"),
        (
            field(
                "n",
                "integer",
                "min = 0\nconstraint_message_ar = 'أكبر من صفر'",
            ),
            "give constraint_message_ar and constraint_message_en together",
        ),
        (
            field(
                "n",
                "integer",
                "constraint_message_ar = 'أ'\nconstraint_message_en = 'A'",
            ),
            "constraint messages need a rule",
        ),
        (String::new(), "at least one [[field]]"),
    ];
    for (fields, want) in cases {
        let err = refusal(&fields);
        assert!(err.starts_with("form definition t/v1.toml: "), "{err}");
        assert!(err.contains(want), "{err}\nlacks {want:?} for\n{fields}");
    }
}

#[test]
fn the_path_must_match_id_and_version() {
    let text = format!("{}{}", header(2), field("n", "integer", ""));
    for path in ["t/v1.toml", "x/v2.toml", "t.toml", "forms/xt/v2.toml"] {
        let err = Forms::load([(path, text.as_str())])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "{path}: a form with id \"t\" and version 2 belongs in t/v2.toml"
            )),
            "{err}"
        );
    }
    let err = Forms::load([("schema/forms/t/v2.toml", text.as_str())])
        .unwrap_err()
        .to_string();
    assert!(!err.contains("belongs in"), "{err}");
}

#[test]
fn every_kind_needs_a_form_and_only_one_form_id() {
    let one = format!("{}{}", header(1), field("n", "integer", ""));
    let err = Forms::load([("t/v1.toml", one.as_str())])
        .unwrap_err()
        .to_string();
    assert!(err.contains("no form for kind bakery"), "{err}");
    let err = Forms::load(
        BUILTIN_SOURCES
            .into_iter()
            .chain([("t/v1.toml", one.as_str())]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("forms \"other\" and \"t\" are both for kind other"),
        "{err}"
    );
}

#[test]
fn a_good_definition_loads_with_its_rules() {
    let form = form_t(&format!(
        "{}{}",
        field("operating", "boolean", "required = true"),
        field(
            "reason",
            "text",
            "relevant = 'operating = false'\nregex = '[a-z]+'\nmax = 20\nhint_ar = 'سبب'\nhint_en = 'Why'\nconstraint_message_ar = 'حروف لاتينية صغيرة فقط'\nconstraint_message_en = 'Lowercase letters only'"
        )
    ));
    let reason = form.field("reason").expect("reason");
    assert_eq!(
        reason.relevant.as_ref().map(Condition::as_str),
        Some("operating = false")
    );
    assert_eq!(reason.regex.as_ref().map(Pattern::as_str), Some("[a-z]+"));
    assert_eq!(reason.max, Some(20.0));
    assert_eq!(reason.hint_en.as_deref(), Some("Why"));
    assert!(form.field("operating").expect("operating").required);
}

#[test]
fn units_are_the_closed_list() {
    let names: Vec<&str> = Unit::ALL.iter().map(|u| u.as_str()).collect();
    assert_eq!(
        names,
        ["SYP", "kg", "tonnes", "m3/h", "mg/L", "hours", "people"]
    );
    for unit in Unit::ALL {
        let form = form_t(&field("n", "decimal", &format!("unit = '{unit}'")));
        assert_eq!(form.fields[0].unit, Some(unit));
        assert!(!unit.label_ar().is_empty());
    }
}
