//! Date-times with a UTC offset, as typed or pasted.
//!
//! Accepted: RFC 3339 / ISO 8601 with an offset (`2026-03-29T02:30+05:45`,
//! `2026-03-29T02:30:15+03:00`), an hour-only offset (`+03`), `Z` for UTC, a space instead of
//! `T` or before the offset (`2026-03-29 02:30 +03:00`), lower-case `t`/`z`, `−` (U+2212)
//! for a negative offset, Arabic-Indic or Extended Arabic-Indic digits, surrounding spaces
//! and bidi marks, and a date written any way [`parse_date`] reads
//! (`29/3/2026 10:15 +03:00`). A bracketed time zone name after the offset is accepted and ignored: the
//! offset is what the device recorded. A date-time without an offset is refused: the same
//! wall-clock time is a different instant in Deir ez-Zor and in Erbil.

use std::fmt;

use jiff::fmt::temporal::Pieces;

use super::date::{DateRule, parse_date};
use super::{Lang, ascii_digits};
use crate::time::ObservedAt;

/// A local civil date-time together with its UTC offset: the type is
/// [`ObservedAt`], under the name this module's brief used.
///
/// [`ObservedAt::local`] gives the civil date-time, [`ObservedAt::offset`] the offset,
/// [`ObservedAt::utc`] the instant; `Display` gives RFC 3339 with the offset
/// (`2026-03-29T02:30:00+05:45`).
pub type LocalWithOffset = ObservedAt;

/// A refused date-time: the raw text and the rule it broke.
///
/// Displays as `"2026-03-29T10:15" is not a date-time: no UTC offset: add one, ...`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{raw:?} is not a date-time: {rule}")]
pub struct DateTimeError {
    /// The text exactly as typed.
    pub raw: String,
    /// The broken rule.
    pub rule: DateTimeRule,
}

impl DateTimeError {
    /// The message in `lang`; [`Lang::En`] is the same as `Display`.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ar => format!("«{}» ليس تاريخاً ووقتاً: {}", self.raw, self.rule.ar()),
        }
    }
}

/// Why a text is not a date-time with an offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateTimeRule {
    /// Nothing but whitespace and invisible marks.
    Empty,
    /// Not of the shape `2026-03-29T10:15+03:00`, or an impossible date or time; the text
    /// is the parser's reason.
    Syntax(String),
    /// The date part is not a date ([`parse_date`]).
    Date(DateRule),
    /// A date without a time of day.
    NoTime,
    /// A local time without a UTC offset.
    NoOffset,
    /// A date-time whose instant is outside the years -9999 to 9999.
    OutOfRange,
}

const EXAMPLE: &str = "2026-03-29T10:15+03:00";

impl fmt::Display for DateTimeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("nothing was typed"),
            Self::Syntax(reason) => write!(f, "expected a form like {EXAMPLE} ({reason})"),
            Self::Date(rule) => write!(f, "the date: {rule}"),
            Self::NoTime => write!(f, "no time of day: add one, as in {EXAMPLE}"),
            Self::NoOffset => write!(
                f,
                "no UTC offset: add one such as +03:00 (Syria), as in {EXAMPLE}, or Z for UTC"
            ),
            Self::OutOfRange => f.write_str("it is outside the years -9999 to 9999"),
        }
    }
}

impl DateTimeRule {
    /// The rule in Arabic.
    pub fn ar(&self) -> String {
        match self {
            Self::Empty => "لم يُكتب شيء".into(),
            Self::Syntax(reason) => format!("الشكل المتوقع مثل {EXAMPLE} ({reason})"),
            Self::Date(rule) => format!("التاريخ: {}", rule.ar()),
            Self::NoTime => format!("لا يوجد وقت: أضفه كما في {EXAMPLE}"),
            Self::NoOffset => {
                format!("لا يوجد فرق التوقيت عن UTC: أضفه مثل ‎+03:00 (سوريا) كما في {EXAMPLE} أو Z")
            }
            Self::OutOfRange => "خارج السنوات من -9999 إلى 9999".into(),
        }
    }
}

/// Parses a local date-time with its UTC offset as typed; see the
/// [module documentation](self) for the accepted forms.
///
/// The local date and time are kept exactly as typed (`2026-03-29T23:30-05:00` stays on the
/// 29th even though it is the 30th in UTC); sub-second digits are kept in the value but not
/// shown by `Display`.
///
/// # Errors
/// [`DateTimeError`] with the raw text and the [`DateTimeRule`] broken, e.g.
/// `"2026-03-29T10:15" is not a date-time: no UTC offset: add one such as +03:00 ...`.
pub fn parse_datetime(raw: &str) -> Result<LocalWithOffset, DateTimeError> {
    let fail = |rule| DateTimeError {
        raw: raw.to_owned(),
        rule,
    };
    let text = canonical_text(raw).ok_or_else(|| fail(DateTimeRule::Empty))?;
    let text = iso_date_first(text).map_err(|rule| fail(DateTimeRule::Date(rule)))?;
    let pieces = Pieces::parse(&text).map_err(|e| fail(DateTimeRule::Syntax(e.to_string())))?;
    let time = pieces.time().ok_or_else(|| fail(DateTimeRule::NoTime))?;
    let offset = pieces
        .to_numeric_offset()
        .ok_or_else(|| fail(DateTimeRule::NoOffset))?;
    let local = pieces.date().to_datetime(time);
    if offset.to_timestamp(local).is_err() {
        return Err(fail(DateTimeRule::OutOfRange));
    }
    Ok(ObservedAt::from_parts(local, offset))
}

/// ASCII digits, no invisible marks, `T` between date and time and nothing between the time
/// and the offset; `None` for blank text.
fn canonical_text(raw: &str) -> Option<String> {
    let text = ascii_digits(raw).replace('−', "-");
    let mut out = String::new();
    for part in text.split_whitespace() {
        if !out.is_empty() && !part.starts_with(['+', '-', 'Z', 'z']) {
            out.push('T');
        }
        out.push_str(part);
    }
    (!out.is_empty()).then_some(out)
}

/// `text` with a date part that is not ISO (`29/3/2026T10:15+03:00`) rewritten as ISO.
/// Left alone when the date part is ISO or not a date at all, for jiff to judge.
fn iso_date_first(text: String) -> Result<String, DateRule> {
    let end = text.find(['T', 't']).unwrap_or(text.len());
    let (date, rest) = text.split_at(end);
    let bytes = date.as_bytes();
    let iso = bytes.len() > 4 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-';
    if iso || !bytes.first().is_some_and(u8::is_ascii_digit) {
        return Ok(text);
    }
    match parse_date(date) {
        Ok(date) => Ok(format!("{date}{rest}")),
        Err(e) if matches!(e.rule, DateRule::UnexpectedChar(_)) => Ok(text),
        Err(e) => Err(e.rule),
    }
}

#[cfg(test)]
#[path = "datetime_tests.rs"]
mod tests;
