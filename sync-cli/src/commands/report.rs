//! `fieldsync report`: the follow-up report per resolution
//! ([`fieldsync_schema::report`]) over the checks on this device, as Markdown (default),
//! a self-contained HTML page or JSON, to stdout or a file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use fieldsync_schema::report::{ReportBuilder, ResolutionsReport, to_html, to_markdown};
use fieldsync_schema::{Catalog, CheckRecord, Lang, RecordFilter};

use super::export::{Stdout, write_file};
use super::filter_args::FilterArgs;
use super::list::warn_unreadable;
use super::open_store;
use crate::store::Store;

/// Report, per resolution with linked checks, what the field found: checks and sites,
/// checks by review state, key findings per facility kind (from the latest check of each
/// site), the latest check per site and open conflicts. Deleted checks never count;
/// invalid checks count and are shown as such.
#[derive(Debug, Args)]
pub struct Report {
    /// Output format: md (Markdown), html (one self-contained page, Arabic first, right to
    /// left, printable) or json.
    #[arg(long, value_enum, default_value = "md")]
    pub format: ReportFormat,
    /// Output file, written whole or not at all; `-` or absent for stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Which checks the report covers.
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Markdown: Arabic then English, tables.
    Md,
    /// One HTML page with inline SVG charts, no external resource.
    Html,
    /// The report as JSON (the same shape as `GET /api/v1/reports/resolutions`).
    Json,
}

impl ReportFormat {
    /// The report rendered in this format.
    ///
    /// # Errors
    /// JSON serialisation failure (not expected).
    pub fn render(self, report: &ResolutionsReport) -> anyhow::Result<String> {
        Ok(match self {
            Self::Md => to_markdown(report),
            Self::Html => to_html(report),
            Self::Json => serde_json::to_string_pretty(report)? + "\n",
        })
    }
}

impl Report {
    /// Builds the report and writes it to the file or stdout.
    ///
    /// # Errors
    /// A refused filter value (in `lang`), store failures, or the output cannot be written
    /// (a closed stdout pipe is not a failure).
    pub fn run(self, home: &Path, lang: Lang) -> anyhow::Result<()> {
        let filter = self.filter.to_filter(lang)?;
        let store = open_store(home)?;
        let report = build(&store, &filter)?;
        let text = self.format.render(&report)?;
        match self.out.as_deref().filter(|p| *p != Path::new("-")) {
            Some(path) => {
                write_file(path, |out| Ok(out.write_all(text.as_bytes())?))
                    .with_context(|| format!("writing the report to {}", path.display()))?;
                eprintln!(
                    "تم إعداد التقرير / report of {} checks written to {}",
                    report.checks,
                    path.display()
                );
            }
            None => {
                let mut stdout = Stdout::lock();
                let written = stdout
                    .write_all(text.as_bytes())
                    .and_then(|()| stdout.flush());
                match written {
                    Err(_) if stdout.closed => {}
                    other => other.context("writing the report to stdout")?,
                }
            }
        }
        Ok(())
    }
}

/// The report over every check of `store` that `filter` covers (its `resolution` chooses
/// the resolution reported, see [`fieldsync_schema::report`]), walking the store one
/// document at a time; documents that do not read as a check are skipped with a warning.
///
/// # Errors
/// Store failures.
pub fn build(store: &Store, filter: &RecordFilter) -> anyhow::Result<ResolutionsReport> {
    let mut builder = ReportBuilder::new(Catalog::builtin(), filter.clone());
    store.db().for_each_check(|read| {
        match read {
            Ok(stored) => builder.add(&CheckRecord {
                check: stored.check,
                conflicts: stored.conflicts,
                violations: stored.violations,
            }),
            Err((id, reason)) => warn_unreadable(&id, &reason),
        }
        anyhow::Ok(())
    })?;
    Ok(builder.finish())
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
