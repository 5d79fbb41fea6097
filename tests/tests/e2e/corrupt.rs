//! A check document damaged in the server's database: the server refuses to serve it (never
//! its bytes), and the next sync of a device that holds the check rebuilds it, even when
//! that device has nothing pending (the server asks for it) or only a small edit to send;
//! other devices then receive it whole. A deleted check rebuilt from a copy that never
//! received the deletion stays deleted.

use anyhow::Result;

use crate::harness::{Device, TestServer, sorted_ids};

/// Flips bytes in the middle of the stored document of `check` while the server runs.
fn damage(data: &std::path::Path, check: &str) -> Result<()> {
    let conn = rusqlite::Connection::open(data.join("fieldsync.db"))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mut bytes: Vec<u8> = conn.query_row(
        "SELECT bytes FROM documents WHERE check_id = ?1",
        [check],
        |r| r.get(0),
    )?;
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 8] {
        *b ^= 0x5a;
    }
    conn.execute(
        "UPDATE documents SET bytes = ?2 WHERE check_id = ?1",
        rusqlite::params![check, bytes],
    )?;
    Ok(())
}

#[test]
fn a_corrupt_stored_check_is_not_served_and_the_next_device_sync_rebuilds_it() -> Result<()> {
    let root = tempfile::tempdir()?;
    let data = root.path().join("data");
    let server = TestServer::start_at(&data)?;
    let ana = Device::init("ana", "inspector")?;
    let id = ana.record_mill("M-9")?;
    ana.sync(&server)?;
    damage(&data, &id)?;

    let (status, body) = server.get(&format!("/api/v1/checks/{id}"))?;
    assert_eq!(status, 500, "{}", String::from_utf8_lossy(&body));
    let sara = Device::init("sara", "supervisor")?;
    sara.sync(&server)?;
    assert_eq!(
        sara.json(&["list", "--json"])?.as_array().map(Vec::len),
        Some(0),
        "the damaged check is not sent"
    );

    // Ana's device has only an edit pending: the server asks it for everything.
    ana.ok(&["edit", &id, "--set", "operating=false"])?;
    ana.sync(&server)?;
    let check = server.get_json(&format!("/api/v1/checks/{id}"))?;
    assert_eq!(check["check"]["fields"]["operating"], false, "{check}");
    sara.sync(&server)?;
    let shown = sara.json(&["show", &id, "--json"])?;
    assert_eq!(shown["check"]["fields"]["operating"], false);
    Ok(())
}

/// Ana (an inspector receiving everything) records three checks and syncs, Sara (a
/// supervisor) syncs: both hold all three. Returns them and the ids.
fn three_checks_on_two_devices(server: &TestServer) -> Result<(Device, Device, Vec<String>)> {
    let ana = Device::init_with("ana", "inspector", &["--receive", "all"])?;
    let mut ids = Vec::new();
    for site in ["M-1", "M-2", "M-3"] {
        ids.push(ana.record_mill(site)?);
    }
    ids.sort();
    ana.sync(server)?;
    let sara = Device::init("sara", "supervisor")?;
    sara.sync(server)?;
    Ok((ana, sara, ids))
}

/// The audit rows about `check`: (action, user, detail).
fn audit_rows(server: &TestServer, check: &str) -> Result<Vec<(String, Option<String>, String)>> {
    Ok(crate::auth::audit_actions(server)?
        .into_iter()
        .filter(|e| e.check.as_deref() == Some(check))
        .map(|e| (e.action, e.user, e.detail))
        .collect())
}

/// The ids a device lists (`list --json` and `EXTRA`).
fn listed(device: &Device, extra: &[&str]) -> Result<Vec<String>> {
    let mut args = vec!["list", "--json"];
    args.extend_from_slice(extra);
    Ok(sorted_ids(&device.json(&args)?))
}

