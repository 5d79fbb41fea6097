//! The report as Markdown: Arabic first then English in every heading and label, tables
//! for the figures. Every text an inspector typed goes through [`md_text`].

use std::fmt::Write as _;

use super::format::{field_value, figure_value, md_text, number};
use super::{
    KindFindings, LatestCheck, OpenConflict, ReportScope, ResolutionReport, ResolutionsReport,
};
use crate::ReviewState;

/// The report as a Markdown document (CommonMark with GitHub tables), ending in a newline.
pub fn to_markdown(report: &ResolutionsReport) -> String {
    let mut out = String::new();
    out.push_str("# تقرير المتابعة حسب القرار\n\n# Follow-up report by resolution\n\n");
    let _ = writeln!(
        out,
        "النطاق / Scope: {}\n\nالفحوص المشمولة / Checks covered: {} — غير مرتبطة بالقرارات المعروضة / linked to none of the resolutions reported: {}\n",
        scope_text(&report.scope),
        report.checks,
        report.unlinked
    );
    if report.resolutions.is_empty() {
        out.push_str(&format!("{}\n", none_linked(&report.scope)));
    }
    for resolution in &report.resolutions {
        resolution_md(&mut out, resolution);
    }
    out
}

/// What an empty report says: no covered check is linked to the resolution asked for, or to
/// any resolution.
pub(super) fn none_linked(scope: &ReportScope) -> String {
    match scope.resolution {
        Some(n) => format!(
            "لا يوجد فحص مشمول مرتبط بالقرار {n} / No covered check is linked to resolution {n}."
        ),
        None => "لا توجد فحوص مرتبطة بقرارات / No checks are linked to resolutions.".to_owned(),
    }
}

/// The filter as `resolution 16, since 2026-03-01`, or "all checks".
pub(super) fn scope_text(scope: &ReportScope) -> String {
    let mut parts = Vec::new();
    if let Some(n) = scope.resolution {
        parts.push(format!("resolution {n}"));
    }
    if let Some(k) = scope.kind {
        parts.push(format!("kind {k}"));
    }
    if let Some(s) = scope.review_state {
        parts.push(format!("review state {s}"));
    }
    if let Some(s) = &scope.site {
        parts.push(format!("site {s}"));
    }
    if let Some(s) = &scope.since {
        parts.push(format!("since {s}"));
    }
    if let Some(s) = &scope.until {
        parts.push(format!("until {s}"));
    }
    if parts.is_empty() {
        "كل الفحوص / all checks".to_owned()
    } else {
        parts.join(", ")
    }
}

fn resolution_md(out: &mut String, r: &ResolutionReport) {
    let _ = writeln!(out, "## القرار {0} — Resolution {0}\n", r.number);
    let _ = writeln!(out, "{}\n\n{}\n", md_text(&r.text_ar), md_text(&r.title_en));
    out.push_str("| الفحوص / Checks | منها غير صالحة / of which invalid | المواقع / Sites |\n|---|---|---|\n");
    let _ = writeln!(out, "| {} | {} | {} |\n", r.checks, r.invalid, r.sites);
    out.push_str("### الفحوص حسب حالة المراجعة / Checks by review state\n\n");
    out.push_str("| الحالة / State | العدد / Count |\n|---|---|\n");
    for state in ReviewState::ALL {
        let _ = writeln!(
            out,
            "| {} / {} | {} |",
            state.label_ar(),
            state,
            r.review.get(state)
        );
    }
    out.push('\n');
    for kind in &r.kinds {
        kind_md(out, kind);
    }
    latest_md(out, &r.latest);
    conflicts_md(out, &r.conflicts);
}

fn kind_md(out: &mut String, k: &KindFindings) {
    let _ = writeln!(
        out,
        "### النتائج: {} / Findings: {}\n\nالمواقع / Sites: {} — آخر فحص غير صالح / latest check invalid: {}\n",
        k.kind.label_ar(),
        k.kind.label_en(),
        k.sites,
        k.invalid
    );
    if k.sites == 0 {
        out.push_str("لم يُفحص أي موقع من هذا النوع / No site of this kind was checked.\n\n");
        return;
    }
    out.push_str(
        "| المؤشر / Figure | القيمة / Value | المواقع المبلِّغة / Sites reporting |\n|---|---|---|\n",
    );
    for f in &k.figures {
        let _ = writeln!(
            out,
            "| {} / {} | {} | {} |",
            f.label_ar,
            f.label_en,
            figure_value(f),
            f.reporting
        );
    }
    out.push('\n');
}

fn latest_md(out: &mut String, latest: &[LatestCheck]) {
    out.push_str("### آخر فحص لكل موقع / Latest check per site\n\n");
    out.push_str("مرتبط: للموقع فحص مرتبط بهذا القرار / Linked: the site has a check linked to this resolution.\n\n");
    out.push_str("| الموقع / Site | النوع / Kind | التاريخ / Observed | الحالة / State | صالح / Valid | القيم / Values | مرتبط / Linked | الفحص / Check |\n|---|---|---|---|---|---|---|---|\n");
    for l in latest {
        let _ = writeln!(
            out,
            "| {} | {} / {} | {} | {} / {} | {} | {} | {} | `{}` |",
            site_md(l),
            l.kind.label_ar(),
            l.kind.label_en(),
            l.observed_at,
            l.review_state.label_ar(),
            l.review_state,
            yes_no(l.valid),
            values_md(l),
            yes_no(l.linked),
            l.check
        );
    }
    out.push('\n');
}

fn yes_no(b: bool) -> &'static str {
    if b { "نعم / yes" } else { "لا / no" }
}

fn site_md(l: &LatestCheck) -> String {
    let mut text = format!(
        "{} ({})",
        md_text(&l.site_name_ar),
        md_text(l.site_id.as_str())
    );
    if let Some(en) = &l.site_name_en {
        let _ = write!(text, " — {}", md_text(en));
    }
    text
}

fn values_md(l: &LatestCheck) -> String {
    let parts: Vec<String> = l
        .values
        .iter()
        .map(|v| format!("`{}`: {}", v.field, md_text(&field_value(&v.value))))
        .collect();
    parts.join("; ")
}

fn conflicts_md(out: &mut String, conflicts: &[OpenConflict]) {
    let _ = writeln!(
        out,
        "### التعارضات المفتوحة / Open conflicts: {}\n",
        number(conflicts.len() as f64)
    );
    if conflicts.is_empty() {
        return;
    }
    out.push_str("| الفحص / Check | الموقع / Site | الحقل / Field | عدد القيم / Values |\n|---|---|---|---|\n");
    for c in conflicts {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            c.check,
            md_text(c.site_id.as_str()),
            md_text(&c.field),
            c.values
        );
    }
    out.push('\n');
}
