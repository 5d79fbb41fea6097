//! Violation messages in Arabic and English.
//!
//! [`Violation::message`] names the field by its name (stable, for logs and the server);
//! [`Form::message`] names it by its label in the chosen language and uses the field's
//! `constraint_message_*` when the form gives one, for people.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::model::{FieldType, Form};
use super::validate::{GeoPart, Measure, Rule, Violation};

/// A language of labels and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// Arabic (Modern Standard Arabic).
    Ar,
    /// English.
    En,
}

/// A language code other than `ar` or `en`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {value:?}: expected ar or en")]
pub struct UnknownLang {
    /// The rejected input.
    pub value: String,
}

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ar" => Ok(Self::Ar),
            "en" => Ok(Self::En),
            _ => Err(UnknownLang {
                value: s.to_owned(),
            }),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ar => "ar",
            Self::En => "en",
        })
    }
}

impl Violation {
    /// The message in `lang`, naming the field, the value and the rule, e.g.
    /// `field "bread_price_syp": value "-5" is below the minimum 0` or
    /// `الحقل «bread_price_syp»: القيمة «-5» أقل من الحد الأدنى المسموح به (0)`.
    pub fn message(&self, lang: Lang) -> String {
        let subject = match lang {
            Lang::En => format!("field {:?}", self.field),
            Lang::Ar => format!("الحقل «{}»", self.field),
        };
        self.message_about(&subject, lang)
    }

    fn message_about(&self, subject: &str, lang: Lang) -> String {
        match (&self.rule, lang) {
            (Rule::UnknownForm { id, version }, Lang::En) => {
                format!("form {id:?} version {version} is not known to this version of fieldsync")
            }
            (Rule::UnknownForm { id, version }, Lang::Ar) => {
                format!("الإصدار {version} من النموذج «{id}» غير معروف لهذه النسخة من البرنامج")
            }
            (Rule::UnknownResolution { number, last }, Lang::En) => format!(
                "a manual link names resolution {number}, which does not exist (resolutions are \
                 numbered 1 to {last}); it links nothing until a supervisor removes it"
            ),
            (Rule::UnknownResolution { number, last }, Lang::Ar) => format!(
                "يوجد ربط يدوي بالقرار رقم {number} وهو غير موجود (أرقام القرارات من 1 إلى {last})؛ \
                 لا يُعتدّ به حتى يزيله المشرف"
            ),
            (Rule::Required, Lang::En) => format!("{subject} is required but has no value"),
            (Rule::Required, Lang::Ar) => format!("{subject} مطلوب ولكنه فارغ"),
            (Rule::UnknownField, Lang::En) => {
                format!("{subject} is not in this form (value {:?})", self.shown())
            }
            (Rule::UnknownField, Lang::Ar) => {
                format!(
                    "{subject} غير موجود في هذا النموذج (القيمة «{}»)",
                    self.shown()
                )
            }
            (_, Lang::En) => format!("{subject}: value {:?} {}", self.shown(), self.detail_en()),
            (_, Lang::Ar) => format!("{subject}: {}", self.detail_ar()),
        }
    }

    fn shown(&self) -> &str {
        self.value.as_deref().unwrap_or("")
    }

    /// The English rule phrase, to follow `value "..."`.
    pub(crate) fn detail_en(&self) -> String {
        match &self.rule {
            Rule::Type {
                expected,
                reason: None,
            } => type_en(*expected).to_owned(),
            Rule::Type {
                expected,
                reason: Some(reason),
            } => format!("{}: {}", type_en(*expected), reason.en),
            Rule::Kind { expected } => format!("is not the form's facility kind {expected}"),
            Rule::NotRelevant { condition } => {
                format!("is given, but the field applies only when {condition}")
            }
            Rule::Min { min, measure } => {
                format!("is below the minimum {}{min}", measure_en(*measure))
            }
            Rule::Max { max, measure } => {
                format!("is above the maximum {}{max}", measure_en(*measure))
            }
            Rule::Regex { pattern } => format!("does not match the pattern {pattern}"),
            Rule::Choice { choice, allowed } if self.value.as_ref() == Some(choice) => {
                format!("is not one of {}", allowed.join(", "))
            }
            Rule::Choice { choice, allowed } => {
                format!(
                    "contains {choice:?}, which is not one of {}",
                    allowed.join(", ")
                )
            }
            Rule::DuplicateChoice { choice } => format!("names {choice:?} more than once"),
            Rule::Geopoint { part } => geo_en(*part).to_owned(),
            Rule::UnknownField
            | Rule::UnknownForm { .. }
            | Rule::Required
            | Rule::UnknownResolution { .. } => String::new(),
        }
    }

