//! Calendar dates as typed: ISO or day first, in any digit system.
//!
//! Accepted: ISO `2026-03-29` (also `2026/03/29`, `2026.03.29`: a four-digit first field is
//! the year), and day first as written in Syria: `29/3/2026`, `8/8/2014`, `29-03-2026`,
//! `29.03.2026`, `29؍3؍2026` (U+060D), with ASCII, Arabic-Indic or Extended Arabic-Indic
//! digits, surrounding spaces and bidi marks. Month/day/year is never guessed: `3/29/2026`
//! is refused because there is no month 29.
//!
//! Refused with a reason: impossible dates (`31/2/2026`), two-digit years (`8/8/14`: 2014 or
//! 1914?), mixed separators (`29/03-2026`), anything else in the text.
//!
//! The result is a [`jiff::civil::Date`]: a calendar date with no time zone, so no
//! conversion ever shifts it to the day before or after.

use std::fmt;

use jiff::civil::Date;

use super::{Lang, ascii_digits};

/// A refused date: the raw text and the rule it broke.
///
/// Displays as `"31/2/2026" is not a date: February 2026 has no day 31 (it has 28 days)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{raw:?} is not a date: {rule}")]
pub struct DateError {
    /// The text exactly as typed.
    pub raw: String,
    /// The broken rule.
    pub rule: DateRule,
}

impl DateError {
    /// The message in `lang`; [`Lang::En`] is the same as `Display`.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ar => format!("«{}» ليس تاريخاً: {}", self.raw, self.rule.ar()),
        }
    }
}

/// Why a text is not a calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRule {
    /// Nothing but whitespace and invisible marks.
    Empty,
    /// A character that is not a digit or one of `/ - . ؍`.
    UnexpectedChar(char),
    /// Not three fields: day and month of 1–2 digits and a year.
    Shape,
    /// Two different separators (`29/03-2026`).
    MixedSeparators,
    /// A two-digit year, e.g. `14`.
    TwoDigitYear(u16),
    /// A year of other than four digits.
    BadYear,
    /// A month outside 1–12.
    NoSuchMonth(u8),
    /// A day the month does not have.
    NoSuchDay {
        /// The day typed.
        day: u8,
        /// The month, 1–12.
        month: u8,
        /// The year.
        year: i16,
        /// How many days that month has.
        days_in_month: u8,
    },
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Month names as used in Syria.
const MONTHS_AR: [&str; 12] = [
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
];

fn month_name(names: &[&'static str; 12], month: u8) -> &'static str {
    names[usize::from(month.clamp(1, 12) - 1)]
}

impl fmt::Display for DateRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Empty => f.write_str("nothing was typed"),
            Self::UnexpectedChar(c) => write!(f, "{c:?} is not a digit or a / - . separator"),
            Self::Shape => f.write_str("expected day/month/year such as 29/3/2026 or 2026-03-29"),
            Self::MixedSeparators => f.write_str("it mixes separators; use one of / - ."),
            Self::TwoDigitYear(y) => write!(
                f,
                "the two-digit year {y:02} is ambiguous; write all four digits (20{y:02} or 19{y:02})"
            ),
            Self::BadYear => f.write_str("the year must have four digits"),
            Self::NoSuchMonth(m) => write!(
                f,
                "there is no month {m}; dates are day/month/year (29/3/2026)"
            ),
            Self::NoSuchDay {
                day,
                month,
                year,
                days_in_month,
            } => write!(
                f,
                "{} {year} has no day {day} (it has {days_in_month} days)",
                month_name(&MONTHS_EN, month)
            ),
        }
    }
}

