//! New checks are prepared before the round takes the writer; a preparation that went stale
//! (another round stored the same check in between) is not used.

use std::collections::BTreeMap;

use automerge::ActorId;
use fieldsync_schema::{CheckDoc, CheckEdit, FieldValue};

use super::validation_tests::{ana, bakery, message, request};
use super::{Limits, Round, prepare_new, run, server_author, sync_round};
use crate::store::{SqliteStore, Store};

#[test]
fn a_check_stored_by_another_round_after_preparation_is_merged_not_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let mut ana_copy = bakery(&[
        ("operating", FieldValue::Bool(true)),
        ("bread_price_syp", FieldValue::Int(1250)),
    ]);
    let id = ana_copy.id().expect("id");
    let mut bilal_copy = ana_copy.clone();
    bilal_copy.set_actor(ActorId::random());
    let edit = CheckEdit {
        fields: BTreeMap::from([("flour_received_kg".to_owned(), FieldValue::Int(900))]),
        notes: None,
    };
    assert!(bilal_copy.edit(&ana(), &edit).expect("edit"));

    let from_ana = request(vec![message(&mut ana_copy)]);
    let round = Round {
        device: &from_ana.device.id,
        cursor: 0,
        actor: store.server_actor(),
        author: server_author(),
        limits: Limits::default(),
        held_only: false,
        auth: None,
    };
    let prepared = prepare_new(&store, &round, &from_ana).expect("prepare");
    assert!(prepared.contains_key(&id), "prepared as new");

    // Bilal's round stores the check first, with his edit.
    let mut from_bilal = request(vec![message(&mut bilal_copy)]);
    from_bilal.device.id = "bilal-device".into();
    sync_round(&store, &from_bilal, &Limits::default()).expect("bilal");

    store
        .sync_batch(&mut |batch| run(batch, &round, &from_ana, &prepared).map(drop))
        .expect("ana's round");
    let stored = store.load_check(id).expect("load").expect("stored");
    let read = CheckDoc::load(&stored.bytes)
        .expect("doc")
        .read()
        .expect("check");
    assert_eq!(
        read.fields.get("flour_received_kg"),
        Some(&FieldValue::Int(900)),
        "bilal's edit survives ana's stale preparation"
    );
    assert_eq!(
        read.fields.get("bread_price_syp"),
        Some(&FieldValue::Int(1250))
    );

    // Prepared for nothing: a check the store holds is not prepared again.
    let again = prepare_new(&store, &round, &from_ana).expect("prepare");
    assert!(again.is_empty());
}
