//! Conflicts worth a decision, and what a decision does to the review.

use automerge::transaction::Transactable;
use automerge::{ActorId, ROOT, ReadDoc};

use crate::document_resolve::conflict_path;
use crate::document_tests::{author, edit, form, merge_both, new_bakery};
use crate::{CheckDoc, FieldValue, ReviewState, Role};

/// Ana's document and a copy on another device (Bilal's).
fn two_devices() -> (CheckDoc, CheckDoc) {
    let ana = author("ana", Role::Inspector);
    let mut a = CheckDoc::create(&new_bakery(), &form(), &ana, ActorId::random()).expect("create");
    let mut b = CheckDoc::load(&a.save()).expect("load");
    b.set_actor(ActorId::random());
    (a, b)
}

/// Both devices write `bread_price_syp` offline (`ana_price`, `bilal_price`), then merge.
fn concurrent_prices(a: &mut CheckDoc, b: &mut CheckDoc, ana_price: i64, bilal_price: i64) {
    a.edit(
        &author("ana", Role::Inspector),
        &edit(&[("bread_price_syp", FieldValue::Int(ana_price))]),
    )
    .expect("edit a");
    b.edit(
        &author("bilal", Role::Inspector),
        &edit(&[("bread_price_syp", FieldValue::Int(bilal_price))]),
    )
    .expect("edit b");
    merge_both(a, b);
}

#[test]
fn the_same_value_written_on_two_devices_is_not_a_conflict() {
    let (mut a, mut b) = two_devices();
    concurrent_prices(&mut a, &mut b, 1500, 1500);
    assert_eq!(a.conflicts().expect("conflicts"), []);
    let sara = author("sara", Role::Supervisor);
    let err = a
        .resolve(&sara, "bread_price_syp", &FieldValue::Int(1500))
        .expect_err("nothing to resolve");
    assert!(err.to_string().contains("no open conflict"), "{err}");
}

#[test]
fn a_conflict_decision_keeps_the_approval_the_supervisor_gave() {
    let (mut a, mut b) = two_devices();
    concurrent_prices(&mut a, &mut b, 1500, 2000);
    let sara = author("sara", Role::Supervisor);
    a.review(&sara, ReviewState::Approved, "ok")
        .expect("approve");
    a.resolve(&sara, "bread_price_syp", &FieldValue::Int(2000))
        .expect("resolve");
    assert_eq!(a.review_state().expect("state"), ReviewState::Approved);
    assert_eq!(
        a.read().expect("read").fields["bread_price_syp"],
        FieldValue::Int(2000)
    );
    // The inspector's device gets both changes and reads the same.
    merge_both(&mut a, &mut b);
    assert_eq!(b.review_state().expect("state"), ReviewState::Approved);
    assert_eq!(b.conflicts().expect("conflicts"), []);
}

#[test]
fn a_conflict_decision_does_not_approve_an_edited_check() {
    let (mut a, mut b) = two_devices();
    let sara = author("sara", Role::Supervisor);
    a.review(&sara, ReviewState::Approved, "ok")
        .expect("approve");
    merge_both(&mut a, &mut b);
    concurrent_prices(&mut a, &mut b, 1500, 2000);
    assert_eq!(a.review_state().expect("state"), ReviewState::Edited);
    a.resolve(&sara, "bread_price_syp", &FieldValue::Int(1500))
        .expect("resolve");
    assert_eq!(a.review_state().expect("state"), ReviewState::Edited);
}

/// Writes the site name straight into the document (no command edits it; another client
/// could).
fn rename_site(doc: &mut CheckDoc, name: &str) {
    let am = doc.automerge();
    let site = match am.get(ROOT, "site").expect("get") {
        Some((automerge::Value::Object(_), id)) => id,
        other => panic!("site is {other:?}"),
    };
    am.put(&site, "name_ar", name).expect("put");
    am.commit();
}

#[test]
fn a_site_name_conflict_is_resolved_like_a_field() {
    let (mut a, mut b) = two_devices();
    rename_site(&mut a, "مخبز الأمل الاحتياطي");
    rename_site(&mut b, "فرن الأمل");
    merge_both(&mut a, &mut b);
    let open: Vec<String> = a
        .conflicts()
        .expect("conflicts")
        .into_iter()
        .map(|c| c.field)
        .collect();
    assert_eq!(open, ["site.name_ar"]);
    let sara = author("sara", Role::Supervisor);
    let decision = a
        .resolve(&sara, "site.name_ar", &FieldValue::Text("فرن الأمل".into()))
        .expect("resolve");
    assert_eq!(decision.field, "site.name_ar");
    assert_eq!(a.read().expect("read").site.name_ar, "فرن الأمل");
    assert_eq!(a.conflicts().expect("conflicts"), []);
}

#[test]
fn a_review_state_conflict_is_sent_to_review_not_resolve() {
    for field in ["review.state", "state"] {
        let err = conflict_path(field).expect_err("review.state");
        assert!(err.to_string().contains("fieldsync review"), "{err}");
    }
    assert_eq!(
        conflict_path("bread_price_syp").expect("path"),
        "fields.bread_price_syp"
    );
    assert_eq!(
        conflict_path("fields.bread_price_syp").expect("path"),
        "fields.bread_price_syp"
    );
}
