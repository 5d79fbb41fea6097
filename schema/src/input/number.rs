//! Numbers as inspectors type them.
//!
//! One canonical number comes out of every way of writing it: `1250`, `١٢٥٠`, `۱۲۵۰`,
//! `1٬250`, `١٬٢٥٠`, `1,250`, `1 250` and `‏1250‏` (with RTL marks) are all the whole number
//! 1250; `12.5`, `12,5`, `١٢٫٥` and `۱۲٫۵` are all the decimal 12.5.
//!
//! # Separators
//!
//! - `٫` (U+066B) is always the decimal separator and `٬` (U+066C) always groups thousands.
//!   They do not mix with `.` or `,` in one number.
//! - A space (or NBSP, narrow NBSP) between digits groups thousands: `1 250 000`.
//! - `.` alone is always a decimal point: `1.500` is 1.5. A Syrian inspector writing Latin
//!   digits uses the dot as a decimal point; nobody writes 1500 as `1.500` on a form.
//! - When both `.` and `,` appear, the last one is the decimal separator and the other
//!   groups thousands: `1,250.5` and `1.250,5` are both 1250.5.
//! - Several commas with three-digit groups group thousands: `1,250,000`.
//! - **A single comma is ambiguous** (`1,500`: fifteen hundred, or one and a half?). The rule:
//!   a single comma, with no other separator, between 1–3 digits that do not start with `0`
//!   and exactly three digits is thousands grouping, so `1,500` is 1500 and
//!   [`ParsedNumber::comma_read_as_grouping`] is set for a UI to echo the reading back.
//!   Every other single comma is a decimal comma: `12,5`, `0,500`, `1234,567`, `1,5000`.
//!   Why: the numbers inspectors type with thousands are prices in Syrian pounds and
//!   quantities in kg, where `1,500` SYP is how prices are printed and read; a decimal with
//!   exactly three decimals written with a comma is rare on a form, and on a bounded field
//!   the grouping reading lands far out of range and is refused, rather than silently a
//!   thousand times too small. Values that are never in the thousands (coordinates) use
//!   [`ParsedNumber::comma_decimal_f64`], which reads `35,336` as 35.336.
//! - The Arabic comma `،` (U+060C), which replaces `,` on Arabic keyboards, counts as `,`.
//!
//! # Everything else
//!
//! Surrounding whitespace and invisible bidi marks anywhere (see [`is_invisible`]) are
//! ignored; one leading `+`, `-` or `−` (U+2212) sets the sign. Exponents (`1e5`), NaN,
//! infinity, units and currency signs are refused.

use std::fmt;

pub use super::number_error::{NumberError, NumberRule};
use super::{digit_value, is_invisible};

/// A number typed by a person, with the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedNumber {
    /// The text exactly as typed, for audit.
    pub raw: String,
    /// The canonical value.
    pub value: Number,
    /// True when a lone comma was read as thousands grouping (`1,500` is 1500); see the
    /// [module documentation](self) for the rule.
    pub comma_read_as_grouping: bool,
}

/// The value of a [`ParsedNumber`]: whole when typed without a decimal separator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// Typed without a decimal separator: `١٢٬٠٠٠` is `Whole(12000)`.
    Whole(i64),
    /// Typed with a decimal separator, even a zero fraction: `12٫0` is `Decimal(12.0)`.
    /// Always finite.
    Decimal(f64),
}

impl ParsedNumber {
    /// The whole number, or `None` if it was typed with a decimal separator, so an integer
    /// field refuses `12.5` (and `12.0`) while accepting `١٢٬٠٠٠`.
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Number::Whole(n) => Some(n),
            Number::Decimal(_) => None,
        }
    }

    /// The value as a float (a whole number beyond 2^53 is rounded to the nearest float).
    pub fn as_f64(&self) -> f64 {
        match self.value {
            Number::Whole(n) => n as f64,
            Number::Decimal(d) => d,
        }
    }

    /// [`as_f64`](Self::as_f64), except that a lone comma read as thousands grouping is read
    /// as a decimal comma instead: `35,336` is 35.336, not 35336. For values that are never
    /// in the thousands, such as coordinates in degrees, where that reading is the only one
    /// that makes sense.
    pub fn comma_decimal_f64(&self) -> f64 {
        match self.value {
            Number::Whole(n) if self.comma_read_as_grouping => {
                let sign = if n < 0 { "-" } else { "" };
                let (int, frac) = ((n / 1000).unsigned_abs(), (n % 1000).unsigned_abs());
                format!("{sign}{int}.{frac:03}").parse().unwrap_or(n as f64)
            }
            _ => self.as_f64(),
        }
    }
}

