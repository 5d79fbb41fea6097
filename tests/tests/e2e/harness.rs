//! Test harness.
//!
//! End-to-end harness: a real [`fieldsync_server`] on `127.0.0.1:0` with its own
//! temporary data directory ([`TestServer`]), and real CLI devices, each a temporary
//! `--home` driven through the `fieldsync` binary as a process ([`Device`]). Everything is
//! cleaned up on drop; nothing leaves loopback; no sleeps: the server is ready when
//! [`TestServer::start`] returns because its listener is already bound.
//!
//! Identities (issue 6): [`Device::init`] is an offline init, as in the field; the first
//! [`Device::sync`] or [`Device::fetch`] against a server enrols the device there (the
//! harness adds the user with the device's name and role, issues a code through the
//! server's admin library on the same data directory, and runs `fieldsync enrol`), again
//! after a restore that lost the enrolment. [`TestServer::get`] reads as a supervisor;
//! [`TestServer::token`] gives raw HTTP tests a token for any role and team.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread::JoinHandle;

use anyhow::{Context, Result, bail};
use tempfile::TempDir;
use tokio::sync::oneshot;

#[path = "harness_auth.rs"]
mod auth;

// `code_at` is used by the faults suite, which builds this harness too.
#[allow(unused_imports)]
pub use auth::{code_at, enrol_at, token_at};

/// Path of the CLI binary built for these tests.
pub fn cli_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_fieldsync-under-test"))
}

/// A running server on an ephemeral loopback port, stopped and deleted on drop.
pub struct TestServer {
    addr: SocketAddr,
    dir: PathBuf,
    reader: std::sync::OnceLock<String>,
    _data: Option<TempDir>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<()>>>,
}

impl TestServer {
    /// Starts a server with an empty data directory of its own.
    ///
    /// # Errors
    /// Binding the listener or building the runtime failed.
    pub fn start() -> Result<Self> {
        let data = tempfile::tempdir().context("temporary data dir")?;
        let mut server = Self::start_at(&data.path().join("data"))?;
        server._data = Some(data);
        Ok(server)
    }

