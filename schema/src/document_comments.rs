//! The comment thread of a check: root key `comments`, a list of maps
//! `{by, device, at, text}` (at: RFC 3339 UTC). Anyone may comment; comments are never edited.
//!
//! ## Creating the list in older documents
//!
//! New checks get an empty `comments` list with the document (see [`crate::document`]), so
//! two devices only ever insert into the same list and their offline comments merge. A
//! document recorded before the thread existed has no list: the first comment creates it.
//! Two devices may do that offline at the same time; Automerge then keeps both lists as
//! competing values of the root key `comments`, and `get` would show only one of them.
//! Reads therefore take the items of *every* competing list ([`read_thread`] over
//! `get_all`), and writers append to the winning one, so no comment is ever hidden. The
//! same rule serves the `decisions` list (`document_resolve.rs`). Such keys are exempt from
//! the "root keys are written once" check of [`CheckDoc::read`].

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ReadDoc, Value};
use serde::{Deserialize, Serialize};

use crate::document::CheckDoc;
use crate::document_read::DocError;
use crate::{Author, Role};

/// Most characters in one comment.
pub const MAX_COMMENT_CHARS: usize = 10_000;

/// One comment of a check's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// Who wrote it (person's name).
    pub by: String,
    /// The device it was written on.
    pub device: String,
    /// When, RFC 3339 UTC (the device's clock).
    pub at: String,
    /// The comment, as typed.
    pub text: String,
}

impl CheckDoc {
    /// Appends a comment by `author` to the check's thread (any role but the server).
    ///
    /// # Errors
    /// [`DocError::Invalid`] for an empty comment or one over [`MAX_COMMENT_CHARS`]
    /// characters; [`DocError::Forbidden`] for the server's author; [`DocError`] if the
    /// document lacks the check layout.
    pub fn comment(&mut self, author: &Author, text: &str) -> Result<Comment, DocError> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > MAX_COMMENT_CHARS {
            return Err(crate::document_read::invalid(
                "comments.text",
                &text.chars().take(40).collect::<String>(),
                format!("a comment has 1 to {MAX_COMMENT_CHARS} characters"),
            ));
        }
        if author.role == Role::Server {
            return Err(DocError::Forbidden("the server does not comment".into()));
        }
        let comment = Comment {
            by: author.name.clone(),
            device: author.device.clone(),
            at: jiff::Timestamp::now().to_string(),
            text: text.to_owned(),
        };
        self.register_author(author)?;
        let list = self.list_or_create("comments")?;
        let index = self.doc.length(&list);
        let entry = self.doc.insert_object(&list, index, ObjType::Map)?;
        for (key, value) in [
            ("by", &comment.by),
            ("device", &comment.device),
            ("at", &comment.at),
            ("text", &comment.text),
        ] {
            self.doc.put(&entry, key, value.as_str())?;
        }
        self.commit("comment");
        Ok(comment)
    }

    /// The thread, oldest first (by `at`; concurrent lists merged, see the module doc).
    ///
    /// # Errors
    /// [`DocError`] if a comment lacks one of its keys.
    pub fn comments(&self) -> Result<Vec<Comment>, DocError> {
        let mut out = Vec::new();
        for entry in self.read_thread("comments")? {
            out.push(Comment {
                by: self.str_at(&entry, "by", "comments.by")?,
                device: self.str_at(&entry, "device", "comments.device")?,
                at: self.str_at(&entry, "at", "comments.at")?,
                text: self.str_at(&entry, "text", "comments.text")?,
            });
        }
        // Concurrent appends land in actor order; show them in time order.
        out.sort_by_key(|c| c.at.parse::<jiff::Timestamp>().ok());
        Ok(out)
    }

    /// The root list `key`: the winning one if it exists, else a new one (see the module doc
    /// for why creating it late is safe).
    pub(crate) fn list_or_create(&mut self, key: &str) -> Result<ObjId, DocError> {
        match self.doc.get(ROOT, key)? {
            Some((Value::Object(ObjType::List), id)) => Ok(id),
            Some(_) => Err(crate::document_read::invalid(key, "not a list", "a list")),
            None => Ok(self.doc.put_object(ROOT, key, ObjType::List)?),
        }
    }

    /// The map items of every competing list at root `key`, in list order (none when absent).
    pub(crate) fn read_thread(&self, key: &str) -> Result<Vec<ObjId>, DocError> {
        let mut out = Vec::new();
        for (value, list) in self.doc.get_all(ROOT, key)? {
            if !matches!(value, Value::Object(ObjType::List)) {
                return Err(crate::document_read::invalid(key, "not a list", "a list"));
            }
            for index in 0..self.doc.length(&list) {
                if let Some((Value::Object(ObjType::Map), entry)) = self.doc.get(&list, index)? {
                    out.push(entry);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
#[path = "document_comments_tests.rs"]
mod tests;
