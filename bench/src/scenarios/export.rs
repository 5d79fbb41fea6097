//! `export`: a device store holding N checks, exported in `--format` (default csv) by the
//! release `fieldsync` binary in a child process (`fieldsync --home COPY export --format F
//! --out FILE`), so that its peak memory is the exporting process's alone.
//!
//! The store is the cold-start cache's device home (`target/bench-cache/cold-start-N/device`,
//! the device that pushed every check) when that cache is complete, else a device generated
//! with the same generator (not timed; its checks were never synced, which the export does
//! not look at), kept in `target/bench-cache/export-N` for the next run (one per format).
//! Either way it is copied into a temporary directory first, so the cache is never written,
//! and the copy leaves the store's files in the page cache (a warm export).
//!
//! While the child runs, `/proc/PID/status` is polled every [`POLL`]: `VmHWM` (its peak
//! resident set; monotonic, so the last reading before exit misses at most the last poll
//! interval, when the process is closing files, not allocating) and the size of the export's
//! `NAME.<pid>.partial` file, which the command writes before renaming it over `FILE`. Seeing that
//! file grow in several steps while the process runs is what "streamed" means here (XLSX
//! keeps finished rows in the library's temporary files and zips them into the output at
//! the end, so for it the growing file shows only that last step, and its memory is what
//! shows it streams). Then
//! [`export_to`] is run once more in this process into another file, for its own time and
//! its [`ExportSummary`] row count.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use fieldsync_schema::{Lang, RecordFilter};
use fieldsync_sync_cli::export::{ExportSummary, Format, export_to};
use fieldsync_sync_cli::store::Store;

use super::{Options, progress};
use crate::device::Device;
use crate::report::Report;
use crate::server::cpu_seconds;

/// Default `--docs` (the cold-start cache's size, so its device can be reused).
pub const DOCS: usize = 100_000;

/// How often the child's memory and output are sampled.
const POLL: Duration = Duration::from_millis(5);

