//! `fieldsync show`: one check in full, with its validity and where each link comes from.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use clap::Args;
use fieldsync_schema::{
    Catalog, Check, Conflict, Forms, Lang, LinkSource, ParallelUpdate, Violation,
};
use serde::Serialize;

use super::open_store;
use crate::output::{
    self, author_text, bilingual, field_label, kind_label, path_label, review_label, sync_status,
    value_text,
};
use crate::store::StoredCheck;

/// Show one check: values with their labels, site, links, review and conflicts.
#[derive(Debug, Args)]
pub struct Show {
    /// The check: its full id or a unique prefix of at least 8 characters.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Print `{check, conflicts, pending, valid, violations}` as JSON instead.
    #[arg(long)]
    pub json: bool,
}

/// The `show --json` object.
#[derive(Debug, Serialize)]
pub struct ShowJson<'a> {
    /// The check as the schema serialises it.
    pub check: &'a Check,
    /// Every conflicting field.
    pub conflicts: &'a [Conflict],
    /// Whether the server has not acknowledged the latest changes.
    pub pending: bool,
    /// False when a violation is an error (the server flags the check `invalid` too).
    pub valid: bool,
    /// Every rule the check breaks, computed on this device from its form version.
    pub violations: &'a [Violation],
    /// Fields changed concurrently by different authors that merged without conflict.
    pub parallel_updates: &'a [ParallelUpdate],
}

impl Show {
    /// Prints the check.
    ///
    /// # Errors
    /// Unknown or ambiguous id, store failures, stdout cannot be written (a closed pipe is
    /// not a failure).
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let store = open_store(home)?;
        let db = store.db();
        let id = db.resolve(&self.id)?;
        let stored = db.check(id)?;
        let parallel = db.load_existing(id)?.doc.parallel_updates()?;
        if self.json {
            let json = ShowJson {
                check: &stored.check,
                conflicts: &stored.conflicts,
                pending: stored.pending,
                valid: stored.valid(),
                violations: &stored.violations,
                parallel_updates: &parallel,
            };
            let json = serde_json::to_string_pretty(&json)? + "\n";
            output::print(json).context("writing to stdout")?;
        } else {
            let text = render(&stored) + &super::show_thread::parallel(&stored.check, &parallel);
            output::print(text).context("writing to stdout")?;
        }
        Ok(())
    }
}

/// How much of a linked resolution's Arabic text `show` prints before its English title
/// (`fieldsync resolutions` prints it in full).
const RESOLUTION_TEXT_CHARS: usize = 70;

/// The human view of a check.
pub fn render(stored: &StoredCheck) -> String {
    let mut out = String::new();
    header(&mut out, stored);
    fields(&mut out, &stored.check);
    validity(&mut out, stored);
    links(&mut out, &stored.check);
    review(&mut out, &stored.check);
    conflicts(&mut out, stored);
    super::show_thread::render(&mut out, &stored.check);
    out
}

fn line(out: &mut String, ar: &str, en: &str, value: &str) {
    let _ = writeln!(out, "{}: {value}", bilingual(ar, en));
}

fn header(out: &mut String, stored: &StoredCheck) {
    let c = &stored.check;
    let form = Forms::builtin().for_kind(c.kind);
    line(out, "الفحص", "Check", &c.id.to_string());
    line(out, "النوع", "Kind", &kind_label(c.kind));
    let form_text = format!("{} v{} ({})", c.form.id, c.form.version, form.label_en);
    line(out, "النموذج", "Form", &form_text);
    let mut site = format!("{} [{}]", c.site.name_ar, c.site.id);
    if let Some(en) = &c.site.name_en {
        site = format!("{} / {en} [{}]", c.site.name_ar, c.site.id);
    }
    line(out, "الموقع", "Site", &site);
    if let (Some(lat), Some(lon)) = (c.site.lat, c.site.lon) {
        line(out, "الإحداثيات", "Coordinates", &format!("{lat}, {lon}"));
    }
    line(out, "المفتش", "Inspector", &c.inspector);
    let observed = format!("{} (UTC {})", c.observed_at, c.observed_at.utc());
    line(out, "وقت المعاينة", "Observed at", &observed);
    line(out, "المزامنة", "Sync", sync_status(stored.pending));
    line(out, "ملاحظات", "Notes", &c.notes);
}

fn fields(out: &mut String, c: &Check) {
    let _ = writeln!(out, "\n{}:", bilingual("القيم", "Values"));
    if c.fields.is_empty() {
        let _ = writeln!(out, "  -");
    }
    let form = Forms::builtin().for_kind(c.kind);
    // Form order first, then any field the form does not know (a newer form version).
    let known = form.fields.iter().map(|f| f.name.as_str());
    let unknown = c
        .fields
        .keys()
        .map(String::as_str)
        .filter(|k| form.field(k).is_none());
    for name in known.chain(unknown) {
        if let Some(value) = c.fields.get(name) {
            let label = field_label(c.kind, name);
            let _ = writeln!(out, "  {label}: {}", value_text(c.kind, name, value));
        }
    }
}

