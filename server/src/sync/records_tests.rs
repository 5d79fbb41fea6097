//! The records exports and reports walk ([`Store::for_each_record`]): each stored view equals
//! a fresh read of the stored bytes, filters select in the store, and rows without a current
//! view are read from their bytes (or listed as unreadable) instead of being lost.

use std::ops::ControlFlow;

use automerge::ActorId;
use fieldsync_schema::{CheckDoc, CheckEdit, CheckId, CheckRecord, FieldValue, RecordFilter};

use super::validation_tests::{ana, bakery, message, request};
use super::{Limits, sync_round};
use crate::store::records::record_of_bytes;
use crate::store::{SqliteStore, Store, Walked};

fn walk(store: &SqliteStore, filter: &RecordFilter) -> (Vec<CheckRecord>, Walked) {
    let mut records = Vec::new();
    let walked = store
        .for_each_record(filter, &mut |record| {
            records.push(record);
            ControlFlow::Continue(())
        })
        .expect("walk");
    (records, walked)
}

fn price(syp: i64) -> [(&'static str, FieldValue); 3] {
    [
        ("operating", FieldValue::Bool(true)),
        ("bread_price_syp", FieldValue::Int(syp)),
        ("bread_price_official_syp", FieldValue::Int(1000)),
    ]
}

/// A document in which two devices wrote `bread_price_syp` concurrently.
fn conflicting() -> CheckDoc {
    let mut a = bakery(&price(1250));
    let mut b = CheckDoc::load(&a.save()).expect("load");
    b.set_actor(ActorId::random());
    let set = |doc: &mut CheckDoc, syp: i64| {
        let edit = CheckEdit {
            fields: [("bread_price_syp".to_owned(), FieldValue::Int(syp))].into(),
            notes: None,
        };
        doc.edit(&ana(), &edit).expect("edit");
    };
    set(&mut a, 1500);
    set(&mut b, 2000);
    a.automerge()
        .load_incremental(&b.save())
        .expect("merge the other device");
    a
}

fn stored(store: &SqliteStore, docs: Vec<CheckDoc>) -> Vec<CheckId> {
    let messages: Vec<_> = docs.into_iter().map(|mut d| message(&mut d)).collect();
    let ids = messages.iter().map(|m| m.check).collect();
    let response = sync_round(store, &request(messages), &Limits::default()).expect("round");
    assert!(response.rejected.is_empty(), "{:?}", response.rejected);
    ids
}

#[test]
fn each_view_equals_a_fresh_read_of_the_stored_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let docs = vec![
        bakery(&price(900)),
        bakery(&price(1250)),
        bakery(&[("operating", FieldValue::Bool(true))]),
        conflicting(),
    ];
    let ids = stored(&store, docs);
    let (records, walked) = walk(&store, &RecordFilter::default());
    assert_eq!(walked.records, 4);
    assert!(walked.unreadable.is_empty());
    let mut sorted = ids.clone();
    sorted.sort();
    // Same observation time: ordered by id.
    let walked_ids: Vec<CheckId> = records.iter().map(|r| r.check.id).collect();
    assert_eq!(walked_ids, sorted);
    for record in &records {
        let bytes = store
            .load_check(record.check.id)
            .expect("load")
            .expect("stored")
            .bytes;
        assert_eq!(*record, record_of_bytes(&bytes).expect("reads"));
    }
    let by_id = |id: CheckId| records.iter().find(|r| r.check.id == id).expect("walked");
    // The server's links are in the view (price above official: resolution 20).
    assert!(by_id(ids[1]).check.resolutions.contains(&20));
    assert!(!by_id(ids[0]).check.resolutions.contains(&20));
    assert!(!by_id(ids[2]).valid(), "price missing while operating");
    assert_eq!(by_id(ids[3]).conflicts.len(), 1, "the price conflict");
}

#[test]
fn filters_select_in_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let ids = stored(&store, vec![bakery(&price(900)), bakery(&price(1250))]);
    let only = |filter: RecordFilter| -> Vec<CheckId> {
        walk(&store, &filter).0.iter().map(|r| r.check.id).collect()
    };
    let linked_to_20 = RecordFilter {
        resolution: Some(20),
        ..Default::default()
    };
    assert_eq!(only(linked_to_20), [ids[1]]);
    let march_29 = RecordFilter {
        since: Some("2026-03-29".parse().expect("bound")),
        until: Some("2026-03-29".parse().expect("bound")),
        ..Default::default()
    };
    assert_eq!(only(march_29).len(), 2);
    let after = RecordFilter {
        since: Some("2026-03-29T10:15:01+03:00".parse().expect("bound")),
        ..Default::default()
    };
    assert!(only(after).is_empty());
    let silos = RecordFilter {
        kind: Some(fieldsync_schema::FacilityKind::Silo),
        ..Default::default()
    };
    assert!(only(silos).is_empty());
}

#[test]
fn rows_without_a_current_view_are_read_from_their_bytes_or_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let ids = stored(&store, vec![bakery(&price(900)), bakery(&price(1250))]);
    let (before, _) = walk(&store, &RecordFilter::default());
    let db = rusqlite::Connection::open(dir.path().join(crate::store::DB_FILE)).expect("db");
    // As stored before migration 007 (no view), and a view of a layout this binary lacks.
    db.execute(
        "UPDATE documents SET view = NULL, view_version = NULL WHERE check_id = ?1",
        [ids[0].to_string()],
    )
    .expect("drop view");
    db.execute(
        "UPDATE documents SET view = '{}', view_version = 999 WHERE check_id = ?1",
        [ids[1].to_string()],
    )
    .expect("stale view");
    let (after, walked) = walk(&store, &RecordFilter::default());
    assert_eq!(after, before);
    assert!(walked.unreadable.is_empty());

    db.execute(
        "UPDATE documents SET bytes = x'00', view = NULL WHERE check_id = ?1",
        [ids[0].to_string()],
    )
    .expect("damage");
    let (left, walked) = walk(&store, &RecordFilter::default());
    assert_eq!(left.len(), 1);
    assert_eq!(walked.unreadable.len(), 1);
    assert_eq!(walked.unreadable[0].0, ids[0].to_string());
}
