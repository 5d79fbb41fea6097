//! Closing a same-field conflict: a supervisor's decision, root key `decisions`, a list of
//! maps `{by, device, at, field, value, discarded}` (`field` is the form field name, `value`
//! the chosen scalar, `discarded` a list of the other scalars, `at` RFC 3339 UTC).
//!
//! The decided value is written with an ordinary put on the field. In Automerge a put made
//! after seeing every competing value supersedes all of them, so once the change syncs, the
//! field has one value again on every device: the conflict is closed. (A value written
//! concurrently with the decision opens a new conflict, as it should.) The `decisions` list
//! is created with new documents and lazily in older ones, read over all competing lists
//! (see `document_comments.rs`). The name avoids `resolutions`, the conference links.

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc, Value};
use serde::{Deserialize, Serialize};

use crate::document::{CheckDoc, from_scalar, to_scalar};
use crate::document_read::{DocError, invalid};
use crate::{Author, FieldValue};

/// A supervisor's decision on a conflicting field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictDecision {
    /// The supervisor's name.
    pub by: String,
    /// Their device.
    pub device: String,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// The form field (`bread_price_syp`).
    pub field: String,
    /// The value kept.
    pub value: FieldValue,
    /// The competing values set aside.
    pub discarded: Vec<FieldValue>,
}

impl CheckDoc {
    /// Closes the conflict on `field` by writing `value` as `author` (a supervisor), and
    /// records the decision. Returns it. `field` is a form field name (`bread_price_syp`,
    /// also accepted as `fields.bread_price_syp`) or `site.name_ar`.
    ///
    /// A review decision stands: if the check read as approved (or has issues, or rejected)
    /// before, it still does after, because the decision only chose among values already
    /// recorded (the review's `reviewed_heads` move to include it, in a second change). A
    /// check that read `edited` stays `edited`.
    ///
    /// # Errors
    /// [`DocError::Forbidden`] if `author` is not a supervisor; [`DocError::Invalid`] if the
    /// field has no open conflict (naming it), or is `review.state`, which a new review
    /// settles; [`DocError`] if the layout is broken.
    pub fn resolve(
        &mut self,
        author: &Author,
        field: &str,
        value: &FieldValue,
    ) -> Result<ConflictDecision, DocError> {
        if !author.role.may_decide() {
            return Err(DocError::Forbidden(format!(
                "{} is an {}: only a supervisor may resolve conflicts",
                author.name,
                author.role.as_str()
            )));
        }
        let (map, key, path) = conflict_place(field)?;
        let Some(conflict) = self.conflicts()?.into_iter().find(|c| c.field == path) else {
            return Err(invalid(
                &path,
                &value.to_string(),
                "the field has no open conflict to resolve (`fieldsync conflicts` lists the open ones)",
            ));
        };
        let decision = ConflictDecision {
            by: author.name.clone(),
            device: author.device.clone(),
            at: jiff::Timestamp::now().to_string(),
            field: if map == "fields" {
                key.to_owned()
            } else {
                path.clone()
            },
            value: value.clone(),
            discarded: conflict
                .values
                .into_iter()
                .map(|v| v.value)
                .filter(|v| v != value)
                .collect(),
        };
        let review_stands = self.review_state()?.is_decision();
        self.register_author(author)?;
        let obj = self.obj(&ROOT, map)?;
        self.doc.put(&obj, key, to_scalar(value))?;
        if map == "fields" {
            // Text typed for a value that lost no longer describes the field.
            self.put_raw(key, None)?;
        }
        self.push_decision(&decision)?;
        self.commit("resolve conflict");
        if review_stands {
            self.keep_review()?;
        }
        Ok(decision)
    }

    /// Moves the latest review's `reviewed_heads` to the current heads, in its own change.
    fn keep_review(&mut self) -> Result<(), DocError> {
        let seen = crate::sync::heads_to_hex(&self.heads()).join(" ");
        let review = self.obj(&ROOT, "review")?;
        self.doc.put(&review, "reviewed_heads", seen)?;
        self.commit("keep review after conflict decision");
        Ok(())
    }

    fn push_decision(&mut self, d: &ConflictDecision) -> Result<(), DocError> {
        let list = self.list_or_create("decisions")?;
        let index = self.doc.length(&list);
        let entry = self.doc.insert_object(&list, index, ObjType::Map)?;
        for (key, text) in [
            ("by", &d.by),
            ("device", &d.device),
            ("at", &d.at),
            ("field", &d.field),
        ] {
            self.doc.put(&entry, key, text.as_str())?;
        }
        self.doc.put(&entry, "value", to_scalar(&d.value))?;
        let discarded = self.doc.put_object(&entry, "discarded", ObjType::List)?;
        for (i, v) in d.discarded.iter().enumerate() {
            self.doc.insert(&discarded, i, to_scalar(v))?;
        }
        Ok(())
    }

    /// Every conflict decision, oldest first.
    ///
    /// # Errors
    /// [`DocError`] if a decision lacks one of its keys.
    pub fn decisions(&self) -> Result<Vec<ConflictDecision>, DocError> {
        let mut out = Vec::new();
        for entry in self.read_thread("decisions")? {
            let scalar = |v: Option<(Value<'_>, _)>| match v {
                Some((Value::Scalar(s), _)) => from_scalar(&s),
                _ => None,
            };
            let value = scalar(self.doc.get(&entry, "value")?)
                .ok_or_else(|| invalid("decisions.value", "?", "a boolean, number or text"))?;
            let mut discarded = Vec::new();
            if let Some((Value::Object(ObjType::List), list)) = self.doc.get(&entry, "discarded")? {
                for i in 0..self.doc.length(&list) {
                    discarded.extend(scalar(self.doc.get(&list, i)?));
                }
            }
            out.push(ConflictDecision {
                by: self.str_at(&entry, "by", "decisions.by")?,
                device: self.str_at(&entry, "device", "decisions.device")?,
                at: self.str_at(&entry, "at", "decisions.at")?,
                field: self.str_at(&entry, "field", "decisions.field")?,
                value,
                discarded,
            });
        }
        out.sort_by_key(|d| d.at.parse::<jiff::Timestamp>().ok());
        Ok(out)
    }
}

/// The conflict path (as [`CheckDoc::conflicts`] names it) of a field as a supervisor
/// types it: `bread_price_syp` or `fields.bread_price_syp` -> `fields.bread_price_syp`;
/// `site.name_ar` as is.
///
/// # Errors
/// [`DocError::Invalid`] for `review.state` (or `state`): a review-state conflict is settled
/// by a new review, not by `resolve`.
pub fn conflict_path(field: &str) -> Result<String, DocError> {
    conflict_place(field).map(|(_, _, path)| path)
}

/// Where a conflict on `field` lives: (root map, key, conflict path).
fn conflict_place(field: &str) -> Result<(&'static str, &str, String), DocError> {
    match field {
        "review.state" | "state" => Err(invalid(
            "review.state",
            field,
            "a review-state conflict is settled by a new review: `fieldsync review ID --state S`",
        )),
        "site.name_ar" => Ok(("site", "name_ar", field.to_owned())),
        _ => {
            let key = field.strip_prefix("fields.").unwrap_or(field);
            Ok(("fields", key, format!("fields.{key}")))
        }
    }
}

#[cfg(test)]
#[path = "document_resolve_tests.rs"]
mod tests;