impl fmt::Display for Number {
    /// ASCII digits, `.` as decimal point, no grouping: `-1250`, `12.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Whole(n) => write!(f, "{n}"),
            Number::Decimal(d) => write!(f, "{d}"),
        }
    }
}

/// A separator between digit runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Dot,
    Comma,
    ArabicDecimal,
    ArabicGroup,
    Space,
}

/// The digit runs and the separators between them: `runs.len() == seps.len() + 1`.
#[derive(Debug, Default)]
struct Tokens {
    runs: Vec<String>,
    seps: Vec<Sep>,
}

/// Parses a number as a person types it; see the [module documentation](self) for every
/// accepted form and the rule for `1,500`.
///
/// # Errors
/// [`NumberError`] with the raw text and the [`NumberRule`] it broke, e.g.
/// `"12..5" is not a number: two decimal separators`.
pub fn parse_number(raw: &str) -> Result<ParsedNumber, NumberError> {
    let fail = |rule| NumberError {
        raw: raw.to_owned(),
        rule,
    };
    let cleaned: String = raw.chars().filter(|c| !is_invisible(*c)).collect();
    let text = cleaned.trim();
    if text.is_empty() {
        return Err(fail(NumberRule::Empty));
    }
    let (negative, body) = split_sign(text);
    if is_not_finite(body) {
        return Err(fail(NumberRule::NotFinite));
    }
    let tokens = tokenize(body).map_err(fail)?;
    let (value, comma_read_as_grouping) = evaluate(negative, &tokens).map_err(fail)?;
    Ok(ParsedNumber {
        raw: raw.to_owned(),
        value,
        comma_read_as_grouping,
    })
}

/// Parses a whole number as [`parse_number`] does: `١٢٬٠٠٠` is 12000.
///
/// # Errors
/// As [`parse_number`], and [`NumberRule::NotWhole`] for a number typed with a decimal
/// separator (`12.5`, and also `12.0`).
pub fn parse_whole(raw: &str) -> Result<i64, NumberError> {
    let parsed = parse_number(raw)?;
    parsed.as_i64().ok_or(NumberError {
        raw: parsed.raw,
        rule: NumberRule::NotWhole,
    })
}

fn split_sign(text: &str) -> (bool, &str) {
    let mut chars = text.chars();
    match chars.next() {
        Some('-' | '−') => (true, chars.as_str().trim_start()),
        Some('+') => (false, chars.as_str().trim_start()),
        _ => (false, text),
    }
}

fn is_not_finite(body: &str) -> bool {
    let lower = body.trim().to_lowercase();
    matches!(lower.as_str(), "nan" | "inf" | "infinity" | "∞")
}

fn tokenize(body: &str) -> Result<Tokens, NumberRule> {
    let mut tokens = Tokens {
        runs: vec![String::new()],
        seps: Vec::new(),
    };
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(d) = digit_value(c) {
            if let Some(run) = tokens.runs.last_mut() {
                run.push(char::from(b'0' + d));
            }
            continue;
        }
        let sep = separator(c)?;
        if sep == Sep::Space {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
        }
        tokens.seps.push(sep);
        tokens.runs.push(String::new());
    }
    if tokens.runs.iter().all(String::is_empty) {
        return Err(NumberRule::NoDigits);
    }
    Ok(tokens)
}

fn separator(c: char) -> Result<Sep, NumberRule> {
    Ok(match c {
        '.' => Sep::Dot,
        ',' | '،' => Sep::Comma,
        '٫' => Sep::ArabicDecimal,
        '٬' => Sep::ArabicGroup,
        c if c.is_whitespace() => Sep::Space,
        '+' | '-' | '−' => return Err(NumberRule::MisplacedSign),
        other => return Err(NumberRule::UnexpectedChar(other)),
    })
}

