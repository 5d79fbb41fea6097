//! The change history names each author and what they changed.

use std::collections::BTreeMap;

use automerge::ActorId;

use crate::{
    CheckDoc, CheckEdit, CheckId, FacilityKind, FieldValue, HistoryItem, NewCheck, ReviewState,
    Role, Site,
};

use crate::document_tests::{author, form};

fn create() -> CheckDoc {
    let new = NewCheck {
        id: CheckId::new(),
        kind: FacilityKind::Bakery,
        site: Site {
            id: "S-1".parse().expect("site"),
            name_ar: "فرن".into(),
            name_en: None,
            lat: None,
            lon: None,
        },
        observed_at: "2026-01-02T03:04:05+03:00".parse().expect("time"),
        fields: BTreeMap::from([("bread_price_syp".to_owned(), FieldValue::Int(1250))]),
        notes: "a".into(),
    };
    CheckDoc::create(
        &new,
        &form(),
        &author("ana", Role::Inspector),
        ActorId::random(),
    )
    .expect("create")
}

fn item(what: &str, old: Option<&str>, new: Option<&str>) -> HistoryItem {
    HistoryItem {
        what: what.into(),
        old: old.map(str::to_owned),
        new: new.map(str::to_owned),
    }
}

#[test]
fn every_change_is_listed_with_its_author_and_values() {
    let mut doc = create();
    let mut bilal = CheckDoc::load(&doc.save()).expect("load");
    bilal.set_actor(ActorId::random());
    let edit = CheckEdit {
        fields: BTreeMap::from([("bread_price_syp".to_owned(), FieldValue::Int(2000))]),
        notes: Some("ab".into()),
    };
    bilal
        .edit(&author("bilal", Role::Inspector), &edit)
        .expect("edit");
    bilal
        .comment(&author("bilal", Role::Inspector), "checked twice")
        .expect("comment");
    bilal.set_actor(ActorId::random());
    let sara = author("sara", Role::Supervisor);
    bilal
        .review(&sara, ReviewState::Approved, "ok")
        .expect("review");
    bilal.delete(&sara, "duplicate").expect("delete");

    let history = bilal.history().expect("history");
    let who: Vec<&str> = history
        .iter()
        .map(|e| e.author.as_ref().map_or("?", |a| a.name.as_str()))
        .collect();
    assert_eq!(who, ["ana", "bilal", "bilal", "sara", "sara"]);
    assert_eq!(history[0].changes[0].what, "recorded");
    assert!(
        history[0]
            .changes
            .contains(&item("fields.bread_price_syp", None, Some("1250")))
    );
    assert_eq!(
        history[1].changes,
        [
            item("fields.bread_price_syp", Some("1250"), Some("2000")),
            item("notes", Some("a"), Some("ab")),
        ]
    );
    assert_eq!(
        history[2].changes,
        [item("comment", None, Some("bilal: checked twice"))]
    );
    assert_eq!(
        history[3].changes,
        [item("review", Some("received"), Some("approved (ok)"))]
    );
    assert_eq!(
        history[4].changes,
        [item("deleted", None, Some("sara: duplicate"))]
    );
}

#[test]
fn an_edit_after_approval_shows_the_automatic_edited_and_the_next_review_starts_from_it() {
    let mut doc = create();
    let sara = author("sara", Role::Supervisor);
    doc.review(&sara, ReviewState::Approved, "ok")
        .expect("approve");
    doc.set_actor(ActorId::random());
    let edit = CheckEdit {
        fields: BTreeMap::from([("bread_price_syp".to_owned(), FieldValue::Int(1300))]),
        notes: None,
    };
    doc.edit(&author("bilal", Role::Inspector), &edit)
        .expect("edit");
    doc.set_actor(ActorId::random());
    doc.review(&sara, ReviewState::Approved, "again")
        .expect("approve again");

    let history = doc.history().expect("history");
    let changes: Vec<_> = history.iter().map(|e| e.changes.clone()).collect();
    assert_eq!(
        changes[1],
        [item("review", Some("received"), Some("approved (ok)"))]
    );
    assert_eq!(
        changes[2],
        [
            item("fields.bread_price_syp", Some("1250"), Some("1300")),
            item("review", Some("approved"), Some("edited (automatic)")),
        ]
    );
    assert_eq!(
        changes[3],
        [item("review", Some("edited"), Some("approved (again)"))]
    );
}

#[test]
fn a_supervisors_link_decision_names_the_resolutions() {
    let mut doc = create();
    doc.set_actor(ActorId::random());
    let sara = author("sara", Role::Supervisor);
    let decisions = [
        crate::LinkDecision {
            number: 16,
            linked: true,
        },
        crate::LinkDecision {
            number: 20,
            linked: false,
        },
    ];
    doc.decide_links(&sara, &decisions, "فرن احتياطي")
        .expect("links");
    let history = doc.history().expect("history");
    let last = history.last().expect("an entry");
    assert!(
        last.changes.contains(&item(
            "manual links",
            Some("-"),
            Some("16 linked, 20 unlinked")
        )),
        "{:?}",
        last.changes
    );
}
