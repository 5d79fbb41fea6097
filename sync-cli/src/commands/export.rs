//! `fieldsync export`: the checks a filter covers as CSV, JSON, NDJSON, GeoJSON or XLSX,
//! streamed by [`crate::export::export_to`] to a file or stdout.

use std::fs::File;
use std::io::{self, IsTerminal as _, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::Args;
use fieldsync_schema::{Lang, RecordFilter};

use super::filter_args::FilterArgs;
use super::list::warn_unreadable;
use super::open_store;
use crate::export::{ExportSummary, Format, export_to};
use crate::lang::pick;
use crate::store::Store;

/// Export the checks (every live check, or those the filters select), sorted by
/// observation time (UTC) then id.
///
/// Formats: `csv` (UTF-8 with BOM, one row per check, one column per form field), `json`
/// (an array), `ndjson` (one check per line), `geojson` (one point per check with a
/// location: the site's coordinates, else its `location` field; the others are counted on
/// stderr), `xlsx` (a sheet per facility kind; Arabic and right to left with `--lang ar`).
///
/// CSV and formulas: a text cell (site id and names, inspector, notes, reviewed by, text
/// values) that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a
/// leading `'`, as OWASP recommends against CSV injection, so a spreadsheet shows
/// `=HYPERLINK(...)` as text instead of running it. Numbers stay numbers (`-3.5` is not
/// prefixed); JSON, GeoJSON and XLSX (whose string cells never run) are never altered.
///
/// XLSX is binary: it is written to stdout only when stdout is not a terminal (a pipe or a
/// redirect); on a terminal give `--out FILE`.
#[derive(Debug, Args)]
pub struct Export {
    /// Output format: csv, json, ndjson, geojson or xlsx.
    #[arg(long, value_parser = parse_format)]
    pub format: Format,
    /// Output file; `-` or absent for stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Which checks to export.
    #[command(flatten)]
    pub filter: FilterArgs,
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
        .map_err(|e: fieldsync_schema::export::UnknownFormat| e.to_string())
}

impl Export {
    /// Writes the export to the file or stdout, then warns about skipped documents.
    ///
    /// # Errors
    /// Store failures, or the output cannot be written (a closed stdout pipe is not a
    /// failure).
    pub fn run(self, home: &Path, lang: Lang) -> anyhow::Result<()> {
        let filter = self.filter.to_filter(lang)?;
        let to_stdout = self.out.as_deref().is_none_or(|p| p == Path::new("-"));
        if to_stdout && self.format.is_binary() && io::stdout().is_terminal() {
            bail!(
                "{}",
                pick(
                    lang,
                    "ملف XLSX ثنائي ولا يُعرض على الشاشة: استعمل --out FILE أو حوّل الخرج إلى ملف",
                    "an XLSX file is binary and is not written to a terminal: give --out FILE, or redirect stdout to a file"
                )
            );
        }
        let job = Job {
            format: self.format,
            filter: &filter,
            lang,
        };
        let store = open_store(home)?;
        let summary = match self.out.as_deref().filter(|p| *p != Path::new("-")) {
            Some(path) => {
                let summary = export_file(&store, &job, path)
                    .with_context(|| format!("exporting to {}", path.display()))?;
                // GeoJSON leaves out checks without a location (warned about below).
                eprintln!(
                    "تم التصدير / exported {} checks to {}",
                    summary.rows.saturating_sub(summary.without_location),
                    path.display()
                );
                summary
            }
            None => {
                let mut stdout = Stdout::lock();
                match job.run(&store, &mut stdout) {
                    Err(_) if stdout.closed => return Ok(()),
                    other => other.context("exporting to stdout")?,
                }
            }
        };
        if summary.without_location > 0 {
            eprintln!(
                "{}",
                pick(
                    lang,
                    &format!(
                        "تنبيه: تفقدات بلا موقع (لا إحداثيات للموقع ولا حقل location) لم تُكتب في GeoJSON: {}",
                        summary.without_location
                    ),
                    &format!(
                        "warning: checks without a location (no site coordinates, no location field), not in the GeoJSON: {}",
                        summary.without_location
                    ),
                )
            );
        }
        for (id, reason) in &summary.unreadable {
            warn_unreadable(id, reason);
        }
        Ok(())
    }
}

/// One export's settings, as [`export_to`] takes them.
struct Job<'a> {
    format: Format,
    filter: &'a RecordFilter,
    lang: Lang,
}

