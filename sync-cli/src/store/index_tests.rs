//! Tests of the index columns: their text order, how writers and migration 004 fill them,
//! and the ordered walk over them.

use fieldsync_schema::{CheckDoc, CheckId, FormRef, Role};
use rusqlite::Connection;
use rusqlite_migration::Migrations;

use super::*;
use crate::commands::record::Record;
use crate::store::{DB_FILE, NewIdentity, Store, migrations};
use crate::test_support::{bakery, identity, new_store, temp_home};

/// Ids in a chosen order (`n` = 1 sorts first).
fn id(n: u8) -> CheckId {
    format!("00000000-0000-7000-8000-0000000000{n:02x}")
        .parse()
        .expect("id")
}

/// A bakery check document with the given id and observation time.
fn doc_at(who: &NewIdentity, check: CheckId, observed_at: &str) -> CheckDoc {
    let mut new = Record {
        observed_at: Some(observed_at.into()),
        ..bakery(&[])
    }
    .new_check()
    .expect("valid");
    new.id = check;
    let form = FormRef {
        id: "bakery".into(),
        version: 1,
    };
    let author = fieldsync_schema::Author {
        name: who.user.clone(),
        device: who.device_id.clone(),
        role: who.role,
    };
    CheckDoc::create(&new, &form, &author, who.actor.clone()).expect("create")
}

fn walk(store: &Store) -> Vec<Result<CheckId, String>> {
    let mut seen = Vec::new();
    store
        .db()
        .for_each_check(|read| {
            seen.push(read.map(|c| c.check.id).map_err(|(id, _)| id));
            Ok::<_, StoreError>(())
        })
        .expect("walk");
    seen
}

fn keys(conn: &Connection) -> Vec<(String, Option<String>)> {
    let mut stmt = conn
        .prepare("SELECT check_id, observed_at_utc FROM documents ORDER BY check_id")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn keys_are_fixed_width_and_sort_as_time() {
    let ts = |s: &str| s.parse::<jiff::Timestamp>().expect(s);
    let cases = [
        ("2026-03-29T07:15:00Z", "2026-03-29T07:15:00.000000000Z"),
        ("2026-03-29T07:15:00.5Z", "2026-03-29T07:15:00.500000000Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000000Z"),
        ("-000044-03-15T12:00:00Z", "0000-01-01T00:00:00.000000000Z"),
    ];
    for (at, want) in cases {
        assert_eq!(utc_key(ts(at)), want, "{at}");
    }
    // `.5Z` after `Z` in plain RFC 3339 text would sort the later instant first.
    let mut sorted = vec![
        ts("2026-03-29T07:15:00.5Z"),
        ts("2026-03-29T07:15:00Z"),
        ts("0999-12-31T23:59:59.999Z"),
        ts("2026-03-29T07:14:59.999999999Z"),
    ];
    let mut by_key = sorted.clone();
    sorted.sort();
    by_key.sort_by_key(|t| utc_key(*t));
    assert_eq!(by_key, sorted);
}

#[test]
fn checks_walk_by_utc_instant_then_id_whatever_the_offset() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let who = identity("ana", Role::Inspector);
    // (id, observed at): local times disagree with UTC order; 4 and 2 are the same instant.
    let rows = [
        (1, "2026-03-29T12:00:00+03:00"),   // 09:00Z
        (2, "2026-03-29T08:30:00+00:00"),   // 08:30Z
        (3, "2026-03-29T11:00:00+05:00"),   // 06:00Z
        (4, "2026-03-29T04:30:00-04:00"),   // 08:30Z
        (5, "2026-03-28T23:59:59.5-08:00"), // 07:59:59.5Z
    ];
    store
        .write(|db| {
            for (n, at) in rows {
                db.insert_new(id(n), &mut doc_at(&who, id(n), at))?;
            }
            // Received but not a check (yet): NULL key, last.
            db.save_synced(id(0), &mut CheckDoc::empty(), "", &[])
        })
        .expect("insert");
    let want: Vec<Result<CheckId, String>> = vec![
        Ok(id(3)),
        Ok(id(5)),
        Ok(id(2)),
        Ok(id(4)),
        Ok(id(1)),
        Err(id(0).to_string()),
    ];
    assert_eq!(walk(&store), want);
    let checks = store.db().checks().expect("checks");
    let readable: Vec<CheckId> = checks.readable.iter().map(|c| c.check.id).collect();
    assert_eq!(readable, [id(3), id(5), id(2), id(4), id(1)]);
    assert_eq!(checks.unreadable.len(), 1);
    assert!(checks.unreadable[0].1.contains("corrupt"), "{checks:?}");

    // An edit that moves the observation moves the check.
    store
        .write(|db| db.save_local(id(1), &mut doc_at(&who, id(1), "2026-03-29T05:00:00Z")))
        .expect("edit");
    assert_eq!(walk(&store)[0], Ok(id(1)));
}

