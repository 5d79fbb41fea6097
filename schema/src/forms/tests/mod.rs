//! Tests of [`super`]: the forms module. Shared helpers here; one file per concern.

use std::collections::BTreeMap;

use super::*;
use crate::FieldValue;

mod load;
mod messages;
mod parse;
mod rules;
mod typed;
mod versions;

/// The header of a test form `t` for kind `other`, version `version`.
fn header(version: u32) -> String {
    format!("id = 't'\nversion = {version}\nkind = 'other'\nlabel_ar = 'ت'\nlabel_en = 'T'\n")
}

/// One `[[field]]` table: name, type and any further TOML lines.
fn field(name: &str, field_type: &str, extra: &str) -> String {
    format!(
        "[[field]]\nname = '{name}'\ntype = '{field_type}'\nlabel_ar = 'ع'\nlabel_en = 'E'\n{extra}\n"
    )
}

/// The built-in forms with `other` replaced by the given versions of test form `t`.
fn load_t(versions: &[&str]) -> Result<Forms, FormError> {
    let paths: Vec<String> = (1..=versions.len())
        .map(|v| format!("t/v{v}.toml"))
        .collect();
    let builtin = BUILTIN_SOURCES
        .into_iter()
        .filter(|(p, _)| !p.starts_with("other/"));
    let custom = paths
        .iter()
        .map(String::as_str)
        .zip(versions.iter().copied());
    Forms::load(builtin.chain(custom))
}

/// Test form `t` v1 with these fields, loaded and checked.
fn form_t(fields: &str) -> Form {
    let text = format!("{}{fields}", header(1));
    let forms = load_t(&[&text]).unwrap_or_else(|e| panic!("{e}\n{text}"));
    forms.current(FacilityKind::Other).clone()
}

/// The error loading test form `t` v1 with these fields (only `t`, so kinds are missing:
/// every refusal tested comes before that check).
fn refusal(fields: &str) -> String {
    let text = format!("{}{fields}", header(1));
    match Forms::load([("t/v1.toml", text.as_str())]) {
        Ok(_) => panic!("loaded:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// Field values as a test case writes them.
type Input<'a> = Vec<(&'a str, FieldValue)>;
/// `(field, code)` pairs a test case expects.
type Codes<'a> = Vec<(&'a str, &'a str)>;

fn values(pairs: &[(&str, FieldValue)]) -> BTreeMap<String, FieldValue> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn text(s: &str) -> FieldValue {
    FieldValue::Text(s.to_owned())
}

/// `(field, code)` of each violation, for compact assertions.
fn codes(found: &[Violation]) -> Vec<(String, &'static str)> {
    found
        .iter()
        .map(|v| (v.field.clone(), v.rule.code()))
        .collect()
}

#[test]
fn builtin_forms_load() {
    let forms = Forms::builtin();
    for kind in FacilityKind::ALL {
        let form = forms.current(kind);
        assert_eq!(form.kind, kind);
        assert_eq!(forms.for_kind(kind), form);
        assert_eq!(forms.get(&form.id, form.version), Some(form));
    }
}

#[test]
fn every_form_file_is_built_in() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("forms");
    let mut on_disk = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("schema/forms") {
        let folder = entry.expect("entry").path();
        let Ok(files) = std::fs::read_dir(&folder) else {
            continue; // README.md
        };
        for file in files {
            let name = file
                .expect("file")
                .file_name()
                .to_string_lossy()
                .into_owned();
            let id = folder
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            on_disk.push(format!("{id}/{name}"));
        }
    }
    let mut built_in: Vec<String> = BUILTIN_SOURCES
        .iter()
        .map(|(p, _)| (*p).to_owned())
        .collect();
    on_disk.sort();
    built_in.sort();
    assert_eq!(
        on_disk, built_in,
        "list every file of schema/forms in BUILTIN_SOURCES"
    );
}

#[test]
fn builtin_forms_have_the_fields_linking_rules_name() {
    for rule in crate::Catalog::builtin().rules() {
        for kind in &rule.kinds {
            for form in Forms::builtin().versions(&Forms::builtin().current(*kind).id) {
                for name in &rule.any_field {
                    assert!(
                        form.field(name).is_some(),
                        "rule for {} names {name}, missing from {} v{}",
                        rule.resolution,
                        form.id,
                        form.version
                    );
                }
            }
        }
    }
}

#[test]
fn builtin_forms_have_labels_in_both_languages_and_mostly_arabic_labels() {
    let arabic = |s: &str| s.chars().any(|c| ('\u{0600}'..='\u{06ff}').contains(&c));
    for kind in FacilityKind::ALL {
        let form = Forms::builtin().current(kind);
        assert!(arabic(&form.label_ar), "{}", form.id);
        for f in &form.fields {
            assert!(arabic(&f.label_ar) && !f.label_en.is_empty(), "{}", f.name);
            assert!(f.hint_ar.is_some() == f.hint_en.is_some(), "{}", f.name);
            for c in &f.choices {
                assert!(arabic(&c.label_ar) && !c.label_en.is_empty(), "{}", c.value);
            }
        }
    }
}
