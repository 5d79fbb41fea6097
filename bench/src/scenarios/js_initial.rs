//! automerge-repo's half of `js initial`: many `node` client processes, released together,
//! pushing their checks to one JS sync server through the counting proxy.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::Value;

use super::js::f;
use super::js_node::{JsServer, js_dir, memory_mb, write_docs};
use super::progress;
use crate::proxy::Proxy;
use crate::server::cpu_seconds;

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
        result.server_rss_mb = memory_mb(server.id()).map_or(f64::NAN, |(peak, _)| peak);
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
