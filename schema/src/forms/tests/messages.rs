//! Violation messages in Arabic and English, and their stable serialised form.

use super::*;

fn v(field: &str, value: Option<&str>, rule: Rule) -> Violation {
    Violation::new(field, value.map(text).as_ref(), rule)
}

#[test]
fn messages_name_field_value_and_rule_in_both_languages() {
    let allowed = vec!["good".to_owned(), "acceptable".into(), "poor".into()];
    let cases = [
        (
            v(
                "price",
                Some("-5"),
                Rule::Min {
                    min: 0.0,
                    measure: Measure::Value,
                },
            ),
            "field \"price\": value \"-5\" is below the minimum 0",
            "الحقل «price»: القيمة «-5» أقل من الحد الأدنى المسموح به (0)",
        ),
        (
            v(
                "price",
                Some("2000000"),
                Rule::Max {
                    max: 1e6,
                    measure: Measure::Value,
                },
            ),
            "field \"price\": value \"2000000\" is above the maximum 1000000",
            "الحقل «price»: القيمة «2000000» أكبر من الحد الأقصى المسموح به (1000000)",
        ),
        (
            v(
                "note",
                Some("abc"),
                Rule::Max {
                    max: 2.0,
                    measure: Measure::Length,
                },
            ),
            "field \"note\": value \"abc\" is above the maximum length 2",
            "الحقل «note»: عدد أحرف القيمة «abc» أكبر من الحد الأقصى المسموح به (2)",
        ),
        (
            v(
                "power",
                Some(""),
                Rule::Min {
                    min: 1.0,
                    measure: Measure::Count,
                },
            ),
            "field \"power\": value \"\" is below the minimum number of choices 1",
            "الحقل «power»: عدد الخيارات المحددة في القيمة «» أقل من الحد الأدنى المسموح به (1)",
        ),
        (
            v(
                "phone",
                Some("123"),
                Rule::Regex {
                    pattern: "09\\d{8}".into(),
                },
            ),
            "field \"phone\": value \"123\" does not match the pattern 09\\d{8}",
            "الحقل «phone»: القيمة «123» لا تطابق الصيغة المطلوبة (09\\d{8})",
        ),
        (
            v(
                "hygiene",
                Some("dirty"),
                Rule::Choice {
                    choice: "dirty".into(),
                    allowed: allowed.clone(),
                },
            ),
            "field \"hygiene\": value \"dirty\" is not one of good, acceptable, poor",
            "الحقل «hygiene»: القيمة «dirty» ليست من الخيارات المسموح بها: good، acceptable، poor",
        ),
        (
            v(
                "issues",
                Some("pests mud"),
                Rule::Choice {
                    choice: "mud".into(),
                    allowed,
                },
            ),
            "field \"issues\": value \"pests mud\" contains \"mud\", which is not one of good, acceptable, poor",
            "الحقل «issues»: القيمة «pests mud» تتضمن «mud»، وهو ليس من الخيارات المسموح بها: good، acceptable، poor",
        ),
        (
            v(
                "issues",
                Some("pests pests"),
                Rule::DuplicateChoice {
                    choice: "pests".into(),
                },
            ),
            "field \"issues\": value \"pests pests\" names \"pests\" more than once",
            "الحقل «issues»: القيمة «pests pests» تذكر الخيار «pests» أكثر من مرة",
        ),
        (
            v(
                "price",
                Some("cheap"),
                Rule::Type {
                    expected: FieldType::Integer,
                    reason: None,
                },
            ),
            "field \"price\": value \"cheap\" is not a whole number",
            "الحقل «price»: القيمة «cheap» ليست عدداً صحيحاً",
        ),
        (
            v(
                "price",
                Some("99999999999999999999"),
                Rule::Type {
                    expected: FieldType::Integer,
                    reason: Some(TypeReason {
                        en: "it is too large".into(),
                        ar: "الرقم كبير جداً".into(),
                    }),
                },
            ),
            "field \"price\": value \"99999999999999999999\" is not a whole number: it is too large",
            "الحقل «price»: القيمة «99999999999999999999» ليست عدداً صحيحاً: الرقم كبير جداً",
        ),
        (
            v(
                "day",
                Some("29/03/2026"),
                Rule::Type {
                    expected: FieldType::Date,
                    reason: None,
                },
            ),
            "field \"day\": value \"29/03/2026\" is not a date as YYYY-MM-DD (e.g. 2026-03-29)",
            "الحقل «day»: القيمة «29/03/2026» ليست تاريخاً بالصيغة YYYY-MM-DD، مثل 2026-03-29",
        ),
        (
            v("reason_closed", None, Rule::Required),
            "field \"reason_closed\" is required but has no value",
            "الحقل «reason_closed» مطلوب ولكنه فارغ",
        ),
        (
            v(
                "reason_closed",
                Some("no_flour"),
                Rule::NotRelevant {
                    condition: "operating = false".into(),
                },
            ),
            "field \"reason_closed\": value \"no_flour\" is given, but the field applies only when operating = false",
            "الحقل «reason_closed»: أُدخلت القيمة «no_flour» مع أن هذا الحقل لا يُملأ إلا إذا تحقق الشرط «operating = false»",
        ),
        (
            v("colour", Some("red"), Rule::UnknownField),
            "field \"colour\" is not in this form (value \"red\")",
            "الحقل «colour» غير موجود في هذا النموذج (القيمة «red»)",
        ),
        (
            v(
                "location",
                Some("95 40"),
                Rule::Geopoint {
                    part: GeoPart::Latitude,
                },
            ),
            "field \"location\": value \"95 40\" has a latitude outside -90 to 90",
            "الحقل «location»: خط العرض في القيمة «95 40» خارج المجال من -90 إلى 90",
        ),
        (
            v(
                "location",
                Some("35 40 0 -1"),
                Rule::Geopoint {
                    part: GeoPart::Accuracy,
                },
            ),
            "field \"location\": value \"35 40 0 -1\" has a negative accuracy",
            "الحقل «location»: دقة الموقع في القيمة «35 40 0 -1» سالبة، ولا يجوز أن تكون كذلك",
        ),
        (
            v(
                "form",
                Some("bakery v9"),
                Rule::UnknownForm {
                    id: "bakery".into(),
                    version: 9,
                },
            ),
            "form \"bakery\" version 9 is not known to this version of fieldsync",
            "الإصدار 9 من النموذج «bakery» غير معروف لهذه النسخة من البرنامج",
        ),
    ];
    for (violation, en, ar) in cases {
        assert_eq!(violation.message(Lang::En), en);
        assert_eq!(violation.message(Lang::Ar), ar);
    }
}

