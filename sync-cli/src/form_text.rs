//! Form-driven text in the user's language: field labels, hints, choice labels, values of
//! every field type, and the "typed as" note of a value kept as typed.
//!
//! A check is always read with the form version it was made with ([`form_of`]), so an old
//! check shows its own labels and choices.

use fieldsync_schema::forms::{Choice, GeoPoint, TypedValue};
use fieldsync_schema::{Check, FieldValue, Form, FormField, Forms, Lang};

use crate::lang::pick;

/// How many hex digits of a photo's SHA-256 are shown.
const PHOTO_HEX_SHOWN: usize = 12;

/// The form version `check` was made with, or the current form of its kind when this
/// build does not know that version (a check from a newer device).
pub fn form_of(check: &Check) -> &'static Form {
    let forms = Forms::builtin();
    forms
        .get(&check.form.id, check.form.version)
        .unwrap_or_else(|| forms.current(check.kind))
}

/// A field's label in `lang`.
pub fn label(field: &FormField, lang: Lang) -> &str {
    pick(lang, &field.label_ar, &field.label_en)
}

/// A field's hint in `lang`, if the form gives one.
pub fn hint(field: &FormField, lang: Lang) -> Option<&str> {
    match lang {
        Lang::Ar => field.hint_ar.as_deref(),
        Lang::En => field.hint_en.as_deref(),
    }
}

/// A choice's label in `lang`.
pub fn choice_label(choice: &Choice, lang: Lang) -> &str {
    pick(lang, &choice.label_ar, &choice.label_en)
}

/// "Yes" or "No" in `lang`.
pub fn yes_no(value: bool, lang: Lang) -> &'static str {
    match (value, lang) {
        (true, Lang::Ar) => "نعم",
        (false, Lang::Ar) => "لا",
        (true, Lang::En) => "Yes",
        (false, Lang::En) => "No",
    }
}

/// The label of field `name` in `form`, or the name when the form lacks the field.
pub fn field_label(form: &Form, name: &str, lang: Lang) -> String {
    form.field(name)
        .map_or_else(|| name.to_owned(), |f| label(f, lang).to_owned())
}

/// The label of a conflict's key path (`fields.x`, `site.name_ar`, `review.state`).
pub fn path_label(form: &Form, path: &str, lang: Lang) -> String {
    match path.split_once('.') {
        Some(("fields", name)) => field_label(form, name, lang),
        Some(("site", "name_ar")) => pick(lang, "اسم الموقع", "Site name (Arabic)").to_owned(),
        Some(("review", "state")) => pick(lang, "حالة المراجعة", "Review state").to_owned(),
        _ => path.to_owned(),
    }
}

/// A stored value for people: yes/no, choice labels with their values, locations as
/// `lat, lon (±acc m)`, photos by a short hash; anything the form cannot read as text.
pub fn value_text(form: &Form, name: &str, value: &FieldValue, lang: Lang) -> String {
    let Some(field) = form.field(name) else {
        return value.to_string();
    };
    match field.interpret(value) {
        Ok(typed) => typed_text(field, &typed, lang),
        Err(_) => value.to_string(),
    }
}

fn typed_text(field: &FormField, typed: &TypedValue, lang: Lang) -> String {
    match typed {
        TypedValue::Bool(b) => yes_no(*b, lang).to_owned(),
        TypedValue::Choice(value) => choice_text(field, value, lang),
        TypedValue::Choices(values) => {
            let shown: Vec<String> = values.iter().map(|v| choice_text(field, v, lang)).collect();
            shown.join(pick(lang, "، ", ", "))
        }
        TypedValue::Geopoint(point) => geopoint_text(point, lang),
        TypedValue::Photo(photo) => {
            let short: String = photo.hex().chars().take(PHOTO_HEX_SHOWN).collect();
            format!("sha256:{short}…")
        }
        other => other.to_string(),
    }
}

/// `Label (value)`, or the value alone when it is not one of the field's choices.
fn choice_text(field: &FormField, value: &str, lang: Lang) -> String {
    field.choice(value).map_or_else(
        || value.to_owned(),
        |c| format!("{} ({value})", choice_label(c, lang)),
    )
}

/// `lat, lon`, then `(±acc m)` and the altitude when known.
pub fn geopoint_text(point: &GeoPoint, lang: Lang) -> String {
    let metres = pick(lang, "م", "m");
    let mut text = format!("{}, {}", point.lat, point.lon);
    if let Some(acc) = point.accuracy_m {
        text.push_str(&format!(" (±{acc} {metres})"));
    }
    if let Some(alt) = point.altitude_m {
        let word = pick(lang, "الارتفاع", "altitude");
        text.push_str(&format!(", {word} {alt} {metres}"));
    }
    text
}

/// The note shown after a value kept as typed: `typed as ١٢٬٠٠٠`. `None` without raw text,
/// when it reads as the value is shown anyway (`نعم` in Arabic), or when it no longer parses
/// to the stored value (it belonged to a value that lost a concurrent edit), so a note
/// never vouches for another value.
pub fn typed_as(
    form: &Form,
    name: &str,
    value: &FieldValue,
    raw: Option<&str>,
    lang: Lang,
) -> Option<String> {
    let raw = raw?;
    let field = form.field(name)?;
    if field.parse(raw).ok().as_ref() != Some(value) || value_text(form, name, value, lang) == raw {
        return None;
    }
    Some(match lang {
        Lang::Ar => format!("كُتبت «{raw}»"),
        Lang::En => format!("typed as {raw}"),
    })
}

#[cfg(test)]
#[path = "form_text_tests.rs"]
mod tests;
