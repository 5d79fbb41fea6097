//! Input as people really type it: numbers, dates, date-times and Arabic text as they
//! arrive from an inspector's phone or laptop, turned into canonical values. No I/O.
//!
//! - [`number`]: [`parse_number`] accepts ASCII, Arabic-Indic (`١٢٣`) and Extended
//!   Arabic-Indic (`۱۲۳`) digits, `٫`/`٬`, a comma decimal, thousands grouping, signs and
//!   invisible bidi marks, and keeps whole numbers apart from decimals.
//! - [`datetime`]: [`parse_datetime`] reads a local date-time with its UTC offset into an
//!   [`ObservedAt`](crate::ObservedAt) (also named [`LocalWithOffset`]).
//! - [`date`]: [`parse_date`] reads ISO and day-first calendar dates into a
//!   [`jiff::civil::Date`] that no time zone ever shifts.
//! - [`arabic`]: [`normalize_for_search`] and [`matches()`] fold spelling variants of Arabic
//!   (hamza seats, ta marbuta, alef maqsura, harakat, tatweel) for search and site matching.
//!
//! Text is always stored as typed; these functions only decide what it means or whether two
//! spellings are the same. Errors carry the raw value and the rule it broke, in English by
//! `Display` and in English or Arabic by their `message(`[`Lang`]`)` method.

pub mod arabic;
pub mod date;
pub mod datetime;
pub mod number;
mod number_error;

pub use arabic::{matches, normalize_for_search};
pub use date::{DateError, DateRule, parse_date};
pub use datetime::{DateTimeError, DateTimeRule, LocalWithOffset, parse_datetime};
pub use number::{Number, NumberError, NumberRule, ParsedNumber, parse_number, parse_whole};

/// The language of a user-facing error message: the same [`crate::forms::Lang`] that forms
/// use for labels and violations (`Display` of these errors is English).
pub use crate::forms::Lang;

/// Whether `c` is an invisible formatting character that keyboards, RTL editors and
/// copy-paste slip into text: the bidi marks and embeddings (U+200E, U+200F, U+061C,
/// U+202A–U+202E, U+2066–U+2069), zero-width non-joiner/joiner (U+200C, U+200D), word
/// joiner (U+2060) and the byte-order mark (U+FEFF). They never change what a value means.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200c}'..='\u{200f}'
            | '\u{061c}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// The value 0–9 of an ASCII, Arabic-Indic (U+0660–U+0669) or Extended Arabic-Indic
/// (U+06F0–U+06F9) digit; `None` for any other character.
pub fn digit_value(c: char) -> Option<u8> {
    let base = match c {
        '0'..='9' => '0',
        '٠'..='٩' => '٠',
        '۰'..='۹' => '۰',
        _ => return None,
    };
    u8::try_from(c as u32 - base as u32).ok()
}

/// `raw` with every digit (see [`digit_value`]) as ASCII and invisible characters (see
/// [`is_invisible`]) removed; everything else unchanged. `"‏١٢٫٥"` gives `"12٫5"`.
pub fn ascii_digits(raw: &str) -> String {
    raw.chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| digit_value(c).map_or(c, |d| char::from(b'0' + d)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_of_every_system_map_to_ascii() {
        for (raw, want) in [
            ("0123456789", "0123456789"),
            ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
            ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
            ("\u{200f}١٢\u{2066}٫٥\u{2069}", "12٫5"),
            ("abc ٣", "abc 3"),
        ] {
            assert_eq!(ascii_digits(raw), want, "{raw:?}");
        }
        assert_eq!(digit_value('x'), None);
        assert_eq!(digit_value('٩'), Some(9));
    }
}
