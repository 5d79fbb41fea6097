//! The parts of `show` about the check's life after recording: deletion, conflict
//! decisions and the comment thread.

use std::fmt::Write as _;

use fieldsync_schema::{Check, ParallelUpdate};

use crate::form_text::{form_of, value_text};
use crate::output::bilingual;
use fieldsync_schema::Lang;

/// Fields written concurrently by different authors that merged cleanly (not conflicts);
/// empty when there are none.
pub fn parallel(c: &Check, updates: &[ParallelUpdate], lang: Lang) -> String {
    let form = form_of(c);
    if updates.is_empty() {
        return String::new();
    }
    let title = bilingual(
        "تحديثات متوازية دُمجت دون تعارض",
        "Parallel updates (merged cleanly)",
    );
    let mut out = format!("\n{title}:\n");
    for p in updates {
        let who = p
            .author
            .as_ref()
            .map_or(p.actor.as_str(), |a| a.name.as_str());
        let value = value_text(form, &p.field, &p.value, lang);
        let _ = writeln!(out, "  {} = {value} — {who}", p.field);
    }
    out
}

/// Appends the tombstone (if any), the conflict decisions and the comments, in that order.
pub fn render(out: &mut String, c: &Check, lang: Lang) {
    let form = form_of(c);
    if let Some(d) = &c.deleted {
        let _ = writeln!(
            out,
            "\n{}: {} ({}): {}",
            bilingual("محذوف", "Deleted"),
            d.by,
            d.at,
            d.reason
        );
    }
    if !c.decisions.is_empty() {
        let _ = writeln!(
            out,
            "\n{}:",
            bilingual("قرارات التعارض", "Conflict decisions")
        );
        for d in &c.decisions {
            let kept = value_text(form, &d.field, &d.value, lang);
            let dropped: Vec<String> = d
                .discarded
                .iter()
                .map(|v| value_text(form, &d.field, v, lang))
                .collect();
            let _ = writeln!(
                out,
                "  {} {} by {}: {kept} (discarded: {})",
                d.at,
                d.field,
                d.by,
                dropped.join(", ")
            );
        }
    }
    let n = c.comments.len();
    let _ = writeln!(out, "\n{} ({n}):", bilingual("التعليقات", "Comments"));
    if n == 0 {
        let _ = writeln!(out, "  -");
    }
    for comment in &c.comments {
        let _ = writeln!(out, "  {} {}: {}", comment.at, comment.by, comment.text);
    }
}