#[test]
fn form_messages_use_labels_and_constraint_messages() {
    let bakery = Forms::builtin().current(FacilityKind::Bakery);
    let found = bakery.validate(&values(&[
        ("operating", FieldValue::Bool(true)),
        ("bread_price_syp", FieldValue::Int(-5)),
        ("manager_phone", text("12345")),
    ]));
    let en: Vec<String> = found.iter().map(|v| bakery.message(v, Lang::En)).collect();
    let ar: Vec<String> = found.iter().map(|v| bakery.message(v, Lang::Ar)).collect();
    assert_eq!(
        en,
        [
            "\"Bread price charged per bundle (SYP)\" (bread_price_syp): value \"-5\" is below the minimum 0",
            "\"Bakery manager's phone number\" (manager_phone): Write a ten-digit Syrian mobile number starting with 09, or +963 then 9 (value \"12345\")",
        ]
    );
    assert_eq!(
        ar,
        [
            "«سعر ربطة الخبز الذي يتقاضاه الفرن فعلاً (ل.س)» (bread_price_syp): القيمة «-5» أقل من الحد الأدنى المسموح به (0)",
            "«رقم هاتف مدير الفرن» (manager_phone): اكتب رقم جوال سورياً من عشرة أرقام يبدأ بـ 09، مثل 0944123456، أو بالصيغة الدولية التي تبدأ بـ +963 (القيمة «12345»)",
        ]
    );
    let unknown = v("colour", Some("red"), Rule::UnknownField);
    assert_eq!(
        bakery.message(&unknown, Lang::En),
        unknown.message(Lang::En)
    );
}