/// Valid or not, and every violation in Arabic then English.
fn validity(out: &mut String, stored: &StoredCheck) {
    let _ = writeln!(out);
    let state = if stored.valid() {
        bilingual("صالح", "valid")
    } else {
        bilingual("غير صالح", "INVALID")
    };
    line(out, "الصلاحية", "Validity", &state);
    for v in &stored.violations {
        let severity = if v.is_error() {
            bilingual("خطأ", "error")
        } else {
            bilingual("تنبيه", "warning")
        };
        let _ = writeln!(out, "  - {severity} [{}]", v.rule.code());
        let _ = writeln!(out, "    {}", v.message(Lang::Ar));
        let _ = writeln!(out, "    {}", v.message(Lang::En));
    }
}

fn links(out: &mut String, c: &Check) {
    let _ = writeln!(
        out,
        "\n{}:",
        bilingual("القرارات المرتبطة", "Linked resolutions")
    );
    if c.resolutions.is_empty() {
        let _ = writeln!(out, "  -");
    }
    for number in &c.resolutions {
        let text = Catalog::builtin().get(*number).map_or_else(
            || bilingual("ليس في فهرس هذا الإصدار", "not in this build's catalog"),
            |r| {
                bilingual(
                    &output::one_line(&r.text_ar, RESOLUTION_TEXT_CHARS),
                    &r.title_en,
                )
            },
        );
        let _ = writeln!(out, "  {number}. {text}");
        if let Some(source) = c.link_sources.get(number) {
            let _ = writeln!(out, "      <- {}", source_text(source));
        }
    }
    manual_decisions(out, c);
}

/// What made a link, in both languages.
fn source_text(source: &LinkSource) -> String {
    match source {
        LinkSource::Rule(Some(id)) => format!("{}: {id}", bilingual("قاعدة", "rule")),
        LinkSource::Rule(None) => bilingual("قاعدة", "rule"),
        LinkSource::Manual(by) => format!("{}: {by}", bilingual("يدوي", "manual")),
    }
}

/// The supervisors' link decisions, with who, when and why.
fn manual_decisions(out: &mut String, c: &Check) {
    if c.manual_links.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{}:",
        bilingual("قرارات الربط اليدوي", "Manual link decisions")
    );
    for (number, d) in &c.manual_links {
        let what = if d.linked {
            bilingual("ربط", "linked")
        } else {
            bilingual("إلغاء الربط", "unlinked")
        };
        let _ = write!(out, "  {number}: {what} — {} ({})", d.by, d.at);
        if !d.comment.is_empty() {
            let _ = write!(out, ": {}", d.comment);
        }
        let _ = writeln!(out);
    }
}

fn review(out: &mut String, c: &Check) {
    let r = &c.review;
    let _ = writeln!(out);
    line(out, "المراجعة", "Review", &review_label(r.state));
    if let Some(by) = &r.by {
        let at = r.at.as_deref().unwrap_or("?");
        line(out, "بواسطة", "By", &format!("{by} ({at})"));
    }
    if let Some(comment) = r.comment.as_deref().filter(|s| !s.is_empty()) {
        line(out, "التعليق", "Comment", comment);
    }
    if !c.review_history.is_empty() {
        let _ = writeln!(out, "{}:", bilingual("سجل المراجعة", "Review history"));
        for e in &c.review_history {
            let _ = writeln!(
                out,
                "  {} {} -> {} by {}: {}",
                e.at, e.from, e.to, e.by, e.comment
            );
        }
    }
}

fn conflicts(out: &mut String, stored: &StoredCheck) {
    let n = stored.conflicts.len();
    let _ = writeln!(out, "\n{} ({n}):", bilingual("التعارضات", "Conflicts"));
    if n == 0 {
        let _ = writeln!(out, "  -");
    }
    let kind = stored.check.kind;
    for conflict in &stored.conflicts {
        let _ = writeln!(
            out,
            "  {} [{}]",
            path_label(kind, &conflict.field),
            conflict.field
        );
        let name = conflict.field.strip_prefix("fields.").unwrap_or("");
        for v in &conflict.values {
            let mark = if v.winner { "*" } else { "-" };
            let wins = if v.winner {
                "  <- الظاهرة / wins"
            } else {
                ""
            };
            let value = value_text(kind, name, &v.value);
            let _ = writeln!(out, "    {mark} {value} — {}{wins}", author_text(v));
        }
    }
}
