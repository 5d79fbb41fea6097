//! `kill -9` of the CLI during `record`, `edit` and `sync`: the local store opens cleanly
//! afterwards, every check `record` confirmed (printed its id) and every edit that
//! finished is there, and the next sync completes.

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;

use anyhow::{Context as _, Result, ensure};
use fieldsync_schema::CheckId;
use serde_json::json;

use crate::harness::Device;
use crate::process::ServerProcess;
use crate::server_kill::{spawn_sync, wait_rounds};
use crate::support::{Changes, DeviceState, Rng, finish, iterations, seed_checks};

const RECORD: &[&str] = &[
    "record",
    "--kind",
    "mill",
    "--site-id",
    "DEZ-MIL-0007",
    "--site-name",
    "مطحنة البوكمال",
    "--set",
    "operating=true",
];

/// Runs `record`, killing it either at once (anywhere in its run) or right after it
/// confirmed the check by printing its id. Returns the confirmed id, if any.
fn record_killed(device: &Device, at_once: bool) -> Result<Option<CheckId>> {
    let mut child = device
        .command(RECORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut confirmed = None;
    if !at_once {
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("stdout")?).read_line(&mut line)?;
        confirmed = Some(line.trim().parse().context("record prints the new id")?);
    }
    let _ = child.kill();
    child.wait()?;
    Ok(confirmed)
}

/// Runs `edit ID --set wheat_stock_tonnes=VALUE`, killed at once or left to finish.
/// Returns true when it finished successfully (the edit is then confirmed).
fn edit_killed(device: &Device, id: CheckId, value: u64, at_once: bool) -> Result<bool> {
    let id = id.to_string();
    let set = format!("wheat_stock_tonnes={value}");
    let mut child = device
        .command(&["edit", &id, "--set", &set])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    if at_once {
        let _ = child.kill();
    }
    Ok(child.wait()?.success())
}

#[test]
fn kill_9_of_the_cli_during_record_edit_and_sync_loses_nothing_confirmed() -> Result<()> {
    let iterations = iterations(3);
    let mut rng = Rng::new();
    let root = tempfile::tempdir()?;
    let server = ServerProcess::start(&root.path().join("data"), &[])?;
    let ana = Device::init_with("ana", "inspector", &["--receive", "all"])?;
    server.enrol(&ana)?;
    let mut changes = Changes::default();
    let mut interrupted = 0;
    for _ in 0..iterations {
        let at_once = rng.below(2) == 0;
        if let Some(id) = record_killed(&ana, at_once)? {
            changes.created(&[id]);
        }
        let state = DeviceState::read(ana.home())?;
        for id in changes.0.keys() {
            ensure!(state.checks.contains_key(id), "confirmed check {id} lost");
        }
        // A record killed before it confirmed may or may not have committed: count it if so.
        let unconfirmed: Vec<CheckId> = state
            .checks
            .keys()
            .filter(|id| !changes.0.contains_key(id))
            .copied()
            .collect();
        changes.created(&unconfirmed);

        if let Some(&id) = changes.pick(1, &mut rng).first() {
            let value = rng.below(100_000);
            let before = DeviceState::read(ana.home())?.checks[&id].0.clone();
            let finished = edit_killed(&ana, id, value, rng.below(2) == 0)?;
            let after = DeviceState::read(ana.home())?.checks[&id].0.clone();
            let edited = after["wheat_stock_tonnes"] == json!(value as f64);
            ensure!(!finished || edited, "a finished edit of {id} is lost");
            ensure!(
                edited || after == before,
                "{id} is neither before nor after the edit"
            );
            if edited && after != before {
                changes.edited_to(&[(id, value as f64)]);
            }
        }

        let new = seed_checks(ana.home(), 60, &mut rng)?;
        changes.seeded(&new);
        let mut sync = spawn_sync(&ana, server.url())?;
        wait_rounds(&server, &mut sync, rng.below(3), rng.below(2) == 1)?;
        let _ = sync.kill();
        interrupted += usize::from(!sync.wait()?.success());
        let state = DeviceState::read(ana.home())?;
        ensure!(
            changes.0.keys().all(|id| state.checks.contains_key(id)),
            "a check disappeared after the sync was killed"
        );
    }
    ana.sync_url(server.url())?;
    finish(
        "cli kill -9",
        (iterations, interrupted),
        &changes,
        ana.home(),
        &server,
        rng.seed,
    )
}
