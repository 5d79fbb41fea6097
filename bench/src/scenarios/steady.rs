//! `idle` and `one-edit`: one device holding N checks it already pushed (untimed), then one
//! more sync with nothing changed, or after editing one check. That sync goes through the
//! counting proxy, so its bytes include HTTP headers as they crossed the socket.

use super::{Options, per, progress, set_device_sync_figures};
use crate::device::{Device, SyncStats};
use crate::proxy::Proxy;
use crate::report::Report;
use crate::server::InProcess;

/// Default `--docs`.
pub const DOCS: usize = 10_000;

/// Which second sync to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing changed since the first sync.
    Nothing,
    /// One check edited since the first sync.
    OneEdit,
}

/// Runs the scenario.
///
/// # Errors
/// Setup, server or sync failures.
pub fn run(options: &Options, change: Change) -> anyhow::Result<Report> {
    let docs = options.docs.unwrap_or(DOCS);
    let root = tempfile::tempdir()?;
    let server = InProcess::start(&root.path().join("server"))?;
    let mut device = Device::create(&root.path().join("device"), 0, docs)?;
    device.enrol(&root.path().join("server"), &server.url)?;
    progress(format_args!(
        "generated {docs} checks; pushing them (not timed)"
    ));
    // What the device pays per round to find its pending checks while all of them are.
    let scan = std::time::Instant::now();
    let pending = device.pending()?;
    let scan_ms = scan.elapsed().as_secs_f64() * 1000.0;
    let pushes = device.sync_all(&server.url)?;
    let push_s: f64 = pushes.iter().map(|s| s.wall.as_secs_f64()).sum();
    let push_rounds: u32 = pushes.iter().map(|s| s.summary.rounds).sum();
    progress(format_args!(
        "pushed in {push_s:.2} s, {push_rounds} round trips, {} run(s)",
        pushes.len()
    ));
    if change == Change::OneEdit {
        let id = device.edit_one(docs / 2)?;
        progress(format_args!("edited check {id}"));
    }
    let proxy = Proxy::start(&server.url, None)?;
    let (up0, down0) = proxy.bytes();
    let stats: SyncStats = device.sync(&proxy.url)?;
    let (up1, down1) = proxy.bytes();
    // A further sync must have nothing to do: the measured one left nothing pending.
    let pending_after = device.pending()?;
    let again = device.sync(&proxy.url)?;
    drop(proxy);
    server.stop()?;

    let (wire_up, wire_down) = (up1 - up0, down1 - down0);
    let name = match change {
        Change::Nothing => "idle",
        Change::OneEdit => "one-edit",
    };
    let s = &stats.summary;
    let mut report = Report::new(name, docs, 1);
    set_device_sync_figures(&mut report, &stats);
    report.set("wire_bytes_up", wire_up, "B (socket, headers included)");
    report.set(
        "wire_bytes_down",
        wire_down,
        "B (socket, headers included, gzip as sent)",
    );
    report.set("wire_bytes_total", wire_up + wire_down, "B");
    report.set("sent", s.sent as u64, "messages with changes");
    report.set("received", s.received as u64, "messages with changes");
    report.set_f("in_round_trip_s", stats.in_exchange.as_secs_f64(), 4, "s");
    report.set_f(
        "on_device_s",
        stats.on_device().as_secs_f64(),
        4,
        "s (store scan, priming, applying)",
    );
    report.set(
        "pending_after",
        pending_after as u64,
        "checks still pending after it",
    );
    report.set(
        "next_sync_sent",
        again.summary.sent as u64,
        "messages with changes in a further sync",
    );
    report.set_f(
        "pending_scan_ms",
        scan_ms,
        2,
        &format!("ms (one pending_ids() while {pending} checks were pending)"),
    );
    report.set_f(
        "first_push_s",
        push_s,
        2,
        "s (untimed setup, for reference)",
    );
    report.set("first_push_round_trips", u64::from(push_rounds), "");
    report.set_f(
        "saved_bytes_per_check",
        per(device.saved_bytes, docs),
        1,
        "B",
    );
    report.set("saved_bytes", device.saved_bytes, "B");
    report.at_most("round_trips", f64::from(s.rounds), 1.0, false);
    report.at_most(
        "wire_bytes_total",
        (wire_up + wire_down) as f64,
        1024.0,
        true,
    );
    Ok(report)
}