#[test]
fn violations_serialise_with_stable_codes() {
    let cases = [
        (
            v("a", Some("x"), Rule::UnknownField),
            r#"{"field":"a","value":"x","severity":"error","code":"unknown_field"}"#,
        ),
        (
            v("a", None, Rule::Required),
            r#"{"field":"a","severity":"error","code":"required"}"#,
        ),
        (
            v(
                "a",
                Some("1"),
                Rule::Min {
                    min: 2.0,
                    measure: Measure::Value,
                },
            ),
            r#"{"field":"a","value":"1","severity":"error","code":"min","min":2.0,"measure":"value"}"#,
        ),
        (
            v(
                "a",
                Some("9"),
                Rule::Max {
                    max: 2.0,
                    measure: Measure::Count,
                },
            ),
            r#"{"field":"a","value":"9","severity":"error","code":"max","max":2.0,"measure":"count"}"#,
        ),
        (
            v(
                "a",
                Some("x"),
                Rule::Regex {
                    pattern: "y".into(),
                },
            ),
            r#"{"field":"a","value":"x","severity":"error","code":"regex","pattern":"y"}"#,
        ),
        (
            v(
                "a",
                Some("x"),
                Rule::Choice {
                    choice: "x".into(),
                    allowed: vec!["y".into()],
                },
            ),
            r#"{"field":"a","value":"x","severity":"error","code":"choice","choice":"x","allowed":["y"]}"#,
        ),
        (
            v(
                "a",
                Some("x x"),
                Rule::DuplicateChoice { choice: "x".into() },
            ),
            r#"{"field":"a","value":"x x","severity":"error","code":"duplicate_choice","choice":"x"}"#,
        ),
        (
            v(
                "a",
                Some("x"),
                Rule::Type {
                    expected: FieldType::SelectMultiple,
                    reason: None,
                },
            ),
            r#"{"field":"a","value":"x","severity":"error","code":"type","expected":"select_multiple"}"#,
        ),
        (
            v(
                "a",
                Some("x"),
                Rule::NotRelevant {
                    condition: "b = true".into(),
                },
            ),
            r#"{"field":"a","value":"x","severity":"warning","code":"not_relevant","condition":"b = true"}"#,
        ),
        (
            v(
                "a",
                Some("95 0"),
                Rule::Geopoint {
                    part: GeoPart::Latitude,
                },
            ),
            r#"{"field":"a","value":"95 0","severity":"error","code":"geopoint","part":"latitude"}"#,
        ),
        (
            v(
                "form",
                Some("x v2"),
                Rule::UnknownForm {
                    id: "x".into(),
                    version: 2,
                },
            ),
            r#"{"field":"form","value":"x v2","severity":"error","code":"unknown_form","id":"x","version":2}"#,
        ),
        (
            v(
                "kind",
                Some("mill"),
                Rule::Kind {
                    expected: FacilityKind::Bakery,
                },
            ),
            r#"{"field":"kind","value":"mill","severity":"error","code":"kind","expected":"bakery"}"#,
        ),
    ];
    for (violation, json) in cases {
        assert_eq!(serde_json::to_string(&violation).expect("json"), json);
        let back: Violation = serde_json::from_str(json).expect(json);
        assert_eq!(back, violation);
        assert!(json.contains(&format!("\"code\":\"{}\"", violation.rule.code())));
    }
}

#[test]
fn languages_parse_from_their_codes() {
    assert_eq!("ar".parse(), Ok(Lang::Ar));
    assert_eq!(" EN ".parse(), Ok(Lang::En));
    let err = "fr".parse::<Lang>().unwrap_err().to_string();
    assert!(err.contains("\"fr\"") && err.contains("ar or en"), "{err}");
    assert_eq!(Lang::Ar.to_string(), "ar");
}
