//! `fieldsync sync`: exchange changes with the server.

use std::path::Path;

use anyhow::{Context as _, bail};
use clap::Args;

use super::init::check_server_url;
use super::open_store;
use crate::sync_client::HttpTransport;
use crate::sync_rounds::{self, Summary};

/// Send pending checks to the server and receive everyone else's changes.
///
/// The summary counts messages that carried changes (sent and received), documents the
/// server refused, HTTP round trips, and request and response body bytes (responses after
/// gzip decoding).
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
        let known = store.db().meta()?.server_url;
        let Some(server) = self.server.or(known) else {
            bail!("no server known: pass --server URL or set FIELDSYNC_SERVER");
        };
        let server = check_server_url(&server)?;
        let mut transport = HttpTransport::new(&server);
        let summary = sync_rounds::run(&mut store, &mut transport, |r| {
            eprintln!("rejected: {} ({}): {}", r.check, r.error, r.message);
        })
        .with_context(|| format!("syncing with {server}"))?;
        store.db().set_server_url(&server)?;
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
