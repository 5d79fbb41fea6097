//! The scenarios, one module each; every one returns a [`Report`].

pub mod breakdown;
pub mod cold_start;
pub mod export;
pub mod gprs;
pub mod initial;
pub mod js;
mod js_initial;
mod js_node;
pub mod steady;

use std::path::Path;
use std::time::Instant;

use crate::device::Device;
use crate::report::Report;

/// Options shared by the scenarios (each has its own defaults for sizes).
#[derive(Debug, Clone)]
pub struct Options {
    /// `--docs`.
    pub docs: Option<usize>,
    /// `--devices`.
    pub devices: Option<usize>,
    /// `--fresh`: rebuild cached data.
    pub fresh: bool,
    /// `--max-s`: time budget of scenarios that may not finish.
    pub max_s: u64,
    /// `--receive own`: devices ask only for changes to checks they hold.
    pub receive_own: bool,
    /// `--format`: the export scenario's format.
    pub export_format: fieldsync_schema::export::Format,
}

/// Prints a progress line on stderr (stdout is for the report).
pub fn progress(what: std::fmt::Arguments<'_>) {
    eprintln!("[bench] {what}");
}

/// Creates `count` devices under `root` sharing `docs` checks as evenly as possible,
/// generating on two threads (this is a 2-core machine). Not timed.
///
/// # Errors
/// Store or generation failures.
pub fn make_devices(root: &Path, count: usize, docs: usize) -> anyhow::Result<Vec<Device>> {
    let started = Instant::now();
    let per = |i: usize| docs / count + usize::from(i < docs % count);
    let workers = 2.min(count.max(1));
    let made = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                s.spawn(move || {
                    (w..count)
                        .step_by(workers)
                        .map(|i| {
                            Ok((
                                i,
                                Device::create(&root.join(format!("device-{i:03}")), i, per(i))?,
                            ))
                        })
                        .collect::<anyhow::Result<Vec<_>>>()
                })
            })
            .collect();
        let mut all = Vec::new();
        for h in handles {
            match h.join() {
                Ok(made) => all.extend(made?),
                Err(_) => anyhow::bail!("a generator thread panicked"),
            }
        }
        Ok(all)
    })?;
    let mut made = made;
    made.sort_by_key(|(i, _)| *i);
    progress(format_args!(
        "generated {docs} checks on {count} device(s) in {:.1} s (not timed)",
        started.elapsed().as_secs_f64()
    ));
    Ok(made.into_iter().map(|(_, d)| d).collect())
}

/// Bytes per check, for the human figures.
pub fn per(bytes: u64, docs: usize) -> f64 {
    bytes as f64 / docs.max(1) as f64
}

/// Seeds the report with the wall time and the device code's byte and round counters.
pub fn set_sync_figures(report: &mut Report, wall_s: f64, up: u64, down: u64, rounds: u64) {
    report.set_f("wall_s", wall_s, 3, "s");
    report.set(
        "bytes_up",
        up,
        "B (request bodies as sent: gzip from 512 B, no headers)",
    );
    report.set(
        "bytes_down",
        down,
        "B (response bodies as sent: gzip from 512 B, no headers)",
    );
    report.set("round_trips", rounds, "");
}

/// What one device thread returned: its sync's stats (or error) and when it finished; `Err`
/// if the thread panicked.
pub type DeviceRun = std::thread::Result<(anyhow::Result<crate::device::SyncStats>, Instant)>;

/// Syncs every device with `url` at once, one OS thread each, all released together.
/// Returns the release instant and each device's run, in device order.
pub fn sync_all_at_once(devices: Vec<Device>, url: &str) -> (Instant, Vec<DeviceRun>) {
    let barrier = std::sync::Barrier::new(devices.len() + 1);
    std::thread::scope(|s| {
        let handles: Vec<_> = devices
            .into_iter()
            .map(|mut device| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    let stats = device.sync(url);
                    (stats, Instant::now())
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        (start, handles.into_iter().map(|h| h.join()).collect())
    })
}

/// [`set_sync_figures`] from one device's sync.
pub fn set_device_sync_figures(report: &mut Report, stats: &crate::device::SyncStats) {
    let s = &stats.summary;
    set_sync_figures(
        report,
        stats.wall.as_secs_f64(),
        s.bytes_up,
        s.bytes_down,
        u64::from(s.rounds),
    );
}
