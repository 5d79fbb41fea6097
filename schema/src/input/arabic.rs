//! Arabic text folded for search and site matching.
//!
//! Inspectors spell the same name in different ways: with or without hamza (`الأمل`,
//! `الامل`), with ta marbuta or ha (`المدينة`, `المدينه`), with harakat copied from an
//! official list (`مَخْبَزُ`), with tatweel for looks (`الـــزور`), with Persian keyboard
//! letters (`ی`, `ک`) or Arabic-Indic digits. [`normalize_for_search`] folds all of these to
//! one key and [`matches()`] compares keys.
//!
//! Text is always **stored as typed**; the folded key is only ever used for comparison.
//!
//! # Folding rules
//!
//! | typed | becomes | why |
//! |---|---|---|
//! | `أ` `إ` `آ` `ٱ` `ٲ` `ٳ` | `ا` | hamza and madda on alef are commonly left out |
//! | `ة` | `ه` | ta marbuta is often typed as ha, especially in place names |
//! | `ى` | `ي` | alef maqsura and ya are swapped constantly, notably in Syria and Egypt |
//! | `ؤ` | `و` | hamza on waw is dropped on phones (`مسؤول`, `مسوول`) |
//! | `ئ` | `ي` | hamza on ya is dropped on phones (`بئر`, `بير`, `القائم`, `القايم`) |
//! | `ی` (Persian ya), `ک` (keheh), `ە` `ہ` | `ي`, `ك`, `ه` | other keyboard layouts |
//! | harakat U+064B–U+065F, dagger alef U+0670, Quranic marks U+06D6–U+06ED | removed | vowel marks are optional |
//! | tatweel `ـ` | removed | decoration |
//! | Arabic-Indic and Extended Arabic-Indic digits | ASCII | `فرن ٣` = `فرن 3` |
//! | bidi marks, ZWJ/ZWNJ, BOM (see [`is_invisible`]) | removed | invisible |
//! | whitespace runs (and zero-width space) | one space, trimmed | spacing varies |
//! | Latin letters | lower case | `Bakery` = `bakery` |
//!
//! A lone hamza `ء` is kept: dropping it changes words (`ماء` water, `ما` what). Arabic
//! presentation forms (`ﻣﺨﺒﺰ`, from some PDFs) are not folded; phones do not type them.

use super::{digit_value, is_invisible};

/// The search key of `s`: `s` folded by the rules in the [module documentation](self).
///
/// `normalize_for_search("مَخْبَزُ الأَمَل")` and `normalize_for_search("مخبز  الامل")` are
/// both `"مخبز الامل"`; `normalize_for_search("المدينة")` is `"المدينه"`.
pub fn normalize_for_search(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{200b}' {
            pending_space = !out.is_empty();
            continue;
        }
        let Some(folded) = fold_char(c) else {
            continue;
        };
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(folded.to_lowercase());
    }
    out
}

/// Whether `query` occurs in `text` once both are folded by [`normalize_for_search`].
///
/// `matches("مخبز الامل", "فرن مخبز الأمل الآلي")` is true. A query that folds to nothing
/// (blank, only marks or harakat) matches nothing, so a blank name never picks a site.
pub fn matches(query: &str, text: &str) -> bool {
    let query = normalize_for_search(query);
    !query.is_empty() && normalize_for_search(text).contains(&query)
}

/// The folded form of one character, `None` when it is removed.
fn fold_char(c: char) -> Option<char> {
    if is_invisible(c) || is_mark(c) || c == 'ـ' {
        return None;
    }
    if let Some(d) = digit_value(c) {
        return Some(char::from(b'0' + d));
    }
    Some(match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => 'ا',
        'ة' | 'ە' | 'ہ' => 'ه',
        'ى' | 'ئ' | 'ی' => 'ي',
        'ؤ' => 'و',
        'ک' => 'ك',
        other => other,
    })
}

/// Arabic harakat, the dagger alef and Quranic annotation marks.
fn is_mark(c: char) -> bool {
    matches!(
        c,
        '\u{064b}'..='\u{065f}'
            | '\u{0670}'
            | '\u{06d6}'..='\u{06dc}'
            | '\u{06df}'..='\u{06e4}'
            | '\u{06e7}'
            | '\u{06e8}'
            | '\u{06ea}'..='\u{06ed}'
    )
}

#[cfg(test)]
#[path = "arabic_tests.rs"]
mod tests;
