//! `initial`: an empty server; every device holds its share of new checks; all devices sync at
//! once, one OS thread each. The server is the release binary in a child process so its
//! memory and its own per-request latencies can be reported.

use std::time::Instant;

use anyhow::Context as _;
use fieldsync_schema::wire::Receive;

use super::{Options, breakdown, make_devices, per, progress, set_sync_figures, sync_all_at_once};
use crate::device::SyncStats;
use crate::report::Report;
use crate::server::{ChildServer, cpu_seconds};

/// Default `--docs`.
pub const DOCS: usize = 10_000;
/// Default `--devices`.
pub const DEVICES: usize = 50;

/// Runs the scenario.
///
/// # Errors
/// Setup, server or sync failures.
pub fn run(options: &Options) -> anyhow::Result<Report> {
    let docs = options.docs.unwrap_or(DOCS);
    let count = options.devices.unwrap_or(DEVICES).max(1);
    let root = tempfile::tempdir()?;
    let mut devices = make_devices(root.path(), count, docs)?;
    let receive = if options.receive_own {
        Receive::Own
    } else {
        Receive::All
    };
    for device in &mut devices {
        device.set_receive(receive)?;
    }
    let saved: u64 = devices.iter().map(|d| d.saved_bytes).sum();
    let cpu = devices
        .first()
        .map(|d| breakdown::measure(d, 500))
        .transpose()?;
    let server = ChildServer::start(&root.path().join("server"))?;
    for device in &mut devices {
        device.enrol(&root.path().join("server"), &server.url)?;
    }
    let (server_cpu0, bench_cpu0) = (server.cpu_s()?, cpu_seconds("self")?);
    progress(format_args!(
        "server ready in {:.3} s at {}; {count} devices syncing",
        server.ready_s, server.url
    ));
    let (start, results) = sync_all_at_once(devices, &server.url);
    let mut runs: Vec<(SyncStats, Instant)> = Vec::new();
    for result in results {
        let (stats, finished) = result.map_err(|_| anyhow::anyhow!("a device thread panicked"))?;
        runs.push((stats.context("a device's sync failed")?, finished));
    }
    let end = runs.iter().map(|(_, f)| *f).max().unwrap_or(start);
    let wall = (end - start).as_secs_f64();
    let pushed = runs
        .iter()
        .filter_map(|(s, _)| s.last_upload)
        .max()
        .map_or(wall, |t| (t - start).as_secs_f64());
    let memory = server.memory()?;
    let server_cpu = server.cpu_s()? - server_cpu0;
    let devices_cpu = cpu_seconds("self")? - bench_cpu0;
    let log = server.log();
    server.stop()?;

    let sum = |f: fn(&SyncStats) -> u64| runs.iter().map(|(s, _)| f(s)).sum::<u64>();
    let up = sum(|s| s.summary.bytes_up);
    let down = sum(|s| s.summary.bytes_down);
    let rounds = sum(|s| u64::from(s.summary.rounds));
    let received = sum(|s| s.summary.received as u64);
    let on_device: f64 = runs.iter().map(|(s, _)| s.on_device().as_secs_f64()).sum();
    let slowest_round = runs
        .iter()
        .map(|(s, _)| s.max_exchange.as_secs_f64())
        .fold(0.0, f64::max);

    let mut report = Report::new("initial", docs, count);
    set_sync_figures(&mut report, wall, up, down, rounds);
    report.set(
        "receive",
        format!("{receive:?}").to_lowercase(),
        "(device setting)",
    );
    report.set_f(
        "checks_per_s",
        docs as f64 / wall,
        1,
        "checks/s (docs / wall_s)",
    );
    report.set("saved_bytes", saved, "B (sum of save() sizes)");
    report.set_f("saved_bytes_per_check", per(saved, docs), 1, "B");
    report.set_f(
        "up_ratio",
        up as f64 / saved as f64,
        3,
        "(bytes_up / saved_bytes)",
    );
    report.set_f(
        "pushed_s",
        pushed,
        3,
        "s (until the last upload round answered)",
    );
    report.set_f(
        "push_checks_per_s",
        docs as f64 / pushed,
        1,
        "checks/s (docs / pushed_s)",
    );
    report.set(
        "docs_received",
        received,
        "(other devices' checks pulled, summed)",
    );
    report.set_f(
        "bytes_down_per_received",
        per(down, received as usize),
        1,
        "B",
    );
    report.set_f("server_rss_mb", memory.peak_mb, 1, "MB (VmHWM)");
    report.set_f("server_rss_now_mb", memory.rss_mb, 1, "MB (VmRSS at end)");
    report.set_f(
        "server_cpu_s",
        server_cpu,
        2,
        "s (server process, user + system)",
    );
    report.set_f(
        "devices_cpu_s",
        devices_cpu,
        2,
        "s (all device threads, user + system)",
    );
    report.set(
        "server_requests",
        log.requests,
        "(from its log, /healthz included)",
    );
    report.set_f(
        "server_latency_ms_per_request",
        log.latency_ms as f64 / log.requests.max(1) as f64,
        1,
        "ms (as logged; includes waiting for the single writer)",
    );
    report.set_f(
        "slowest_round_s",
        slowest_round,
        3,
        "s (as a device saw it)",
    );
    report.set_f(
        "device_side_s_per_device",
        on_device / count as f64,
        3,
        "s (outside round trips: priming, applying, SQLite)",
    );
    if let Some(cpu) = &cpu {
        breakdown::add(&mut report, cpu);
    }
    report.at_least("checks_per_s", docs as f64 / wall, 2000.0);
    report.at_most("up_ratio", up as f64 / saved as f64, 1.2, false);
    Ok(report)
}