/// Which separator index is the decimal point, and whether a lone comma was read as
/// grouping.
fn decimal_position(tokens: &Tokens) -> Result<(Option<usize>, bool), NumberRule> {
    let seps = &tokens.seps;
    let count = |s: Sep| seps.iter().filter(|x| **x == s).count();
    let (dots, commas) = (count(Sep::Dot), count(Sep::Comma));
    let arabic = count(Sep::ArabicDecimal) + count(Sep::ArabicGroup);
    if arabic > 0 && dots + commas > 0 {
        return Err(NumberRule::ArabicAndLatinSeparators);
    }
    let decimal = match (dots, commas) {
        _ if arabic > 0 => Sep::ArabicDecimal,
        (0, 0) => return Ok((None, false)),
        (0, 1) if lone_comma_is_grouping(tokens) => return Ok((None, true)),
        (0, 1) if seps.last() == Some(&Sep::Space) => return Err(NumberRule::MixedGrouping),
        (0, 1) => Sep::Comma,
        (0, _) => return Ok((None, false)),
        (_, 0) => Sep::Dot,
        _ if seps.iter().rev().find(|s| **s != Sep::Space) == Some(&Sep::Dot) => Sep::Dot,
        _ => Sep::Comma,
    };
    if count(decimal) > 1 {
        return Err(NumberRule::TwoDecimalSeparators);
    }
    Ok((seps.iter().position(|s| *s == decimal), false))
}

/// The documented rule for `1,500`: the only separator, 1–3 digits before it not starting
/// with `0`, exactly three digits after it.
fn lone_comma_is_grouping(tokens: &Tokens) -> bool {
    let [before, after] = tokens.runs.as_slice() else {
        return false;
    };
    (1..=3).contains(&before.len()) && !before.starts_with('0') && after.len() == 3
}

/// Checks the thousands separators in the integer part (runs `..=last`, separators
/// `..last`) and that they are all of one kind.
fn check_grouping(tokens: &Tokens, decimal: Option<usize>) -> Result<(), NumberRule> {
    let int_seps = &tokens.seps[..decimal.unwrap_or(tokens.seps.len())];
    if decimal.is_some_and(|d| tokens.seps.len() > d + 1) {
        return Err(NumberRule::GroupingAfterDecimal);
    }
    let Some(first) = int_seps.first() else {
        return Ok(());
    };
    if int_seps.iter().any(|s| s != first) {
        return Err(NumberRule::MixedGrouping);
    }
    let int_runs = &tokens.runs[..=int_seps.len()];
    let ends_bare = decimal.is_none() && int_runs.last().is_some_and(String::is_empty);
    if int_runs[0].is_empty() || ends_bare {
        return Err(NumberRule::EdgeSeparator);
    }
    let well_formed = int_runs[0].len() <= 3 && int_runs[1..].iter().all(|r| r.len() == 3);
    if well_formed {
        Ok(())
    } else {
        Err(NumberRule::BadGrouping)
    }
}

fn evaluate(negative: bool, tokens: &Tokens) -> Result<(Number, bool), NumberRule> {
    let (decimal, comma_grouping) = decimal_position(tokens)?;
    check_grouping(tokens, decimal)?;
    let sign = if negative { "-" } else { "" };
    let Some(d) = decimal else {
        let digits = tokens.runs.concat();
        let whole = format!("{sign}{digits}").parse::<i64>();
        let whole = whole.map_err(|_| NumberRule::TooLarge)?;
        return Ok((Number::Whole(whole), comma_grouping));
    };
    let int = tokens.runs[..=d].concat();
    let frac = &tokens.runs[d + 1];
    if frac.is_empty() {
        return Err(NumberRule::EdgeSeparator);
    }
    let int = if int.is_empty() { "0" } else { int.as_str() };
    let value = format!("{sign}{int}.{frac}")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or(NumberRule::TooLarge)?;
    Ok((Number::Decimal(value), false))
}

#[cfg(test)]
#[path = "number_tests.rs"]
mod tests;
