//! Versions: every version kept, load-time consistency, and old checks read and validated
//! against the version they were made with.

use automerge::ActorId;

use super::*;
use crate::{Author, CheckDoc, CheckId, FormRef, NewCheck, Role, Site};

#[test]
fn versions_must_run_from_one_without_gaps() {
    let v = |n| format!("{}{}", header(n), field("n", "integer", ""));
    let (v1, v3) = (v(1), v(3));
    let err = Forms::load([("t/v1.toml", v1.as_str()), ("t/v3.toml", v3.as_str())])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("t/v3.toml: version 3 without version 2"),
        "{err}"
    );
    let v2 = v(2);
    let err = Forms::load([("t/v2.toml", v2.as_str())])
        .unwrap_err()
        .to_string();
    assert!(err.contains("version 2 without version 1"), "{err}");
    let err = Forms::load([("t/v1.toml", v1.as_str()), ("t/v1.toml", v1.as_str())])
        .unwrap_err()
        .to_string();
    assert!(err.contains("a second t/v1.toml"), "{err}");
}

#[test]
fn a_field_keeps_its_type_and_unit_and_a_form_its_kind() {
    let v1 = format!(
        "{}{}{}",
        header(1),
        field("n", "integer", "unit = 'kg'"),
        field("x", "text", "")
    );
    let cases = [
        (
            field("n", "decimal", "unit = 'kg'"),
            "field \"n\" is decimal in kg here but integer in kg in version 1",
        ),
        (
            field("n", "integer", "unit = 'tonnes'"),
            "integer in tonnes here but integer in kg",
        ),
        (
            field("n", "integer", ""),
            "is integer here but integer in kg",
        ),
        // A version may drop fields and add new ones.
        (field("y", "text", ""), ""),
    ];
    for (v2_field, want) in cases {
        let v2 = format!("{}{v2_field}", header(2));
        let got = load_t(&[&v1, &v2]);
        match want {
            "" => assert!(got.is_ok(), "{got:?}"),
            _ => {
                let err = got.unwrap_err().to_string();
                assert!(
                    err.starts_with("form definition t/v2.toml: ") && err.contains(want),
                    "{err}"
                );
                assert!(err.contains("give the new meaning a new name"), "{err}");
            }
        }
    }
    // Dropped in v2 and back in v3 with another type: still refused.
    let v2 = format!("{}{}", header(2), field("y", "text", ""));
    let v3 = format!("{}{}", header(3), field("x", "integer", ""));
    let err = load_t(&[&v1, &v2, &v3]).unwrap_err().to_string();
    assert!(
        err.contains("t/v3.toml: field \"x\" is integer here but text in version 1"),
        "{err}"
    );
    let v2 = format!(
        "{}{}",
        header(2).replace("'other'", "'mill'"),
        field("n", "integer", "unit = 'kg'")
    );
    let err = load_t(&[&v1, &v2]).unwrap_err().to_string();
    assert!(
        err.contains("kind mill differs from version 1's kind other"),
        "{err}"
    );
}

#[test]
fn builtin_bakery_keeps_both_versions() {
    let forms = Forms::builtin();
    let versions: Vec<u32> = forms.versions("bakery").iter().map(|f| f.version).collect();
    assert_eq!(versions, [1, 2]);
    assert_eq!(forms.current(FacilityKind::Bakery).version, 2);
    assert_eq!(forms.get("bakery", 1).map(|f| f.version), Some(1));
    assert!(forms.get("bakery", 0).is_none() && forms.get("bakery", 3).is_none());
    assert!(forms.get("hospital", 1).is_none() && forms.versions("hospital").is_empty());
    assert_eq!(
        forms.current(FacilityKind::Bakery).form_ref(),
        FormRef {
            id: "bakery".into(),
            version: 2
        }
    );
}

