//! Walking a form interactively: which field to ask next, what to ask, and what an answer
//! means, apart from the terminal.
//!
//! [`Walk`] decides: one question per field in form order that is relevant given the
//! answers so far (a field's `relevant` condition is evaluated as [`Form::validate`] does)
//! and not already answered by `--set`. Typed answers are parsed by the form
//! ([`FormField::parse`]); a refusal is shown in the user's language and the field asked
//! again. Choices and yes/no are menus. Optional fields can be skipped; a required one is
//! asked again.
//!
//! [`Prompter`] does the asking: [`terminal::Terminal`] on a terminal (the `inquire`
//! crate), scripted answers in tests.

pub mod terminal;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::bail;
use fieldsync_schema::document_raw::raw_for_audit;
use fieldsync_schema::forms::{FieldType, Rule};
use fieldsync_schema::{FieldValue, Form, FormError, FormField, Lang, Violation};

use crate::form_text::{choice_label, hint, label, yes_no};
use crate::lang::pick;

/// One question: a field, its label and help text in the user's language.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The field's name.
    pub field: String,
    /// The field's label in the user's language.
    pub label: String,
    /// The hint, then how to skip when the field is optional.
    pub help: Option<String>,
    /// Whether an answer is needed.
    pub required: bool,
}

/// What asks the questions: a terminal, or scripted answers in tests. `None` means the
/// person skipped the question.
pub trait Prompter {
    /// Asks for typed text.
    ///
    /// # Errors
    /// The person cancelled, or the terminal failed.
    fn text(&mut self, question: &Question) -> anyhow::Result<Option<String>>;

    /// Asks for one of `options`; returns its index.
    ///
    /// # Errors
    /// As [`Prompter::text`].
    fn select(&mut self, question: &Question, options: &[String]) -> anyhow::Result<Option<usize>>;

    /// Asks for any of `options`; returns their indexes.
    ///
    /// # Errors
    /// As [`Prompter::text`].
    fn multi_select(
        &mut self,
        question: &Question,
        options: &[String],
    ) -> anyhow::Result<Option<Vec<usize>>>;

    /// Tells the person why an answer was refused, before the question is asked again.
    fn refused(&mut self, message: &str);
}

/// Values collected for a check: stored values, and text as typed where it differs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answers {
    /// Field name -> stored value.
    pub values: BTreeMap<String, FieldValue>,
    /// Field name -> text as typed, when it differs from the stored value (for audit).
    pub raw: BTreeMap<String, String>,
}

impl Answers {
    /// Records `value` for `field`, typed as `typed` (when typed rather than picked).
    pub fn insert(&mut self, field: &str, value: FieldValue, typed: Option<&str>) {
        if let Some(raw) = typed.and_then(|t| raw_for_audit(t, &value)) {
            self.raw.insert(field.to_owned(), raw);
        }
        self.values.insert(field.to_owned(), value);
    }
}

/// A walk through one form version in one language.
#[derive(Debug, Clone, Copy)]
pub struct Walk<'a> {
    form: &'a Form,
    lang: Lang,
}

impl<'a> Walk<'a> {
    /// A walk through `form`, asking in `lang`.
    pub fn new(form: &'a Form, lang: Lang) -> Self {
        Self { form, lang }
    }

