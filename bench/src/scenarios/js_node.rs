//! The automerge-repo side of the `js` comparison: installing `bench/js`, the documents the
//! JS devices import, and the `node` sync server and client processes.

use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use fieldsync_schema::CheckDoc;
use serde_json::Value;

use super::progress;
use crate::r#gen::{Generator, author_of};

/// `bench/js`.
pub(super) fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// `npm ci` in `bench/js` when `node_modules` is missing; `npm install` if `npm ci` fails.
///
/// `npm ci` fails on a registry without `cbor-extract`'s optional per-platform packages (the
/// lock cannot list them); `npm install` skips them. `package.json` pins the versions.
pub(super) fn ensure_node_modules() -> anyhow::Result<()> {
    let dir = js_dir();
    if dir.join("node_modules/@automerge/automerge-repo").is_dir() {
        return Ok(());
    }
    let npm = |args: &[&str]| {
        progress(format_args!(
            "bench/js/node_modules missing: running npm {}",
            args.join(" ")
        ));
        Command::new("npm")
            .args(args)
            .current_dir(&dir)
            .stdout(Stdio::null())
            .status()
            .context("running npm in bench/js (is Node.js 20+ with npm installed?)")
    };
    if npm(&["ci"])?.success() {
        return Ok(());
    }
    let status = npm(&["install", "--no-save"])?;
    if !status.success() {
        bail!(
            "npm ci and npm install in {} failed: {status}",
            dir.display()
        );
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
                    eprintln!("[js server] {line}");
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

    pub(super) fn pid(&self) -> String {
        self.child.id().to_string()
    }

    pub(super) fn id(&self) -> u32 {
        self.child.id()
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

/// `node bench/js/client.mjs ARGS` to completion; its last stdout line as JSON. Gives up,
/// killing the client, if `server` exits first (an automerge-repo client retries forever).
pub(super) fn client_once(
    args: &[&dyn AsRef<std::ffi::OsStr>],
    server: &mut JsServer,
) -> anyhow::Result<(Value, f64)> {
    let mut command = Command::new("node");
    command.arg(js_dir().join("client.mjs"));
    for arg in args {
        command.arg(arg);
    }
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("running node bench/js/client.mjs")?;
    let mut out = child.stdout.take().context("client stdout")?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        text
    });
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Some(crash) = server.exited() {
            let _ = child.kill();
            let _ = child.wait();
            bail!("{crash}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("bench/js/client.mjs failed: {status}");
    }
    let text = reader.join().unwrap_or_default();
    let last = text.lines().last().unwrap_or_default();
    let value = serde_json::from_str(last).with_context(|| format!("client said {last:?}"))?;
    Ok((value, took))
}
