//! Tests of the `view` column: written with every document, equal to decoding the bytes,
//! conflicts included; stale, missing or damaged views fall back to the bytes; migration 006
//! fills the views of rows stored before it.

use fieldsync_schema::Role;
use rusqlite::Connection;
use rusqlite_migration::Migrations;

use super::*;
use crate::store::{DB_FILE, Store, StoredCheck, migrations};
use crate::sync_rounds::run;
use crate::test_support::{LocalServer, bakery, edit, identity, new_store, temp_home};

/// Every check as the walk returns it.
fn walked(store: &Store) -> Vec<StoredCheck> {
    let checks = store.db().checks().expect("walk");
    assert!(checks.unreadable.is_empty(), "{:?}", checks.unreadable);
    checks.readable
}

fn views(store: &Store) -> Vec<(Option<String>, Option<i64>)> {
    let mut stmt = store
        .conn
        .prepare("SELECT view, view_version FROM documents ORDER BY check_id")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// A store holding two checks, one of them with a same-field conflict, written by record,
/// edit and sync (every statement that writes bytes).
fn store_with_a_conflict() -> (tempfile::TempDir, Store, tempfile::TempDir) {
    let mut server = LocalServer::default();
    let (a, mut ana) = new_store("ana", Role::Inspector);
    let (b, mut bilal) = new_store("bilal", Role::Inspector);
    let id = bakery(&["bread_price_syp=1250"])
        .record(&mut ana)
        .expect("record");
    bakery(&[]).record(&mut ana).expect("second");
    run(&mut ana, &mut server, |_| {}).expect("push");
    run(&mut bilal, &mut server, |_| {}).expect("pull");
    edit(id, &["bread_price_syp=1500"])
        .apply(&mut ana)
        .expect("edit");
    edit(id, &["bread_price_syp=2000"])
        .apply(&mut bilal)
        .expect("edit");
    run(&mut ana, &mut server, |_| {}).expect("sync");
    run(&mut bilal, &mut server, |_| {}).expect("sync");
    run(&mut ana, &mut server, |_| {}).expect("sync");
    drop(bilal);
    (a, ana, b)
}

#[test]
fn views_are_written_with_the_bytes_and_read_as_the_bytes_do() {
    let (_a, ana, _b) = store_with_a_conflict();
    assert!(
        views(&ana)
            .iter()
            .all(|(v, n)| v.is_some() && *n == Some(VIEW_VERSION))
    );
    let from_views = walked(&ana);
    assert_eq!(from_views.len(), 2);
    assert!(
        from_views.iter().any(|c| c.conflicts.len() == 1),
        "the conflict is in the view: {from_views:?}"
    );
    ana.conn
        .execute("UPDATE documents SET view_version = view_version + 1", [])
        .expect("stale");
    assert_eq!(
        walked(&ana),
        from_views,
        "decoding the bytes gives the same"
    );

    // A current view is what the walk reads: the bytes are not loaded.
    ana.conn
        .execute(
            "UPDATE documents SET view_version = ?1,
                 view = replace(view, '\"inspector\":\"ana\"', '\"inspector\":\"from the view\"')",
            [VIEW_VERSION],
        )
        .expect("mark");
    assert!(
        walked(&ana)
            .iter()
            .all(|c| c.check.inspector == "from the view")
    );
}

#[test]
fn missing_or_damaged_views_fall_back_to_the_bytes() {
    let (_a, ana, _b) = store_with_a_conflict();
    let want = walked(&ana);
    ana.conn
        .execute(
            "UPDATE documents SET view = '{\"not\": \"a view\"}' WHERE rowid = (SELECT min(rowid) FROM documents)",
            [],
        )
        .expect("damage");
    ana.conn
        .execute(
            "UPDATE documents SET view = NULL WHERE rowid = (SELECT max(rowid) FROM documents)",
            [],
        )
        .expect("drop");
    assert_eq!(walked(&ana), want);
}

#[test]
fn migration_006_fills_the_views_of_documents_stored_before_it() {
    let (a, ana, _b) = store_with_a_conflict();
    let want = walked(&ana);
    let home = temp_home();
    {
        // The same rows in a store as the previous build left it: version 5, no views.
        let mut conn = Connection::open(home.path().join(DB_FILE)).expect("open");
        Migrations::new(migrations()[..5].to_vec())
            .to_latest(&mut conn)
            .expect("v5");
        let who = identity("ana", Role::Inspector);
        conn.execute(
            "INSERT INTO meta (id, device_id, actor_id, user_name, role) VALUES (1, ?1, ?2, ?3, 'inspector')",
            rusqlite::params![who.device_id, who.actor.to_hex_string(), who.user],
        )
        .expect("meta");
        let path = a.path().join(DB_FILE);
        conn.execute("ATTACH ?1 AS old", [path.to_string_lossy()])
            .expect("attach");
        conn.execute(
            "INSERT INTO documents (check_id, bytes, heads, server_heads, sync_state, updated_at, observed_at_utc)
             SELECT check_id, bytes, heads, server_heads, sync_state, updated_at, observed_at_utc
             FROM old.documents",
            [],
        )
        .expect("copy");
    }
    let store = Store::open(home.path()).expect("migrate");
    let filled = views(&store);
    assert_eq!(filled.len(), 2);
    assert!(
        filled
            .iter()
            .all(|(v, n)| v.is_some() && *n == Some(VIEW_VERSION))
    );
    assert_eq!(walked(&store), want);
}

#[test]
fn views_of_an_older_layout_are_rewritten_once_at_open() {
    let (a, ana, _b) = store_with_a_conflict();
    let want = walked(&ana);
    ana.conn
        .execute(
            "UPDATE documents SET view_version = 1, view = '{\"old\": \"layout\"}'",
            [],
        )
        .expect("age the views");
    ana.conn
        .execute("UPDATE meta SET view_version = 1", [])
        .expect("age the store");
    drop(ana);
    let reopened = Store::open(a.path()).expect("reopen");
    assert!(
        views(&reopened).iter().all(
            |(v, n)| v.as_deref().is_some_and(|v| v.contains("\"check\""))
                && *n == Some(VIEW_VERSION)
        ),
        "{:?}",
        views(&reopened)
    );
    let reached: i64 = reopened
        .conn
        .query_row("SELECT view_version FROM meta", [], |r| r.get(0))
        .expect("meta");
    assert_eq!(reached, VIEW_VERSION);
    assert_eq!(walked(&reopened), want);
}
