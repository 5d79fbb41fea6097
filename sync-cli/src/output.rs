//! Human output: bilingual labels (Arabic first, English second) and tables.

use comfy_table::{ContentArrangement, Table, presets};
use fieldsync_schema::forms::FieldType;
use fieldsync_schema::{ConflictValue, FacilityKind, FieldValue, FormField, Forms, ReviewState};

/// `ar / en`, the way every label is shown.
pub fn bilingual(ar: &str, en: &str) -> String {
    format!("{ar} / {en}")
}

/// A table with bilingual headers that wraps to the terminal when there is one.
pub fn table(headers: &[(&str, &str)]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(headers.iter().map(|(ar, en)| bilingual(ar, en)));
    table
}

/// The facility kind, bilingual.
pub fn kind_label(kind: FacilityKind) -> String {
    bilingual(kind.label_ar(), kind.label_en())
}

/// The review state, bilingual.
pub fn review_label(state: ReviewState) -> String {
    let ar = match state {
        ReviewState::Received => "مستلم",
        ReviewState::HasIssues => "فيه ملاحظات",
        ReviewState::Approved => "مقبول",
        ReviewState::Rejected => "مرفوض",
        ReviewState::Edited => "معدّل بعد المراجعة",
    };
    bilingual(ar, state.as_str())
}

/// `synced` or `pending`, as `list` shows and scripts match.
pub fn sync_status(pending: bool) -> &'static str {
    if pending { "pending" } else { "synced" }
}

/// Resolution numbers as `16,20`.
pub fn resolutions_text(numbers: &[u16]) -> String {
    numbers
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The form field definition of a kind, if the built-in form has it.
fn form_field(kind: FacilityKind, name: &str) -> Option<&'static FormField> {
    Forms::builtin().for_kind(kind).field(name)
}

/// A field's label from the kind's form (`ar / en`), or its name if the form lacks it.
pub fn field_label(kind: FacilityKind, name: &str) -> String {
    form_field(kind, name).map_or_else(
        || name.to_owned(),
        |field| bilingual(&field.label_ar, &field.label_en),
    )
}

/// The label of a conflict's key path (`fields.x`, `site.name_ar`, `review.state`).
pub fn path_label(kind: FacilityKind, path: &str) -> String {
    match path.split_once('.') {
        Some(("fields", name)) => field_label(kind, name),
        Some(("site", "name_ar")) => bilingual("اسم الموقع", "Site name (Arabic)"),
        Some(("review", "state")) => bilingual("حالة المراجعة", "Review state"),
        _ => path.to_owned(),
    }
}

/// A value for people: yes/no in both languages, choices with their labels, numbers plain.
pub fn value_text(kind: FacilityKind, name: &str, value: &FieldValue) -> String {
    let field = form_field(kind, name);
    match (value, field) {
        (FieldValue::Bool(true), _) => bilingual("نعم", "yes"),
        (FieldValue::Bool(false), _) => bilingual("لا", "no"),
        (FieldValue::Text(choice), Some(f)) if f.field_type == FieldType::SelectOne => {
            f.choices.iter().find(|c| &c.value == choice).map_or_else(
                || choice.clone(),
                |c| format!("{} ({})", choice, bilingual(&c.label_ar, &c.label_en)),
            )
        }
        (other, _) => other.to_string(),
    }
}

/// Who wrote a concurrent value: `name (role, device …)`, or the actor when unregistered.
pub fn author_text(value: &ConflictValue) -> String {
    match &value.author {
        Some(a) => format!("{} ({}, device {})", a.name, a.role.as_str(), a.device),
        None => format!("actor {}", value.actor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_arabic_first() {
        let cases = [
            (
                field_label(FacilityKind::Bakery, "bread_price_syp"),
                "سعر ربطة الخبز المتقاضى (ل.س) / Bread bundle price charged (SYP)",
            ),
            (field_label(FacilityKind::Bakery, "mystery"), "mystery"),
            (kind_label(FacilityKind::Bakery), "فرن / bakery"),
            (review_label(ReviewState::Approved), "مقبول / approved"),
            (
                value_text(
                    FacilityKind::WaterStation,
                    "maintenance_status",
                    &FieldValue::Text("in_progress".into()),
                ),
                "in_progress (قيد التنفيذ / In progress)",
            ),
            (
                value_text(FacilityKind::Bakery, "operating", &FieldValue::Bool(true)),
                "نعم / yes",
            ),
            (
                path_label(FacilityKind::Bakery, "fields.operating"),
                "هل الفرن يعمل؟ / Operating",
            ),
            (resolutions_text(&[16, 20]), "16,20"),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }
}
