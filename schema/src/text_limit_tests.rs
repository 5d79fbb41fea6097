use automerge::ActorId;

use super::*;
use crate::document_tests::{author, form, new_bakery};
use crate::{CheckDoc, Role};

fn bakery_with(notes: &str, remarks: &str) -> Check {
    let mut new = new_bakery();
    new.notes = notes.into();
    new.fields
        .insert("remarks".into(), FieldValue::Text(remarks.into()));
    let ana = author("ana", Role::Inspector);
    let doc = CheckDoc::create(&new, &form(), &ana, ActorId::random()).expect("create");
    doc.read().expect("read")
}

#[test]
fn lengths_count_characters_not_bytes() {
    // 20 Arabic letters are 40 bytes of UTF-8 but 20 characters (the other texts are
    // shorter).
    let check = bakery_with(&"م".repeat(20), "ok");
    assert_eq!(first_over(&check, 20), None);
    assert_eq!(
        first_over(&check, 19),
        Some(LongText {
            field: "notes".into(),
            chars: 20
        })
    );
}

#[test]
fn a_long_form_text_is_named_by_its_field() {
    let check = bakery_with("short", &"x".repeat(500));
    let over = first_over(&check, 100).expect("over");
    assert_eq!(over.field, "fields.remarks");
    assert_eq!(over.chars, 500);
    assert!(
        texts(&check)
            .iter()
            .any(|(field, text)| field == "site.name_ar" && *text == "مخبز الأمل")
    );
}
