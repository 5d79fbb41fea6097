//! Form values from `--set` and the interactive walk, checked against the form, with every
//! refusal naming the field, the value and the rule in the user's language.

use std::collections::BTreeMap;

use anyhow::anyhow;
use fieldsync_schema::forms::{Rule, Violation};
use fieldsync_schema::{FieldValue, Form, FormError, FormField, Lang};

use crate::form_text::label;
use crate::lang::pick;
use crate::walk::Answers;

/// Parses `--set field=value` arguments against `form`, keeping text as typed where it
/// differs from the stored value; a refusal names the field, the value and the rule in
/// `lang`.
pub(crate) fn parse_sets(form: &Form, sets: &[String], lang: Lang) -> anyhow::Result<Answers> {
    let mut answers = Answers::default();
    for set in sets {
        let Some((name, raw)) = set.split_once('=') else {
            return Err(anyhow!(
                "{}",
                match lang {
                    Lang::Ar => format!(
                        "--set «{set}»: الصيغة المطلوبة الحقل=القيمة، مثل --set bread_price_syp=1250"
                    ),
                    Lang::En => format!(
                        "--set {set:?}: expected field=value, e.g. --set bread_price_syp=1250"
                    ),
                }
            ));
        };
        let name = name.trim();
        let value = form
            .parse_value(name, raw)
            .map_err(|e| refusal(form, e, lang))?;
        if answers.values.contains_key(name) {
            let msg = match lang {
                Lang::Ar => format!("--set: الحقل «{name}» معطى أكثر من مرة"),
                Lang::En => format!("--set: field {name:?} is given more than once"),
            };
            return Err(anyhow!(msg));
        }
        answers.insert(name, value, Some(raw));
    }
    Ok(answers)
}

/// A value refused by the form, as a message in `lang` naming field, value and rule.
pub(crate) fn refusal(form: &Form, err: FormError, lang: Lang) -> anyhow::Error {
    match (err, lang) {
        (FormError::Invalid(v), _) => anyhow!("{}", form.message(&v, lang)),
        (
            FormError::UnknownField {
                form: id,
                field,
                expected,
            },
            Lang::Ar,
        ) => anyhow!("الحقل «{field}» غير موجود في النموذج «{id}»؛ الحقول المعروفة: {expected}"),
        (other, Lang::En) | (other, Lang::Ar) => anyhow!(other),
    }
}

/// The relevant required fields that have no value, in form order.
pub(crate) fn missing_required<'a>(
    form: &'a Form,
    values: &BTreeMap<String, FieldValue>,
) -> Vec<&'a FormField> {
    form.validate(values)
        .iter()
        .filter(|v| v.rule == Rule::Required)
        .filter_map(|v| form.field(&v.field))
        .collect()
}

/// The error for required fields missing without a terminal to ask on: each field's name
/// and label, and how to give them.
pub(crate) fn missing_error(missing: &[&FormField], lang: Lang) -> anyhow::Error {
    let list: Vec<String> = missing
        .iter()
        .map(|f| match lang {
            Lang::Ar => format!("{} («{}»)", f.name, label(f, lang)),
            Lang::En => format!("{} ({:?})", f.name, label(f, lang)),
        })
        .collect();
    match lang {
        Lang::Ar => anyhow!(
            "حقول مطلوبة بلا قيمة: {}. أعطها بـ --set الحقل=القيمة، أو شغّل الأمر في طرفية دون --no-input ليسألك عنها",
            list.join("، ")
        ),
        Lang::En => anyhow!(
            "required fields have no value: {}. Give them with --set field=value, or run on a terminal without --no-input to be asked",
            list.join(", ")
        ),
    }
}

/// Refuses `violations` that are errors (all of them in one message, in `lang`) and shows
/// the warnings (a value for a field that does not apply) on stderr.
pub(crate) fn refuse_errors(
    form: &Form,
    violations: &[Violation],
    lang: Lang,
) -> anyhow::Result<()> {
    let (errors, warnings): (Vec<&Violation>, Vec<&Violation>) =
        violations.iter().partition(|v| v.is_error());
    for warning in warnings {
        let prefix = pick(lang, "تنبيه", "warning");
        eprintln!("{prefix}: {}", form.message(warning, lang));
    }
    if errors.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = errors.iter().map(|v| form.message(v, lang)).collect();
    let head = pick(lang, "رُفضت القيم", "values refused");
    Err(anyhow!("{head}:\n  {}", lines.join("\n  ")))
}

/// Shows `violations` on stderr as warnings, in `lang`.
pub(crate) fn warn<'a>(
    form: &Form,
    violations: impl IntoIterator<Item = &'a Violation>,
    lang: Lang,
) {
    let prefix = pick(lang, "تنبيه", "warning");
    for violation in violations {
        eprintln!("{prefix}: {}", form.message(violation, lang));
    }
}

/// The violations of `after` that `before` did not have (same field and rule), so an edit
/// is refused only for what it breaks, not for what was already wrong.
pub(crate) fn new_violations(before: &[Violation], after: Vec<Violation>) -> Vec<Violation> {
    after
        .into_iter()
        .filter(|v| {
            !before
                .iter()
                .any(|b| b.field == v.field && b.rule.code() == v.rule.code() && b.value == v.value)
        })
        .collect()
}
