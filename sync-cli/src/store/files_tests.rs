//! Unsynced counts, backups and removal of the store.

use fieldsync_schema::Role;

use super::*;
use crate::test_support::{bakery, new_store};

#[test]
fn unsynced_checks_are_counted_backed_up_and_removed_with_the_store() {
    let (home, mut store) = new_store("ana", Role::Inspector);
    assert_eq!(store.db().unsynced_count().expect("count"), 0);
    bakery(&[]).record(&mut store).expect("record");
    bakery(&[]).record(&mut store).expect("record");
    assert_eq!(store.db().unsynced_count().expect("count"), 2);

    let out = home.path().join("copy.db");
    let summary = store.backup(&out).expect("backup");
    assert_eq!(
        summary,
        BackupSummary {
            checks: 2,
            unsynced: 2
        }
    );
    assert!(!home.path().join("copy.db.partial").exists());
    assert_eq!(check_backup(&out).expect("check"), summary);
    let again = store.backup(&out).expect_err("exists");
    assert!(again.to_string().contains("copy.db"), "{again}");

    drop(store);
    assert!(Store::exists(home.path()));
    Store::remove(home.path()).expect("remove");
    assert!(!Store::exists(home.path()));
    Store::remove(home.path()).expect("removing nothing is fine");
}

#[test]
fn a_file_that_is_not_a_store_is_not_a_backup() {
    let (home, _store) = new_store("ana", Role::Inspector);
    let file = home.path().join("junk.db");
    std::fs::write(&file, b"junk junk junk junk").expect("write");
    let err = check_backup(&file).expect_err("junk");
    assert!(err.to_string().contains("junk.db"), "{err}");
}
