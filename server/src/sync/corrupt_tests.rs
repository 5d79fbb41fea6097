//! A stored document damaged on disk: detected on load with its check id, or by the rolling
//! checksum pass of an idle round; never served; asked of the devices that held it
//! (`wanted`) and rebuilt from what they send, a deletion kept meanwhile.

use fieldsync_schema::wire::{SyncRequest, SyncResponse};
use fieldsync_schema::{Author, CheckDoc, CheckId, FieldValue, Role};

use super::validation_tests::{bakery, message, request};
use super::{Limits, sync_round};
use crate::store::{CheckFilter, DB_FILE, SqliteStore, Store};

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

/// One round of `device` at `cursor`, sending `messages`.
fn round_of(
    store: &SqliteStore,
    device: &str,
    cursor: u64,
    messages: Vec<fieldsync_schema::wire::DocMessage>,
) -> SyncResponse {
    let mut request: SyncRequest = request(messages);
    request.device.id = device.into();
    request.cursor = cursor;
    sync_round(store, &request, &Limits::default()).expect("round")
}

/// The device's copy after a sync that brought it everything the server stores of `check`.
fn synced_copy(store: &SqliteStore, check: CheckId) -> CheckDoc {
    let stored = store.load_check(check).expect("load").expect("row");
    CheckDoc::load(&stored.bytes).expect("loads")
}

/// A document received whole by a device that held nothing of it.
fn received(response: &SyncResponse, check: CheckId) -> Option<CheckDoc> {
    let message = response.messages.iter().find(|m| m.check == check)?;
    let mut doc = CheckDoc::empty();
    let mut state = automerge::sync::State::new();
    automerge::sync::SyncDoc::receive_sync_message(
        &mut doc.automerge().sync(),
        &mut state,
        automerge::sync::Message::decode(&message.message).expect("decodes"),
    )
    .expect("applies");
    Some(doc)
}

#[test]
fn idle_holders_are_asked_for_a_damaged_check_and_it_is_rebuilt_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let mut doc = bakery(&[("operating", FieldValue::Bool(true))]);
    let check = doc.id().expect("id");
    let pushed = round_of(&store, "ana-device", 0, vec![message(&mut doc)]);
    let mut ana = synced_copy(&store, check);
    let bilal = round_of(&store, "bilal-device", 0, Vec::new());
    assert!(received(&bilal, check).is_some(), "bilal holds it");
    let before = store.load_check(check).expect("load").expect("row");
    let read_before = synced_copy(&store, check).read().expect("reads");
    damage(dir.path(), &check.to_string());

    // Ana has nothing pending: the rolling pass finds the damage and asks her for it, and
    // keeps asking until she sends it.
    for _ in 0..2 {
        let idle = round_of(&store, "ana-device", pushed.cursor, Vec::new());
        assert_eq!(idle.wanted, [check]);
        assert!(idle.messages.is_empty(), "{:?}", idle.messages);
    }
    let tariq = round_of(&store, "tariq-device", 0, Vec::new());
    assert!(tariq.wanted.is_empty(), "tariq never held it");
    assert!(
        received(&tariq, check).is_none(),
        "damaged bytes are not served"
    );

    let answer = round_of(&store, "ana-device", pushed.cursor, vec![message(&mut ana)]);
    assert!(answer.rejected.is_empty(), "{:?}", answer.rejected);
    assert!(answer.wanted.is_empty());
    let rebuilt = store.load_check(check).expect("load").expect("row");
    assert!(rebuilt.verified);
    assert_eq!(rebuilt.heads, before.heads, "every change is back");
    assert!(rebuilt.seq > before.seq);
    assert_eq!(
        synced_copy(&store, check).read().expect("reads"),
        read_before
    );

    // Bilal is no longer asked and, receiving only what he holds, still gets the stored
    // version; a new device gets it whole.
    let mut own = request(Vec::new());
    own.device.id = "bilal-device".into();
    own.cursor = bilal.cursor;
    own.receive = fieldsync_schema::wire::Receive::Own;
    let again = sync_round(&store, &own, &Limits::default()).expect("round");
    assert!(again.wanted.is_empty());
    assert!(received(&again, check).is_some(), "still counted as held");
    let tariq = round_of(&store, "tariq-device", 0, Vec::new());
    let mut got = received(&tariq, check).expect("served again");
    assert_eq!(got.heads(), before.heads);
}

