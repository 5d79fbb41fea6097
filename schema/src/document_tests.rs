//! Round trips and merges of check documents.

use std::collections::BTreeMap;

use automerge::ActorId;

use crate::{
    Author, CheckDoc, CheckEdit, CheckId, FacilityKind, FieldValue, FormRef, NewCheck, ReviewState,
    Role, Site,
};

pub(crate) fn author(name: &str, role: Role) -> Author {
    Author {
        name: name.into(),
        device: format!("{name}-device"),
        role,
    }
}

pub(crate) fn new_bakery() -> NewCheck {
    NewCheck {
        id: CheckId::new(),
        kind: FacilityKind::Bakery,
        site: Site {
            id: "DEZ-BAK-014".parse().expect("site id"),
            name_ar: "مخبز الأمل".into(),
            name_en: Some("Al-Amal bakery".into()),
            lat: Some(35.336),
            lon: Some(40.14),
        },
        observed_at: "2026-03-29T10:15:00+03:00".parse().expect("time"),
        fields: BTreeMap::from([
            ("operating".to_owned(), FieldValue::Bool(true)),
            ("bread_price_syp".to_owned(), FieldValue::Int(1250)),
        ]),
        notes: "الطابور طويل".into(),
    }
}

pub(crate) fn form() -> FormRef {
    FormRef {
        id: "bakery".into(),
        version: 1,
    }
}

pub(crate) fn edit(fields: &[(&str, FieldValue)]) -> CheckEdit {
    CheckEdit {
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        notes: None,
    }
}

/// Merges `b` into `a` and `a` into `b` through saved bytes, as two devices would.
pub(crate) fn merge_both(a: &mut CheckDoc, b: &mut CheckDoc) {
    let a_bytes = a.save();
    let b_bytes = b.save();
    a.automerge()
        .load_incremental(&b_bytes)
        .expect("merge b into a");
    b.automerge()
        .load_incremental(&a_bytes)
        .expect("merge a into b");
}

#[test]
fn a_new_check_reads_back_as_written() {
    let new = new_bakery();
    let ana = author("ana", Role::Inspector);
    let mut doc = CheckDoc::create(&new, &form(), &ana, ActorId::random()).expect("create");
    let loaded = CheckDoc::load(&doc.save()).expect("load");
    let check = loaded.read().expect("read");
    assert_eq!(check.id, new.id);
    assert_eq!(check.kind, FacilityKind::Bakery);
    assert_eq!(check.site, new.site);
    assert_eq!(check.observed_at, new.observed_at);
    assert_eq!(check.fields, new.fields);
    assert_eq!(check.notes, "الطابور طويل");
    assert_eq!(check.inspector, "ana");
    assert_eq!(check.review.state, ReviewState::Received);
    assert_eq!(check.authors.values().collect::<Vec<_>>(), vec![&ana]);
    assert!(loaded.conflicts().expect("conflicts").is_empty());
}

#[test]
fn edits_of_different_fields_merge_and_same_field_edits_conflict() {
    let mut a = CheckDoc::create(
        &new_bakery(),
        &form(),
        &author("ana", Role::Inspector),
        ActorId::random(),
    )
    .expect("create");
    let mut b = CheckDoc::load(&a.save()).expect("load");
    b.set_actor(ActorId::random());
    let bilal = author("bilal", Role::Inspector);
    a.edit(
        &author("ana", Role::Inspector),
        &edit(&[("flour_received_kg", FieldValue::Int(900))]),
    )
    .expect("edit a");
    b.edit(&bilal, &edit(&[("licence_valid", FieldValue::Bool(false))]))
        .expect("edit b");
    merge_both(&mut a, &mut b);
    let (ca, cb) = (a.read().expect("read a"), b.read().expect("read b"));
    assert_eq!(ca, cb);
    assert_eq!(ca.fields["flour_received_kg"], FieldValue::Int(900));
    assert_eq!(ca.fields["licence_valid"], FieldValue::Bool(false));
    assert!(a.conflicts().expect("conflicts").is_empty());

    a.edit(
        &author("ana", Role::Inspector),
        &edit(&[("bread_price_syp", FieldValue::Int(1500))]),
    )
    .expect("edit a");
    b.edit(&bilal, &edit(&[("bread_price_syp", FieldValue::Int(2000))]))
        .expect("edit b");
    merge_both(&mut a, &mut b);
    assert_eq!(a.read().expect("a").fields, b.read().expect("b").fields);
    let conflicts = a.conflicts().expect("conflicts");
    assert_eq!(conflicts, b.conflicts().expect("conflicts"));
    assert_eq!(conflicts.len(), 1);
    let conflict = &conflicts[0];
    assert_eq!(conflict.field, "fields.bread_price_syp");
    let mut seen: Vec<_> = conflict
        .values
        .iter()
        .map(|v| (v.value.clone(), v.author.as_ref().map(|a| a.name.clone())))
        .collect();
    seen.sort_by_key(|(_, name)| name.clone());
    assert_eq!(
        seen,
        vec![
            (FieldValue::Int(1500), Some("ana".into())),
            (FieldValue::Int(2000), Some("bilal".into())),
        ]
    );
    let winner = conflict
        .values
        .iter()
        .find(|v| v.winner)
        .expect("one winner");
    assert_eq!(
        Some(&winner.value),
        a.read().expect("a").fields.get("bread_price_syp")
    );
}

