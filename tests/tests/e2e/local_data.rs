//! Local data is never dropped by accident: `reset` and re-`init` refuse while checks are
//! unsynced (saying how many) unless `--force`; `backup` / `restore` of a device's store.

use anyhow::Result;

use crate::harness::{Device, TestServer};

fn count(device: &Device) -> Result<usize> {
    Ok(device
        .json(&["list", "--json"])?
        .as_array()
        .map_or(0, Vec::len))
}

#[test]
fn reset_and_reinit_refuse_while_checks_are_unsynced_and_say_how_many() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    ana.record_mill("M-1")?;
    ana.record_mill("M-2")?;
    for args in [&["reset"][..], &["init", "--inspector", "ana"][..]] {
        let err = ana.fails(args)?;
        assert!(
            err.contains("2 check(s)") && err.contains("--force") && err.contains("sync"),
            "{args:?}: {err}"
        );
        assert_eq!(count(&ana)?, 2, "{args:?} changed nothing");
    }

    ana.sync(&server)?;
    let note = ana.ok(&["init", "--inspector", "ana"]);
    assert!(
        note.is_ok(),
        "everything synced: re-init replaces the store: {note:?}"
    );
    assert_eq!(count(&ana)?, 0);

    ana.record_mill("M-3")?;
    let out = ana.run(&["init", "--inspector", "ana", "--force"])?;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.contains("1 unsynced"), "{err}");
    ana.ok(&["reset"])?;
    let gone = ana.fails(&["list"])?;
    assert!(gone.contains("fieldsync init"), "{gone}");
    Ok(())
}

#[test]
fn a_device_backup_restores_its_unsynced_checks_and_they_sync_once() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    let first = ana.record_mill("M-1")?;
    ana.sync(&server)?;
    ana.record_mill("M-2")?;
    let file = ana.home().join("ana-backup.db");
    let file = file.to_str().expect("utf-8");
    let out = ana.run(&["backup", "--out", file])?;
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{note}");
    assert!(note.contains("2 checks, 1 not yet synced"), "{note}");
    assert!(ana.fails(&["backup", "--out", file])?.contains("exists"));

    // The device loses its store after syncing an edit the backup lacks.
    ana.ok(&["edit", &first, "--set", "operating=false"])?;
    ana.sync(&server)?;
    ana.ok(&["reset"])?;
    ana.ok(&["restore", "--from", file])?;
    assert_eq!(count(&ana)?, 2);

    ana.sync(&server)?;
    let on_server = server.get_json("/api/v1/checks")?;
    assert_eq!(on_server.as_array().map(Vec::len), Some(2), "{on_server}");
    let shown = ana.json(&["show", &first, "--json"])?;
    assert_eq!(
        shown["check"]["fields"]["operating"], false,
        "the edit made after the backup came back from the server"
    );
    // Writing after the restore is safe: a new actor, so no reused change numbers.
    ana.ok(&["edit", &first, "--set", "operating=true"])?;
    ana.sync(&server)?;
    let check = server.get_json(&format!("/api/v1/checks/{first}"))?;
    assert_eq!(check["check"]["fields"]["operating"], true, "{check}");
    Ok(())
}

#[test]
fn a_restored_device_enrols_again_and_then_its_unsynced_checks_sync_under_its_user() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    ana.record_mill("M-1")?;
    ana.sync(&server)?;
    // Recorded offline, never synced, then the phone is lost: only the backup has it.
    let offline = ana.record_mill("M-2")?;
    let file = ana.home().join("ana-backup.db");
    let file = file.to_str().expect("utf-8");
    ana.ok(&["backup", "--out", file])?;
    let phone = Device::init("ana", "inspector")?;
    let out = phone.run(&["restore", "--force", "--from", file])?;
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("enrol this device again"), "{said}");
    // Not enrolled (the old token was the old device's): told so, and nothing is lost.
    let refused = phone.fails(&["sync", "--server", &server.url()])?;
    assert!(refused.contains("not enrolled"), "{refused}");
    assert_eq!(count(&phone)?, 2);
    // Enrolled as the new device of the same user: the old device's offline check syncs.
    phone.sync(&server)?;
    let stored = server.get_json(&format!("/api/v1/checks/{offline}"))?;
    assert_eq!(stored["check"]["inspector"], "ana", "{stored}");
    assert_eq!(
        server.get_json("/api/v1/checks")?.as_array().map(Vec::len),
        Some(2)
    );
    Ok(())
}
