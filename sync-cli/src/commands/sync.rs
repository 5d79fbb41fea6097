//! `fieldsync sync`: exchange changes with the server.

use std::io::IsTerminal as _;
use std::path::Path;

use anyhow::{Context as _, bail};
use clap::Args;
use indicatif::{HumanBytes, ProgressBar, ProgressStyle};

use super::enrol::explain_unauthorised;
use super::init::check_server_url;
use super::open_store;
use crate::store::Store;
use crate::sync_client::HttpTransport;
use crate::sync_rounds::{self, Observer, Summary};

/// Send pending checks to the server and receive everyone else's changes.
///
/// The summary counts messages that carried changes (sent and received), documents the
/// server refused, HTTP round trips, and request and response body bytes as sent on the
/// wire (gzip-compressed). On a terminal a progress bar shows documents and bytes.
#[derive(Debug, Args)]
pub struct Sync {
    /// The server, e.g. http://127.0.0.1:8080 [default: the last server a sync succeeded
    /// with, or the one given at init].
    #[arg(long, env = "FIELDSYNC_SERVER", value_name = "URL")]
    pub server: Option<String>,
}

impl Sync {
    /// Runs sync rounds, prints rejections and the summary.
    ///
    /// # Errors
    /// No server known, the server unreachable or refusing, a store failure, or any check
    /// rejected (after everything else synced).
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let mut store = open_store(home)?;
        let server = server_url(&store, self.server)?;
        let token = store.db().token()?;
        let mut transport = HttpTransport::new(&server).with_token(token);
        let mut progress = Progress::new();
        let outcome = sync_rounds::run_observed(&mut store, &mut transport, &mut progress);
        progress.finish();
        // Remembered once any round was answered, even if a later one failed (a cut link).
        if transport.reached() {
            store.db().set_server_url(&server)?;
        }
        let summary = outcome
            .with_context(|| format!("syncing with {server}"))
            .map_err(|e| explain_unauthorised(e, &server))?;
        eprintln!("{}", summary_line(&summary));
        if !summary.rejected.is_empty() {
            bail!(
                "the server rejected {} check(s); they stay pending on this device",
                summary.rejected.len()
            );
        }
        Ok(())
    }
}

/// The server to talk to: `flag` (or `FIELDSYNC_SERVER`), else the one stored on the device.
///
/// # Errors
/// No server known, or a malformed URL.
pub(super) fn server_url(store: &Store, flag: Option<String>) -> anyhow::Result<String> {
    let known = store.db().meta()?.server_url;
    let Some(server) = flag.or(known) else {
        bail!("no server known: pass --server URL or set FIELDSYNC_SERVER");
    };
    check_server_url(&server)
}

/// `synced: N sent, M received, K rejected, R round trips, X bytes up, Y bytes down`.
pub fn summary_line(s: &Summary) -> String {
    format!(
        "synced: {} sent, {} received, {} rejected, {} round trips, {} bytes up, {} bytes down",
        s.sent,
        s.received,
        s.rejected.len(),
        s.rounds,
        s.bytes_up,
        s.bytes_down
    )
}

/// A progress bar on a terminal (documents and bytes), nothing otherwise; rejections are
/// printed either way.
pub(super) struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub(super) fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{spinner} sync {pos}/{len} checks sent · {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Self { bar }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn started(&mut self, pending: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(pending as u64);
        }
    }

    fn round(&mut self, s: &Summary) {
        if let Some(bar) = &self.bar {
            bar.set_position(s.sent as u64);
            bar.set_message(format!(
                "{} received · {} up · {} down · {} round trips",
                s.received,
                HumanBytes(s.bytes_up),
                HumanBytes(s.bytes_down),
                s.rounds
            ));
        }
    }

    fn reset(&mut self, reason: &str) {
        let line = format!("note: {reason}");
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn deleted(&mut self, d: &fieldsync_schema::wire::DeletedCheck) {
        let t = &d.deletion;
        let line = format!(
            "حُذف الفحص / check {} was deleted by {}: {} ({})",
            d.check, t.by, t.reason, t.at
        );
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn resent(&mut self, check: fieldsync_schema::CheckId) {
        let line = format!(
            "note: the server lost its copy of check {check} (damaged on disk); sending it again"
        );
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn rejected(&mut self, r: &fieldsync_schema::wire::Rejection) {
        let line = format!("rejected: {} ({}): {}", r.check, r.error, r.message);
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }
}
