//! `js initial|idle|one-edit`: the same scenario run twice in one invocation on the same
//! generated checks, once against fieldsync and once against the JS automerge-repo 2.5.x
//! sync server (`bench/js/server.mjs`: NodeFS storage, WebSocket server adapter, started on
//! 127.0.0.1 by the harness), then the ratios `fieldsync / js`.
//!
//! The checks come from the same generator and seeds as every other scenario; for the JS side
//! their `save()` bytes are written one file per check and each device (one `node` process
//! per device, `bench/js/client.mjs`) imports them with `repo.import(bytes)`. Both sides go
//! through the counting loopback [`Proxy`], so bytes include framing (HTTP headers for
//! fieldsync, the WebSocket handshake and frames for automerge-repo).
//!
//! `initial` compares against fieldsync with `--receive own`: the JS server is set up like
//! automerge-repo-sync-server (it announces nothing, clients sync the documents they hold),
//! so no device receives other devices' checks on either side.
//!
//! `bench/js/node_modules` is installed with `npm ci` (or `npm install` if that fails) when
//! missing.

use std::time::Duration;

use anyhow::Context as _;
use fieldsync_schema::wire::Receive;
use serde_json::Value;

use super::js_initial::js_initial;
use super::js_node::{JsServer, client_once, ensure_node_modules, write_docs};
use super::{Options, make_devices, progress, steady, sync_all_at_once};
use crate::proxy::Proxy;
use crate::report::Report;
use crate::server::{ChildServer, cpu_seconds};

/// Which scenario to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Many devices push new checks to an empty server.
    Initial,
    /// A device holding N synced checks syncs again with nothing changed.
    Idle,
    /// The same after editing one check.
    OneEdit,
}

/// Default `--docs` for `initial` (as the `initial` scenario).
pub const DOCS_INITIAL: usize = 10_000;
/// Default `--devices` for `initial`.
pub const DEVICES: usize = 50;
/// Default `--docs` for `idle` and `one-edit`.
pub const DOCS_STEADY: usize = 10_000;

/// Runs the comparison.
///
/// # Errors
/// Setup failures, or fieldsync's side failing. The JS side failing (a crash, a timeout) is
/// recorded in the report (`js_completed: false`, `js_error`) instead.
pub fn run(options: &Options, which: Which) -> anyhow::Result<Report> {
    ensure_node_modules()?;
    match which {
        Which::Initial => initial(options),
        Which::Idle | Which::OneEdit => steady_pair(options, which),
    }
}

