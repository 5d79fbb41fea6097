//! `cold-start`: a server data directory holding N checks, and the one device that pushed
//! them, are cached under `target/bench-cache/cold-start-N/` (`server/`, `device/`, and a
//! `complete` marker); building them pushes the checks through the real server with the
//! real device code. Then the release server binary is spawned on that directory: ready_s is
//! spawn until `/healthz` answers; then the device syncs with nothing to send (idle), and the
//! server's memory is read. `--fresh` rebuilds the cache; so does deleting the directory.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use super::{Options, progress, set_device_sync_figures};
use crate::device::{DOCS_PER_STEP, Device};
use crate::r#gen::{self, Generator};
use crate::report::Report;
use crate::server::{ChildServer, InProcess};

/// Default `--docs`.
pub const DOCS: usize = 100_000;

/// Runs the scenario.
///
/// # Errors
/// Setup, server or sync failures.
pub fn run(options: &Options) -> anyhow::Result<Report> {
    let docs = options.docs.unwrap_or(DOCS);
    let cache = cache_dir(docs)?;
    if options.fresh || !cache.join("complete").is_file() {
        populate(&cache, docs)?;
    } else {
        progress(format_args!("using the cached data in {}", cache.display()));
    }
    let data = cache.join("server");
    let db_mb = dir_bytes(&data)? as f64 / 1e6;
    let server = ChildServer::start(&data)?;
    let ready = server.memory()?;
    let mut device = Device::open(&cache.join("device"))?;
    device.enrol(&data, &server.url)?;
    let stats = device.sync(&server.url)?;
    let after = server.memory()?;
    let log = server.log();
    // Supervisor reads on the cold server: the per-resolution summary, then one resolution's
    // checks (every bakery links to resolution 16).
    // (Read with the device's own token: every check is its team's.)
    let token = device.store.db().token()?.unwrap_or_default();
    let get = |path: &str| timed_get(&format!("{}{path}", server.url), &token);
    let (resolutions_s, _) = get("/api/v1/resolutions")?;
    let (list_s, list_bytes) = get("/api/v1/checks?resolution=16")?;
    let after_reads = server.memory()?;
    let ready_s = server.ready_s;
    server.stop()?;

    let mut report = Report::new("cold-start", docs, 1);
    report.set_f("ready_s", ready_s, 4, "s (spawn until /healthz answered)");
    set_device_sync_figures(&mut report, &stats);
    report.set_f("idle_sync_s", stats.wall.as_secs_f64(), 4, "s (= wall_s)");
    report.set_f(
        "server_ms_idle_round",
        log.latency_ms as f64 / log.requests.max(1) as f64,
        1,
        "ms (from its log)",
    );
    report.set_f(
        "server_rss_mb",
        after.peak_mb,
        1,
        "MB (VmHWM after the sync)",
    );
    report.set_f(
        "server_rss_now_mb",
        after.rss_mb,
        1,
        "MB (VmRSS after the sync)",
    );
    report.set_f(
        "server_rss_ready_mb",
        ready.rss_mb,
        1,
        "MB (VmRSS when ready)",
    );
    report.set_f(
        "resolutions_read_s",
        resolutions_s,
        4,
        "s (GET /api/v1/resolutions)",
    );
    report.set_f(
        "checks_read_s",
        list_s,
        4,
        "s (GET /api/v1/checks?resolution=16)",
    );
    report.set("checks_read_bytes", list_bytes, "B (its body)");
    report.set_f(
        "server_rss_after_reads_mb",
        after_reads.peak_mb,
        1,
        "MB (VmHWM after both reads)",
    );
    report.set_f("server_db_mb", db_mb, 1, "MB (data directory)");
    report.set("cache", cache.display().to_string(), "");
    report.at_most("ready_s", ready_s, 1.0, true);
    report.at_most("server_rss_mb", after.peak_mb, 150.0, true);
    Ok(report)
}

/// Time and body size of one GET with bearer `token`.
fn timed_get(url: &str, token: &str) -> anyhow::Result<(f64, u64)> {
    let started = Instant::now();
    let mut response = ureq::get(url)
        .header("authorization", &format!("Bearer {token}"))
        .call()
        .with_context(|| format!("GET {url}"))?;
    let body = response
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_vec()?;
    Ok((started.elapsed().as_secs_f64(), body.len() as u64))
}

/// `target/bench-cache/cold-start-N`, next to `target/release` where this binary lives.
fn cache_dir(docs: usize) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let target = exe
        .parent()
        .and_then(Path::parent)
        .context("the bench executable is not inside a target directory")?;
    Ok(target
        .join("bench-cache")
        .join(format!("cold-start-{docs}")))
}

/// Fills a fresh server through the real sync path, in steps of [`DOCS_PER_STEP`].
fn populate(cache: &Path, docs: usize) -> anyhow::Result<()> {
    if cache.exists() {
        std::fs::remove_dir_all(cache).with_context(|| format!("removing {}", cache.display()))?;
    }
    std::fs::create_dir_all(cache)?;
    progress(format_args!(
        "building {} with {docs} checks (cached for later runs)",
        cache.display()
    ));
    let started = Instant::now();
    let server = InProcess::start(&cache.join("server"))?;
    let mut device = Device::create(&cache.join("device"), 0, 0)?;
    device.enrol(&cache.join("server"), &server.url)?;
    let mut generator = Generator::new(1);
    let batch = DOCS_PER_STEP;
    let (mut done, mut gen_s, mut push_s) = (0, 0.0, 0.0);
    while done < docs {
        let count = batch.min(docs - done);
        let t = Instant::now();
        r#gen::fill(
            &mut device.store,
            &mut generator,
            &device.identity,
            done,
            count,
        )?;
        gen_s += t.elapsed().as_secs_f64();
        let t = Instant::now();
        device.sync_all(&server.url)?;
        push_s += t.elapsed().as_secs_f64();
        done += count;
        progress(format_args!(
            "{done}/{docs} checks stored (generating {gen_s:.0} s, pushing {push_s:.0} s, {:.0} checks/s pushed)",
            done as f64 / push_s
        ));
    }
    server.stop()?;
    std::fs::write(cache.join("complete"), format!("{docs}\n"))?;
    progress(format_args!(
        "cache built in {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// Total size of the files directly in `dir`.
fn dir_bytes(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let meta = entry?.metadata()?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}
