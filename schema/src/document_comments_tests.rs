//! Comments, conflict decisions and tombstones: they merge like everything else.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ActorId, ROOT};

use crate::{
    CheckDoc, CheckEdit, CheckId, DocError, FacilityKind, FieldValue, NewCheck, Role, Site,
};

use crate::document_tests::{author, form};

fn base() -> CheckDoc {
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
        notes: String::new(),
    };
    CheckDoc::create(
        &new,
        &form(),
        &author("ana", Role::Inspector),
        ActorId::random(),
    )
    .expect("create")
}

/// A copy of `doc` writing as a new actor (another device).
fn fork(doc: &mut CheckDoc) -> CheckDoc {
    let mut copy = CheckDoc::load(&doc.save()).expect("load");
    copy.set_actor(ActorId::random());
    copy
}

fn merge(a: &mut CheckDoc, b: &mut CheckDoc) {
    let (a_bytes, b_bytes) = (a.save(), b.save());
    a.automerge().load_incremental(&b_bytes).expect("merge b");
    b.automerge().load_incremental(&a_bytes).expect("merge a");
}

fn texts(doc: &CheckDoc) -> Vec<String> {
    let comments = doc.read().expect("read").comments;
    comments
        .into_iter()
        .map(|c| format!("{}: {}", c.by, c.text))
        .collect()
}

#[test]
fn offline_comments_from_two_devices_both_survive() {
    let mut a = base();
    let mut b = fork(&mut a);
    a.comment(&author("ana", Role::Inspector), "الفرن مغلق ظهراً")
        .expect("comment a");
    b.comment(&author("sara", Role::Supervisor), "please recheck")
        .expect("comment b");
    merge(&mut a, &mut b);
    let mut got = texts(&a);
    got.sort();
    assert_eq!(got, ["ana: الفرن مغلق ظهراً", "sara: please recheck"]);
    assert_eq!(texts(&a), texts(&b));
}

#[test]
fn an_old_document_without_a_thread_keeps_both_first_comments() {
    let mut a = base();
    // A document from before the thread existed.
    a.automerge().delete(ROOT, "comments").expect("drop list");
    let mut b = fork(&mut a);
    assert!(a.read().expect("read").comments.is_empty());
    a.comment(&author("ana", Role::Inspector), "one")
        .expect("a");
    b.comment(&author("bilal", Role::Inspector), "two")
        .expect("b");
    merge(&mut a, &mut b);
    let mut got = texts(&a);
    got.sort();
    assert_eq!(
        got,
        ["ana: one", "bilal: two"],
        "both competing lists are read"
    );
    a.comment(&author("ana", Role::Inspector), "three")
        .expect("a again");
    assert_eq!(texts(&a).len(), 3);
}

#[test]
fn empty_comments_and_server_comments_are_refused() {
    let mut doc = base();
    let err = doc
        .comment(&author("ana", Role::Inspector), "  ")
        .expect_err("empty");
    assert!(err.to_string().contains("comments.text"), "{err}");
    let server = author("fieldsync-server", Role::Server);
    assert!(matches!(
        doc.comment(&server, "x"),
        Err(DocError::Forbidden(_))
    ));
}

#[test]
fn different_fields_written_concurrently_are_parallel_updates_not_conflicts() {
    let mut a = base();
    let mut b = fork(&mut a);
    let set = |name: &str, v| CheckEdit {
        fields: BTreeMap::from([(name.to_owned(), v)]),
        notes: None,
    };
    a.edit(
        &author("ana", Role::Inspector),
        &set("flour_received_kg", FieldValue::Int(900)),
    )
    .expect("a");
    assert!(a.parallel_updates().expect("alone").is_empty());
    b.edit(
        &author("bilal", Role::Inspector),
        &set("licence_valid", FieldValue::Bool(false)),
    )
    .expect("b");
    merge(&mut a, &mut b);
    assert!(a.conflicts().expect("conflicts").is_empty());
    let mut got: Vec<(String, String)> = a
        .parallel_updates()
        .expect("parallel")
        .into_iter()
        .map(|p| (p.field, p.author.map(|a| a.name).unwrap_or_default()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("flour_received_kg".to_owned(), "ana".to_owned()),
            ("licence_valid".to_owned(), "bilal".to_owned()),
        ],
        "bread_price_syp, written at creation, is not parallel"
    );
}

fn price_conflict() -> (CheckDoc, CheckDoc) {
    let mut a = base();
    let mut b = fork(&mut a);
    let price = |v| CheckEdit {
        fields: BTreeMap::from([("bread_price_syp".to_owned(), FieldValue::Int(v))]),
        notes: None,
    };
    a.edit(&author("ana", Role::Inspector), &price(1500))
        .expect("a");
    b.edit(&author("bilal", Role::Inspector), &price(2000))
        .expect("b");
    merge(&mut a, &mut b);
    (a, b)
}

#[test]
fn a_decision_closes_the_conflict_everywhere_and_is_recorded() {
    let (mut a, mut b) = price_conflict();
    let conflicts = a.conflicts().expect("conflicts");
    assert_eq!(conflicts.len(), 1);
    assert!(
        conflicts[0].values.iter().all(|v| v.at.is_some()),
        "{conflicts:?}"
    );
    let inspector = author("ana", Role::Inspector);
    let err = a
        .resolve(&inspector, "bread_price_syp", &FieldValue::Int(1500))
        .expect_err("inspector");
    assert!(matches!(err, DocError::Forbidden(_)), "{err}");
    let err = a
        .resolve(
            &author("sara", Role::Supervisor),
            "operating",
            &FieldValue::Bool(true),
        )
        .expect_err("no conflict");
    assert!(err.to_string().contains("fields.operating"), "{err}");

    let mut sara = fork(&mut a);
    let decision = sara
        .resolve(
            &author("sara", Role::Supervisor),
            "bread_price_syp",
            &FieldValue::Int(1500),
        )
        .expect("resolve");
    assert_eq!(decision.discarded, [FieldValue::Int(2000)]);
    merge(&mut sara, &mut b);
    merge(&mut a, &mut b);
    for doc in [&a, &b, &sara] {
        assert!(doc.conflicts().expect("conflicts").is_empty());
        let check = doc.read().expect("read");
        assert_eq!(check.fields["bread_price_syp"], FieldValue::Int(1500));
        assert_eq!(check.decisions, std::slice::from_ref(&decision));
    }
}

#[test]
fn a_deleted_check_stays_deleted_when_a_stale_copy_merges() {
    let mut server = base();
    let mut stale = fork(&mut server);
    let inspector = author("ana", Role::Inspector);
    assert!(matches!(
        server.delete(&inspector, "dup"),
        Err(DocError::Forbidden(_))
    ));
    let sara = author("sara", Role::Supervisor);
    let tomb = server
        .delete(&sara, "duplicate of another check")
        .expect("delete");
    assert!(tomb.is_some());
    assert_eq!(server.delete(&sara, "again").expect("again"), None);
    let price = CheckEdit {
        fields: BTreeMap::from([("bread_price_syp".to_owned(), FieldValue::Int(9))]),
        notes: None,
    };
    stale.edit(&inspector, &price).expect("stale edit");
    merge(&mut server, &mut stale);
    for doc in [&server, &stale] {
        let check = doc.read().expect("read");
        assert_eq!(check.deleted, tomb, "stays deleted");
    }
}
