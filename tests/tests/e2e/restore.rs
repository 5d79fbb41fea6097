//! A server restored from a backup, or a different server: devices that are ahead re-send
//! what it lacks, pick up what it has, and nothing is lost.

use std::path::Path;

use anyhow::Result;

use crate::harness::{Device, TestServer, sorted_ids};

/// These devices receive every check, so each holds what the other pushed.
const RECEIVE_ALL: &[&str] = &["--receive", "all"];

fn ids(device: &Device) -> Result<Vec<String>> {
    Ok(sorted_ids(&device.json(&["list", "--json"])?))
}

fn server_ids(server: &TestServer) -> Result<Vec<String>> {
    Ok(sorted_ids(&server.get_json("/api/v1/checks")?))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        std::fs::copy(entry.path(), to.join(entry.file_name()))?;
    }
    Ok(())
}

#[test]
fn devices_ahead_of_a_restored_server_resend_what_it_lacks() -> Result<()> {
    let root = tempfile::tempdir()?;
    let (data, backup) = (root.path().join("data"), root.path().join("backup"));
    let u1 = Device::init_with("u1", "inspector", RECEIVE_ALL)?;
    let u2 = Device::init_with("u2", "inspector", RECEIVE_ALL)?;

    let server = TestServer::start_at(&data)?;
    for site in ["M-1", "M-2", "M-3"] {
        u1.record_mill(site)?;
    }
    u1.sync(&server)?;
    drop(server);
    copy_dir(&data, &backup)?;

    let server = TestServer::start_at(&data)?;
    u1.record_mill("M-4")?;
    u1.record_mill("M-5")?;
    u1.sync(&server)?;
    u2.sync(&server)?;
    drop(server);
    std::fs::remove_dir_all(&data)?;
    copy_dir(&backup, &data)?;

    let server = TestServer::start_at(&data)?;
    assert_eq!(
        server_ids(&server)?.len(),
        3,
        "the backup holds the first three"
    );
    u2.record_mill("M-U2")?;
    for _ in 0..2 {
        u1.sync(&server)?;
        u2.sync(&server)?;
    }
    let everything = server_ids(&server)?;
    assert_eq!(everything.len(), 6, "M-1..M-5 and M-U2");
    assert_eq!(ids(&u1)?, everything);
    assert_eq!(ids(&u2)?, everything);
    Ok(())
}

#[test]
fn a_device_moved_to_another_server_offers_everything_again() -> Result<()> {
    let first = TestServer::start()?;
    let second = TestServer::start()?;
    let ana = Device::init_with("ana", "inspector", RECEIVE_ALL)?;
    let bilal = Device::init_with("bilal", "inspector", RECEIVE_ALL)?;
    let a = ana.record_mill("M-A")?;
    ana.sync(&first)?;
    let b = bilal.record_mill("M-B")?;
    bilal.sync(&second)?;

    let note = ana.sync(&second)?;
    assert!(
        note.contains("different server"),
        "says why it starts over: {note}"
    );
    let mut both = vec![a, b];
    both.sort();
    assert_eq!(server_ids(&second)?, both);
    assert_eq!(ids(&ana)?, both);
    Ok(())
}

#[test]
fn a_restored_server_whose_sequence_was_reused_still_gets_everything_back() -> Result<()> {
    let root = tempfile::tempdir()?;
    let (data, backup) = (root.path().join("data"), root.path().join("backup"));
    let u1 = Device::init_with("u1", "inspector", RECEIVE_ALL)?;
    let u2 = Device::init_with("u2", "inspector", RECEIVE_ALL)?;

    let server = TestServer::start_at(&data)?;
    let edited = u1.record_mill("M-1")?;
    u1.record_mill("M-2")?;
    u1.sync(&server)?;
    u2.sync(&server)?;
    drop(server);
    copy_dir(&data, &backup)?;

    // u1's edit and new check are acknowledged by the server that is about to be lost.
    let server = TestServer::start_at(&data)?;
    u1.ok(&["edit", &edited, "--set", "operating=false"])?;
    u1.record_mill("M-3")?;
    u1.sync(&server)?;
    drop(server);
    std::fs::remove_dir_all(&data)?;
    copy_dir(&backup, &data)?;

    // After the restore u2 syncs first: its new checks reuse the sequence numbers u1 saw.
    let server = TestServer::start_at(&data)?;
    for site in ["S-1", "S-2", "S-3"] {
        u2.record_mill(site)?;
    }
    u2.sync(&server)?;
    let note = u1.sync(&server)?;
    assert!(
        note.contains("restored"),
        "u1 is told to start over: {note}"
    );
    u2.sync(&server)?;

    let everything = server_ids(&server)?;
    assert_eq!(everything.len(), 6, "M-1..M-3 and S-1..S-3");
    assert_eq!(ids(&u1)?, everything, "u1 got every check of u2");
    assert_eq!(ids(&u2)?, everything);
    let shown = u2.json(&["show", &edited, "--json"])?;
    assert_eq!(
        shown["check"]["fields"]["operating"], false,
        "u1's acknowledged edit is back"
    );
    Ok(())
}