impl Job<'_> {
    fn run(&self, store: &Store, out: &mut (dyn Write + Send)) -> anyhow::Result<ExportSummary> {
        export_to(store, self.format, self.filter, self.lang, out)
    }
}

/// Exports to `path` through [`write_file`].
fn export_file(store: &Store, job: &Job<'_>, path: &Path) -> anyhow::Result<ExportSummary> {
    write_file(path, |out| job.run(store, out))
}

/// Writes `path` with `write`. A regular file (or a new one) is written under a temporary
/// name beside it (`FILE.<pid>.partial`, with the previous file's permissions) and renamed
/// over `path` once complete and synced, so a failure leaves neither a truncated file that
/// looks whole nor a damaged previous one. Anything else (a symlink, `/dev/stdout`, a FIFO)
/// is written in place. `export` and `report` write their files through here.
///
/// # Errors
/// What `write` returns, or the file cannot be created, synced or renamed.
pub(crate) fn write_file<T>(
    path: &Path,
    write: impl FnOnce(&mut (dyn Write + Send)) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    if path.symlink_metadata().is_ok_and(|m| !m.is_file()) {
        return write(&mut File::create(path)?);
    }
    let name = path.file_name().context("the output is not a file name")?;
    // Visible, and per process so two exports to one path do not share it; a name near the
    // file system's 255-byte limit falls back to a short one.
    let pid = std::process::id();
    let long = format!("{}.{pid}.partial", name.to_string_lossy());
    let partial = path.with_file_name(if long.len() <= 240 {
        long
    } else {
        format!("fieldsync-export.{pid}.partial")
    });
    // A previous export keeps its permissions (a 0600 file must not become world-readable),
    // but never setuid, setgid or sticky bits.
    let previous = std::fs::metadata(path).ok().map(|m| plain(m.permissions()));
    let result = (|| {
        let mut file =
            File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
        if let Some(permissions) = previous {
            file.set_permissions(permissions)?;
        }
        let written = write(&mut file)?;
        file.sync_all()?;
        std::fs::rename(&partial, path)?;
        Ok(written)
    })();
    if result.is_err() {
        // Best effort: the error that matters is the one returned.
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// `permissions` without setuid, setgid and sticky bits.
#[cfg(unix)]
fn plain(permissions: std::fs::Permissions) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::Permissions::from_mode(permissions.mode() & 0o777)
}

/// `permissions` as they are (no special bits elsewhere).
#[cfg(not(unix))]
fn plain(permissions: std::fs::Permissions) -> std::fs::Permissions {
    permissions
}

/// Stdout that remembers a closed pipe. A reader that has gone away (`fieldsync export |
/// head`) already has what it wanted: the export stops at the first failed write and the
/// command succeeds, as [`crate::output::print`] does for the other commands.
pub(crate) struct Stdout {
    inner: io::Stdout,
    /// True once a write failed because the reader went away.
    pub(crate) closed: bool,
}

impl Stdout {
    /// The process's stdout (locked for each write: an XLSX export needs a writer it can
    /// move to the library's thread-safe writer, and exports write 64 KiB at a time).
    pub(crate) fn lock() -> Self {
        Self {
            inner: io::stdout(),
            closed: false,
        }
    }

    fn note<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if let Err(err) = &result {
            self.closed |= err.kind() == io::ErrorKind::BrokenPipe;
        }
        result
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.note(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.note(result)
    }
}
