//! `fieldsync-server backup` while the server serves, `restore` refused while it runs, and
//! a restored server that devices ahead of the backup bring back to everything: the real
//! server binary as a process, real CLI devices.

use anyhow::Result;

use crate::harness::{Device, sorted_ids};
use crate::process::{ServerProcess, server_command};

fn stdout_of(args: &[&str]) -> Result<(bool, String, String)> {
    let out = server_command(args)?;
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[test]
fn an_online_backup_restored_gets_back_everything_from_devices_ahead_of_it() -> Result<()> {
    let root = tempfile::tempdir()?;
    let data = root.path().join("data");
    let file = root.path().join("backup.db");
    let (data_arg, file_arg) = (data.to_str().expect("utf-8"), file.to_str().expect("utf-8"));
    let all = ["--receive", "all"];
    let u1 = Device::init_with("u1", "inspector", &all)?;
    let u2 = Device::init_with("u2", "inspector", &all)?;

    let server = ServerProcess::start(&data, &[])?;
    server.enrol(&u1)?;
    server.enrol(&u2)?;
    for site in ["M-1", "M-2", "M-3"] {
        u1.record_mill(site)?;
    }
    u1.sync_url(server.url())?;
    let (ok, out, err) = stdout_of(&["backup", "--data", data_arg, "--out", file_arg])?;
    assert!(ok, "backup while serving: {err}");
    assert!(out.contains("3 checks"), "{out}");

    // Acknowledged after the backup: only the devices still have these once restored.
    u1.record_mill("M-4")?;
    u1.record_mill("M-5")?;
    u1.sync_url(server.url())?;
    u2.sync_url(server.url())?;
    // Enrolled after the backup: the restore must say this device has to enrol again.
    let u3 = Device::init_with("u3", "inspector", &all)?;
    server.enrol(&u3)?;
    u3.sync_url(server.url())?;
    let before: Vec<String> = sorted_ids(&server.get_json("/api/v1/checks")?);
    assert_eq!(before.len(), 5);

    let (ok, _, err) = stdout_of(&["restore", "--data", data_arg, "--from", file_arg])?;
    assert!(
        !ok && err.contains("in use"),
        "refused while serving: {err}"
    );
    assert_eq!(sorted_ids(&server.get_json("/api/v1/checks")?), before);
    server.stop()?;

    let (ok, out, err) = stdout_of(&["restore", "--data", data_arg, "--from", file_arg])?;
    assert!(ok, "restore: {err}");
    assert!(
        out.contains("kept as"),
        "the replaced database is kept: {out}"
    );
    assert!(
        out.contains("must enrol again") && out.contains("u3 (") && !out.contains("u1 ("),
        "names the devices enrolled after the backup: {out}"
    );

    let server = ServerProcess::start(&data, &[])?;
    assert_eq!(
        server.get_json("/api/v1/checks")?.as_array().map(Vec::len),
        Some(3)
    );
    let new = u2.record_mill("M-U2")?;
    // Enrolments after the backup went with the replaced database.
    server.enrol(&u1)?;
    server.enrol(&u2)?;
    for _ in 0..2 {
        u1.sync_url(server.url())?;
        u2.sync_url(server.url())?;
    }
    let everything = sorted_ids(&server.get_json("/api/v1/checks")?);
    let mut expected = before;
    expected.push(new);
    expected.sort();
    assert_eq!(everything, expected, "nothing lost, nothing twice");
    assert_eq!(sorted_ids(&u1.json(&["list", "--json"])?), everything);
    assert_eq!(sorted_ids(&u2.json(&["list", "--json"])?), everything);
    Ok(())
}

#[test]
fn a_second_server_on_the_same_data_directory_is_refused() -> Result<()> {
    let root = tempfile::tempdir()?;
    let data = root.path().join("data");
    let first = ServerProcess::start(&data, &[])?;
    let Err(err) = ServerProcess::start(&data, &[]) else {
        panic!("two servers on one data directory");
    };
    assert!(format!("{err:#}").contains("in use"), "{err:#}");
    first.kill9()?;
    // The kernel released the lock with the process: no stale lock after kill -9.
    ServerProcess::start(&data, &[])?.stop()?;
    Ok(())
}