    /// Starts a server on `dir` (created if missing), on a new ephemeral port. Dropping the
    /// server stops it and leaves `dir` in place, so a test can restart or restore it.
    ///
    /// # Errors
    /// Binding the listener or building the runtime failed.
    pub fn start_at(dir: &Path) -> Result<Self> {
        let config = fieldsync_server::Config::for_data_dir(dir);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("tokio runtime")?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .context("bind 127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        // The store is opened (and migrated) before the server runs, so the harness's own
        // connections to the same database (identities) never race its migrations.
        let state = runtime.block_on(fieldsync_server::open_state(config))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            runtime.block_on(fieldsync_server::serve_state(listener, state, async move {
                let _ = stopped.await;
            }))
        });
        Ok(Self {
            addr,
            dir: dir.to_owned(),
            reader: std::sync::OnceLock::new(),
            _data: None,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `GET path` (e.g. `/api/v1/checks?valid=false`) as a supervisor would read it: the
    /// status and the body's bytes, whatever the status. Read endpoints' tests go through
    /// here so that the way a reader authenticates is decided in one place.
    ///
    /// # Errors
    /// The request could not be sent or its body not read.
    pub fn get(&self, path: &str) -> Result<(u16, Vec<u8>)> {
        http_get(&self.url(), path, &self.reader_token()?)
    }

    /// `GET path` answered 200 with JSON: the parsed body.
    ///
    /// # Errors
    /// Another status (named with the body), or a body that is not JSON.
    pub fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        json_body(path, self.get(path)?)
    }
}

/// `GET base + path` with bearer `token`: the status and the body's bytes, whatever the
/// status (for a server run in-process or as a child process).
///
/// # Errors
/// The request could not be sent or its body not read.
pub fn http_get(base: &str, path: &str, token: &str) -> Result<(u16, Vec<u8>)> {
    let mut response = ureq::get(&format!("{base}{path}"))
        .header("authorization", format!("Bearer {token}"))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .with_context(|| format!("GET {path}"))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_vec()
        .with_context(|| format!("GET {path}: body"))?;
    Ok((status, body))
}

/// The JSON of a `GET path` answered 200.
///
/// # Errors
/// Another status (named with the body), or a body that is not JSON.
pub fn json_body(path: &str, (status, body): (u16, Vec<u8>)) -> Result<serde_json::Value> {
    if status != 200 {
        bail!("GET {path}: {status} {}", String::from_utf8_lossy(&body));
    }
    serde_json::from_slice(&body).with_context(|| format!("GET {path}: not JSON"))
}

/// The `id` of every object in a JSON array (a check list), sorted.
///
/// # Panics
/// `list` is not an array of objects with a string `id`.
pub fn sorted_ids(list: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    ids
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One device: a CLI home directory, driven through the real binary.
pub struct Device {
    home: TempDir,
    /// A name for messages (`ana`).
    pub name: String,
}

impl Device {
    /// Runs `fieldsync init --inspector NAME --role ROLE` in a fresh home.
    ///
    /// # Errors
    /// The temporary directory or the init command failed.
    pub fn init(name: &str, role: &str) -> Result<Self> {
        Self::init_with(name, role, &[])
    }

    /// Runs `fieldsync init --inspector NAME --role ROLE EXTRA...` in a fresh home.
    ///
    /// # Errors
    /// The temporary directory or the init command failed.
    pub fn init_with(name: &str, role: &str, extra: &[&str]) -> Result<Self> {
        let device = Self {
            home: tempfile::tempdir().context("temporary home")?,
            name: name.to_owned(),
        };
        let mut args = vec!["init", "--inspector", name, "--role", role];
        args.extend_from_slice(extra);
        device.ok(&args)?;
        Ok(device)
    }

    /// Records an operating mill at `site` (the smallest valid check) and returns its id.
    ///
    /// # Errors
    /// The record command failed.
    pub fn record_mill(&self, site: &str) -> Result<String> {
        let args = [
            "record",
            "--kind",
            "mill",
            "--site-id",
            site,
            "--site-name",
            "مطحنة الميادين",
            "--set",
            "operating=true",
        ];
        Ok(self.ok(&args)?.trim().to_owned())
    }

    /// The device's home directory.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Runs the CLI with `args` and returns its output, whatever the exit status. Messages
    /// are in English (`LC_ALL=C.UTF-8`) unless `args` has `--lang`; stdin is empty, so the
    /// CLI never asks questions.
    ///
    /// # Errors
    /// The process could not be started.
    pub fn run(&self, args: &[&str]) -> Result<Output> {
        self.command(args)
            .output()
            .with_context(|| format!("start fieldsync {args:?}"))
    }

    /// The command [`Device::run`] runs, for tests that change its environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(cli_binary());
        command
            .arg("--home")
            .arg(self.home.path())
            .args(args)
            .env_remove("FIELDSYNC_SERVER")
            .env_remove("FIELDSYNC_HOME")
            .env_remove("FIELDSYNC_LANG")
            .env_remove("FIELDSYNC_NO_INPUT")
            .env("LC_ALL", "C.UTF-8");
        command
    }

    /// Runs the CLI and returns stdout, failing with stderr if it exits non-zero.
    ///
    /// # Errors
    /// The command failed; the error carries its stderr.
    pub fn ok(&self, args: &[&str]) -> Result<String> {
        let out = self.run(args)?;
        if !out.status.success() {
            bail!(
                "{}: fieldsync {args:?} failed ({}):\n{}",
                self.name,
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        String::from_utf8(out.stdout).context("stdout is not UTF-8")
    }

    /// Runs the CLI expecting failure; returns stderr.
    ///
    /// # Errors
    /// The command unexpectedly succeeded.
    pub fn fails(&self, args: &[&str]) -> Result<String> {
        let out = self.run(args)?;
        if out.status.success() {
            bail!("{}: fieldsync {args:?} should have failed", self.name);
        }
        Ok(String::from_utf8_lossy(&out.stderr).into_owned())
    }

    /// Runs the CLI and parses stdout as JSON.
    ///
    /// # Errors
    /// The command failed or printed something that is not JSON.
    pub fn json(&self, args: &[&str]) -> Result<serde_json::Value> {
        let text = self.ok(args)?;
        serde_json::from_str(&text)
            .with_context(|| format!("fieldsync {args:?} printed non-JSON: {text}"))
    }

    /// Fetches checks (`ID`s, or `--site SITE`) from `server`.
    ///
    /// # Errors
    /// The fetch failed.
    pub fn fetch(&self, server: &TestServer, what: &[&str]) -> Result<String> {
        server.enrol(self)?;
        let url = server.url();
        let mut args = vec!["fetch", "--server", &url];
        args.extend_from_slice(what);
        let out = self.run(&args)?;
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if !out.status.success() {
            bail!("{}: fetch failed ({}):\n{stderr}", self.name, out.status);
        }
        Ok(stderr)
    }

    /// Syncs with `server`.
    ///
    /// # Errors
    /// The sync failed.
    pub fn sync(&self, server: &TestServer) -> Result<String> {
        server.enrol(self)?;
        self.sync_url(&server.url())
    }

    /// Syncs with the server at `url` (a server run as a process, or a proxy in front); the
    /// device must be enrolled there ([`auth::enrol_at`]).
    ///
    /// # Errors
    /// The sync failed.
    pub fn sync_url(&self, url: &str) -> Result<String> {
        let out = self.run(&["sync", "--server", url])?;
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if !out.status.success() {
            bail!("{}: sync failed ({}):\n{stderr}", self.name, out.status);
        }
        Ok(stderr)
    }
}
