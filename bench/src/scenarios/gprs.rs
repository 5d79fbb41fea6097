//! `gprs`: one device with new checks syncs through a shaped proxy: 20 kbit/s up, 50 kbit/s
//! down, 250 ms added each way, every connection cut every 20 s. A failed sync is retried at
//! once with a new connection (as an inspector pressing sync again would) until nothing is
//! pending or `--max-s` has passed.

use std::io::Write as _;
use std::time::{Duration, Instant};

use super::{Options, progress, set_sync_figures};
use crate::device::Device;
use crate::proxy::{Proxy, Shape};
use crate::report::Report;
use crate::server::InProcess;
use fieldsync_schema::wire::SyncRequest;
use fieldsync_sync_cli::sync_client::{Exchange, HttpTransport, SyncClientError, Transport};

/// Default `--docs`.
pub const DOCS: usize = 200;

/// The link: 20 kbit/s up, 50 kbit/s down, 250 ms each way, cut every 20 s.
pub const GPRS: Shape = Shape {
    up_bytes_per_s: 20_000.0 / 8.0,
    down_bytes_per_s: 50_000.0 / 8.0,
    delay: Duration::from_millis(250),
    cut_every: Some(Duration::from_secs(20)),
};

/// Counts what completed round trips carried, across retries.
#[derive(Debug, Default)]
struct Counting {
    ok: u64,
    failed: u64,
    up: u64,
    down: u64,
    /// Largest request body tried (JSON + gzip, as the transport sends it).
    largest_request: u64,
}

struct Counted<'c> {
    inner: HttpTransport,
    counts: &'c mut Counting,
}

impl Transport for Counted<'_> {
    fn exchange(&mut self, request: &SyncRequest) -> Result<Exchange, SyncClientError> {
        let size = gzipped_size(request);
        self.counts.largest_request = self.counts.largest_request.max(size);
        let result = self.inner.exchange(request);
        match &result {
            Ok(exchange) => {
                self.counts.ok += 1;
                self.counts.up += exchange.bytes_up;
                self.counts.down += exchange.bytes_down;
            }
            Err(_) => self.counts.failed += 1,
        }
        result
    }
}

/// The size of `request` as the HTTP transport sends it (JSON, gzip at the default level).
fn gzipped_size(request: &SyncRequest) -> u64 {
    let Ok(json) = serde_json::to_vec(request) else {
        return 0;
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    match gz.write_all(&json).and_then(|()| gz.finish()) {
        Ok(out) => out.len() as u64,
        Err(_) => 0,
    }
}

/// Runs the scenario.
///
/// # Errors
/// Setup or server failures (sync failures are counted and retried).
pub fn run(options: &Options) -> anyhow::Result<Report> {
    let docs = options.docs.unwrap_or(DOCS);
    let root = tempfile::tempdir()?;
    let server = InProcess::start(&root.path().join("server"))?;
    let mut device = Device::create(&root.path().join("device"), 0, docs)?;
    device.enrol(&root.path().join("server"), &server.url)?;
    let proxy = Proxy::start(&server.url, Some(GPRS))?;
    let budget = Duration::from_secs(options.max_s);
    let mut counts = Counting::default();
    let (mut attempts, mut last_error) = (0u32, None);
    let started = Instant::now();
    let mut completed = false;
    while started.elapsed() < budget {
        attempts += 1;
        let mut transport = Counted {
            inner: device.transport(&proxy.url)?,
            counts: &mut counts,
        };
        match device.sync_over(&mut transport) {
            Ok(_) if device.pending()? == 0 => {
                completed = true;
                break;
            }
            Ok(_) => {}
            Err(err) => {
                progress(format_args!(
                    "attempt {attempts} failed after {:.1} s: {err:#}",
                    started.elapsed().as_secs_f64()
                ));
                last_error = Some(format!("{err:#}"));
            }
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let pending = device.pending()?;
    let (wire_up, wire_down) = proxy.bytes();
    let cuts = proxy
        .counters
        .cuts
        .load(std::sync::atomic::Ordering::SeqCst);
    drop(proxy);
    server.stop()?;

    let mut report = Report::new("gprs", docs, 1);
    set_sync_figures(&mut report, wall, counts.up, counts.down, counts.ok);
    report.set("completed", completed, "");
    report.set("pending_left", pending as u64, "checks");
    report.set("attempts", u64::from(attempts), "sync runs");
    report.set("failed_round_trips", counts.failed, "");
    report.set("connections_cut", cuts, "");
    report.set("saved_bytes", device.saved_bytes, "B");
    report.set(
        "largest_request_bytes",
        counts.largest_request,
        "B (one request body: JSON + gzip)",
    );
    let window = GPRS.up_bytes_per_s * GPRS.cut_every.map_or(0.0, |d| d.as_secs_f64());
    report.set(
        "up_bytes_per_window",
        window as u64,
        "B (most the link carries up between cuts)",
    );
    report.set(
        "wire_bytes_up",
        wire_up,
        "B (delivered to the server, headers included)",
    );
    report.set("wire_bytes_down", wire_down, "B (delivered to the device)");
    report.set(
        "bytes_up_lost",
        wire_up.saturating_sub(counts.up),
        "B (delivered up but not part of a completed round trip, plus headers)",
    );
    report.set(
        "last_error",
        last_error.unwrap_or_else(|| "none".into()),
        "",
    );
    report.set("max_s", options.max_s, "s (budget)");
    report.must("completed", completed);
    Ok(report)
}
