//! Small inline SVG charts for the HTML report: horizontal bars and a two-part split. They
//! are drawn with fixed sizes and fill colours (no script, no external resource), read
//! right to left like the page (labels on the right, bars growing leftwards), and carry a
//! bilingual `<title>` for screen readers. Labels go through maud, which escapes them.
//! Each chart sets `direction="ltr"` so that its coordinates and `text-anchor` mean what
//! they say inside the right-to-left page (Arabic labels still read right to left).

use maud::{Markup, html};

use super::format::number;

/// Chart width, in SVG user units (pixels on screen).
const WIDTH: f64 = 420.0;
/// Width kept on the right for labels.
const LABEL_WIDTH: f64 = 170.0;
/// Height of one bar row.
const ROW: f64 = 22.0;
/// Room left of the longest bar for its value.
const VALUE_ROOM: f64 = 70.0;

/// One bar: its label, its length and the text shown beside it.
#[derive(Debug, Clone)]
pub struct Bar<'a> {
    /// Label, shown right of the bar.
    pub label: &'a str,
    /// Length, relative to the largest bar.
    pub value: f64,
    /// Text shown at the bar's end (the value with its unit).
    pub text: String,
    /// Fill colour.
    pub fill: &'static str,
}

/// Colours: blue for counts and prices charged, green for "operating", grey for "closed",
/// amber for official prices and problems.
pub const BLUE: &str = "#2b6cb0";
/// Operating, open, sound.
pub const GREEN: &str = "#2f855a";
/// Closed, stopped, damaged.
pub const GREY: &str = "#a0aec0";
/// Official reference values and problems.
pub const AMBER: &str = "#c05621";

/// A horizontal bar chart titled `title_ar` / `title_en`.
pub fn bars(title_ar: &str, title_en: &str, bars: &[Bar<'_>]) -> Markup {
    let height = ROW * bars.len() as f64 + 8.0;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let room = WIDTH - LABEL_WIDTH - VALUE_ROOM;
    let right = WIDTH - LABEL_WIDTH;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" direction="ltr"
            width=(WIDTH) height=(height) viewBox=(format!("0 0 {WIDTH} {height}")) {
            title { (title_ar) " / " (title_en) }
            @for (i, bar) in bars.iter().enumerate() {
                @let y = 4.0 + ROW * i as f64;
                @let w = if max > 0.0 { (bar.value / max * room).max(1.0) } else { 1.0 };
                text x=(WIDTH - 4.0) y=(y + 15.0) text-anchor="end" font-size="12" { (bar.label) }
                rect x=(right - w) y=(y + 3.0) width=(w) height=(ROW - 8.0) fill=(bar.fill) {}
                text x=(right - w - 4.0) y=(y + 15.0) text-anchor="end" font-size="11" { (bar.text) }
            }
        }
    }
}

/// A single bar split in two parts (`yes` then `no`, right to left) with a legend below,
/// e.g. bakeries operating and closed.
pub fn split(title_ar: &str, title_en: &str, yes: (&str, f64), no: (&str, f64)) -> Markup {
    let total = yes.1 + no.1;
    let full = WIDTH - 8.0;
    let yes_w = if total > 0.0 {
        yes.1 / total * full
    } else {
        0.0
    };
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" direction="ltr"
            width=(WIDTH) height="52" viewBox=(format!("0 0 {WIDTH} 52")) {
            title { (title_ar) " / " (title_en) }
            rect x=(WIDTH - 4.0 - yes_w) y="4" width=(yes_w) height="18" fill=(GREEN) {}
            rect x="4" y="4" width=(full - yes_w) height="18" fill=(GREY) {}
            rect x=(WIDTH - 16.0) y="32" width="12" height="12" fill=(GREEN) {}
            text x=(WIDTH - 20.0) y="43" text-anchor="end" font-size="12" {
                (yes.0) ": " (number(yes.1))
            }
            rect x=(WIDTH / 2.0 - 16.0) y="32" width="12" height="12" fill=(GREY) {}
            text x=(WIDTH / 2.0 - 20.0) y="43" text-anchor="end" font-size="12" {
                (no.0) ": " (number(no.1))
            }
        }
    }
}