#[test]
fn batches_decoded_on_several_threads_keep_the_order() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let who = identity("ana", Role::Inspector);
    store
        .write(|db| {
            for n in 1..=7 {
                let at = format!("2026-03-{:02}T10:00:00+03:00", 20 - n);
                db.insert_new(id(n), &mut doc_at(&who, id(n), &at))?;
            }
            db.save_synced(id(8), &mut CheckDoc::empty(), "", &[])
        })
        .expect("insert");
    let want: Vec<Result<CheckId, String>> = (1..=7)
        .rev()
        .map(|n| Ok(id(n)))
        .chain([Err(id(8).to_string())])
        .collect();
    for (batch, threads) in [(1, 1), (2, 3), (3, 2), (256, 4), (8, 8)] {
        let mut seen = Vec::new();
        store
            .db()
            .walk(batch, threads, |read| {
                seen.push(read.map(|c| c.check.id).map_err(|(id, _)| id));
                Ok::<_, StoreError>(())
            })
            .expect("walk");
        assert_eq!(seen, want, "batch {batch}, {threads} threads");
    }
    assert_eq!(
        map_split(&[1, 2, 3, 4, 5], 3, |n| n * 10),
        [10, 20, 30, 40, 50]
    );
    assert!(map_split(&[0u8; 0], 4, |n| *n).is_empty());
}

#[test]
fn the_walk_stops_at_the_callers_error_and_uses_the_index_without_sorting() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let who = identity("ana", Role::Inspector);
    store
        .write(|db| {
            db.insert_new(id(1), &mut doc_at(&who, id(1), "2026-03-29T10:00:00Z"))?;
            db.insert_new(id(2), &mut doc_at(&who, id(2), "2026-03-29T11:00:00Z"))
        })
        .expect("insert");
    let mut calls = 0;
    let err = store
        .db()
        .for_each_check(|_| {
            calls += 1;
            Err(StoreError::UnknownCheck {
                prefix: "stop".into(),
            })
        })
        .expect_err("stopped");
    assert!(matches!(err, StoreError::UnknownCheck { .. }), "{err}");
    assert_eq!(calls, 1);
    for sql in ORDERED {
        let mut stmt = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        let plan: Vec<String> = stmt
            .query_map([VIEW_VERSION], |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<Result<_, _>>()
            .expect("rows");
        let plan = plan.join("; ");
        assert!(plan.contains("documents_by_observed"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}

#[test]
fn migration_004_fills_the_keys_of_documents_stored_before_it() {
    let home = temp_home();
    let who = identity("ana", Role::Inspector);
    {
        // A store as the previous build left it: version 3, no index columns.
        let mut conn = Connection::open(home.path().join(DB_FILE)).expect("open");
        Migrations::new(migrations()[..3].to_vec())
            .to_latest(&mut conn)
            .expect("v3");
        conn.execute(
            "INSERT INTO meta (id, device_id, actor_id, user_name, role) VALUES (1, ?1, ?2, ?3, 'inspector')",
            params![who.device_id, who.actor.to_hex_string(), who.user],
        )
        .expect("meta");
        let docs = [
            (
                id(1),
                doc_at(&who, id(1), "2026-03-29T12:00:00+03:00").save(),
            ),
            (
                id(2),
                doc_at(&who, id(2), "2026-03-29T08:00:00+03:00").save(),
            ),
            (id(3), b"not automerge".to_vec()),
        ];
        for (check, bytes) in docs {
            conn.execute(
                "INSERT INTO documents (check_id, bytes, heads, updated_at) VALUES (?1, ?2, '', '')",
                params![check.to_string(), bytes],
            )
            .expect("document");
        }
    }
    let store = Store::open(home.path()).expect("migrate");
    let want = vec![
        (
            id(1).to_string(),
            Some("2026-03-29T09:00:00.000000000Z".into()),
        ),
        (
            id(2).to_string(),
            Some("2026-03-29T05:00:00.000000000Z".into()),
        ),
        (id(3).to_string(), None),
    ];
    assert_eq!(keys(&store.conn), want);
    assert_eq!(walk(&store), [Ok(id(2)), Ok(id(1)), Err(id(3).to_string())]);

    // The hook itself, on rows whose keys were lost: fills them again.
    store
        .conn
        .execute("UPDATE documents SET observed_at_utc = NULL", [])
        .expect("null");
    let tx = store.conn.unchecked_transaction().expect("tx");
    backfill(&tx).expect("backfill");
    tx.commit().expect("commit");
    assert_eq!(keys(&store.conn), want);
}
