//! The report as one self-contained HTML page: `<html lang="ar" dir="rtl">`, Arabic first
//! with English beside it (marked `lang="en" dir="ltr"`), print-friendly CSS, inline SVG
//! charts, no script and no external resource. The page is built with maud, which escapes
//! every interpolated text, so a site named `<script>` is shown as text.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::format::{field_value, figure_value, number};
use super::markdown::{none_linked, scope_text};
use super::svg::{AMBER, BLUE, Bar, bars, split};
use super::{
    KindFindings, LatestCheck, Measure, OpenConflict, ResolutionReport, ResolutionsReport,
};
use crate::ReviewState;

/// The page's style: readable on screen, one resolution per printed page, colours kept
/// when printed.
const CSS: &str = r#"
body { font-family: "Noto Naskh Arabic", "Noto Sans Arabic", Tahoma, Arial, sans-serif; margin: 2em; color: #1a202c; line-height: 1.5; }
h1, h2, h3 { margin-bottom: 0.2em; }
.en { color: #4a5568; unicode-bidi: isolate; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #cbd5e0; padding: 0.2em 0.6em; text-align: start; vertical-align: top; }
th { background: #edf2f7; }
td.num { text-align: end; font-variant-numeric: tabular-nums; }
code { font-size: 0.85em; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
.chart { border: 1px solid #e2e8f0; }
.resolution { border-top: 2px solid #2d3748; margin-top: 2em; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; font-size: 10.5pt; }
  .resolution { break-before: page; border-top: none; margin-top: 0; }
  table, .chart, h3 { break-inside: avoid; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"#;

/// The report as a complete HTML document.
pub fn to_html(report: &ResolutionsReport) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="ar" dir="rtl" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "تقرير المتابعة حسب القرار — Follow-up report by resolution" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { "تقرير المتابعة حسب القرار" }
                    p.en lang="en" dir="ltr" { "Follow-up report by resolution" }
                    p { "النطاق / " (en("Scope")) ": " (scope_text(&report.scope)) }
                    p {
                        "الفحوص المشمولة / " (en("Checks covered")) ": " (report.checks)
                        " — غير مرتبطة بالقرارات المعروضة / " (en("linked to none of the resolutions reported")) ": " (report.unlinked)
                    }
                    @if report.resolutions.is_empty() {
                        p { (none_linked(&report.scope)) }
                    }
                }
                @for r in &report.resolutions { (resolution(r)) }
            }
        }
    };
    page.into_string()
}

/// English text beside Arabic, isolated and left to right.
fn en(text: &str) -> Markup {
    html! { span.en lang="en" dir="ltr" { (text) } }
}

/// `Arabic / English`.
fn bi(ar: &str, english: &str) -> Markup {
    html! { (ar) " / " (en(english)) }
}

fn resolution(r: &ResolutionReport) -> Markup {
    let states: Vec<Bar<'_>> = ReviewState::ALL
        .into_iter()
        .map(|s| Bar {
            label: s.label_ar(),
            value: r.review.get(s) as f64,
            text: r.review.get(s).to_string(),
            fill: BLUE,
        })
        .collect();
    html! {
        section.resolution id=(format!("r{}", r.number)) {
            h2 { "القرار " (r.number) " / " (en(&format!("Resolution {}", r.number))) }
            p { (r.text_ar) }
            p.en lang="en" dir="ltr" { (r.title_en) }
            table {
                tr { th { (bi("الفحوص", "Checks")) } th { (bi("منها غير صالحة", "of which invalid")) } th { (bi("المواقع", "Sites")) } }
                tr { td.num { (r.checks) } td.num { (r.invalid) } td.num { (r.sites) } }
            }
            h3 { (bi("الفحوص حسب حالة المراجعة", "Checks by review state")) }
            div.charts {
                table {
                    tr { th { (bi("الحالة", "State")) } th { (bi("العدد", "Count")) } }
                    @for s in ReviewState::ALL {
                        tr { td { (bi(s.label_ar(), s.as_str())) } td.num { (r.review.get(s)) } }
                    }
                }
                (bars("الفحوص حسب حالة المراجعة", "Checks by review state", &states))
            }
            @for k in &r.kinds { (kind(k)) }
            (latest(&r.latest))
            (conflicts(&r.conflicts))
        }
    }
}

fn kind(k: &KindFindings) -> Markup {
    html! {
        h3 { "النتائج: " (k.kind.label_ar()) " / " (en(&format!("Findings: {}", k.kind.label_en()))) }
        p {
            (bi("المواقع", "Sites")) ": " (k.sites) " — "
            (bi("آخر فحص غير صالح", "latest check invalid")) ": " (k.invalid)
        }
        @if k.sites == 0 {
            p { (bi("لم يُفحص أي موقع من هذا النوع", "No site of this kind was checked.")) }
        } @else {
        div.charts {
            table {
                tr { th { (bi("المؤشر", "Figure")) } th { (bi("القيمة", "Value")) } th { (bi("المواقع المبلِّغة", "Sites reporting")) } }
                @for f in &k.figures {
                    tr { td { (bi(f.label_ar, f.label_en)) } td.num { (figure_value(f)) } td.num { (f.reporting) } }
                }
            }
            (kind_charts(k))
        }
        }
    }
}

/// The kind's status split (its first two figures: yes and no of its main question) and,
/// when it has two or more prices in SYP with values, a bar chart of them (charged against
/// official).
fn kind_charts(k: &KindFindings) -> Markup {
    let status = match (k.figures.first(), k.figures.get(1)) {
        (Some(yes), Some(no)) if yes.value.is_some() || no.value.is_some() => Some(split(
            &format!("{}: {} / {}", k.kind.label_ar(), yes.label_ar, no.label_ar),
            &format!("{}: {} / {}", k.kind.label_en(), yes.label_en, no.label_en),
            (yes.label_ar, yes.value.unwrap_or(0.0)),
            (no.label_ar, no.value.unwrap_or(0.0)),
        )),
        _ => None,
    };
    let prices: Vec<Bar<'_>> = k
        .figures
        .iter()
        .filter(|f| f.unit == Some("SYP") && f.measure != Measure::Count)
        .filter_map(|f| {
            let value = f.value?;
            Some(Bar {
                label: f.label_ar,
                value,
                text: format!("{} SYP", number(value)),
                fill: if f.id.contains("official") {
                    AMBER
                } else {
                    BLUE
                },
            })
        })
        .collect();
    html! {
        @if let Some(status) = status { (status) }
        @if prices.len() >= 2 {
            (bars("السعر المتقاضى مقابل الرسمي", "Price charged vs official", &prices))
        }
    }
}

fn latest(latest: &[LatestCheck]) -> Markup {
    html! {
        h3 { (bi("آخر فحص لكل موقع", "Latest check per site")) }
        p { (bi("مرتبط: للموقع فحص مرتبط بهذا القرار", "Linked: the site has a check linked to this resolution.")) }
        table {
            tr {
                th { (bi("الموقع", "Site")) } th { (bi("النوع", "Kind")) } th { (bi("التاريخ", "Observed")) }
                th { (bi("الحالة", "State")) } th { (bi("صالح", "Valid")) } th { (bi("القيم", "Values")) }
                th { (bi("مرتبط", "Linked")) } th { (bi("الفحص", "Check")) }
            }
            @for l in latest {
                tr {
                    td {
                        (l.site_name_ar) " " bdi { "(" (l.site_id) ")" }
                        @if let Some(name) = &l.site_name_en { br; (en(name)) }
                    }
                    td { (bi(l.kind.label_ar(), l.kind.label_en())) }
                    td { bdi { (l.observed_at) } }
                    td { (bi(l.review_state.label_ar(), l.review_state.as_str())) }
                    td { (yes_no(l.valid)) }
                    td {
                        @for v in &l.values {
                            bdi { code { (v.field) } ": " (field_value(&v.value)) } br;
                        }
                    }
                    td { (yes_no(l.linked)) }
                    td { code { (l.check) } }
                }
            }
        }
    }
}

fn yes_no(b: bool) -> Markup {
    if b {
        bi("نعم", "yes")
    } else {
        bi("لا", "no")
    }
}

fn conflicts(conflicts: &[OpenConflict]) -> Markup {
    html! {
        h3 { (bi("التعارضات المفتوحة", "Open conflicts")) ": " (conflicts.len()) }
        @if !conflicts.is_empty() {
            table {
                tr { th { (bi("الفحص", "Check")) } th { (bi("الموقع", "Site")) } th { (bi("الحقل", "Field")) } th { (bi("عدد القيم", "Values")) } }
                @for c in conflicts {
                    tr { td { code { (c.check) } } td { bdi { (c.site_id) } } td { code { (c.field) } } td.num { (c.values) } }
                }
            }
        }
    }
}