#[test]
fn review_is_for_supervisors_and_later_edits_mark_it_edited() {
    let ana = author("ana", Role::Inspector);
    let sara = author("sara", Role::Supervisor);
    let mut doc =
        CheckDoc::create(&new_bakery(), &form(), &ana, ActorId::random()).expect("create");
    let refused = doc
        .review(&ana, ReviewState::Approved, "ok")
        .expect_err("inspector");
    assert!(
        refused.to_string().contains("only a supervisor"),
        "{refused}"
    );
    doc.set_actor(ActorId::random());
    doc.review(&sara, ReviewState::Approved, "أرقام سليمة")
        .expect("review");
    assert_eq!(doc.review_state().expect("state"), ReviewState::Approved);
    doc.set_actor(ActorId::random());
    doc.edit(&ana, &edit(&[("operating", FieldValue::Bool(false))]))
        .expect("edit");
    let check = doc.read().expect("read");
    assert_eq!(check.review.state, ReviewState::Edited);
    let steps: Vec<_> = check
        .review_history
        .iter()
        .map(|e| (e.from, e.to))
        .collect();
    assert_eq!(
        steps,
        vec![(ReviewState::Received, ReviewState::Approved)],
        "the approval is kept"
    );
    assert_eq!(check.review_history[0].comment, "أرقام سليمة");
}

#[test]
fn links_are_replaced_only_when_they_differ() {
    let server = author("fieldsync-server", Role::Server);
    let mut doc = CheckDoc::create(
        &new_bakery(),
        &form(),
        &author("ana", Role::Inspector),
        ActorId::random(),
    )
    .expect("create");
    doc.set_actor(ActorId::random());
    let rule = |id: &str| crate::LinkSource::Rule(Some(id.to_owned()));
    let links = |pairs: &[(u16, crate::LinkSource)]| pairs.iter().cloned().collect();
    assert!(
        doc.set_links(&server, &links(&[(16, rule("a")), (20, rule("b"))]))
            .expect("link")
    );
    assert!(
        !doc.set_links(&server, &links(&[(20, rule("b")), (16, rule("a"))]))
            .expect("same")
    );
    assert!(
        doc.set_links(&server, &links(&[(16, rule("c"))]))
            .expect("fewer, new source")
    );
    let check = doc.read().expect("read");
    assert_eq!(check.resolutions, vec![16]);
    assert_eq!(check.link_sources, links(&[(16, rule("c"))]));
}

#[test]
fn an_edit_with_unchanged_values_writes_nothing() {
    let ana = author("ana", Role::Inspector);
    let mut doc =
        CheckDoc::create(&new_bakery(), &form(), &ana, ActorId::random()).expect("create");
    let before = doc.heads();
    let changed = doc
        .edit(&ana, &edit(&[("bread_price_syp", FieldValue::Int(1250))]))
        .expect("edit");
    assert!(!changed);
    assert_eq!(doc.heads(), before);
}

#[test]
fn a_document_without_the_layout_is_refused_naming_the_field() {
    let err = CheckDoc::empty().read().expect_err("empty doc");
    assert!(err.to_string().contains("\"id\""), "{err}");
}

#[test]
fn an_offline_edit_concurrent_with_an_approval_reads_as_edited() {
    let ana = author("ana", Role::Inspector);
    let sara = author("sara", Role::Supervisor);
    let mut inspector =
        CheckDoc::create(&new_bakery(), &form(), &ana, ActorId::random()).expect("create");
    let mut supervisor = CheckDoc::load(&inspector.save()).expect("load");
    supervisor.set_actor(ActorId::random());
    supervisor
        .review(&sara, ReviewState::Approved, "ok")
        .expect("review");
    inspector
        .edit(&ana, &edit(&[("operating", FieldValue::Bool(false))]))
        .expect("edit");
    merge_both(&mut inspector, &mut supervisor);
    for doc in [&inspector, &supervisor] {
        let check = doc.read().expect("read");
        assert_eq!(check.review.state, ReviewState::Edited);
        assert_eq!(
            check.review_history.last().map(|e| e.to),
            Some(ReviewState::Approved)
        );
    }

    // A review that saw everything is not edited; a notes change after it is.
    supervisor
        .review(&sara, ReviewState::Approved, "seen the edit")
        .expect("review");
    assert_eq!(
        supervisor.review_state().expect("state"),
        ReviewState::Approved
    );
    supervisor.set_actor(ActorId::random());
    let notes = CheckEdit {
        fields: BTreeMap::new(),
        notes: Some("ملاحظة جديدة".into()),
    };
    supervisor.edit(&ana, &notes).expect("notes");
    assert_eq!(
        supervisor.review_state().expect("state"),
        ReviewState::Edited
    );
}

