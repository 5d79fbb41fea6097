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
//! `bench/js/node_modules` is installed with `npm ci` when missing.

use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Barrier, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use fieldsync_schema::CheckDoc;
use fieldsync_schema::wire::Receive;
use serde_json::Value;

use super::{Options, make_devices, progress, steady};
use crate::r#gen::{Generator, author_of};
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

/// `bench/js`.
fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js")
}

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

/// `npm ci` in `bench/js` when `node_modules` is missing.
fn ensure_node_modules() -> anyhow::Result<()> {
    let dir = js_dir();
    if dir.join("node_modules/@automerge/automerge-repo").is_dir() {
        return Ok(());
    }
    progress(format_args!(
        "bench/js/node_modules missing: running npm ci"
    ));
    let status = Command::new("npm")
        .arg("ci")
        .current_dir(&dir)
        .stdout(Stdio::null())
        .status()
        .context("running npm ci in bench/js (is Node.js 20+ with npm installed?)")?;
    if !status.success() {
        bail!("npm ci in {} failed: {status}", dir.display());
    }
    Ok(())
}

/// Writes the `save()` bytes of every device's checks (same generator, seeds and order as
/// [`make_devices`]) under `root/device-NNN/NNNNN.am`. With `edit_at`, also returns the
/// Automerge change bytes of the edit `Device::edit_one(edit_at)` makes on device 0.
fn write_docs(
    root: &Path,
    count: usize,
    docs: usize,
    edit_at: Option<usize>,
) -> anyhow::Result<(Vec<PathBuf>, u64, Option<Vec<u8>>)> {
    let per = |i: usize| docs / count + usize::from(i < docs % count);
    let mut dirs = Vec::with_capacity(count);
    let mut saved = 0u64;
    let mut change = None;
    for i in 0..count {
        let dir = root.join(format!("device-{i:03}"));
        std::fs::create_dir_all(&dir)?;
        let mut generator = Generator::new(i as u64);
        let identity = generator.identity(i);
        let author = author_of(&identity);
        for j in 0..per(i) {
            let (_, mut doc) = generator.check(j, &author, &identity.actor)?;
            let bytes = doc.save();
            saved += bytes.len() as u64;
            if i == 0 && edit_at == Some(j) {
                let mut copy = CheckDoc::load(&bytes)?;
                copy.set_actor(identity.actor.clone());
                let heads = copy.heads();
                let mut editor = Generator::new(0xed17);
                while !editor.edit(&mut copy, &author)? {}
                change = Some(copy.automerge().save_after(&heads));
            }
            std::fs::write(dir.join(format!("{j:05}.am")), bytes)?;
        }
        dirs.push(dir);
    }
    Ok((dirs, saved, change))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Peak and current resident memory of process `pid`, MB.
fn memory_mb(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        line.trim_start_matches(key)
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    Some((kb("VmHWM:")? / 1024.0, kb("VmRSS:")? / 1024.0))
}

/// `node bench/js/server.mjs DATA` as a child process.
struct JsServer {
    child: Child,
    /// `http://127.0.0.1:PORT` (for the proxy).
    url: String,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

impl JsServer {
    fn start(data: &Path) -> anyhow::Result<JsServer> {
        let mut child = Command::new("node")
            .arg(js_dir().join("server.mjs"))
            .arg(data)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting node bench/js/server.mjs (is Node.js installed?)")?;
        let stderr: Arc<Mutex<VecDeque<String>>> = Arc::default();
        if let Some(err) = child.stderr.take() {
            let tail = Arc::clone(&stderr);
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    let mut tail = lock(&tail);
                    if tail.len() == 20 {
                        tail.pop_front();
                    }
                    tail.push_back(line);
                }
            });
        }
        let out = child.stdout.take().context("server stdout")?;
        let mut lines = BufReader::new(out).lines();
        let first = lines.next().transpose()?.unwrap_or_default();
        std::thread::spawn(move || for _ in lines {});
        let Some(port) = first.strip_prefix("listening ") else {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "the JS server did not start: {first:?}; stderr: {:?}",
                lock(&stderr)
            );
        };
        let url = format!("http://127.0.0.1:{}", port.trim());
        Ok(JsServer { child, url, stderr })
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// `Some(description)` once the server process has ended.
    fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(format!(
                "the JS server exited ({status}); stderr tail: {}",
                lock(&self.stderr)
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" | ")
            )),
            _ => None,
        }
    }

    fn stop(mut self) {
        let pid = self.pid();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for JsServer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `node bench/js/client.mjs ARGS` to completion; its last stdout line as JSON.
fn client_once(args: &[&dyn AsRef<std::ffi::OsStr>]) -> anyhow::Result<(Value, f64)> {
    let mut command = Command::new("node");
    command.arg(js_dir().join("client.mjs"));
    for arg in args {
        command.arg(arg);
    }
    let started = Instant::now();
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .context("running node bench/js/client.mjs")?;
    let took = started.elapsed().as_secs_f64();
    if !output.status.success() {
        bail!("bench/js/client.mjs failed: {}", output.status);
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let last = text.lines().last().unwrap_or_default();
    let value = serde_json::from_str(last).with_context(|| format!("client said {last:?}"))?;
    Ok((value, took))
}

fn f(value: &Value, key: &str) -> f64 {
    value.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

/// What a device (one `node` client process) said during `initial`.
enum Event {
    Ready,
    Done(usize, Instant, Value, f64),
    Ended(usize),
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
    let proxy = Proxy::start(&server.url, None)?;
    let (server_cpu0, bench_cpu0) = (server.cpu_s()?, cpu_seconds("self")?);
    progress(format_args!(
        "fieldsync: {count} devices pushing {docs} checks (receive own)"
    ));
    let barrier = Barrier::new(count + 1);
    let url = proxy.url.clone();
    let (start, results) = std::thread::scope(|s| {
        let handles: Vec<_> = devices
            .into_iter()
            .map(|mut device| {
                let (barrier, url) = (&barrier, &url);
                s.spawn(move || {
                    barrier.wait();
                    let stats = device.sync(url);
                    (stats, Instant::now())
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        let results: Vec<_> = handles.into_iter().map(|h| h.join()).collect();
        (start, results)
    });
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

/// automerge-repo's side of `initial`: what it measured, or why it did not finish.
#[derive(Default)]
struct JsInitial {
    wall_s: f64,
    wire_up: u64,
    wire_down: u64,
    handshake_bytes: u64,
    server_cpu_s: f64,
    clients_cpu_s: f64,
    server_rss_mb: f64,
    saved: u64,
    slowest_client_s: f64,
    error: Option<String>,
}

fn js_initial(docs: usize, count: usize, max_s: u64) -> anyhow::Result<JsInitial> {
    let root = tempfile::tempdir()?;
    let started = Instant::now();
    let (dirs, saved, _) = write_docs(&root.path().join("docs"), count, docs, None)?;
    progress(format_args!(
        "wrote {docs} checks' save() bytes for {count} JS devices in {:.1} s (not timed)",
        started.elapsed().as_secs_f64()
    ));
    let mut server = JsServer::start(&root.path().join("server"))?;
    let proxy = Proxy::start(&server.url, None)?;
    let ws = proxy.url.replace("http://", "ws://");
    let (tx, rx) = mpsc::channel::<Event>();
    let mut children: Vec<(Child, ChildStdin)> = Vec::with_capacity(count);
    for (i, dir) in dirs.iter().enumerate() {
        let home = root.path().join(format!("client-{i:03}"));
        let mut child = Command::new("node")
            .arg(js_dir().join("client.mjs"))
            .arg("push")
            .arg(&ws)
            .arg(home.join("storage"))
            .arg(dir)
            .arg(root.path().join(format!("urls-{i:03}.json")))
            .arg("--wait-go")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting node bench/js/client.mjs")?;
        let out = child.stdout.take().context("client stdout")?;
        let stdin = child.stdin.take().context("client stdin")?;
        let pid = child.id().to_string();
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if line == "ready" {
                    let _ = tx.send(Event::Ready);
                } else if let Ok(value) = serde_json::from_str::<Value>(&line) {
                    let at = Instant::now();
                    let cpu = cpu_seconds(&pid).unwrap_or(f64::NAN);
                    let _ = tx.send(Event::Done(i, at, value, cpu));
                }
            }
            let _ = tx.send(Event::Ended(i));
        });
        children.push((child, stdin));
    }
    drop(tx);
    let mut result = JsInitial {
        saved,
        ..JsInitial::default()
    };
    let fail = |result: &mut JsInitial, server: &mut JsServer, what: String| {
        let crash = server.exited();
        result.error = Some(match crash {
            Some(crash) => format!("{what}; {crash}"),
            None => what,
        });
    };
    // Every client connected and loaded its files.
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut ready = 0;
    while ready < count {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(Event::Ready) => ready += 1,
            Ok(Event::Ended(i)) => {
                fail(
                    &mut result,
                    &mut server,
                    format!("JS client {i} ended before connecting"),
                );
                break;
            }
            Ok(Event::Done(..)) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if let Some(crash) = server.exited() {
            result.error = Some(crash);
        }
        if Instant::now() > deadline {
            result.error = Some(format!("only {ready} of {count} JS clients connected"));
        }
        if result.error.is_some() {
            break;
        }
    }
    if result.error.is_none() {
        progress(format_args!(
            "automerge-repo: {count} node clients connected; releasing them"
        ));
        let (up0, down0) = proxy.bytes();
        result.handshake_bytes = up0 + down0;
        let (server_cpu0, mut clients_cpu) = (cpu_seconds(&server.pid())?, 0.0);
        let start = Instant::now();
        for (_, stdin) in &mut children {
            let _ = stdin.write_all(b"go\n");
            let _ = stdin.flush();
        }
        let deadline = start + Duration::from_secs(max_s);
        let (mut done, mut end) = (0, start);
        let mut finished = vec![false; count];
        while done < count {
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(Event::Done(i, at, value, cpu)) => {
                    finished[i] = true;
                    done += 1;
                    end = end.max(at);
                    clients_cpu += cpu;
                    result.slowest_client_s = result.slowest_client_s.max(f(&value, "wall_s"));
                }
                Ok(Event::Ended(i)) if !finished[i] => {
                    fail(
                        &mut result,
                        &mut server,
                        format!("JS client {i} ended without finishing ({done} of {count} done)"),
                    );
                }
                Ok(Event::Ready | Event::Ended(_)) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    result.error = Some("JS clients' output closed".into());
                }
            }
            if result.error.is_none()
                && let Some(crash) = server.exited()
            {
                result.error = Some(crash);
            }
            if result.error.is_none() && Instant::now() > deadline {
                result.error = Some(format!(
                    "gave up after {max_s} s (--max-s) with {done} of {count} JS clients done"
                ));
            }
            if result.error.is_some() {
                break;
            }
        }
        let (up1, down1) = proxy.bytes();
        result.wall_s = (end - start).as_secs_f64();
        result.wire_up = up1 - up0;
        result.wire_down = down1 - down0;
        result.server_cpu_s = cpu_seconds(&server.pid()).unwrap_or(f64::NAN) - server_cpu0;
        result.clients_cpu_s = clients_cpu;
        result.server_rss_mb = memory_mb(server.child.id()).map_or(f64::NAN, |(peak, _)| peak);
    }
    for (mut child, stdin) in children {
        drop(stdin);
        if result.error.is_some() {
            let _ = child.kill();
        }
        let _ = child.wait();
    }
    drop(proxy);
    server.stop();
    Ok(result)
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
    let server = JsServer::start(&root.path().join("server"))?;
    let direct = server.url.replace("http://", "ws://");
    let storage = root.path().join("client/storage");
    let urls = root.path().join("urls.json");
    let dir = dirs.first().context("no documents")?;
    progress(format_args!(
        "automerge-repo: pushing {docs} checks from one device (not timed)"
    ));
    let (push, push_process_s) =
        client_once(&[&"push", &direct, &storage, dir, &urls]).context("JS push")?;
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
        client_once(&[&"edit", &"-", &storage, &urls, &index.to_string(), &file])
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
    let result = client_once(&[&"reconnect", &ws, &storage, &urls]);
    // Lets the last frames (acks, keep-alives in flight) be counted.
    std::thread::sleep(Duration::from_millis(100));
    let (up1, down1) = proxy.bytes();
    drop(proxy);
    let mut server = server;
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