/// A number from a JS client's JSON report (NaN when absent).
pub(super) fn f(value: &Value, key: &str) -> f64 {
    value.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

/// fieldsync's `initial --receive own`, through the counting proxy.
struct FsInitial {
    wall_s: f64,
    wire_up: u64,
    wire_down: u64,
    server_cpu_s: f64,
    devices_cpu_s: f64,
    server_rss_mb: f64,
    saved: u64,
}

fn fs_initial(docs: usize, count: usize) -> anyhow::Result<FsInitial> {
    let root = tempfile::tempdir()?;
    let mut devices = make_devices(root.path(), count, docs)?;
    for device in &mut devices {
        device.set_receive(Receive::Own)?;
    }
    let saved: u64 = devices.iter().map(|d| d.saved_bytes).sum();
    let server = ChildServer::start(&root.path().join("server"))?;
    for device in &mut devices {
        device.enrol(&root.path().join("server"), &server.url)?;
    }
    let proxy = Proxy::start(&server.url, None)?;
    let (server_cpu0, bench_cpu0) = (server.cpu_s()?, cpu_seconds("self")?);
    progress(format_args!(
        "fieldsync: {count} devices pushing {docs} checks (receive own)"
    ));
    let (start, results) = sync_all_at_once(devices, &proxy.url);
    let mut end = start;
    for result in results {
        let (stats, finished) = result.map_err(|_| anyhow::anyhow!("a device thread panicked"))?;
        stats.context("a fieldsync device's sync failed")?;
        end = end.max(finished);
    }
    let (wire_up, wire_down) = proxy.bytes();
    let server_rss_mb = server.memory()?.peak_mb;
    let server_cpu_s = server.cpu_s()? - server_cpu0;
    let devices_cpu_s = cpu_seconds("self")? - bench_cpu0;
    drop(proxy);
    server.stop()?;
    Ok(FsInitial {
        wall_s: (end - start).as_secs_f64(),
        wire_up,
        wire_down,
        server_cpu_s,
        devices_cpu_s,
        server_rss_mb,
        saved,
    })
}

fn initial(options: &Options) -> anyhow::Result<Report> {
    let docs = options.docs.unwrap_or(DOCS_INITIAL);
    let count = options.devices.unwrap_or(DEVICES).max(1);
    let fs = fs_initial(docs, count)?;
    progress(format_args!(
        "fieldsync: {docs} checks in {:.2} s; now automerge-repo",
        fs.wall_s
    ));
    let js = js_initial(docs, count, options.max_s)?;
    let mut report = Report::new("js initial", docs, count);
    report.set(
        "fs_receive",
        "own",
        "(fieldsync device setting; see module doc)",
    );
    report.set_f("fs_wall_s", fs.wall_s, 3, "s");
    report.set_f("fs_checks_per_s", docs as f64 / fs.wall_s, 1, "checks/s");
    report.set(
        "fs_wire_bytes_up",
        fs.wire_up,
        "B (socket, headers included)",
    );
    report.set("fs_wire_bytes_down", fs.wire_down, "B");
    report.set("fs_wire_bytes_total", fs.wire_up + fs.wire_down, "B");
    report.set_f("fs_server_cpu_s", fs.server_cpu_s, 2, "s");
    report.set_f(
        "fs_devices_cpu_s",
        fs.devices_cpu_s,
        2,
        "s (device threads and proxy, one process)",
    );
    report.set_f("fs_server_rss_mb", fs.server_rss_mb, 1, "MB (VmHWM)");
    report.set("fs_saved_bytes", fs.saved, "B (sum of save() sizes)");
    report.set(
        "js_saved_bytes",
        js.saved,
        "B (the files the JS devices import)",
    );
    report.set("js_completed", js.error.is_none(), "");
    if let Some(error) = &js.error {
        report.set("js_error", error.clone(), "");
        report.must("js_completed", false);
        return Ok(report);
    }
    let js_total = js.wire_up + js.wire_down;
    report.set_f(
        "js_wall_s",
        js.wall_s,
        3,
        "s (go to the last client's result)",
    );
    report.set_f("js_checks_per_s", docs as f64 / js.wall_s, 1, "checks/s");
    report.set_f(
        "js_slowest_client_s",
        js.slowest_client_s,
        3,
        "s (as the slowest client measured itself)",
    );
    report.set(
        "js_wire_bytes_up",
        js.wire_up,
        "B (socket, WebSocket frames)",
    );
    report.set("js_wire_bytes_down", js.wire_down, "B");
    report.set("js_wire_bytes_total", js_total, "B");
    report.set(
        "js_connect_bytes",
        js.handshake_bytes,
        "B (WebSocket upgrade and join, before the clock; not in the totals)",
    );
    report.set_f("js_server_cpu_s", js.server_cpu_s, 2, "s");
    report.set_f(
        "js_clients_cpu_s",
        js.clients_cpu_s,
        2,
        "s (all node client processes, start-up included)",
    );
    report.set_f("js_server_rss_mb", js.server_rss_mb, 1, "MB (VmHWM)");
    let speedup = js.wall_s / fs.wall_s;
    let bytes_ratio = (fs.wire_up + fs.wire_down) as f64 / js_total as f64;
    report.set_f(
        "ratio_wall_fs_over_js",
        fs.wall_s / js.wall_s,
        4,
        "(fieldsync / js)",
    );
    report.set_f("speedup", speedup, 2, "x (js wall / fieldsync wall)");
    report.set_f(
        "ratio_wire_bytes_fs_over_js",
        bytes_ratio,
        4,
        "(fieldsync / js)",
    );
    report.at_least("speedup", speedup, 5.0);
    report.at_most("ratio_wire_bytes_fs_over_js", bytes_ratio, 0.5, false);
    Ok(report)
}

fn steady_pair(options: &Options, which: Which) -> anyhow::Result<Report> {
    let docs = options.docs.unwrap_or(DOCS_STEADY);
    let change = if which == Which::OneEdit {
        steady::Change::OneEdit
    } else {
        steady::Change::Nothing
    };
    let fs = steady::run(
        &Options {
            docs: Some(docs),
            ..options.clone()
        },
        change,
    )?
    .to_json();
    let name = if which == Which::OneEdit {
        "js one-edit"
    } else {
        "js idle"
    };
    let mut report = Report::new(name, docs, 1);
    let fs_total = f(&fs, "wire_bytes_total");
    report.set_f("fs_wall_s", f(&fs, "wall_s"), 4, "s");
    report.set(
        "fs_round_trips",
        fs.get("round_trips").cloned().unwrap_or_default(),
        "",
    );
    report.set(
        "fs_wire_bytes_up",
        fs.get("wire_bytes_up").cloned().unwrap_or_default(),
        "B",
    );
    report.set(
        "fs_wire_bytes_down",
        fs.get("wire_bytes_down").cloned().unwrap_or_default(),
        "B",
    );
    report.set(
        "fs_wire_bytes_total",
        fs_total as u64,
        "B (socket, headers included)",
    );
    report.set(
        "fs_saved_bytes",
        fs.get("saved_bytes").cloned().unwrap_or_default(),
        "B",
    );

    // automerge-repo: one device pushes (untimed), maybe edits offline, then reconnects
    // through the proxy.
    let root = tempfile::tempdir()?;
    let edit_at = (which == Which::OneEdit).then_some(docs / 2);
    let (dirs, saved, edit) = write_docs(&root.path().join("docs"), 1, docs, edit_at)?;
    report.set("js_saved_bytes", saved, "B");
    let mut server = JsServer::start(&root.path().join("server"))?;
    let direct = server.url.replace("http://", "ws://");
    let storage = root.path().join("client/storage");
    let urls = root.path().join("urls.json");
    let dir = dirs.first().context("no documents")?;
    progress(format_args!(
        "automerge-repo: pushing {docs} checks from one device (not timed)"
    ));
    let (push, push_process_s) =
        client_once(&[&"push", &direct, &storage, dir, &urls], &mut server).context("JS push")?;
    report.set_f(
        "js_first_push_s",
        f(&push, "wall_s"),
        2,
        "s (untimed setup)",
    );
    report.set_f(
        "js_first_push_process_s",
        push_process_s,
        2,
        "s (node start-up included)",
    );
    if let Some(change) = edit {
        let file = root.path().join("edit.change");
        std::fs::write(&file, &change)?;
        let index = docs / 2;
        client_once(
            &[&"edit", &"-", &storage, &urls, &index.to_string(), &file],
            &mut server,
        )
        .context("JS edit")?;
        report.set(
            "js_edit_change_bytes",
            change.len() as u64,
            "B (the Automerge change)",
        );
    }
    let proxy = Proxy::start(&server.url, None)?;
    let ws = proxy.url.replace("http://", "ws://");
    let (up0, down0) = proxy.bytes();
    let result = client_once(&[&"reconnect", &ws, &storage, &urls], &mut server);
    // Lets the last frames (acks, keep-alives in flight) be counted.
    std::thread::sleep(Duration::from_millis(100));
    let (up1, down1) = proxy.bytes();
    drop(proxy);
    let crashed = server.exited();
    server.stop();
    let (again, process_s) = match result {
        Ok(ok) => ok,
        Err(err) => {
            report.set("js_completed", false, "");
            report.set(
                "js_error",
                format!(
                    "{err:#}{}",
                    crashed.map(|c| format!("; {c}")).unwrap_or_default()
                ),
                "",
            );
            report.must("js_completed", false);
            return Ok(report);
        }
    };
    let js_total = (up1 - up0) + (down1 - down0);
    report.set("js_completed", true, "");
    report.set_f(
        "js_wall_s",
        f(&again, "wall_s"),
        4,
        "s (Repo created to every doc in sync)",
    );
    report.set_f(
        "js_load_s",
        f(&again, "load_s"),
        4,
        "s (of which: loading the docs from storage)",
    );
    report.set_f(
        "js_process_s",
        process_s,
        3,
        "s (the node process, start-up and exit included)",
    );
    report.set("js_wire_bytes_up", up1 - up0, "B");
    report.set("js_wire_bytes_down", down1 - down0, "B");
    report.set(
        "js_wire_bytes_total",
        js_total,
        "B (socket: WebSocket upgrade and frames)",
    );
    let bytes_ratio = fs_total / js_total as f64;
    let wall_ratio = f(&fs, "wall_s") / f(&again, "wall_s");
    report.set_f(
        "ratio_wire_bytes_fs_over_js",
        bytes_ratio,
        5,
        "(fieldsync / js)",
    );
    report.set_f("ratio_wall_fs_over_js", wall_ratio, 5, "(fieldsync / js)");
    // "Orders of magnitude fewer" bytes: taken as at least 100x fewer.
    report.at_most("ratio_wire_bytes_fs_over_js", bytes_ratio, 0.01, false);
    Ok(report)
}
