//! A read-only data directory: the server starts anyway and serves what it holds, sync
//! rounds get a 503 that says why, the devices keep their changes, and once the directory
//! is writable again the next sync goes through without a restart; nothing is lost.
//!
//! Permissions are the real thing: the test makes the directory and its files read-only;
//! when the test runs as root (who ignores permissions) the server runs as `nobody` instead,
//! for whom root's files are read-only.

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;

use anyhow::{Result, ensure};

use crate::harness::Device;
use crate::process::ServerProcess;
use crate::support::{Changes, DeviceState, Rng, finish, iterations, seed_checks, server_ids};

/// The unprivileged user a root test runs the server as.
const NOBODY: u32 = 65534;

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

/// Makes `data` read-only for the server; returns the user to run it as.
fn make_read_only(root: &Path, data: &Path) -> Result<Option<u32>> {
    let as_root = std::fs::metadata("/proc/self")?.uid() == 0;
    set_mode(root, 0o755)?;
    for entry in std::fs::read_dir(data)? {
        set_mode(&entry?.path(), 0o444)?;
    }
    set_mode(data, 0o555)?;
    Ok(as_root.then_some(NOBODY))
}

fn make_writable(data: &Path) -> Result<()> {
    set_mode(data, 0o755)?;
    for entry in std::fs::read_dir(data)? {
        set_mode(&entry?.path(), 0o644)?;
    }
    Ok(())
}

/// Writable for the server whatever user it runs as (`nobody` under a root test).
fn make_writable_for_anyone(data: &Path) -> Result<()> {
    set_mode(data, 0o777)?;
    for entry in std::fs::read_dir(data)? {
        set_mode(&entry?.path(), 0o666)?;
    }
    Ok(())
}

#[test]
fn a_read_only_data_directory_answers_503_and_loses_nothing() -> Result<()> {
    let iterations = iterations(2);
    let mut rng = Rng::new();
    let root = tempfile::tempdir()?;
    let data = root.path().join("data");
    let ana = Device::init_with("ana", "inspector", &["--receive", "all"])?;
    let mut changes = Changes::default();
    let mut interrupted = 0;
    for i in 0..iterations {
        changes.seeded(&seed_checks(ana.home(), 15, &mut rng)?);
        let server = ServerProcess::start(&data, &[])?;
        server.enrol(&ana)?;
        ana.sync_url(server.url())?;
        let held = server_ids(&server)?.len();
        // A clean stop leaves no WAL; a kill -9 leaves the WAL and shared memory behind.
        if i % 2 == 0 {
            server.stop()?;
        } else {
            server.kill9()?;
        }

        let user = make_read_only(root.path(), &data)?;
        let server = ServerProcess::start_as(&data, &[], user)?;
        ensure!(server_ids(&server)?.len() == held, "reads are served");
        let new = seed_checks(ana.home(), 5, &mut rng)?;
        changes.seeded(&new);
        let out = ana.run(&["sync", "--server", server.url()])?;
        let err = String::from_utf8_lossy(&out.stderr);
        ensure!(
            !out.status.success() && err.contains("HTTP 503") && err.contains("cannot write"),
            "a clear 503: {err}"
        );
        interrupted += 1;
        let state = DeviceState::read(ana.home())?;
        ensure!(
            new.iter()
                .all(|id| state.checks.get(id).is_some_and(|c| !c.1)),
            "the device keeps the refused checks, still unsynced"
        );
        // Writable again while it runs: the next sync goes through, no restart.
        make_writable_for_anyone(&data)?;
        ana.sync_url(server.url())?;
        let state = DeviceState::read(ana.home())?;
        ensure!(
            new.iter()
                .all(|id| state.checks.get(id).is_some_and(|c| c.1)),
            "the refused checks sync once the directory is writable, without a restart"
        );
        server.stop()?;
        make_writable(&data)?;
    }
    let server = ServerProcess::start(&data, &[])?;
    ana.sync_url(server.url())?;
    finish(
        "read-only data directory",
        (iterations, interrupted),
        &changes,
        ana.home(),
        &server,
        rng.seed,
    )
}
