//! Raw text kept for audit: round trip, merge by key, and documents made before `raw`.

use std::collections::BTreeMap;

use automerge::transaction::Transactable as _;
use automerge::{ActorId, ROOT};

use super::raw_for_audit;
use crate::{
    Author, CheckDoc, CheckEdit, CheckId, FacilityKind, FieldValue, FormRef, NewCheck, Role, Site,
};

fn ana() -> Author {
    Author {
        name: "ana".into(),
        device: "ana-device".into(),
        role: Role::Inspector,
    }
}

fn new_check() -> NewCheck {
    NewCheck {
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
        fields: BTreeMap::from([
            ("bread_price_syp".to_owned(), FieldValue::Int(12000)),
            ("operating".to_owned(), FieldValue::Bool(true)),
        ]),
        notes: String::new(),
    }
}

fn form() -> FormRef {
    FormRef {
        id: "bakery".into(),
        version: 2,
    }
}

fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn set(name: &str, value: FieldValue) -> CheckEdit {
    CheckEdit {
        fields: BTreeMap::from([(name.to_owned(), value)]),
        notes: None,
    }
}

/// A copy of `doc` as another device holds it, writing as a new actor.
fn fork(doc: &mut CheckDoc) -> CheckDoc {
    let mut other = CheckDoc::load(&doc.save()).expect("load");
    other.set_actor(ActorId::random());
    other
}

fn merge(a: &mut CheckDoc, b: &mut CheckDoc) {
    let (a_bytes, b_bytes) = (a.save(), b.save());
    a.automerge().load_incremental(&b_bytes).expect("b into a");
    b.automerge().load_incremental(&a_bytes).expect("a into b");
}

#[test]
fn raw_text_is_kept_only_when_it_differs_from_the_stored_value() {
    let cases = [
        ("١٢٬٠٠٠", FieldValue::Int(12000), Some("١٢٬٠٠٠")),
        (" 1250 ", FieldValue::Int(1250), None),
        (
            "29/3/2026",
            FieldValue::Text("2026-03-29".into()),
            Some("29/3/2026"),
        ),
        ("نعم", FieldValue::Bool(true), Some("نعم")),
        ("true", FieldValue::Bool(true), None),
        ("12.5", FieldValue::Decimal(12.5), None),
    ];
    for (typed, stored, want) in cases {
        assert_eq!(raw_for_audit(typed, &stored).as_deref(), want, "{typed}");
    }
}

#[test]
fn raw_text_round_trips_and_only_for_fields_that_have_values() {
    let typed = raw(&[("bread_price_syp", "١٢٬٠٠٠"), ("queue_people", "٣٠")]);
    let mut doc =
        CheckDoc::create_with_raw(&new_check(), &typed, &form(), &ana(), ActorId::random())
            .expect("create");
    let check = CheckDoc::load(&doc.save())
        .expect("load")
        .read()
        .expect("read");
    assert_eq!(check.raw, raw(&[("bread_price_syp", "١٢٬٠٠٠")]));
    let json = serde_json::to_value(&check).expect("json");
    assert_eq!(json["raw"]["bread_price_syp"], "١٢٬٠٠٠");
    let back: crate::Check = serde_json::from_value(json).expect("parse");
    assert_eq!(back, check);
}

#[test]
fn a_new_value_without_raw_text_drops_the_old_raw_text() {
    let typed = raw(&[("bread_price_syp", "١٢٬٠٠٠")]);
    let mut doc =
        CheckDoc::create_with_raw(&new_check(), &typed, &form(), &ana(), ActorId::random())
            .expect("create");
    let same = set("bread_price_syp", FieldValue::Int(12000));
    assert!(!doc.edit(&ana(), &same).expect("same value"));
    assert_eq!(
        doc.read().expect("read").raw,
        typed,
        "unchanged value keeps its raw text"
    );
    doc.edit(&ana(), &set("bread_price_syp", FieldValue::Int(1500)))
        .expect("edit");
    assert!(doc.read().expect("read").raw.is_empty());
}

#[test]
fn two_devices_raw_texts_merge_by_key() {
    let mut a = CheckDoc::create(&new_check(), &form(), &ana(), ActorId::random()).expect("new");
    let mut b = fork(&mut a);
    a.edit_with_raw(
        &ana(),
        &set("queue_people", FieldValue::Int(30)),
        &raw(&[("queue_people", "٣٠")]),
    )
    .expect("edit a");
    b.edit_with_raw(
        &ana(),
        &set("licence_expiry", FieldValue::Text("2026-12-31".into())),
        &raw(&[("licence_expiry", "31/12/2026")]),
    )
    .expect("edit b");
    merge(&mut a, &mut b);
    let want = raw(&[("licence_expiry", "31/12/2026"), ("queue_people", "٣٠")]);
    assert_eq!(a.read().expect("a").raw, want);
    assert_eq!(b.read().expect("b").raw, want);
}

/// A document as made before `raw` existed.
fn old_document() -> CheckDoc {
    let mut doc = CheckDoc::create(&new_check(), &form(), &ana(), ActorId::random()).expect("new");
    doc.automerge().delete(ROOT, "raw").expect("drop raw");
    doc.automerge().commit();
    CheckDoc::load(&doc.save()).expect("load")
}

#[test]
fn an_old_document_without_raw_reads_and_two_devices_may_both_add_it() {
    let mut a = old_document();
    let check = a.read().expect("old document reads");
    assert!(check.raw.is_empty());
    assert!(
        !serde_json::to_value(&check)
            .expect("json")
            .as_object()
            .expect("object")
            .contains_key("raw")
    );
    a.set_actor(ActorId::random());
    let mut b = fork(&mut a);
    a.edit_with_raw(
        &ana(),
        &set("queue_people", FieldValue::Int(30)),
        &raw(&[("queue_people", "٣٠")]),
    )
    .expect("edit a");
    b.edit_with_raw(
        &ana(),
        &set("flour_received_kg", FieldValue::Int(900)),
        &raw(&[("flour_received_kg", "٩٠٠")]),
    )
    .expect("edit b");
    merge(&mut a, &mut b);
    let want = raw(&[("flour_received_kg", "٩٠٠"), ("queue_people", "٣٠")]);
    assert_eq!(a.read().expect("concurrent raw maps read").raw, want);
    assert_eq!(b.read().expect("b").raw, want);
    // Later edits write into one map and still remove from both.
    a.edit(&ana(), &set("flour_received_kg", FieldValue::Int(950)))
        .expect("edit");
    assert_eq!(a.read().expect("a").raw, raw(&[("queue_people", "٣٠")]));
}