    /// The next field to ask: the first in form order that is relevant given `values`, has
    /// no value and is not in `asked` (asked and skipped).
    pub fn next(
        &self,
        values: &BTreeMap<String, FieldValue>,
        asked: &BTreeSet<String>,
    ) -> Option<&'a FormField> {
        let mut answered: BTreeMap<&str, &FieldValue> = BTreeMap::new();
        for field in &self.form.fields {
            let relevant = field.relevant.as_ref().is_none_or(|c| c.holds(&answered));
            match values.get(&field.name) {
                Some(value) if relevant && field.interpret(value).is_ok() => {
                    answered.insert(&field.name, value);
                }
                None if relevant && !asked.contains(&field.name) => return Some(field),
                _ => {}
            }
        }
        None
    }

    /// Asks every relevant field `answers` lacks, in form order, and returns the answers.
    ///
    /// # Errors
    /// The prompter failed or the person cancelled.
    pub fn run(
        &self,
        prompter: &mut dyn Prompter,
        mut answers: Answers,
    ) -> anyhow::Result<Answers> {
        let mut asked = BTreeSet::new();
        while let Some(field) = self.next(&answers.values, &asked) {
            asked.insert(field.name.clone());
            if let Some((value, typed)) = self.ask(prompter, field)? {
                answers.insert(&field.name, value, typed.as_deref());
            }
        }
        Ok(answers)
    }

    /// The question for `field`.
    pub fn question(&self, field: &FormField) -> Question {
        let skip = pick(self.lang, "اضغط Esc للتخطي", "Esc to skip");
        let help = match (hint(field, self.lang), field.required) {
            (Some(h), true) => Some(h.to_owned()),
            (Some(h), false) => Some(format!("{h} — {skip}")),
            (None, true) => type_help(field.field_type, self.lang).map(str::to_owned),
            (None, false) => Some(
                type_help(field.field_type, self.lang)
                    .map_or_else(|| skip.to_owned(), |t| format!("{t} — {skip}")),
            ),
        };
        Question {
            field: field.name.clone(),
            label: label(field, self.lang).to_owned(),
            help,
            required: field.required,
        }
    }

    /// Asks `field` until it gets a value the form accepts or an allowed skip; returns the
    /// value and the text typed for it (none for menu picks).
    fn ask(
        &self,
        prompter: &mut dyn Prompter,
        field: &FormField,
    ) -> anyhow::Result<Option<(FieldValue, Option<String>)>> {
        let question = self.question(field);
        loop {
            let Some((raw, typed)) = self.answer(prompter, field, &question)? else {
                if !field.required {
                    return Ok(None);
                }
                let missing = Violation::new(&field.name, None, Rule::Required);
                prompter.refused(&self.form.message(&missing, self.lang));
                continue;
            };
            match field.parse(&raw) {
                Ok(value) => return Ok(Some((value, typed.then_some(raw)))),
                Err(FormError::Invalid(v)) => prompter.refused(&self.form.message(&v, self.lang)),
                Err(other) => bail!(other),
            }
        }
    }

    /// One answer as text for [`FormField::parse`], and whether it was typed; `None` for a
    /// skip (blank typed text counts as one).
    fn answer(
        &self,
        prompter: &mut dyn Prompter,
        field: &FormField,
        question: &Question,
    ) -> anyhow::Result<Option<(String, bool)>> {
        let picked = match field.field_type {
            FieldType::Boolean => {
                let options = [true, false].map(|b| yes_no(b, self.lang).to_owned());
                prompter
                    .select(question, &options)?
                    .map(|i| (i == 0).to_string())
            }
            FieldType::SelectOne => prompter
                .select(question, &self.choice_options(field))?
                .and_then(|i| field.choices.get(i))
                .map(|c| c.value.clone()),
            FieldType::SelectMultiple => prompter
                .multi_select(question, &self.choice_options(field))?
                .map(|picked| self.choice_values(field, &picked))
                .filter(|values| !values.is_empty()),
            _ => {
                let typed = prompter.text(question)?;
                return Ok(typed.filter(|t| !t.trim().is_empty()).map(|t| (t, true)));
            }
        };
        Ok(picked.map(|p| (p, false)))
    }

    fn choice_options(&self, field: &FormField) -> Vec<String> {
        field
            .choices
            .iter()
            .map(|c| choice_label(c, self.lang).to_owned())
            .collect()
    }

    /// The picked choices as stored text (values separated by spaces); picking none is a
    /// skip.
    fn choice_values(&self, field: &FormField, picked: &[usize]) -> String {
        let values: Vec<&str> = picked
            .iter()
            .filter_map(|i| field.choices.get(*i))
            .map(|c| c.value.as_str())
            .collect();
        values.join(" ")
    }
}

/// How to type a value of `field_type`, for fields without a hint of their own.
fn type_help(field_type: FieldType, lang: Lang) -> Option<&'static str> {
    let (ar, en) = match field_type {
        FieldType::Integer => (
            "عدد صحيح، بأي أرقام: 1250 أو ١٢٥٠",
            "A whole number, any digits: 1250 or ١٢٥٠",
        ),
        FieldType::Decimal => ("رقم، مثل 12.5 أو ١٢٫٥", "A number, e.g. 12.5 or ١٢٫٥"),
        FieldType::Date => (
            "تاريخ، مثل 2026-03-29 أو 29/3/2026",
            "A date, e.g. 2026-03-29 or 29/3/2026",
        ),
        FieldType::Datetime => (
            "تاريخ ووقت مع فرق التوقيت، مثل 2026-03-29T10:15+03:00",
            "A date and time with offset, e.g. 2026-03-29T10:15+03:00",
        ),
        FieldType::Geopoint => (
            "خط العرض ثم خط الطول، مثل 35.336 40.14",
            "Latitude then longitude, e.g. 35.336 40.14",
        ),
        FieldType::Photo => ("بصمة SHA-256 للصورة", "The photo's SHA-256"),
        _ => return None,
    };
    Some(pick(lang, ar, en))
}

#[cfg(test)]
pub(crate) mod tests;
