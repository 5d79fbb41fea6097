//! Backup while a store is open and writing, restore refused while it is open, and bad
//! backups refused before anything is touched.

use fieldsync_schema::FieldValue;

use super::backup::backup;
use super::restore::restore;
use super::*;
use crate::store::{DB_FILE, SqliteStore, Store as _};
use crate::sync::validation_tests::{bakery, message, request};
use crate::sync::{Limits, sync_round};

/// Stores `n` new bakery checks in one round.
fn store_checks(store: &SqliteStore, n: usize) {
    let messages = (0..n)
        .map(|_| message(&mut bakery(&[("operating", FieldValue::Bool(true))])))
        .collect();
    let response = sync_round(store, &request(messages), &Limits::default()).expect("round");
    assert!(response.rejected.is_empty(), "{:?}", response.rejected);
}

#[test]
fn a_backup_taken_while_the_store_is_open_is_consistent_and_restores() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let store = SqliteStore::open(&data).expect("open");
    store_checks(&store, 3);
    let out = dir.path().join("b.db");
    let summary = backup(&data, &out).expect("backup while open");
    assert_eq!((summary.checks, summary.latest_seq), (3, 3));
    assert!(!dir.path().join("b.db.partial").exists());
    store_checks(&store, 2);

    let err = backup(&data, &out).expect_err("existing file");
    assert!(err.to_string().contains("already exists"), "{err}");
    let err = restore(&data, &out).expect_err("the store is open");
    assert!(format!("{err:#}").contains("in use"), "{err:#}");

    let actor = store.server_actor();
    drop(store);
    let restored = restore(&data, &out).expect("restore");
    assert_eq!(restored.summary.checks, 3);
    let kept = restored.kept.expect("the replaced database is kept");
    assert_eq!(check_database(&kept).expect("kept db").checks, 5);
    let store = SqliteStore::open(&data).expect("open restored");
    assert_eq!(store.server_actor(), actor, "same server id");
    assert_eq!(
        store.list_checks(&Default::default()).expect("list").len(),
        3
    );
}

#[test]
fn a_damaged_or_foreign_backup_is_refused_and_nothing_is_touched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    drop(SqliteStore::open(&data).expect("open"));
    let before = std::fs::read(data.join(DB_FILE)).expect("db");

    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, b"not a database at all, just text").expect("write");
    let err = restore(&data, &garbage).expect_err("garbage");
    assert!(format!("{err:#}").contains("garbage.db"), "{err:#}");

    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .and_then(|c| c.execute_batch("CREATE TABLE t (x); PRAGMA user_version = 99;"))
        .expect("foreign db");
    let err = restore(&data, &foreign).expect_err("newer schema");
    assert!(err.to_string().contains("schema version 99"), "{err}");

    let missing = restore(&data, &dir.path().join("nope.db")).expect_err("missing");
    assert!(missing.to_string().contains("does not exist"), "{missing}");
    assert_eq!(std::fs::read(data.join(DB_FILE)).expect("db"), before);
    let no_db = backup(&dir.path().join("empty"), &dir.path().join("x.db")).expect_err("none");
    assert!(no_db.to_string().contains("no database"), "{no_db}");
}

#[test]
fn a_restore_interrupted_after_setting_the_database_aside_is_refused_not_served_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let store = SqliteStore::open(&data).expect("open");
    store_checks(&store, 2);
    let out = dir.path().join("b.db");
    backup(&data, &out).expect("backup");
    drop(store);
    // As a kill between steps 4 and 5 leaves it: the copy in place, the database aside.
    std::fs::copy(&out, data.join(crate::store::RESTORING)).expect("copy");
    std::fs::rename(
        data.join(DB_FILE),
        data.join(format!("{DB_FILE}.before-restore-x")),
    )
    .expect("aside");
    let Err(err) = SqliteStore::open(&data) else {
        panic!("the server must refuse the directory");
    };
    assert!(err.to_string().contains("restore was interrupted"), "{err}");
    let err = crate::store::open_connection(&data).expect_err("admin commands refuse");
    assert!(err.to_string().contains("restore --from"), "{err}");
    assert!(
        !data.join(DB_FILE).exists(),
        "no empty database was created"
    );
    // Running the restore again finishes the job.
    restore(&data, &out).expect("restore again");
    let store = SqliteStore::open(&data).expect("open restored");
    assert_eq!(
        store.list_checks(&Default::default()).expect("list").len(),
        2
    );
}

#[test]
fn a_backup_taken_during_steady_writes_holds_whole_rounds_only() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let store = Arc::new(SqliteStore::open(&data).expect("open"));
    store_checks(&store, 20);
    let stop = Arc::new(AtomicBool::new(false));
    let (started, first_round) = std::sync::mpsc::channel();
    let writer = {
        let (store, stop) = (Arc::clone(&store), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut rounds = 0;
            while !stop.load(Ordering::SeqCst) {
                store_checks(&store, 5);
                rounds += 1;
                let _ = started.send(());
            }
            rounds
        })
    };
    first_round.recv().expect("the writer stored a round");
    let out = dir.path().join("b.db");
    let summary = backup(&data, &out).expect("backup during writes");
    stop.store(true, Ordering::SeqCst);
    let rounds = writer.join().expect("writer");
    // Each round stores 5 checks in one transaction: a snapshot holds whole rounds only.
    assert_eq!(summary.checks % 5, 0, "{} checks", summary.checks);
    assert!(
        summary.checks > 20 && summary.checks <= 20 + 5 * rounds,
        "{}",
        summary.checks
    );
    assert_eq!(summary.checks, summary.latest_seq);
}
