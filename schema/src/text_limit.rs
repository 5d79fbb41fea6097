//! The per-field text length limit: every free text a check carries, named by its path, and
//! the first one longer than a limit ([`first_over`]).
//!
//! Lengths are in characters (Unicode scalar values), as people count them, not bytes: an
//! Arabic letter is two bytes in UTF-8 but one character.

use crate::{Check, FieldValue};

/// A text longer than the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongText {
    /// Where it is in the check (`notes`, `fields.remarks`, `comments[2].text`).
    pub field: String,
    /// Its length in characters.
    pub chars: usize,
}

/// Every free text of `check` with its path.
pub fn texts(check: &Check) -> Vec<(String, &str)> {
    let mut out: Vec<(String, &str)> = vec![
        ("notes".into(), &check.notes),
        ("inspector".into(), &check.inspector),
        ("site.name_ar".into(), &check.site.name_ar),
        ("site.id".into(), check.site.id.as_str()),
    ];
    if let Some(name) = &check.site.name_en {
        out.push(("site.name_en".into(), name));
    }
    for (name, value) in &check.fields {
        if let FieldValue::Text(text) = value {
            out.push((format!("fields.{name}"), text));
        }
    }
    for (name, text) in &check.raw {
        out.push((format!("raw.{name}"), text));
    }
    for (i, comment) in check.comments.iter().enumerate() {
        out.push((format!("comments[{i}].text"), &comment.text));
    }
    if let Some(comment) = &check.review.comment {
        out.push(("review.comment".into(), comment));
    }
    for (i, event) in check.review_history.iter().enumerate() {
        out.push((format!("review_history[{i}].comment"), &event.comment));
    }
    for (number, link) in &check.manual_links {
        out.push((format!("manual_links.{number}.comment"), &link.comment));
    }
    for (actor, author) in &check.authors {
        out.push((format!("authors.{actor}.name"), &author.name));
    }
    if let Some(deleted) = &check.deleted {
        out.push(("deleted.reason".into(), &deleted.reason));
    }
    out
}

/// The first text of `check` longer than `limit` characters, if any.
pub fn first_over(check: &Check, limit: usize) -> Option<LongText> {
    texts(check).into_iter().find_map(|(field, text)| {
        // Counting stops one past the limit: a huge text costs no more than a long one.
        let chars = text.chars().take(limit.saturating_add(1)).count();
        (chars > limit).then(|| LongText {
            field,
            chars: text.chars().count(),
        })
    })
}

#[cfg(test)]
#[path = "text_limit_tests.rs"]
mod tests;
