//! Errors of [`super::number`]: the raw text and the rule it broke, in English or Arabic.

use std::fmt;

use super::Lang;

/// A refused number: the raw text and the rule it broke.
///
/// Displays as `"12..5" is not a number: two decimal separators`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{raw:?} is not a number: {rule}")]
pub struct NumberError {
    /// The text exactly as typed.
    pub raw: String,
    /// The broken rule.
    pub rule: NumberRule,
}

impl NumberError {
    /// The message in `lang`; [`Lang::En`] is the same as `Display`.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ar => format!("«{}» ليس رقماً: {}", self.raw, self.rule.ar()),
        }
    }
}

/// Why a text is not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberRule {
    /// Nothing but whitespace and invisible marks.
    Empty,
    /// A character that is not a digit, sign or separator (a letter, unit, exponent).
    UnexpectedChar(char),
    /// NaN or infinity.
    NotFinite,
    /// A sign after the first digit, or two signs.
    MisplacedSign,
    /// A sign or separators without any digit.
    NoDigits,
    /// More than one decimal separator (`12..5`, `1.2.3`).
    TwoDecimalSeparators,
    /// `٫`/`٬` mixed with `.`/`,` in one number.
    ArabicAndLatinSeparators,
    /// Two different thousands separators (`1,250 000`).
    MixedGrouping,
    /// A thousands separator after the decimal separator (`1٫250٬000`).
    GroupingAfterDecimal,
    /// Digit groups between thousands separators that are not three digits (`1,25,000`).
    BadGrouping,
    /// A number that starts with a thousands separator or ends with any separator.
    EdgeSeparator,
    /// A whole number outside `i64`, or a decimal too large for `f64`.
    TooLarge,
    /// A decimal where a whole number is required ([`parse_whole`](super::parse_whole)).
    NotWhole,
}

impl fmt::Display for NumberRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("nothing was typed"),
            Self::UnexpectedChar(c) => {
                write!(f, "{c:?} is not a digit, sign or separator")
            }
            Self::NotFinite => f.write_str("NaN and infinity are not measurements"),
            Self::MisplacedSign => f.write_str("a sign goes once, before the number (-12)"),
            Self::NoDigits => f.write_str("it has no digits"),
            Self::TwoDecimalSeparators => f.write_str("two decimal separators"),
            Self::ArabicAndLatinSeparators => {
                f.write_str("it mixes the Arabic separators ٫ ٬ with . or ,")
            }
            Self::MixedGrouping => f.write_str("it mixes two different thousands separators"),
            Self::GroupingAfterDecimal => {
                f.write_str("a thousands separator comes after the decimal separator")
            }
            Self::BadGrouping => {
                f.write_str("thousands groups must have three digits (1,250,000 or ١٬٢٥٠٬٠٠٠)")
            }
            Self::EdgeSeparator => f.write_str("a separator needs digits on both sides"),
            Self::TooLarge => f.write_str("it is too large"),
            Self::NotWhole => f.write_str("it has a decimal part"),
        }
    }
}

impl NumberRule {
    /// The rule in Arabic.
    pub fn ar(&self) -> String {
        match self {
            Self::Empty => "لم يُكتب شيء".into(),
            Self::UnexpectedChar(c) => format!("«{c}» ليس رقماً ولا إشارة ولا فاصلاً"),
            Self::NotFinite => "NaN واللانهاية ليست قياسات".into(),
            Self::MisplacedSign => "الإشارة تُكتب مرة واحدة قبل الرقم (-12)".into(),
            Self::NoDigits => "لا يحتوي على أرقام".into(),
            Self::TwoDecimalSeparators => "فاصلتان عشريتان".into(),
            Self::ArabicAndLatinSeparators => "يخلط الفواصل العربية ٫ ٬ مع . أو ,".into(),
            Self::MixedGrouping => "يخلط نوعين من فواصل الآلاف".into(),
            Self::GroupingAfterDecimal => "فاصل الآلاف بعد الفاصلة العشرية".into(),
            Self::BadGrouping => "كل مجموعة آلاف من ثلاثة أرقام (١٬٢٥٠٬٠٠٠)".into(),
            Self::EdgeSeparator => "الفاصل يحتاج أرقاماً على جانبيه".into(),
            Self::TooLarge => "الرقم كبير جداً".into(),
            Self::NotWhole => "فيه كسر عشري".into(),
        }
    }
}
