//! The real [`sync_round`] against a real [`SqliteStore`]: checks that break their form's
//! rules, or carry a manual link to a resolution that does not exist, are stored flagged
//! invalid with their reasons, and the rest of the batch syncs as usual.

use std::collections::BTreeMap;

use automerge::sync::SyncDoc as _;
use automerge::transaction::Transactable;
use automerge::{ActorId, ObjType, ROOT};
use fieldsync_schema::sync::prime;
use fieldsync_schema::wire::{DeviceInfo, DocMessage, SyncRequest};
use fieldsync_schema::{
    Author, CheckDoc, CheckId, FacilityKind, FieldValue, FormRef, NewCheck, Role, Site,
};

use super::{Limits, sync_round};
use crate::store::{CheckFilter, SqliteStore, Store};

pub(crate) fn ana() -> Author {
    Author {
        name: "ana".into(),
        device: "ana-device".into(),
        role: Role::Inspector,
    }
}

/// A bakery check with `fields`, made with bakery form v2.
pub(crate) fn bakery(fields: &[(&str, FieldValue)]) -> CheckDoc {
    let new = NewCheck {
        id: CheckId::new(),
        kind: FacilityKind::Bakery,
        site: Site {
            id: "DEZ-BAK-014".parse().expect("site"),
            name_ar: "مخبز الأمل".into(),
            name_en: None,
            lat: None,
            lon: None,
        },
        observed_at: "2026-03-29T10:15:00+03:00".parse().expect("time"),
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
        notes: String::new(),
    };
    let form = FormRef {
        id: "bakery".into(),
        version: 2,
    };
    CheckDoc::create(&new, &form, &ana(), ActorId::random()).expect("create")
}

/// A manual decision on `number`, written as an old device would, without any check.
fn raw_manual_link(doc: &mut CheckDoc, number: &str) {
    let am = doc.automerge();
    let map = am
        .put_object(ROOT, "manual_links", ObjType::Map)
        .expect("map");
    let entry = am.put_object(&map, number, ObjType::Map).expect("entry");
    am.put(&entry, "linked", true).expect("linked");
    am.put(&entry, "by", "old-device").expect("by");
    am.put(&entry, "at", "2026-01-01T00:00:00Z").expect("at");
    am.commit();
}

pub(crate) fn message(doc: &mut CheckDoc) -> DocMessage {
    let mut state = automerge::sync::State::new();
    prime(&mut state);
    let check = doc.id().expect("id");
    let message = doc
        .automerge()
        .sync()
        .generate_sync_message(&mut state)
        .expect("a primed state yields a message");
    DocMessage {
        check,
        message: message.encode(),
    }
}

pub(crate) fn request(messages: Vec<DocMessage>) -> SyncRequest {
    SyncRequest {
        device: DeviceInfo {
            id: "ana-device".into(),
            user: "ana".into(),
            role: Role::Inspector,
        },
        cursor: 0,
        horizon: None,
        receive: Default::default(),
        messages,
        window: None,
    }
}

fn ids(store: &SqliteStore, valid: Option<bool>) -> Vec<CheckId> {
    let filter = CheckFilter {
        valid,
        ..CheckFilter::default()
    };
    let mut ids: Vec<CheckId> = store
        .list_checks(&filter)
        .expect("list")
        .into_iter()
        .map(|c| c.id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn invalid_checks_are_stored_flagged_and_the_rest_of_the_batch_syncs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let good_fields = [
        ("operating", FieldValue::Bool(true)),
        ("bread_price_syp", FieldValue::Int(1250)),
    ];
    let mut good = bakery(&good_fields);
    // v2 requires the price while operating, and 2,000,000 is above the maximum.
    let mut missing = bakery(&[("operating", FieldValue::Bool(true))]);
    let mut too_high = bakery(&[
        ("operating", FieldValue::Bool(true)),
        ("bread_price_syp", FieldValue::Int(2_000_000)),
    ]);
    let mut unknown_link = bakery(&good_fields);
    raw_manual_link(&mut unknown_link, "43");
    let docs = [&mut good, &mut missing, &mut too_high, &mut unknown_link];
    let messages: Vec<DocMessage> = docs.into_iter().map(message).collect();
    let checks: Vec<CheckId> = messages.iter().map(|m| m.check).collect();

    let response = sync_round(&store, &request(messages), &Limits::default()).expect("round");
    assert!(response.rejected.is_empty(), "{:?}", response.rejected);
    assert_eq!(response.cursor, 4, "all four stored");

    let mut invalid = checks[1..].to_vec();
    invalid.sort();
    assert_eq!(ids(&store, Some(false)), invalid);
    assert_eq!(ids(&store, Some(true)), [checks[0]]);
    assert_eq!(ids(&store, None).len(), 4);

    let stored_reasons = |check: CheckId| -> Vec<(String, String)> {
        let doc = store.load_check(check).expect("load").expect("stored");
        let read = CheckDoc::load(&doc.bytes)
            .expect("doc")
            .read()
            .expect("read");
        fieldsync_schema::validation::check_violations(&read)
            .into_iter()
            .map(|v| (v.field, v.rule.code().to_owned()))
            .collect()
    };
    let reason = |f: &str, c: &str| vec![(f.to_owned(), c.to_owned())];
    assert_eq!(
        stored_reasons(checks[1]),
        reason("bread_price_syp", "required")
    );
    assert_eq!(stored_reasons(checks[2]), reason("bread_price_syp", "max"));
    assert_eq!(
        stored_reasons(checks[3]),
        reason("manual_links", "unknown_resolution")
    );
    let json: String = store_violations(dir.path(), checks[2]);
    assert!(json.contains("\"code\":\"max\""), "{json}");
}

/// The `violations` column as stored, read straight from the database file.
fn store_violations(dir: &std::path::Path, check: CheckId) -> String {
    let conn = rusqlite::Connection::open(dir.join("fieldsync.db")).expect("open");
    conn.query_row(
        "SELECT violations FROM documents WHERE check_id = ?1",
        [check.to_string()],
        |r| r.get(0),
    )
    .expect("row")
}

#[test]
fn a_check_nested_thousands_deep_is_refused_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let mut good = bakery(&[("operating", FieldValue::Bool(false))]);
    let mut deep = bakery(&[("operating", FieldValue::Bool(false))]);
    // Deep enough to overflow any recursive walk of a 2 MiB worker stack.
    let am = deep.automerge();
    let mut obj = am
        .put_object(ROOT, "review_extra", ObjType::Map)
        .expect("map");
    for _ in 0..20_000 {
        obj = am.put_object(&obj, "x", ObjType::Map).expect("nest");
    }
    am.commit();
    let messages = vec![message(&mut good), message(&mut deep)];
    let deep_id = messages[1].check;
    let response = sync_round(&store, &request(messages), &Limits::default()).expect("round");
    assert_eq!(response.rejected.len(), 1, "{:?}", response.rejected);
    let rejection = &response.rejected[0];
    assert_eq!(rejection.check, deep_id);
    assert_eq!(rejection.error, super::INVALID_CHECK);
    assert!(
        rejection.message.contains("at most 8 deep"),
        "{}",
        rejection.message
    );
    assert_eq!(response.cursor, 1, "the other check is stored");
}
