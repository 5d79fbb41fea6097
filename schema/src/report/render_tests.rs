//! Markdown, HTML and JSON renderings of the fixture report: Arabic text byte-exact, user
//! text escaped (read back with real parsers: pulldown-cmark and the html5gum tokenizer),
//! charts present, output deterministic.

use html5gum::{Token, Tokenizer};
use pulldown_cmark::{Event, Options, Parser};

use super::fixture::{SCRIPT_SITE, records};
use super::*;
use crate::Catalog;

fn fixture_report() -> ResolutionsReport {
    let mut builder = ReportBuilder::new(Catalog::builtin(), RecordFilter::default());
    for record in &records() {
        builder.add(record);
    }
    builder.finish()
}

/// What a Markdown renderer shows as text, and whether it would pass any raw HTML through.
fn markdown_text(md: &str) -> (String, usize) {
    let mut text = String::new();
    let mut html = 0;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::Html(_) | Event::InlineHtml(_) => html += 1,
            _ => {}
        }
    }
    (text, html)
}

/// The start tags (name and attributes), the decoded text and the tokenizer's errors.
struct Page {
    tags: Vec<(String, Vec<(String, String)>)>,
    text: String,
    errors: usize,
}

fn tokenize(html: &str) -> Page {
    let mut page = Page {
        tags: Vec::new(),
        text: String::new(),
        errors: 0,
    };
    let utf8 = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).expect("UTF-8");
    for Ok(token) in Tokenizer::new(html) {
        match token {
            Token::StartTag(tag) => {
                let attrs = tag
                    .attributes
                    .iter()
                    .map(|(k, v)| (utf8(k), utf8(v)))
                    .collect();
                page.tags.push((utf8(&tag.name), attrs));
            }
            Token::String(s) => page.text.push_str(&utf8(&s)),
            Token::Error(_) => page.errors += 1,
            _ => {}
        }
    }
    page
}

#[test]
fn markdown_is_arabic_first_and_escapes_what_inspectors_typed() {
    let report = fixture_report();
    let md = to_markdown(&report);
    assert!(md.starts_with("# تقرير المتابعة حسب القرار\n\n# Follow-up report by resolution\n"));
    let sixteen = &Catalog::builtin().get(16).expect("16").text_ar;
    assert!(
        md.contains(&format!("## القرار 16 — Resolution 16\n\n{sixteen}\n")),
        "{md}"
    );
    assert!(md.contains("| فيه ملاحظات / has_issues | 1 |"));
    assert!(md.contains("| أفران عاملة / bakeries operating | 3 | 4 |"));
    assert!(md.contains("| متوسط سعر الربطة المتقاضى / mean bread price charged | 1350 SYP | 2 |"));
    assert!(md.contains("| نسبة المستلم إلى المخصص / flour received / allocated | 46% | 4 |"));
    // Resolution 20 is also about fuel stations, of which none was checked.
    assert!(md.contains("### النتائج: كازية / Findings: fuel station\n\nالمواقع / Sites: 0"));
    assert!(md.contains("لم يُفحص أي موقع من هذا النوع / No site of this kind was checked."));
    assert!(!md.contains("<script>"), "raw tag in Markdown");
    let (text, html) = markdown_text(&md);
    assert_eq!(html, 0, "Markdown would pass HTML through");
    assert!(
        text.contains(SCRIPT_SITE),
        "the site name reads back as typed"
    );
}

#[test]
fn markdown_table_rows_keep_their_columns_whatever_the_site_name() {
    let md = to_markdown(&fixture_report());
    let header = "| الموقع / Site | النوع / Kind |";
    let row = md
        .lines()
        .find(|l| l.contains("alert"))
        .expect("the <script> site's row");
    let cells = |line: &str| line.replace("\\|", "").matches('|').count();
    let header_line = md.lines().find(|l| l.starts_with(header)).expect("header");
    assert_eq!(cells(row), cells(header_line), "{row}");
}

#[test]
fn html_is_one_self_contained_rtl_page_with_charts() {
    let html = to_html(&fixture_report());
    assert!(
        html.starts_with("<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\">"),
        "{}",
        &html[..80]
    );
    let page = tokenize(&html);
    assert_eq!(page.errors, 0, "the tokenizer found errors");
    let (name, attrs) = &page.tags[0];
    assert_eq!(name, "html");
    assert!(
        attrs.contains(&("lang".into(), "ar".into()))
            && attrs.contains(&("dir".into(), "rtl".into()))
    );
    let count = |n: &str| page.tags.iter().filter(|(t, _)| t == n).count();
    assert_eq!(count("script"), 0, "a <script> element");
    assert_eq!(
        count("link") + count("img") + count("iframe"),
        0,
        "an external resource"
    );
    assert!(
        page.tags
            .iter()
            .all(|(_, a)| a.iter().all(|(k, _)| k != "src" && k != "href"))
    );
    // One review-state chart per resolution (5), a status split per kind (5: bakery under
    // 16 and 20, water, crossing, silo), a price chart for each bakery set (2).
    assert_eq!(count("svg"), 12);
    assert_eq!(count("section"), 5);
    assert!(
        page.text.contains(SCRIPT_SITE),
        "the site name reads back as text"
    );
    assert!(
        page.text
            .contains("إعادة تشغيل الأفران الاحتياطية التابعة للإدارة.")
    );
    assert!(page.text.contains("السعر المتقاضى مقابل الرسمي"));
    assert!(html.contains("@media print"));
}

#[test]
fn an_empty_report_says_so_in_every_format() {
    let report = ReportBuilder::new(Catalog::builtin(), RecordFilter::default()).finish();
    assert!(to_markdown(&report).contains("No checks are linked to resolutions."));
    assert!(
        tokenize(&to_html(&report))
            .text
            .contains("No checks are linked to resolutions.")
    );
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["resolutions"], serde_json::json!([]));
    // Asked about one resolution, it names that one.
    let only_29 = RecordFilter {
        resolution: Some(29),
        ..RecordFilter::default()
    };
    let report = ReportBuilder::new(Catalog::builtin(), only_29).finish();
    let said = "No covered check is linked to resolution 29.";
    assert!(to_markdown(&report).contains(said));
    assert!(tokenize(&to_html(&report)).text.contains(said));
}

#[test]
fn output_is_deterministic_and_json_carries_the_figures() {
    let (a, b) = (fixture_report(), fixture_report());
    assert_eq!(to_markdown(&a), to_markdown(&b));
    assert_eq!(to_html(&a), to_html(&b));
    let json = serde_json::to_value(&a).expect("json");
    let r16 = &json["resolutions"][3];
    assert_eq!(r16["number"], 16);
    assert_eq!(r16["review"]["has_issues"], 1);
    let bakery = &r16["kinds"][0];
    assert_eq!(bakery["kind"], "bakery");
    assert_eq!(bakery["figures"][3]["id"], "bread_price_mean");
    assert_eq!(bakery["figures"][3]["value"], 1350.0);
    assert_eq!(bakery["figures"][3]["measure"], "mean");
    assert_eq!(r16["latest"][1]["site_name_ar"], SCRIPT_SITE);
}
