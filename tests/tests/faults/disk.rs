//! A full disk: the server's database is capped (`--max-db-bytes`, SQLite's
//! `max_page_count`, the same `SQLITE_FULL` a full disk gives) and another process fills
//! the space left. Syncs get a 507 naming the problem, nothing half-written is kept, and
//! when that process frees its space the running server takes syncs again by itself.

use std::path::Path;

use anyhow::{Context as _, Result, ensure};
use rusqlite::Connection;

use crate::harness::Device;
use crate::process::ServerProcess;
use crate::support::{
    Changes, DeviceState, Rng, acknowledged_present, edit_checks, finish, iterations, seed_checks,
    server_ids,
};

/// The database cap: 8 MiB.
const CAP: u64 = 8 * 1024 * 1024;

/// Space the filler leaves: less than the new checks of one iteration need.
const LEFT: u64 = 24 * 1024;

/// Another process takes the space up to the cap but `LEFT` bytes in a table of its own
/// (SQLite lets a file grow past a connection's cap when another connection grows it, so
/// the filler stops just below it).
fn fill(db: &Path) -> Result<Connection> {
    let conn = Connection::open(db)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch("CREATE TABLE IF NOT EXISTS fault_filler (b BLOB)")?;
    let size: u64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    loop {
        let free: u64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        let pages: u64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let room = CAP.saturating_sub((pages - free) * size);
        if room <= LEFT {
            return Ok(conn);
        }
        let blob = (room - LEFT).min(256 * 1024) / 2;
        conn.execute(
            "INSERT INTO fault_filler VALUES (zeroblob(?1))",
            [blob.max(1)],
        )?;
    }
}

#[test]
fn a_full_disk_answers_507_keeps_nothing_half_written_and_recovers_by_itself() -> Result<()> {
    let iterations = iterations(2);
    let mut rng = Rng::new();
    let root = tempfile::tempdir()?;
    let data = root.path().join("data");
    let cap = CAP.to_string();
    let server = ServerProcess::start(&data, &["--max-db-bytes", &cap])?;
    let ana = Device::init_with("ana", "inspector", &["--receive", "all"])?;
    server.enrol(&ana)?;
    let mut changes = Changes::default();
    changes.seeded(&seed_checks(ana.home(), 20, &mut rng)?);
    ana.sync_url(server.url())?;
    let mut interrupted = 0;
    for _ in 0..iterations {
        let filler = fill(&data.join("fieldsync.db"))?;
        let old = changes.pick(10, &mut rng);
        changes.edited_to(&edit_checks(ana.home(), &old, &mut rng)?);
        changes.seeded(&seed_checks(ana.home(), 40, &mut rng)?);

        let out = ana.run(&["sync", "--server", server.url()])?;
        let err = String::from_utf8_lossy(&out.stderr);
        ensure!(!out.status.success(), "a sync onto a full disk must fail");
        interrupted += 1;
        ensure!(
            err.contains("HTTP 507") && err.contains("disk is full"),
            "a clear 507: {err}"
        );
        let verdict: String = filler.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        ensure!(verdict == "ok", "the database is damaged: {verdict}");
        let state = DeviceState::read(ana.home())?;
        acknowledged_present(&state, &server)?;
        let listed = server_ids(&server)?;
        ensure!(
            listed.iter().all(|id| state.checks.contains_key(id)),
            "the server lists a check the device never sent"
        );

        // Space returns: the other process frees its table (pages go to the free list).
        filler
            .execute_batch("DELETE FROM fault_filler")
            .context("free the space")?;
        drop(filler);
        ana.sync_url(server.url())?;
    }
    finish(
        "disk full",
        (iterations, interrupted),
        &changes,
        ana.home(),
        &server,
        rng.seed,
    )
}
