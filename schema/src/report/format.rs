//! Text shared by the renderers: numbers, figure values, headline values, and Markdown
//! escaping of what inspectors typed.

use super::{Figure, Measure};
use crate::FieldValue;

/// A number as shown: whole numbers without decimals (`1250`), others with at most two
/// (`1166.67`, `2.5`).
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let text = format!("{x:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A figure's value with its unit: `1166.67 SYP`, `3`, `75%` for a ratio, `—` when no site
/// reported it.
pub fn figure_value(figure: &Figure) -> String {
    match (figure.value, figure.measure) {
        (None, _) => "—".to_owned(),
        (Some(v), Measure::Ratio) => format!("{}%", number(v * 100.0)),
        (Some(v), _) => match figure.unit {
            Some(unit) => format!("{} {unit}", number(v)),
            None => number(v),
        },
    }
}

/// A field value as shown (yes/no in both languages); text is returned as typed, for the
/// caller to escape.
pub fn field_value(value: &FieldValue) -> String {
    match value {
        FieldValue::Bool(true) => "نعم / yes".to_owned(),
        FieldValue::Bool(false) => "لا / no".to_owned(),
        FieldValue::Int(i) => i.to_string(),
        FieldValue::Decimal(d) => number(*d),
        FieldValue::Text(t) => t.clone(),
    }
}

/// Text typed by a person, safe inside a Markdown paragraph or table cell: HTML's special
/// characters become entities (so `<script>` shows as text wherever the Markdown is turned
/// into HTML), Markdown's punctuation is backslash-escaped (no emphasis, link or table
/// column comes from a site name), and line breaks become spaces.
pub fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
