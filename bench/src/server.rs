//! The real sync server, run two ways: in this process on its own tokio runtime (cheap, for
//! scenarios about bytes and round trips), or as the release `fieldsync-server` binary in a
//! child process (for cold start, memory and the server's own per-request latency log).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// The server running on a tokio runtime in a thread of this process.
#[derive(Debug)]
pub struct InProcess {
    /// Base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<anyhow::Result<()>>>,
}

impl InProcess {
    /// Opens the store in `data` and serves it on a free loopback port.
    ///
    /// # Errors
    /// Binding, building the runtime, or opening the store failed.
    pub fn start(data: &Path) -> anyhow::Result<InProcess> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").context("binding the server")?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}", listener.local_addr()?);
        let mut config = fieldsync_server::Config::for_data_dir(data);
        // Benchmarks measure throughput: one simulated device may sync far more than a
        // field device's requests per minute.
        config.max_requests_per_minute = 0;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("building the server runtime")?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (opened_tx, opened_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                let state = fieldsync_server::open_state(config).await;
                let _ = opened_tx.send(state.as_ref().map(|_| ()).map_err(|e| format!("{e:#}")));
                let shutdown = async move {
                    let _ = rx.await;
                };
                fieldsync_server::serve_state(listener, state?, shutdown).await
            })
        });
        match opened_rx.recv() {
            Ok(Ok(())) => Ok(InProcess {
                url,
                shutdown: Some(tx),
                thread: Some(thread),
            }),
            Ok(Err(e)) => bail!("the in-process server did not start: {e}"),
            Err(_) => bail!("the in-process server thread ended before opening its store"),
        }
    }

    /// Shuts down gracefully and waits for the server thread (the store is closed after).
    ///
    /// # Errors
    /// The server failed while running.
    pub fn stop(mut self) -> anyhow::Result<()> {
        self.finish()
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.thread.take() {
            Some(thread) => match thread.join() {
                Ok(result) => result,
                Err(_) => bail!("the in-process server panicked"),
            },
            None => Ok(()),
        }
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// What the child's log says about the requests it served (`tower_http` latency lines).
#[derive(Debug, Clone, Default)]
pub struct ServerLog {
    /// Requests finished.
    pub requests: u64,
    /// Sum of their latencies as the server measured them, in ms (1 ms resolution).
    pub latency_ms: u64,
    /// Longest latency, ms.
    pub max_latency_ms: u64,
    /// The last lines, for error messages.
    pub tail: VecDeque<String>,
}

/// Peak and current resident memory of a process, MB (from `/proc/PID/status`).
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    /// `VmHWM`: peak resident set.
    pub peak_mb: f64,
    /// `VmRSS`: current resident set.
    pub rss_mb: f64,
}

/// The release server binary in a child process.
#[derive(Debug)]
pub struct ChildServer {
    /// Base URL, `http://ADDR` as the server printed it.
    pub url: String,
    /// Seconds from spawn until `/healthz` answered 200.
    pub ready_s: f64,
    child: Child,
    log: Arc<Mutex<ServerLog>>,
}

impl ChildServer {
    /// `fieldsync-server` next to this executable (both are built into `target/release`).
    ///
    /// # Errors
    /// The binary is not there: the message says how to build it.
    pub fn binary() -> anyhow::Result<PathBuf> {
        let exe = std::env::current_exe().context("locating the bench executable")?;
        let dir = exe
            .parent()
            .context("the bench executable has no directory")?;
        let server = dir.join(format!("fieldsync-server{}", std::env::consts::EXE_SUFFIX));
        if !server.is_file() {
            bail!(
                "{} is missing: run `cargo build --release -p fieldsync-server` first",
                server.display()
            );
        }
        Ok(server)
    }

    /// Spawns the server on `data`, reads its address, and waits until `/healthz` answers.
    ///
    /// # Errors
    /// No binary, the process failed to start, or it was not healthy within 60 s.
    pub fn start(data: &Path) -> anyhow::Result<ChildServer> {
        let binary = ChildServer::binary()?;
        let spawned = Instant::now();
        let mut child = Command::new(&binary)
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data")
            .arg(data)
            .arg("--log")
            .arg("fieldsync_server=info,tower_http=debug")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("spawning {}", binary.display()))?;
        let log = Arc::new(Mutex::new(ServerLog::default()));
        let stderr = child.stderr.take().context("server stderr")?;
        let sink = Arc::clone(&log);
        std::thread::spawn(move || read_log(BufReader::new(stderr), &sink));
        let stdout = child.stdout.take().context("server stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(addr) = line
            .trim()
            .strip_prefix("fieldsync-server listening on http://")
        else {
            let _ = child.kill();
            let tail = lock(&log)
                .tail
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join("\n");
            bail!("the server did not print its address (got {line:?}); log:\n{tail}");
        };
        let addr: SocketAddr = addr.parse().context("the printed address")?;
        let url = format!("http://{addr}");
        wait_healthy(&url, Duration::from_secs(60))?;
        Ok(ChildServer {
            url,
            ready_s: spawned.elapsed().as_secs_f64(),
            child,
            log,
        })
    }