impl DateRule {
    /// The rule in Arabic.
    pub fn ar(&self) -> String {
        match *self {
            Self::Empty => "لم يُكتب شيء".into(),
            Self::UnexpectedChar(c) => format!("«{c}» ليس رقماً ولا فاصلاً / - ."),
            Self::Shape => "الشكل المتوقع يوم/شهر/سنة مثل 29/3/2026 أو 2026-03-29".into(),
            Self::MixedSeparators => "يخلط الفواصل؛ استعمل واحداً من / - .".into(),
            Self::TwoDigitYear(y) => {
                format!("السنة {y:02} من رقمين غير واضحة؛ اكتب أربعة أرقام (20{y:02} أو 19{y:02})")
            }
            Self::BadYear => "السنة من أربعة أرقام".into(),
            Self::NoSuchMonth(m) => {
                format!("لا يوجد شهر {m}؛ التاريخ يُكتب يوم/شهر/سنة (29/3/2026)")
            }
            Self::NoSuchDay {
                day,
                month,
                year,
                days_in_month,
            } => format!(
                "لا يوجد يوم {day} في {} {year} (فيه {days_in_month} يوماً)",
                month_name(&MONTHS_AR, month)
            ),
        }
    }
}

/// Parses a calendar date as typed; see the [module documentation](self) for the forms.
///
/// # Errors
/// [`DateError`] with the raw text and the [`DateRule`] broken, e.g.
/// `"31/2/2026" is not a date: February 2026 has no day 31 (it has 28 days)`.
pub fn parse_date(raw: &str) -> Result<Date, DateError> {
    let fail = |rule| DateError {
        raw: raw.to_owned(),
        rule,
    };
    let text = ascii_digits(raw);
    let text = text.trim();
    if text.is_empty() {
        return Err(fail(DateRule::Empty));
    }
    let fields = split_fields(text).map_err(fail)?;
    let [day, month, year] = order_fields(fields).map_err(fail)?;
    build_date(day, month, year).map_err(fail)
}

/// The three digit fields of `text`, split on one repeated separator.
fn split_fields(text: &str) -> Result<[&str; 3], DateRule> {
    if let Some(c) = text
        .chars()
        .find(|c| !c.is_ascii_digit() && !is_separator(*c))
    {
        return Err(DateRule::UnexpectedChar(c));
    }
    let mut separators = text.chars().filter(|c| is_separator(*c));
    let first = separators.next().ok_or(DateRule::Shape)?;
    if separators.any(|c| c != first) {
        return Err(DateRule::MixedSeparators);
    }
    let fields: Vec<&str> = text.split(first).collect();
    match fields[..] {
        [a, b, c] if [a, b, c].iter().all(|f| !f.is_empty()) => Ok([a, b, c]),
        _ => Err(DateRule::Shape),
    }
}

fn is_separator(c: char) -> bool {
    matches!(c, '/' | '-' | '.' | '؍')
}

/// `[day, month, year]`: year first when the first field has four digits, else day first.
fn order_fields([a, b, c]: [&str; 3]) -> Result<[&str; 3], DateRule> {
    let [day, month, year] = if a.len() == 4 { [c, b, a] } else { [a, b, c] };
    if day.len() > 2 || month.len() > 2 {
        return Err(DateRule::Shape);
    }
    match year.len() {
        4 => Ok([day, month, year]),
        2 => Err(DateRule::TwoDigitYear(year.parse().unwrap_or(0))),
        _ => Err(DateRule::BadYear),
    }
}

fn build_date(day: &str, month: &str, year: &str) -> Result<Date, DateRule> {
    // The fields are checked to be 1–4 ASCII digits, so these parses cannot fail.
    let (day, month, year): (u8, u8, i16) = (
        day.parse().unwrap_or(0),
        month.parse().unwrap_or(0),
        year.parse().unwrap_or(0),
    );
    if !(1..=12).contains(&month) {
        return Err(DateRule::NoSuchMonth(month));
    }
    let first = Date::new(year, month as i8, 1).map_err(|_| DateRule::BadYear)?;
    Date::new(year, month as i8, day as i8).map_err(|_| DateRule::NoSuchDay {
        day,
        month,
        year,
        days_in_month: first.days_in_month() as u8,
    })
}

#[cfg(test)]
#[path = "date_tests.rs"]
mod tests;
