//! `fieldsync show`: one check in full, with its validity and where each link comes from.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use clap::Args;
use fieldsync_schema::{Catalog, Check, Conflict, Lang, LinkSource, ParallelUpdate, Violation};
use serde::Serialize;

use super::open_store;
use crate::form_text::{field_label, form_of, path_label, typed_as, value_text};
use crate::output::{self, author_text, bilingual, kind_label, review_label, sync_status};
use crate::store::StoredCheck;

/// Show one check: values with their labels, site, links, review and conflicts.
///
/// Labels and choices come from the form version the check was made with, in the `--lang`
/// language; values kept as typed show how they were typed.
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
    /// Whether the server has held the check (false until its first sync; its review
    /// state `received` is then not yet true).
    pub on_server: bool,
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
    pub fn run(self, home: &Path, lang: Lang) -> anyhow::Result<()> {
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
                on_server: stored.on_server,
                valid: stored.valid(),
                violations: &stored.violations,
                parallel_updates: &parallel,
            };
            let json = serde_json::to_string_pretty(&json)? + "\n";
            output::print(json).context("writing to stdout")?;
        } else {
            let text = render(&stored, lang)
                + &super::show_thread::parallel(&stored.check, &parallel, lang);
            output::print(text).context("writing to stdout")?;
        }
        Ok(())
    }
}

/// How much of a linked resolution's Arabic text `show` prints before its English title
/// (`fieldsync resolutions` prints it in full).
const RESOLUTION_TEXT_CHARS: usize = 70;

/// The human view of a check, form labels in `lang`.
pub fn render(stored: &StoredCheck, lang: Lang) -> String {
    let mut out = String::new();
    header(&mut out, stored, lang);
    fields(&mut out, &stored.check, lang);
    validity(&mut out, stored);
    links(&mut out, &stored.check);
    review(&mut out, &stored.check, stored.on_server);
    conflicts(&mut out, stored, lang);
    super::show_thread::render(&mut out, &stored.check, lang);
    out
}

fn line(out: &mut String, ar: &str, en: &str, value: &str) {
    let _ = writeln!(out, "{}: {value}", bilingual(ar, en));
}

fn header(out: &mut String, stored: &StoredCheck, lang: Lang) {
    let c = &stored.check;
    let form = form_of(c);
    line(out, "الفحص", "Check", &c.id.to_string());
    line(out, "النوع", "Kind", &kind_label(c.kind));
    let title = crate::lang::pick(lang, &form.label_ar, &form.label_en);
    let form_text = format!("{} v{} ({title})", c.form.id, c.form.version);
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

fn fields(out: &mut String, c: &Check, lang: Lang) {
    let _ = writeln!(out, "\n{}:", bilingual("القيم", "Values"));
    if c.fields.is_empty() {
        let _ = writeln!(out, "  -");
    }
    let form = form_of(c);
    // Form order first, then any field the form does not know (a newer form version).
    let known = form.fields.iter().map(|f| f.name.as_str());
    let unknown = c
        .fields
        .keys()
        .map(String::as_str)
        .filter(|k| form.field(k).is_none());
    for name in known.chain(unknown) {
        if let Some(value) = c.fields.get(name) {
            let label = field_label(form, name, lang);
            let mut text = value_text(form, name, value, lang);
            let raw = c.raw.get(name).map(String::as_str);
            if let Some(note) = typed_as(form, name, value, raw, lang) {
                text = format!("{text} ({note})");
            }
            let _ = writeln!(out, "  {label}: {text}");
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

fn review(out: &mut String, c: &Check, on_server: bool) {
    let r = &c.review;
    let _ = writeln!(out);
    let label = if on_server || r.state != fieldsync_schema::ReviewState::Received {
        review_label(r.state)
    } else {
        // `received` means the server has it; until the first sync it has not.
        bilingual("لم يصل إلى الخادم بعد", "not yet received (sync pending)")
    };
    line(out, "المراجعة", "Review", &label);
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

fn conflicts(out: &mut String, stored: &StoredCheck, lang: Lang) {
    let n = stored.conflicts.len();
    let _ = writeln!(out, "\n{} ({n}):", bilingual("التعارضات", "Conflicts"));
    if n == 0 {
        let _ = writeln!(out, "  -");
    }
    let form = form_of(&stored.check);
    for conflict in &stored.conflicts {
        let _ = writeln!(
            out,
            "  {} [{}]",
            path_label(form, &conflict.field, lang),
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
            let value = value_text(form, name, &v.value, lang);
            let at = v.at.as_deref().unwrap_or("?");
            let _ = writeln!(out, "    {mark} {value} — {} at {at}{wins}", author_text(v));
        }
    }
}