    /// The server's memory now.
    ///
    /// # Errors
    /// `/proc/PID/status` unreadable (not Linux, or the process ended).
    pub fn memory(&self) -> anyhow::Result<Memory> {
        let path = format!("/proc/{}/status", self.child.id());
        let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        let kb = |key: &str| -> anyhow::Result<f64> {
            let line = status
                .lines()
                .find(|l| l.starts_with(key))
                .with_context(|| format!("{key} not in {path}"))?;
            let n: f64 = line
                .trim_start_matches(key)
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .with_context(|| format!("{line:?}"))?;
            Ok(n)
        };
        Ok(Memory {
            peak_mb: kb("VmHWM:")? / 1024.0,
            rss_mb: kb("VmRSS:")? / 1024.0,
        })
    }

    /// CPU time the server has used so far (user + system), seconds.
    ///
    /// # Errors
    /// `/proc/PID/stat` unreadable.
    pub fn cpu_s(&self) -> anyhow::Result<f64> {
        cpu_seconds(&self.child.id().to_string())
    }

    /// A copy of what the log said so far.
    pub fn log(&self) -> ServerLog {
        lock(&self.log).clone()
    }

    /// Asks the server to stop (SIGTERM through `kill`), waits up to 30 s, then kills it.
    ///
    /// # Errors
    /// The process could not be waited for.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.child.id().to_string();
        let asked = Command::new("kill").args(["-TERM", &pid]).status();
        if asked.is_ok_and(|s| s.success()) {
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if self.child.try_wait()?.is_some() {
                    return Ok(());
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.child.kill().context("killing the server")?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// CPU time (user + system) of process `pid` (`self` for this one), from `/proc/PID/stat`.
///
/// # Errors
/// The file is unreadable or not in the expected format.
pub fn cpu_seconds(pid: &str) -> anyhow::Result<f64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    // Fields after the command name (which may hold spaces) start at field 3 (state);
    // utime and stime are fields 14 and 15.
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .context("stat format")?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| -> anyhow::Result<f64> {
        Ok(fields.get(i).context("stat format")?.parse::<f64>()?)
    };
    Ok((ticks(11)? + ticks(12)?) / clock_ticks())
}

/// `getconf CLK_TCK`, normally 100.
fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Polls `GET /healthz` until it answers 200.
fn wait_healthy(url: &str, limit: Duration) -> anyhow::Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(2)))
        .build()
        .into();
    let started = Instant::now();
    loop {
        if let Ok(response) = agent.get(&format!("{url}/healthz")).call()
            && response.status() == 200
        {
            return Ok(());
        }
        if started.elapsed() > limit {
            bail!("{url}/healthz did not answer within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Accumulates `finished processing request ... latency=N ms` lines; keeps a short tail.
fn read_log(reader: impl BufRead, sink: &Mutex<ServerLog>) {
    for line in reader.lines() {
        let Ok(line) = line else { return };
        let mut log = lock(sink);
        if line.contains("finished processing request")
            && let Some(ms) = latency_ms(&line)
        {
            log.requests += 1;
            log.latency_ms += ms;
            log.max_latency_ms = log.max_latency_ms.max(ms);
        }
        if log.tail.len() == 20 {
            log.tail.pop_front();
        }
        log.tail.push_back(line);
    }
}

/// `latency=12 ms` -> 12.
fn latency_ms(line: &str) -> Option<u64> {
    let rest = &line[line.find("latency=")? + "latency=".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let n: u64 = digits.parse().ok()?;
    let unit = rest[digits.len()..].trim_start();
    if unit.starts_with("ms") {
        Some(n)
    } else if unit.starts_with('s') {
        Some(n * 1000)
    } else {
        Some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_is_read_from_tower_http_lines() {
        let line = "2026-01-01T00:00:00Z DEBUG request{method=POST uri=/api/v1/sync version=HTTP/1.1}: \
                    tower_http::trace::on_response: finished processing request latency=42 ms status=200";
        assert_eq!(latency_ms(line), Some(42));
        assert_eq!(latency_ms("latency=3 s"), Some(3000));
        assert_eq!(latency_ms("latency=900 µs"), Some(0));
        assert_eq!(latency_ms("nothing"), None);
    }
}
