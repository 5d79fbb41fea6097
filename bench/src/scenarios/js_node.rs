//! The automerge-repo side of the `js` comparison: installing `bench/js`, the `node` sync
//! server and client processes, and the JS half of `initial`.

use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use fieldsync_schema::CheckDoc;
use serde_json::Value;

use super::js::f;
use super::progress;
use crate::r#gen::{Generator, author_of};
use crate::proxy::Proxy;
use crate::server::cpu_seconds;

/// `bench/js`.
pub(super) fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// `npm ci` in `bench/js` when `node_modules` is missing.
pub(super) fn ensure_node_modules() -> anyhow::Result<()> {
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
pub(super) fn write_docs(
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

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Peak and current resident memory of process `pid`, MB.
pub(super) fn memory_mb(pid: u32) -> Option<(f64, f64)> {
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
pub(super) struct JsServer {
    child: Child,
    /// `http://127.0.0.1:PORT` (for the proxy).
    pub(super) url: String,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

impl JsServer {
    pub(super) fn start(data: &Path) -> anyhow::Result<JsServer> {
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
    pub(super) fn exited(&mut self) -> Option<String> {
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

    pub(super) fn stop(mut self) {
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
pub(super) fn client_once(args: &[&dyn AsRef<std::ffi::OsStr>]) -> anyhow::Result<(Value, f64)> {
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

/// What a device (one `node` client process) said during `initial`.
pub(super) enum Event {
    Ready,
    Done(usize, Instant, Value, f64),
    Ended(usize),
}

/// automerge-repo's side of `initial`: what it measured, or why it did not finish.
#[derive(Default)]
pub(super) struct JsInitial {
    pub(super) wall_s: f64,
    pub(super) wire_up: u64,
    pub(super) wire_down: u64,
    pub(super) handshake_bytes: u64,
    pub(super) server_cpu_s: f64,
    pub(super) clients_cpu_s: f64,
    pub(super) server_rss_mb: f64,
    pub(super) saved: u64,
    pub(super) slowest_client_s: f64,
    pub(super) error: Option<String>,
}

pub(super) fn js_initial(docs: usize, count: usize, max_s: u64) -> anyhow::Result<JsInitial> {
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
