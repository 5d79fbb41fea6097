//! Loading form definitions and refusing broken ones, naming the file and the problem.
//!
//! Per file: TOML shape (serde refuses unknown keys, types and units), the path matches the
//! id and version, names are well formed and unique, and every rule fits its field's type.
//! Across versions of one id: versions run 1..=N without gaps, the kind never changes, and
//! neither does any field's type or unit (a field whose meaning changes needs a new name).
//! Across forms: one form id per facility kind, and every kind has one.

use std::collections::{BTreeMap, BTreeSet};

use super::condition::is_name;
use super::model::{FieldType, Form, FormField, Unit};
use super::{FormError, Forms};
use crate::FacilityKind;

impl Forms {
    /// Parses and checks form definitions given as `(path, TOML text)` pairs, where the path
    /// ends in `<id>/v<version>.toml` (`bakery/v2.toml`).
    ///
    /// # Errors
    /// [`FormError::Definition`] naming the file and the problem: bad TOML or an unknown
    /// key, type or unit; a path that does not match the id and version; a badly named or
    /// repeated field or choice; a rule that does not fit the field (a unit on text, `regex`
    /// on a number, `min` above `max`, ...); a bad regex; a `relevant` condition naming an
    /// unknown or later field or comparing with a value of the wrong type; a missing
    /// version; a kind, field type or unit that changes between versions; two form ids for
    /// one kind; a kind with no form.
    pub fn load<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, FormError> {
        let mut by_id: BTreeMap<String, BTreeMap<u32, Form>> = BTreeMap::new();
        for (file, text) in sources {
            let form = read_form(file, text)?;
            let versions = by_id.entry(form.id.clone()).or_default();
            if let Some(old) = versions.insert(form.version, form) {
                return Err(definition(file, format!("a second {}", path_of(&old))));
            }
        }
        let mut forms = Forms {
            by_id: BTreeMap::new(),
            by_kind: BTreeMap::new(),
        };
        for (id, versions) in by_id {
            let versions = check_versions(versions)?;
            let kind = versions[0].kind;
            if let Some(other) = forms.by_kind.insert(kind, id.clone()) {
                let reason = format!("forms {other:?} and {id:?} are both for kind {kind}");
                return Err(definition(&format!("{id}/"), reason));
            }
            forms.by_id.insert(id, versions);
        }
        match FacilityKind::ALL
            .into_iter()
            .find(|k| !forms.by_kind.contains_key(k))
        {
            Some(kind) => Err(definition("forms", format!("no form for kind {kind}"))),
            None => Ok(forms),
        }
    }
}

fn definition(file: &str, reason: String) -> FormError {
    FormError::Definition {
        file: file.to_owned(),
        reason,
    }
}

fn path_of(form: &Form) -> String {
    format!("{}/v{}.toml", form.id, form.version)
}

fn read_form(file: &str, text: &str) -> Result<Form, FormError> {
    let form: Form = toml::from_str(text).map_err(|e| definition(file, e.to_string()))?;
    let expected = path_of(&form);
    let at = file.len().saturating_sub(expected.len());
    if !file.ends_with(&expected) || !(at == 0 || file[..at].ends_with('/')) {
        let reason = format!(
            "a form with id {:?} and version {} belongs in {expected}",
            form.id, form.version
        );
        return Err(definition(file, reason));
    }
    check_form(&form).map_err(|reason| definition(file, reason))?;
    Ok(form)
}

fn check_form(form: &Form) -> Result<(), String> {
    if !is_name(&form.id) {
        return Err(format!(
            "id {:?}: use lowercase letters, digits and _",
            form.id
        ));
    }
    if form.version == 0 {
        return Err("versions start at 1".into());
    }
    if form.fields.is_empty() {
        return Err("a form needs at least one [[field]]".into());
    }
    let mut seen = BTreeSet::new();
    for (i, field) in form.fields.iter().enumerate() {
        if !seen.insert(field.name.as_str()) {
            return Err(format!("field {:?} defined twice", field.name));
        }
        check_field(field, &form.fields[..i])
            .map_err(|e| format!("field {:?}: {e}", field.name))?;
    }
    Ok(())
}

