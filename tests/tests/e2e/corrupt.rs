//! A check document damaged in the server's database: the server refuses to serve it (never
//! its bytes), and the next sync of a device that holds the check rebuilds it, even when
//! that device only has a small edit to send; other devices then receive it whole.

use anyhow::Result;

use crate::harness::{Device, TestServer};

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