#[test]
fn holders_with_nothing_pending_rebuild_a_damaged_check_at_their_next_sync() -> Result<()> {
    let root = tempfile::tempdir()?;
    let data = root.path().join("data");
    let server = TestServer::start_at(&data)?;
    let (ana, sara, ids) = three_checks_on_two_devices(&server)?;
    let id = &ids[1];
    let path = format!("/api/v1/checks/{id}");
    sara.ok(&["review", id, "--state", "approved", "--comment", "ok"])?;
    sara.sync(&server)?;
    ana.sync(&server)?;
    let before = server.get_json(&path)?;
    assert_eq!(before["check"]["review"]["state"], "approved");
    let audited = audit_rows(&server, id)?;
    assert!(
        audited.iter().any(|(action, ..)| action == "review"),
        "{audited:?}"
    );
    damage(&data, id)?;

    // Neither has anything pending: the server finds the damage and asks them for it. Ana,
    // an inspector, sends Sara's approval with it: changes the server had accepted before
    // are not judged again (an inspector's device may not relay others' new changes).
    let said = ana.sync(&server)?;
    assert!(
        said.contains(&format!("server lost its copy of check {id}")),
        "{said}"
    );
    sara.sync(&server)?;
    for device in [&ana, &sara] {
        let again = device.sync(&server)?;
        assert!(!again.contains("lost its copy"), "asked once: {again}");
        assert!(again.contains("0 sent, 0 received"), "{again}");
    }
    let after = server.get_json(&path)?;
    assert_eq!(
        after["check"], before["check"],
        "the same check, authors and links"
    );
    assert_eq!(after["conflicts"], before["conflicts"]);
    assert_eq!(after["valid"], before["valid"]);
    assert_eq!(sorted_ids(&server.get_json("/api/v1/checks")?), ids);
    assert_eq!(audit_rows(&server, id)?, audited, "nothing audited twice");

    // Both may now reset their devices: a new supervisor device gets every check.
    for device in [&ana, &sara] {
        device.ok(&["reset"])?;
    }
    let tariq = Device::init("tariq", "supervisor")?;
    tariq.sync(&server)?;
    assert_eq!(listed(&tariq, &[])?, ids);
    let shown = tariq.json(&["show", id, "--json"])?;
    assert_eq!(shown["check"], before["check"]);
    Ok(())
}

#[test]
fn a_damaged_deleted_check_rebuilt_from_a_stale_copy_stays_deleted() -> Result<()> {
    let root = tempfile::tempdir()?;
    let data = root.path().join("data");
    let server = TestServer::start_at(&data)?;
    let (ana, sara, ids) = three_checks_on_two_devices(&server)?;
    let id = &ids[1];
    let path = format!("/api/v1/checks/{id}");
    sara.ok(&["review", id, "--state", "has_issues", "--comment", "twice?"])?;
    sara.sync(&server)?;
    ana.sync(&server)?;
    sara.ok(&["delete", id, "--reason", "duplicate of another visit"])?;
    sara.sync(&server)?;
    let before = server.get_json(&path)?;
    let live: Vec<String> = ids.iter().filter(|i| *i != id).cloned().collect();
    damage(&data, id)?;

    // Ana never received the deletion: her copy (with Sara's review, which the server
    // had sent her) rebuilds the check, which stays deleted.
    let said = ana.sync(&server)?;
    assert!(said.contains("lost its copy"), "{said}");
    assert!(said.contains("was deleted by sara"), "she is told: {said}");
    assert_eq!(sorted_ids(&server.get_json("/api/v1/checks")?), live);
    let partial = server.get_json(&path)?;
    assert_eq!(partial["check"]["deleted"], before["check"]["deleted"]);
    let tariq = Device::init("tariq", "supervisor")?;
    tariq.sync(&server)?;
    assert_eq!(listed(&tariq, &["--deleted"])?, live, "not sent undeleted");

    // Sara's device holds the tombstone: her next sync completes the rebuild.
    sara.sync(&server)?;
    let after = server.get_json(&path)?;
    assert_eq!(after["check"], before["check"]);
    assert_eq!(sorted_ids(&server.get_json("/api/v1/checks")?), live);
    for device in [&tariq, &ana] {
        device.sync(&server)?;
        assert_eq!(listed(device, &[])?, live, "{}", device.name);
        assert_eq!(listed(device, &["--deleted"])?, ids, "{}", device.name);
        let shown = device.json(&["show", id, "--json"])?;
        assert_eq!(shown["check"]["deleted"]["by"], "sara", "{}", device.name);
    }
    assert_eq!(
        tariq.json(&["show", id, "--json"])?["check"],
        before["check"]
    );
    Ok(())
}

#[test]
fn a_forged_change_sent_back_with_a_damaged_check_is_still_refused() -> Result<()> {
    let root = tempfile::tempdir()?;
    let data = root.path().join("data");
    let server = TestServer::start_at(&data)?;
    let ana = Device::enrolled(&server, "ana", "inspector", None)?;
    let bilal = Device::enrolled(&server, "bilal", "inspector", None)?;
    let sara = Device::enrolled(&server, "sara", "supervisor", None)?;
    let id = ana.record_mill("M-F")?;
    ana.sync(&server)?;
    sara.sync(&server)?;
    let path = format!("/api/v1/checks/{id}");
    let before = server.get_json(&path)?;
    damage(&data, &id)?;

    // What the server had accepted is not judged again; a change it never saw still is.
    crate::auth_matrix::write(&ana, &id, "edit", Some(&bilal))?;
    let out = ana.run(&["sync", "--server", &server.url()])?;
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains(&id) && said.contains("forgery"), "{said}");
    let (status, _) = server.get(&path)?;
    assert_eq!(
        status, 500,
        "still damaged: nothing of the forgery was stored"
    );

    sara.sync(&server)?;
    let after = server.get_json(&path)?;
    assert_eq!(after["check"], before["check"], "rebuilt from Sara's copy");
    Ok(())
}
