//! `kill -9` of the server at random points of large syncs, then a restart on the same data
//! directory: every change the device saw acknowledged is on the server after the restart,
//! the resumed sync completes, and the final state equals a fault-free run of the same
//! checks on a fresh server, each check once.

use std::process::{Child, Stdio};
use std::time::Duration;

use anyhow::Result;

use crate::harness::{Device, cli_binary};
use crate::process::ServerProcess;
use crate::support::{
    Changes, DeviceState, Rng, acknowledged_present, edit_checks, finish, iterations, seed_checks,
    server_ids,
};

/// New checks per iteration: several sync rounds' worth (the window starts at 16 KiB).
const NEW_PER_ITERATION: usize = 120;
/// Older checks edited per iteration.
const EDITS_PER_ITERATION: usize = 20;

/// Waits until the server has logged `rounds` finished sync rounds and, when `inside`, the
/// start of the next one (so a kill lands inside a round, before or during its commit), or
/// the sync ended. Polls the sync process between log lines: events, not time, decide.
pub fn wait_rounds(
    server: &ServerProcess,
    sync: &mut Child,
    rounds: u64,
    inside: bool,
) -> Result<()> {
    let mut seen = 0;
    let mut started = false;
    while seen < rounds || (inside && !started) {
        if sync.try_wait()?.is_some() {
            return Ok(());
        }
        let Some(line) = server.next_log_line(Duration::from_millis(20)) else {
            continue;
        };
        if line.contains("sync round done") {
            seen += 1;
        } else if line.contains("sync round started") && seen >= rounds {
            started = true;
        }
    }
    Ok(())
}

/// Starts `fieldsync sync` for `device` against `url` as a child process.
pub fn spawn_sync(device: &Device, url: &str) -> Result<Child> {
    Ok(device
        .command(&["sync", "--server", url])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?)
}

#[test]
fn kill_9_of_the_server_during_large_syncs_loses_no_acknowledged_change() -> Result<()> {
    let iterations = iterations(3);
    let mut rng = Rng::new();
    let root = tempfile::tempdir()?;
    let data = root.path().join("data");
    let ana = Device::init_with("ana", "inspector", &["--receive", "all"])?;
    let mut changes = Changes::default();
    let mut server = ServerProcess::start(&data, &[])?;
    server.enrol(&ana)?;
    let mut interrupted = 0;
    for _ in 0..iterations {
        let old = changes.pick(EDITS_PER_ITERATION, &mut rng);
        changes.edited_to(&edit_checks(ana.home(), &old, &mut rng)?);
        changes.seeded(&seed_checks(ana.home(), NEW_PER_ITERATION, &mut rng)?);

        let mut sync = spawn_sync(&ana, server.url())?;
        // Half the kills between rounds, half inside one (after it started).
        wait_rounds(&server, &mut sync, rng.below(5), rng.below(2) == 1)?;
        server.kill9()?;
        interrupted += usize::from(!sync.wait()?.success());
        server = ServerProcess::start(&data, &[])?;
        let device = DeviceState::read(ana.home())?;
        acknowledged_present(&device, &server)?;
    }
    ana.sync_url(server.url())?;

    // The same checks synced without faults, from a copy of the device that forgot the
    // server: the two servers must list the same checks, with the same links and flags.
    let reference_home = root.path().join("reference");
    copy_store(ana.home(), &reference_home)?;
    // The reference server has the faulted one's identity (its Automerge actor), as the
    // same server run without faults would: the link changes the device carries from it are
    // then the reference's own, not another server's (which the server's authority refuses
    // from an inspector's device).
    let reference_data = root.path().join("reference-data");
    let actor: String = fieldsync_server::store::open_connection(&data)?.query_row(
        "SELECT value FROM meta WHERE key = 'actor'",
        [],
        |r| r.get(0),
    )?;
    fieldsync_server::store::open_connection(&reference_data)?.execute(
        "INSERT INTO meta (key, value) VALUES ('actor', ?1)",
        [actor],
    )?;
    let reference = ServerProcess::start(&reference_data, &[])?;
    let code = crate::harness::code_at(&reference_data, "ana", "inspector", None)?;
    let enrolled = std::process::Command::new(cli_binary())
        .arg("--home")
        .arg(&reference_home)
        .args(["enrol", "--server", reference.url(), &code])
        .env("LC_ALL", "C.UTF-8")
        .output()?;
    anyhow::ensure!(
        enrolled.status.success(),
        "{}",
        String::from_utf8_lossy(&enrolled.stderr)
    );
    let out = std::process::Command::new(cli_binary())
        .arg("--home")
        .arg(&reference_home)
        .args(["sync", "--server", reference.url()])
        .env("LC_ALL", "C.UTF-8")
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        listing(&server)?,
        listing(&reference)?,
        "the final state equals a fault-free run"
    );
    let mut ids = server_ids(&server)?;
    ids.dedup();
    assert_eq!(ids.len(), changes.0.len());
    finish(
        "server kill -9",
        (iterations, interrupted),
        &changes,
        ana.home(),
        &server,
        rng.seed,
    )
}

/// The server's list without `seq` (which differs between two servers), sorted by id.
fn listing(server: &ServerProcess) -> Result<Vec<serde_json::Value>> {
    let mut list = server
        .get_json("/api/v1/checks")?
        .as_array()
        .cloned()
        .unwrap_or_default();
    for check in &mut list {
        if let Some(object) = check.as_object_mut() {
            object.remove("seq");
        }
    }
    list.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    Ok(list)
}

/// Copies the device's store to `to` and makes it forget every server, so its next sync
/// offers every check from scratch.
fn copy_store(from: &std::path::Path, to: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    fieldsync_sync_cli::store::Store::open(from)?.backup(&to.join("fieldsync.db"))?;
    let copy = fieldsync_sync_cli::store::Store::open(to)?;
    copy.db().reset_sync("")?;
    Ok(())
}