    fn detail_ar(&self) -> String {
        let v = format!("القيمة «{}»", self.shown());
        match &self.rule {
            Rule::Type {
                expected,
                reason: None,
            } => format!("{v} {}", type_ar(*expected)),
            Rule::Type {
                expected,
                reason: Some(reason),
            } => format!("{v} {}: {}", type_ar(*expected), reason.ar),
            Rule::Kind { expected } => format!("{v} لا تطابق نوع المنشأة في النموذج ({expected})"),
            Rule::NotRelevant { condition } => {
                format!("أُدخلت {v} مع أن هذا الحقل لا يُملأ إلا إذا تحقق الشرط «{condition}»")
            }
            Rule::Min { min, measure } => bound_ar(&v, *measure, "أقل من الحد الأدنى", *min),
            Rule::Max { max, measure } => bound_ar(&v, *measure, "أكبر من الحد الأقصى", *max),
            Rule::Regex { pattern } => format!("{v} لا تطابق الصيغة المطلوبة ({pattern})"),
            Rule::Choice { choice, allowed } if self.value.as_ref() == Some(choice) => {
                format!("{v} ليست من الخيارات المسموح بها: {}", allowed.join("، "))
            }
            Rule::Choice { choice, allowed } => format!(
                "{v} تتضمن «{choice}»، وهو ليس من الخيارات المسموح بها: {}",
                allowed.join("، ")
            ),
            Rule::DuplicateChoice { choice } => format!("{v} تذكر الخيار «{choice}» أكثر من مرة"),
            Rule::Geopoint { part } => geo_ar(&v, *part),
            Rule::UnknownField
            | Rule::UnknownForm { .. }
            | Rule::Required
            | Rule::UnknownResolution { .. } => v,
        }
    }
}

fn type_en(t: FieldType) -> &'static str {
    match t {
        FieldType::Boolean => "is not yes/no (true, false, yes, no, نعم, لا, 1, 0)",
        FieldType::Integer => "is not a whole number",
        FieldType::Decimal => "is not a number",
        FieldType::SelectOne => "is not a choice value",
        FieldType::SelectMultiple => "is not a list of choice values separated by spaces",
        FieldType::Text => "is not text",
        FieldType::Date => "is not a date as YYYY-MM-DD (e.g. 2026-03-29)",
        FieldType::Datetime => {
            "is not a date and time with UTC offset (e.g. 2026-03-29T10:15+03:00)"
        }
        FieldType::Geopoint => "is not a location as \"latitude longitude [altitude [accuracy]]\"",
        FieldType::Photo => "is not a photo reference (sha256: and 64 hexadecimal digits)",
    }
}

fn type_ar(t: FieldType) -> &'static str {
    match t {
        FieldType::Boolean => "ليست نعم أو لا",
        FieldType::Integer => "ليست عدداً صحيحاً",
        FieldType::Decimal => "ليست رقماً",
        FieldType::SelectOne => "ليست خياراً من القائمة",
        FieldType::SelectMultiple => "ليست قائمة خيارات مفصولة بمسافات",
        FieldType::Text => "ليست نصاً",
        FieldType::Date => "ليست تاريخاً بالصيغة YYYY-MM-DD، مثل 2026-03-29",
        FieldType::Datetime => {
            "ليست تاريخاً ووقتاً مع فرق التوقيت عن UTC، مثل 2026-03-29T10:15+03:00"
        }
        FieldType::Geopoint => "ليست موقعاً جغرافياً بالصيغة «خط العرض خط الطول [الارتفاع [الدقة]]»",
        FieldType::Photo => "ليست مرجع صورة (sha256: يليه 64 رمزاً ست عشرياً)",
    }
}

fn measure_en(m: Measure) -> &'static str {
    match m {
        Measure::Value => "",
        Measure::Length => "length ",
        Measure::Count => "number of choices ",
    }
}

fn bound_ar(v: &str, measure: Measure, phrase: &str, bound: f64) -> String {
    match measure {
        Measure::Value => format!("{v} {phrase} المسموح به ({bound})"),
        Measure::Length => format!("عدد أحرف {v} {phrase} المسموح به ({bound})"),
        Measure::Count => format!("عدد الخيارات المحددة في {v} {phrase} المسموح به ({bound})"),
    }
}

fn geo_en(part: GeoPart) -> &'static str {
    match part {
        GeoPart::Latitude => "has a latitude outside -90 to 90",
        GeoPart::Longitude => "has a longitude outside -180 to 180",
        GeoPart::Accuracy => "has a negative accuracy",
    }
}

fn geo_ar(v: &str, part: GeoPart) -> String {
    match part {
        GeoPart::Latitude => format!("خط العرض في {v} خارج المجال من -90 إلى 90"),
        GeoPart::Longitude => format!("خط الطول في {v} خارج المجال من -180 إلى 180"),
        GeoPart::Accuracy => format!("دقة الموقع في {v} سالبة، ولا يجوز أن تكون كذلك"),
    }
}

impl Form {
    /// A violation's message for people: the field named by its label in `lang` (and its
    /// name), and the field's `constraint_message_*` instead of the generic text for `min`,
    /// `max`, `regex` and choice violations when the form gives one.
    pub fn message(&self, violation: &Violation, lang: Lang) -> String {
        let Some(field) = self.field(&violation.field) else {
            return violation.message(lang);
        };
        let (label, custom) = match lang {
            Lang::Ar => (&field.label_ar, &field.constraint_message_ar),
            Lang::En => (&field.label_en, &field.constraint_message_en),
        };
        let subject = match lang {
            Lang::Ar => format!("«{label}» ({})", field.name),
            Lang::En => format!("{label:?} ({})", field.name),
        };
        match custom {
            Some(text) if violation.rule.is_constraint() => {
                let value = violation.shown();
                match lang {
                    Lang::Ar => format!("{subject}: {text} (القيمة «{value}»)"),
                    Lang::En => format!("{subject}: {text} (value {value:?})"),
                }
            }
            _ => violation.message_about(&subject, lang),
        }
    }
}