#[test]
fn a_damaged_deleted_check_rebuilt_from_a_stale_copy_stays_deleted_until_the_tombstone_is_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let mut doc = bakery(&[("operating", FieldValue::Bool(true))]);
    let check = doc.id().expect("id");
    let pushed = round_of(&store, "ana-device", 0, vec![message(&mut doc)]);
    let mut stale = synced_copy(&store, check);
    round_of(&store, "sara-device", 0, Vec::new());
    let mut sara = synced_copy(&store, check);
    let supervisor = Author {
        name: "sara".into(),
        device: "sara-device".into(),
        role: Role::Supervisor,
    };
    let deletion = sara.delete(&supervisor, "duplicate").expect("delete");
    let deleted = round_of(&store, "sara-device", 0, vec![message(&mut sara)]);
    let before = store.load_check(check).expect("load").expect("row");
    assert_eq!(before.deleted, deletion);
    damage(dir.path(), &check.to_string());

    // Ana never received the deletion: her stale copy rebuilds the check, which stays
    // deleted in the index and is not sent to anyone.
    let asked = round_of(&store, "ana-device", pushed.cursor, Vec::new());
    assert_eq!(asked.wanted, [check]);
    let answer = round_of(
        &store,
        "ana-device",
        pushed.cursor,
        vec![message(&mut stale)],
    );
    assert!(answer.rejected.is_empty(), "{:?}", answer.rejected);
    assert_eq!(answer.deleted.len(), 1, "ana is told it is deleted");
    let partial = store.load_check(check).expect("load").expect("row");
    assert!(partial.verified && partial.seq > before.seq);
    assert_eq!(partial.deleted, deletion, "the index keeps the tombstone");
    let list = store.list_checks(&CheckFilter::default()).expect("list");
    assert!(list.is_empty(), "{list:?}");
    let tariq = round_of(&store, "tariq-device", 0, Vec::new());
    assert!(
        received(&tariq, check).is_none(),
        "not sent without its tombstone"
    );

    // Sara held it too: she is asked, and her copy brings the tombstone back.
    let asked = round_of(&store, "sara-device", deleted.cursor, Vec::new());
    assert_eq!(asked.wanted, [check]);
    round_of(
        &store,
        "sara-device",
        deleted.cursor,
        vec![message(&mut sara)],
    );
    let rebuilt = store.load_check(check).expect("load").expect("row");
    assert_eq!(rebuilt.heads, before.heads, "every change is back");
    let read = synced_copy(&store, check).read().expect("reads");
    assert_eq!(read.deleted, deletion);
    let idle = round_of(&store, "sara-device", deleted.cursor, Vec::new());
    assert!(idle.wanted.is_empty());
    let tariq = round_of(&store, "tariq-device", 0, Vec::new());
    let got = received(&tariq, check).expect("sent with its tombstone");
    assert_eq!(got.read().expect("reads").deleted, deletion);
}

#[test]
fn a_damaged_checksum_over_good_bytes_is_sealed_again_and_nobody_is_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let mut doc = bakery(&[("operating", FieldValue::Bool(true))]);
    let check = doc.id().expect("id");
    let pushed = round_of(&store, "ana-device", 0, vec![message(&mut doc)]);
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).expect("open");
    conn.execute(
        "UPDATE documents SET checksum = zeroblob(32) WHERE check_id = ?1",
        [check.to_string()],
    )
    .expect("damage the checksum");
    assert!(
        !store
            .load_check(check)
            .expect("load")
            .expect("row")
            .verified
    );
    let idle = round_of(&store, "ana-device", pushed.cursor, Vec::new());
    assert!(idle.wanted.is_empty());
    assert!(
        store
            .load_check(check)
            .expect("load")
            .expect("row")
            .verified
    );
}