#[test]
fn another_checks_document_merged_in_is_refused_naming_the_key() {
    let ana = author("ana", Role::Inspector);
    let mut mine =
        CheckDoc::create(&new_bakery(), &form(), &ana, ActorId::random()).expect("create");
    let mut other =
        CheckDoc::create(&new_bakery(), &form(), &ana, ActorId::random()).expect("create");
    mine.automerge()
        .load_incremental(&other.save())
        .expect("merge");
    let err = mine.read().expect_err("two ids");
    assert!(err.to_string().contains("competing values"), "{err}");
}

#[test]
fn concurrent_reviews_read_in_time_order() {
    let ana = author("ana", Role::Inspector);
    let mut first =
        CheckDoc::create(&new_bakery(), &form(), &ana, ActorId::random()).expect("create");
    let mut second = CheckDoc::load(&first.save()).expect("load");
    second.set_actor(ActorId::random());
    first.set_actor(ActorId::random());
    first
        .review(
            &author("sara", Role::Supervisor),
            ReviewState::HasIssues,
            "first",
        )
        .expect("review");
    second
        .review(
            &author("omar", Role::Supervisor),
            ReviewState::Approved,
            "second",
        )
        .expect("review");
    merge_both(&mut first, &mut second);
    for doc in [&first, &second] {
        let history = doc.read().expect("read").review_history;
        let comments: Vec<&str> = history.iter().map(|e| e.comment.as_str()).collect();
        assert_eq!(comments, ["first", "second"]);
    }
}

#[test]
fn two_offline_rewrites_of_the_notes_are_both_kept_whole() {
    let mut new = new_bakery();
    new.notes = "الباب مغلق".into();
    let ana = author("ana", Role::Inspector);
    let mut a = CheckDoc::create(&new, &form(), &ana, ActorId::random()).expect("create");
    let mut b = CheckDoc::load(&a.save()).expect("load");
    b.set_actor(ActorId::random());
    let notes = |text: &str| CheckEdit {
        fields: BTreeMap::new(),
        notes: Some(text.into()),
    };
    a.edit(&ana, &notes("الفرن يعمل بشكل جيد")).expect("edit a");
    b.edit(&author("bilal", Role::Inspector), &notes("نقص في الطحين"))
        .expect("edit b");
    merge_both(&mut a, &mut b);
    let (na, nb) = (a.read().expect("a").notes, b.read().expect("b").notes);
    assert_eq!(na, nb);
    assert!(
        na.contains("الفرن يعمل بشكل جيد") && na.contains("نقص في الطحين"),
        "both texts intact: {na:?}"
    );
    assert!(!na.contains("الباب مغلق"), "the old text is gone: {na:?}");
}

#[test]
fn resolving_a_conflict_drops_the_text_typed_for_a_losing_value() {
    let ana = author("ana", Role::Inspector);
    let mut a = CheckDoc::create(&new_bakery(), &form(), &ana, ActorId::random()).expect("create");
    let mut b = CheckDoc::load(&a.save()).expect("load");
    b.set_actor(ActorId::random());
    let typed = BTreeMap::from([("bread_price_syp".to_owned(), "٢٠٠٠".to_owned())]);
    a.edit_with_raw(
        &ana,
        &edit(&[("bread_price_syp", FieldValue::Int(2000))]),
        &typed,
    )
    .expect("edit a");
    b.edit(
        &author("bilal", Role::Inspector),
        &edit(&[("bread_price_syp", FieldValue::Int(1800))]),
    )
    .expect("edit b");
    merge_both(&mut a, &mut b);
    let sara = author("sara", Role::Supervisor);
    a.resolve(&sara, "bread_price_syp", &FieldValue::Int(1800))
        .expect("resolve");
    let read = a.read().expect("read");
    assert_eq!(read.fields["bread_price_syp"], FieldValue::Int(1800));
    assert!(!read.raw.contains_key("bread_price_syp"), "{:?}", read.raw);
}