#[test]
fn the_same_values_judged_by_v1_and_v2() {
    let (v1, v2) = (bakery(1), bakery(2));
    let open = ("operating", FieldValue::Bool(true));
    let cases: Vec<(Input, Codes, Codes)> = vec![
        // v2 tightened: the price is required while operating.
        (
            vec![open.clone()],
            vec![],
            vec![("bread_price_syp", "required")],
        ),
        (
            vec![open.clone(), ("bread_price_syp", FieldValue::Int(1250))],
            vec![],
            vec![],
        ),
        // v2 added manager_phone, with a regex.
        (
            vec![
                open.clone(),
                ("bread_price_syp", FieldValue::Int(1250)),
                ("manager_phone", text("0944123456")),
            ],
            vec![("manager_phone", "unknown_field")],
            vec![],
        ),
        (
            vec![
                open.clone(),
                ("bread_price_syp", FieldValue::Int(1250)),
                ("manager_phone", text("44123456")),
            ],
            vec![("manager_phone", "unknown_field")],
            vec![("manager_phone", "regex")],
        ),
        // Closed: the same under both.
        (
            vec![
                ("operating", FieldValue::Bool(false)),
                ("reason_closed", text("no_flour")),
            ],
            vec![],
            vec![],
        ),
    ];
    for (input, want_v1, want_v2) in cases {
        let input = values(&input);
        for (form, want) in [(v1, want_v1), (v2, want_v2)] {
            let want: Vec<(String, &str)> =
                want.iter().map(|(f, c)| ((*f).to_owned(), *c)).collect();
            assert_eq!(
                codes(&form.validate(&input)),
                want,
                "v{} {input:?}",
                form.version
            );
        }
    }
}

#[test]
fn an_old_check_is_read_and_validated_against_its_own_version() {
    let fields = values(&[
        ("operating", FieldValue::Bool(true)),
        ("flour_received_kg", FieldValue::Int(900)),
        ("licence_valid", FieldValue::Bool(true)),
        ("licence_expiry", text("2026-12-31")),
        ("location", text("35.336 40.14")),
    ]);
    let check = recorded(&bakery(1).form_ref(), fields.clone());
    assert_eq!(
        check.form,
        FormRef {
            id: "bakery".into(),
            version: 1
        }
    );
    assert_eq!(Forms::builtin().validate_check(&check), vec![]);
    // The same values recorded today, with v2, miss the now-required price.
    let today = recorded(
        &Forms::builtin().current(FacilityKind::Bakery).form_ref(),
        fields,
    );
    assert_eq!(
        codes(&Forms::builtin().validate_check(&today)),
        vec![("bread_price_syp".to_owned(), "required")]
    );
    // The old check still reads as typed values under its own version.
    let typed: Vec<(&str, String)> = bakery(1)
        .typed(&check.fields)
        .into_iter()
        .map(|(f, v)| (f.name.as_str(), v.to_string()))
        .collect();
    assert_eq!(
        typed,
        [
            ("operating", "true".to_owned()),
            ("flour_received_kg", "900".into()),
            ("licence_valid", "true".into()),
            ("licence_expiry", "2026-12-31".into()),
            ("location", "35.336 40.14".into()),
        ]
    );
}

#[test]
fn unknown_form_versions_and_wrong_kinds_are_violations() {
    let fields = values(&[("operating", FieldValue::Bool(true))]);
    let future = recorded(
        &FormRef {
            id: "bakery".into(),
            version: 9,
        },
        fields.clone(),
    );
    let found = Forms::builtin().validate_check(&future);
    assert_eq!(codes(&found), vec![("form".to_owned(), "unknown_form")]);
    assert_eq!(found[0].value.as_deref(), Some("bakery v9"));
    let mut wrong = recorded(
        &FormRef {
            id: "mill".into(),
            version: 1,
        },
        fields,
    );
    wrong.kind = FacilityKind::Bakery;
    let found = Forms::builtin().validate_check(&wrong);
    assert_eq!(
        found[0].rule,
        Rule::Kind {
            expected: FacilityKind::Mill
        }
    );
    assert_eq!(found[0].value.as_deref(), Some("bakery"));
}

fn bakery(version: u32) -> &'static Form {
    Forms::builtin()
        .get("bakery", version)
        .expect("bakery version")
}

/// A bakery check with these values made with `form`, through a real document.
fn recorded(form: &FormRef, fields: BTreeMap<String, FieldValue>) -> crate::Check {
    let new = NewCheck {
        id: CheckId::new(),
        kind: FacilityKind::Bakery,
        site: Site {
            id: "DEZ-BAK-014".parse().expect("site id"),
            name_ar: "مخبز الأمل".into(),
            name_en: None,
            lat: None,
            lon: None,
        },
        observed_at: "2026-03-29T10:15:00+03:00".parse().expect("time"),
        fields,
        notes: String::new(),
    };
    let author = Author {
        name: "ana".into(),
        device: "ana-phone".into(),
        role: Role::Inspector,
    };
    let doc = CheckDoc::create(&new, form, &author, ActorId::random()).expect("create");
    doc.read().expect("read")
}
