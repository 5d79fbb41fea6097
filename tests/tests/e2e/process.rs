//! The real `fieldsync-server` as a child process: started on a data directory with
//! `--listen 127.0.0.1:0`, ready once it printed its address (read from its stdout, no
//! sleeps), killed with SIGKILL or stopped with SIGTERM, and restarted on the same
//! directory. Its log (stderr) is read line by line so tests can act on server events
//! ("sync round done") instead of on time.
//!
//! Shared by the `e2e` and `faults` suites, each of which uses part of it.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};

/// Path of the server binary built for these tests.
pub fn server_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_fieldsync-server-under-test"))
}

/// Runs `fieldsync-server ARGS` (an administration subcommand) to completion.
///
/// # Errors
/// The process could not be started.
pub fn server_command(args: &[&str]) -> Result<Output> {
    Command::new(server_binary())
        .args(args)
        .env_remove("FIELDSYNC_DATA")
        .output()
        .with_context(|| format!("start fieldsync-server {args:?}"))
}

/// A server child process on its own data directory.
pub struct ServerProcess {
    child: Child,
    url: String,
    data: PathBuf,
    /// The server's log lines, as they come.
    log: Receiver<String>,
}

/// The supervisor token [`ServerProcess::get`] reads with, per data directory: made once
/// and kept across restarts, so that reading a server never writes its database (a server
/// on a read-only data directory must not have its file changed under it by the harness).
static READERS: std::sync::Mutex<Vec<(PathBuf, String)>> = std::sync::Mutex::new(Vec::new());

/// Longest wait for one log line; only a hung server takes this long.
const LOG_TIMEOUT: Duration = Duration::from_secs(60);

impl ServerProcess {
    /// Starts the server on `data` with `extra` flags and waits for its address line.
    ///
    /// # Errors
    /// The process did not start or exited before printing its address (its log is given).
    pub fn start(data: &Path, extra: &[&str]) -> Result<Self> {
        Self::start_as(data, extra, None)
    }

    /// As [`ServerProcess::start`], run as user `uid` (and its group) when given: a test
    /// running as root uses an unprivileged user to meet file permissions as a server would.
    ///
    /// # Errors
    /// As [`ServerProcess::start`].
    pub fn start_as(data: &Path, extra: &[&str], uid: Option<u32>) -> Result<Self> {
        let mut command = Command::new(server_binary());
        if let Some(uid) = uid {
            use std::os::unix::process::CommandExt as _;
            command.uid(uid).gid(uid);
        }
        let mut child = command
            .arg("--data")
            .arg(data)
            .args(["--listen", "127.0.0.1:0", "--log", "fieldsync_server=info"])
            .args(["--shutdown-grace-secs", "0"])
            // The harness checks a run by reading every check one by one, hundreds a
            // minute; the limit itself is tested in server/tests/api/hostile.rs.
            .args(["--max-requests-per-minute", "0"])
            .args(extra)
            .env_remove("FIELDSYNC_DATA")
            .env_remove("FIELDSYNC_MAX_DB_BYTES")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("start fieldsync-server")?;
        let stderr = child.stderr.take().context("stderr")?;
        let (tx, log) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().context("stdout")?);
        let mut line = String::new();
        stdout.read_line(&mut line).context("read the address")?;
        let Some(url) = line.trim().strip_prefix("fieldsync-server listening on ") else {
            let status = child.wait()?;
            let log: Vec<String> = log.try_iter().collect();
            bail!(
                "the server exited ({status}) without its address: {}",
                log.join("\n")
            );
        };
        Ok(Self {
            url: url.to_owned(),
            child,
            data: data.to_owned(),
            log,
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The data directory.
    pub fn data(&self) -> &Path {
        &self.data
    }

    /// Waits for the next log line containing `needle`; `None` if the server's log ended
    /// (it exited) first.
    ///
    /// # Errors
    /// No such line within a minute (the server hung).
    pub fn wait_for_log(&self, needle: &str) -> Result<Option<String>> {
        loop {
            match self.log.recv_timeout(LOG_TIMEOUT) {
                Ok(line) if line.contains(needle) => return Ok(Some(line)),
                Ok(_) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Ok(None),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    bail!("no {needle:?} in the server log for {LOG_TIMEOUT:?}")
                }
            }
        }
    }

    /// The next log line, if one comes within `timeout` (`None` also when the log ended).
    pub fn next_log_line(&self, timeout: Duration) -> Option<String> {
        self.log.recv_timeout(timeout).ok()
    }

    /// Log lines received so far that contain `needle` (drains them).
    pub fn drain_log(&self, needle: &str) -> Vec<String> {
        self.log.try_iter().filter(|l| l.contains(needle)).collect()
    }

    /// `kill -9`: the process dies at once, whatever it was doing.
    ///
    /// # Errors
    /// The signal could not be sent or the process not reaped.
    pub fn kill9(mut self) -> Result<ExitStatus> {
        self.child.kill().context("SIGKILL")?;
        Ok(self.child.wait()?)
    }

    /// SIGTERM, then waits for the exit (a clean stop).
    ///
    /// # Errors
    /// The signal could not be sent or the process not reaped.
    pub fn stop(mut self) -> Result<ExitStatus> {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .context("kill -TERM")?;
        if !status.success() {
            bail!("kill -TERM failed: {status}");
        }
        Ok(self.child.wait()?)
    }

    /// Enrols `device` with this server unless it already is (see
    /// [`super::harness::enrol_at`]); enrolments live in the data directory, so they outlast
    /// restarts, but not a restore of an older backup.
    ///
    /// # Errors
    /// The database could not be read, or the enrolment failed.
    pub fn enrol(&self, device: &super::harness::Device) -> Result<()> {
        super::harness::enrol_at(&self.data, &self.url, device)
    }

    /// `GET path` as a supervisor (a reader enrolled on first use of the data directory,
    /// again only if the server no longer knows it, e.g. after a restore): status and body.
    ///
    /// # Errors
    /// The request could not be sent.
    pub fn get(&self, path: &str) -> Result<(u16, Vec<u8>)> {
        let (status, body) = self.get_with(path, &self.reader_token(false)?)?;
        if status == 401 {
            return self.get_with(path, &self.reader_token(true)?);
        }
        Ok((status, body))
    }

    /// The reader's token for this data directory, made when missing or when `renew`.
    fn reader_token(&self, renew: bool) -> Result<String> {
        let mut readers = READERS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let known = readers.iter().position(|(dir, _)| *dir == self.data);
        if let (Some(i), false) = (known, renew) {
            return Ok(readers[i].1.clone());
        }
        let (token, _) =
            super::harness::token_at(&self.data, "process-reader", "supervisor", None)?;
        readers.retain(|(dir, _)| *dir != self.data);
        readers.push((self.data.clone(), token.clone()));
        Ok(token)
    }

    fn get_with(&self, path: &str, token: &str) -> Result<(u16, Vec<u8>)> {
        super::harness::http_get(&self.url, path, token)
    }

    /// `GET path` answered 200 with JSON.
    ///
    /// # Errors
    /// Another status, or a body that is not JSON.
    pub fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        super::harness::json_body(path, self.get(path)?)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