fn check_field(field: &FormField, earlier: &[FormField]) -> Result<(), String> {
    let t = field.field_type;
    if !is_name(&field.name) {
        return Err("names use lowercase letters, digits and _, starting with a letter".into());
    }
    if field.label_ar.trim().is_empty() || field.label_en.trim().is_empty() {
        return Err("label_ar and label_en are both needed".into());
    }
    if field.unit.is_some() && !t.is_number() {
        return Err(format!("a unit is for integer and decimal fields, not {t}"));
    }
    check_choices(field)?;
    check_bounds(field)?;
    if field.regex.is_some() && t != FieldType::Text {
        return Err(format!("regex is for text fields, not {t}"));
    }
    if let Some(condition) = &field.relevant {
        condition.check(earlier).map_err(|e| e.to_string())?;
    }
    check_messages(field)
}

fn check_choices(field: &FormField) -> Result<(), String> {
    let t = field.field_type;
    match (t.is_select(), field.choices.is_empty()) {
        (true, true) => return Err(format!("a {t} field needs choices")),
        (false, false) => return Err(format!("choices are for select fields, not {t}")),
        _ => {}
    }
    let mut seen = BTreeSet::new();
    for choice in &field.choices {
        if !is_name(&choice.value) {
            return Err(format!(
                "choice {:?}: use lowercase letters, digits and _",
                choice.value
            ));
        }
        if !seen.insert(choice.value.as_str()) {
            return Err(format!("choice {:?} listed twice", choice.value));
        }
        if choice.label_ar.trim().is_empty() || choice.label_en.trim().is_empty() {
            return Err(format!(
                "choice {:?} needs label_ar and label_en",
                choice.value
            ));
        }
    }
    Ok(())
}

fn check_bounds(field: &FormField) -> Result<(), String> {
    let t = field.field_type;
    let counted = matches!(t, FieldType::Text | FieldType::SelectMultiple);
    for bound in [field.min, field.max].into_iter().flatten() {
        if !(t.is_number() || counted) {
            return Err(format!(
                "min and max are for numbers, text and select_multiple, not {t}"
            ));
        }
        if !bound.is_finite() || (counted && bound < 0.0) {
            return Err(format!(
                "bound {bound} is not a usable {}",
                if counted { "count" } else { "number" }
            ));
        }
    }
    match (field.min, field.max) {
        (Some(min), Some(max)) if min > max => Err(format!("min {min} is above max {max}")),
        _ => Ok(()),
    }
}

fn check_messages(field: &FormField) -> Result<(), String> {
    let given = [&field.constraint_message_ar, &field.constraint_message_en]
        .map(|m| m.as_ref().is_some_and(|m| !m.trim().is_empty()));
    let constrained = field.min.is_some()
        || field.max.is_some()
        || field.regex.is_some()
        || field.field_type.is_select();
    match given {
        [false, false] => Ok(()),
        [true, true] if constrained => Ok(()),
        [true, true] => {
            Err("constraint messages need a rule to explain (min, max, regex or choices)".into())
        }
        _ => Err("give constraint_message_ar and constraint_message_en together".into()),
    }
}

/// Versions 1..=N in order, one kind, and fixed field types and units.
fn check_versions(versions: BTreeMap<u32, Form>) -> Result<Vec<Form>, FormError> {
    let mut checked: Vec<Form> = Vec::with_capacity(versions.len());
    // Every field name seen so far, with its type, unit and the version that set them.
    let mut fixed: BTreeMap<String, (FieldType, Option<Unit>, u32)> = BTreeMap::new();
    for (i, (version, form)) in versions.into_iter().enumerate() {
        let file = path_of(&form);
        let expected = i as u32 + 1;
        if version != expected {
            let reason = format!(
                "version {version} without version {expected}: versions run 1, 2, 3, ... without gaps"
            );
            return Err(definition(&file, reason));
        }
        if let Some(first) = checked.first().filter(|f| f.kind != form.kind) {
            let reason = format!(
                "kind {} differs from version 1's kind {}",
                form.kind, first.kind
            );
            return Err(definition(&file, reason));
        }
        for field in &form.fields {
            let now = (field.field_type, field.unit);
            let (t, unit, v) = *fixed
                .entry(field.name.clone())
                .or_insert((now.0, now.1, version));
            if (t, unit) != now {
                let was = describe(t, unit);
                let reason = format!(
                    "field {:?} is {} here but {was} in version {v}; a field keeps its type and unit: give the new meaning a new name",
                    field.name,
                    describe(now.0, now.1)
                );
                return Err(definition(&file, reason));
            }
        }
        checked.push(form);
    }
    Ok(checked)
}

fn describe(t: FieldType, unit: Option<Unit>) -> String {
    match unit {
        Some(u) => format!("{t} in {u}"),
        None => t.to_string(),
    }
}
