//! Deleting a check is a tombstone: root key `deleted`, a map `{by, device, at, reason}`
//! (at: RFC 3339 UTC) written like any other change.
//!
//! The document is kept everywhere. A device that syncs an old copy later merges its changes
//! into a document that already carries `deleted`; nothing ever removes the key, so the
//! merged check stays deleted, and the server tells that device so. The key is created when
//! the check is deleted, as one new map in one change: two supervisors deleting offline at
//! the same time give two competing maps, and either one (the winner) says who deleted it.
//! It is one of the root keys exempt from the "written once" rule of [`CheckDoc::read`].

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc, Value};
use serde::{Deserialize, Serialize};

use crate::Author;
use crate::document::CheckDoc;
use crate::document_read::{DocError, invalid};

/// Who deleted a check, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deletion {
    /// The supervisor's name.
    pub by: String,
    /// Their device.
    pub device: String,
    /// When, RFC 3339 UTC (the device's clock).
    pub at: String,
    /// Why, as typed.
    pub reason: String,
}

impl CheckDoc {
    /// Marks the check deleted by `author` (a supervisor) for `reason`. Returns `None` if it
    /// was deleted already (nothing is written), else the new tombstone.
    ///
    /// # Errors
    /// [`DocError::Forbidden`] if `author` is not a supervisor; [`DocError::Invalid`] for an
    /// empty reason; [`DocError`] if the document lacks the check layout.
    pub fn delete(&mut self, author: &Author, reason: &str) -> Result<Option<Deletion>, DocError> {
        if !author.role.may_decide() {
            return Err(DocError::Forbidden(format!(
                "{} is an {}: only a supervisor may delete a check",
                author.name,
                author.role.as_str()
            )));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(invalid("deleted.reason", "", "a deletion needs a reason"));
        }
        if self.deletion()?.is_some() {
            return Ok(None);
        }
        let tombstone = Deletion {
            by: author.name.clone(),
            device: author.device.clone(),
            at: jiff::Timestamp::now().to_string(),
            reason: reason.to_owned(),
        };
        self.register_author(author)?;
        let obj = self.doc.put_object(ROOT, "deleted", ObjType::Map)?;
        for (key, value) in [
            ("by", &tombstone.by),
            ("device", &tombstone.device),
            ("at", &tombstone.at),
            ("reason", &tombstone.reason),
        ] {
            self.doc.put(&obj, key, value.as_str())?;
        }
        self.commit("delete check");
        Ok(Some(tombstone))
    }

    /// The tombstone, if the check was deleted.
    ///
    /// # Errors
    /// [`DocError`] if `deleted` is not a map with `by`, `device`, `at` and `reason`.
    pub fn deletion(&self) -> Result<Option<Deletion>, DocError> {
        let obj = match self.doc.get(ROOT, "deleted")? {
            None => return Ok(None),
            Some((Value::Object(ObjType::Map), obj)) => obj,
            Some(_) => return Err(invalid("deleted", "not a map", "a map")),
        };
        Ok(Some(Deletion {
            by: self.str_at(&obj, "by", "deleted.by")?,
            device: self.str_at(&obj, "device", "deleted.device")?,
            at: self.str_at(&obj, "at", "deleted.at")?,
            reason: self.str_at(&obj, "reason", "deleted.reason")?,
        }))
    }
}
