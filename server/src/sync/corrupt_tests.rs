//! A stored document damaged on disk: detected on load with its check id, never served,
//! and rebuilt from the next device sync.

use fieldsync_schema::{CheckDoc, FieldValue};

use super::validation_tests::{bakery, message, request};
use super::{Limits, sync_round};
use crate::store::{DB_FILE, SqliteStore, Store};

/// Flips bytes in the middle of the stored document of `check`, behind the store's back.
fn damage(dir: &std::path::Path, check: &str) {
    let conn = rusqlite::Connection::open(dir.join(DB_FILE)).expect("open");
    let mut bytes: Vec<u8> = conn
        .query_row(
            "SELECT bytes FROM documents WHERE check_id = ?1",
            [check],
            |r| r.get(0),
        )
        .expect("stored");
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 8] {
        *b ^= 0xa5;
    }
    conn.execute(
        "UPDATE documents SET bytes = ?2 WHERE check_id = ?1",
        rusqlite::params![check, bytes],
    )
    .expect("damage");
}

#[test]
fn a_corrupt_document_is_never_served_and_is_rebuilt_from_the_next_device_sync() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let mut doc = bakery(&[
        ("operating", FieldValue::Bool(true)),
        ("bread_price_syp", FieldValue::Int(1250)),
    ]);
    let first = message(&mut doc);
    let check = first.check;
    sync_round(&store, &request(vec![first]), &Limits::default()).expect("stored");
    damage(dir.path(), &check.to_string());
    let stored = store.load_check(check).expect("load").expect("row");
    assert!(!stored.verified, "the checksum catches the damage");
    assert!(CheckDoc::load(&stored.bytes).is_err());

    // Another device asking for everything gets nothing of the damaged document.
    let mut other = request(Vec::new());
    other.device.id = "bilal-device".into();
    let answer = sync_round(&store, &other, &Limits::default()).expect("round goes on");
    assert!(
        answer.messages.iter().all(|m| m.check != check),
        "corrupt bytes are never served"
    );

    // The device that holds the check offers it again: the document is rebuilt.
    let answer = sync_round(
        &store,
        &request(vec![message(&mut doc)]),
        &Limits::default(),
    )
    .expect("rebuild round");
    assert!(answer.rejected.is_empty(), "{:?}", answer.rejected);
    let rebuilt = store.load_check(check).expect("load").expect("row");
    assert!(rebuilt.verified);
    assert!(
        rebuilt.seq > stored.seq,
        "stored again with a new change sequence"
    );
    let read = CheckDoc::load(&rebuilt.bytes)
        .expect("loads")
        .read()
        .expect("reads");
    assert_eq!(
        read.fields.get("bread_price_syp"),
        Some(&FieldValue::Int(1250))
    );
}
