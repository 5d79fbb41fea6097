//! Form-driven text in Arabic and English, for every field type.

use fieldsync_schema::{FacilityKind, FieldValue, Form, Forms, Lang};

use super::*;

fn bakery(version: u32) -> &'static Form {
    Forms::builtin()
        .get("bakery", version)
        .expect("bakery form")
}

fn text(value: &str) -> FieldValue {
    FieldValue::Text(value.into())
}

#[test]
fn labels_and_values_follow_the_language() {
    let water = Forms::builtin().current(FacilityKind::WaterStation);
    let b = bakery(2);
    let photo = format!("sha256:{}", "9f86d081884c7d65".repeat(4));
    let cases = [
        (
            field_label(b, "bread_price_syp", Lang::Ar),
            "سعر ربطة الخبز الذي يتقاضاه الفرن فعلاً (ل.س)",
        ),
        (
            field_label(b, "bread_price_syp", Lang::En),
            "Bread price charged per bundle (SYP)",
        ),
        (field_label(b, "mystery", Lang::Ar), "mystery"),
        (
            path_label(b, "fields.operating", Lang::En),
            "Is the bakery operating?",
        ),
        (path_label(b, "site.name_ar", Lang::Ar), "اسم الموقع"),
        (
            value_text(water, "maintenance_status", &text("in_progress"), Lang::Ar),
            "قيد التنفيذ (in_progress)",
        ),
        (
            value_text(b, "operating", &FieldValue::Bool(true), Lang::Ar),
            "نعم",
        ),
        (
            value_text(b, "operating", &FieldValue::Bool(false), Lang::En),
            "No",
        ),
        (
            value_text(b, "hygiene_issues", &text("no_gloves pests"), Lang::En),
            "Workers without gloves or caps (no_gloves), Insects or rodents (pests)",
        ),
        (
            value_text(b, "hygiene_issues", &text("pests bread_on_floor"), Lang::Ar),
            "وجود حشرات أو قوارض (pests)، الخبز موضوع على الأرض (bread_on_floor)",
        ),
        (
            value_text(b, "location", &text("35.336 40.14 212 5"), Lang::En),
            "35.336, 40.14 (±5 m), altitude 212 m",
        ),
        (
            value_text(b, "location", &text("35.336 40.14"), Lang::Ar),
            "35.336, 40.14",
        ),
        (
            value_text(b, "photo", &text(&photo), Lang::En),
            "sha256:9f86d081884c…",
        ),
        (
            value_text(b, "bread_price_syp", &FieldValue::Int(1250), Lang::Ar),
            "1250",
        ),
        (
            value_text(b, "hygiene", &text("unknown"), Lang::En),
            "unknown",
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
}

#[test]
fn typed_as_is_shown_only_for_raw_text_of_the_stored_value() {
    let b = bakery(2);
    let price = FieldValue::Int(12000);
    let note = |raw: Option<&str>, value: &FieldValue, lang| {
        typed_as(b, "bread_price_syp", value, raw, lang)
    };
    assert_eq!(
        note(Some("١٢٬٠٠٠"), &price, Lang::En).as_deref(),
        Some("typed as ١٢٬٠٠٠")
    );
    assert_eq!(
        note(Some("١٢٬٠٠٠"), &price, Lang::Ar).as_deref(),
        Some("كُتبت «١٢٬٠٠٠»")
    );
    assert_eq!(note(None, &price, Lang::En), None);
    assert_eq!(
        note(Some("١٥٠٠"), &price, Lang::En),
        None,
        "raw text of a value that lost a concurrent edit is not shown"
    );
    let date = text("2026-03-29");
    assert_eq!(
        typed_as(b, "licence_expiry", &date, Some("29/3/2026"), Lang::En).as_deref(),
        Some("typed as 29/3/2026")
    );
}

#[test]
fn a_check_reads_with_the_form_version_it_was_made_with() {
    let (_home, mut store) =
        crate::test_support::new_store("ana", fieldsync_schema::Role::Inspector);
    let id = crate::test_support::bakery(&[])
        .record(&mut store)
        .expect("record");
    let mut check = store.db().check(id).expect("check").check;
    assert_eq!(
        form_of(&check).version,
        2,
        "new checks use the current form"
    );
    check.form.version = 1;
    assert_eq!(form_of(&check).version, 1);
    check.form.version = 99;
    assert_eq!(
        form_of(&check).version,
        2,
        "unknown versions fall back to current"
    );
}