/// Runs the scenario.
///
/// # Errors
/// No `fieldsync` binary, setup or export failures.
pub fn run(options: &Options) -> anyhow::Result<Report> {
    let docs = options.docs.unwrap_or(DOCS);
    let format = options.export_format;
    let binary = cli_binary()?;
    let root = tempfile::tempdir()?;
    let home = root.path().join("device");
    let cached = cache_device(docs)?;
    let (source, generate_s) = match &cached {
        Some(dir) => {
            progress(format_args!(
                "using the cached device home {}",
                dir.display()
            ));
            copy_dir(dir, &home)?;
            (format!("cache ({})", dir.display()), None)
        }
        None => {
            let dir = generated_cache(docs)?;
            progress(format_args!(
                "no complete cache for {docs} checks: generating a device into {} (not timed)",
                dir.display()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            let started = Instant::now();
            drop(Device::create(&dir.join("device"), 0, docs)?);
            let generate_s = started.elapsed().as_secs_f64();
            std::fs::write(dir.join("complete"), "")?;
            copy_dir(&dir.join("device"), &home)?;
            ("generated".to_owned(), Some(generate_s))
        }
    };
    // A cache written by an older build is migrated here, not in the timed export (migration
    // 006 fills every document's view once, like an upgrade on a device would).
    let started = Instant::now();
    drop(Store::open(&home)?);
    let migrate_s = started.elapsed().as_secs_f64();
    progress(format_args!(
        "store opened (migrated if needed) in {migrate_s:.2} s, not timed"
    ));
    let store_bytes = tree_bytes(&home)?;
    let out_dir = root.path().join("out");
    std::fs::create_dir_all(&out_dir)?;

    progress(format_args!(
        "exporting with {} (child process)",
        binary.display()
    ));
    let child = export_child(
        &binary,
        &home,
        format,
        &out_dir.join(format!("checks.{format}")),
    )?;

    progress(format_args!(
        "exporting again with export_to in this process"
    ));
    let in_process = out_dir.join(format!("in-process.{format}"));
    let started = Instant::now();
    let summary: ExportSummary = {
        let store = Store::open(&home)?;
        let mut file = std::fs::File::create(&in_process)?;
        export_to(
            &store,
            format,
            &RecordFilter::default(),
            Lang::En,
            &mut file,
        )?
    };
    let export_to_s = started.elapsed().as_secs_f64();
    let in_process_bytes = std::fs::metadata(&in_process)?.len();
    if summary.rows != docs {
        bail!(
            "export_to wrote {} rows for {docs} checks ({} unreadable)",
            summary.rows,
            summary.unreadable.len()
        );
    }
    if child.rows != Some(summary.rows) {
        bail!(
            "the CLI reported {:?} rows, export_to {}",
            child.rows,
            summary.rows
        );
    }
    // An XLSX records when it was made (docProps/core.xml), so its compressed size may
    // differ by a few bytes between two runs.
    if format != Format::Xlsx && in_process_bytes != child.output_bytes {
        bail!(
            "the CLI wrote {} bytes, export_to {in_process_bytes}",
            child.output_bytes
        );
    }

    let mut report = Report::new("export", docs, 1);
    report.set("format", format.as_str(), "");
    report.set("source", source, "");
    if let Some(s) = generate_s {
        report.set_f("generate_s", s, 1, "s (not timed)");
    }
    report.set_f(
        "open_migrate_s",
        migrate_s,
        2,
        "s (opening the copy, migrations included; not timed)",
    );
    report.set_f("store_mb", store_bytes as f64 / 1e6, 1, "MB (device home)");
    report.set_f(
        "wall_s",
        child.wall_s,
        3,
        "s (`fieldsync export --format F --out FILE`, spawn to exit)",
    );
    report.set("rows", summary.rows, "checks");
    report.set_f(
        "rows_per_s",
        summary.rows as f64 / child.wall_s.max(f64::MIN_POSITIVE),
        0,
        "",
    );
    report.set("output_bytes", child.output_bytes, "B");
    report.set_f(
        "bytes_per_row",
        child.output_bytes as f64 / summary.rows.max(1) as f64,
        0,
        "B",
    );
    report.set_f(
        "peak_rss_mb",
        child.peak_rss_mb,
        1,
        "MB (the child's VmHWM, last reading before exit)",
    );
    report.set_f(
        "child_cpu_s",
        child.cpu_s,
        2,
        "s (user + system, last reading before exit)",
    );
    report.set("rss_samples", child.samples, "");
    report.set(
        "partial_sizes_seen",
        child.partial_sizes,
        "(distinct non-zero sizes of the .partial file while running)",
    );
    report.set_f(
        "export_to_s",
        export_to_s,
        3,
        "s (export_to into a file, in this process)",
    );
    report.set("unreadable", summary.unreadable.len(), "documents skipped");
    // Written in steps as the rows were read, not in one write at the end.
    let streamed = child.partial_sizes >= 3;
    report.at_most("wall_s", child.wall_s, 10.0, true);
    report.at_most("peak_rss_mb", child.peak_rss_mb, 150.0, true);
    if format != Format::Xlsx {
        report.must("streamed", streamed);
    }
    Ok(report)
}

/// What the child export did.
#[derive(Debug, Clone, Default)]
struct ChildExport {
    wall_s: f64,
    peak_rss_mb: f64,
    cpu_s: f64,
    samples: u64,
    partial_sizes: u64,
    output_bytes: u64,
    rows: Option<usize>,
}

/// Runs `fieldsync --home HOME export --format F --out OUT` and samples it until it exits.
fn export_child(
    binary: &Path,
    home: &Path,
    format: Format,
    out: &Path,
) -> anyhow::Result<ChildExport> {
    let name = out.file_name().context("output name")?.to_string_lossy();
    let started = Instant::now();
    let mut child = Command::new(binary)
        .arg("--home")
        .arg(home)
        .args([
            "--lang",
            "en",
            "export",
            "--format",
            format.as_str(),
            "--out",
        ])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("spawning {}", binary.display()))?;
    // The name `fieldsync export` writes before renaming (sync-cli/src/commands/export.rs).
    let partial = out.with_file_name(format!("{name}.{}.partial", child.id()));
    let mut stderr = child.stderr.take().context("child stderr")?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let pid = child.id().to_string();
    let mut result = ChildExport::default();
    let mut last_size = 0;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Some(kb) = status_kb(&pid, "VmHWM:") {
            result.peak_rss_mb = result.peak_rss_mb.max(kb / 1024.0);
            result.samples += 1;
        }
        if let Ok(cpu) = cpu_seconds(&pid) {
            result.cpu_s = cpu;
        }
        if let Ok(meta) = std::fs::metadata(&partial)
            && meta.len() > 0
            && meta.len() != last_size
        {
            last_size = meta.len();
            result.partial_sizes += 1;
        }
        std::thread::sleep(POLL);
    };
    result.wall_s = started.elapsed().as_secs_f64();
    let log = reader.join().unwrap_or_default();
    if !status.success() {
        bail!("{} export failed ({status}):\n{log}", binary.display());
    }
    result.output_bytes = std::fs::metadata(out)
        .with_context(|| format!("{} was not written", out.display()))?
        .len();
    // "تم التصدير / exported N checks to FILE"
    result.rows = log
        .split("exported ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok());
    Ok(result)
}

/// A `kB` line of `/proc/PID/status`, or `None` once the process is gone (or a zombie).
fn status_kb(pid: &str, key: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The release `fieldsync` binary next to this executable.
fn cli_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the bench executable")?;
    let dir = exe
        .parent()
        .context("the bench executable has no directory")?;
    let binary = dir.join(format!("fieldsync{}", std::env::consts::EXE_SUFFIX));
    if !binary.is_file() {
        bail!(
            "{} is missing: run `cargo build --release -p fieldsync-sync-cli` first",
            binary.display()
        );
    }
    Ok(binary)
}

/// `target/bench-cache` beside the bench executable.
fn cache_root() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let target = exe
        .parent()
        .and_then(Path::parent)
        .context("the bench executable is not inside a target directory")?;
    Ok(target.join("bench-cache"))
}

/// Where a device generated here is kept for the next run: `bench-cache/export-N`.
fn generated_cache(docs: usize) -> anyhow::Result<PathBuf> {
    Ok(cache_root()?.join(format!("export-{docs}")))
}

/// A device home holding `docs` checks from a complete cache: the cold-start cache's
/// device (the one that pushed every check), else one this scenario generated before.
fn cache_device(docs: usize) -> anyhow::Result<Option<PathBuf>> {
    let caches = [
        cache_root()?.join(format!("cold-start-{docs}")),
        generated_cache(docs)?,
    ];
    Ok(caches.into_iter().find_map(|cache| {
        let device = cache.join("device");
        (cache.join("complete").is_file() && device.is_dir()).then_some(device)
    }))
}

/// Copies the directory tree `from` to `to`.
fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Total size of the files under `dir`.
fn tree_bytes(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        total += if entry.file_type()?.is_dir() {
            tree_bytes(&entry.path())?
        } else {
            entry.metadata()?.len()
        };
    }
    Ok(total)
}
