//! The mapping between a [`Check`] and its Automerge document (hand-written, so every
//! field is a separate map key and concurrent edits of different fields merge cleanly).
//!
//! Document layout (root map), version [`LAYOUT_VERSION`]:
//!
//! | key | type | notes |
//! |---|---|---|
//! | `layout` | int | layout version |
//! | `id`, `kind`, `inspector`, `observed_at` | str | set once at creation |
//! | `form` | map `{id, version}` | form the check was made with |
//! | `site` | map `{id, name_ar, name_en?, lat?, lon?}` | |
//! | `fields` | map field name -> scalar | one key per form field |
//! | `notes` | text | an edit replaces the whole text; concurrent rewrites are both kept, side by side |
//! | `resolutions` | map `"16"` -> str | links, recomputed from rules and `manual_links` by the server (and by a device after an edit); the value says what made the link: `"rule:<rule id>"` or `"manual:<supervisor>"` (`true` in documents from before provenance) |
//! | `manual_links` | map `"7"` -> `{linked, by, at, comment?}` | supervisors' link decisions, which win over rules: `linked` true adds the link, false removes it. One map per number, replaced whole, so the latest decision on a number wins and decisions on different numbers merge |
//! | `review` | map `{state, by?, at?, comment?, reviewed_heads?}` | latest decision; `reviewed_heads` are the heads the supervisor saw (hex, space-separated) |
//! | `review_history` | list of maps `{from, to, by, at, comment, reviewed_heads}` | concurrent appends merge |
//! | `authors` | map actor hex -> `{name, device, role}` | who writes as which actor |
//! | `comments` | list of maps `{by, device, at, text}` | the thread; see `document_comments.rs` |
//! | `decisions` | list of maps `{by, device, at, field, value, discarded}` | conflict decisions; see `document_resolve.rs` |
//! | `deleted`? | map `{by, device, at, reason}` | tombstone, written on delete; see `document_delete.rs` |
//! | `raw` | map field name -> str | a value as the inspector typed it (`١٢٬٠٠٠`), kept for audit when it differs from the stored value (`12000`); see [`crate::document_raw`] |
//!
//! Every container is created with the document, so later writers only put keys and two
//! devices never race to create the same map. The exceptions are [`LATE_ROOT_KEYS`], added
//! after layout 1 was in use, so older documents create them on first use:
//! - `manual_links`: a document created before it gets the map from the server when the
//!   server next stores it, or from the first supervisor's link decision; if two devices add
//!   it concurrently, one map wins and the other's decisions are hidden (never an unreadable
//!   document).
//! - `comments` and `decisions`: readers take the items of every competing list.
//! - `deleted`: created when a check is deleted (the winner of concurrent deletes is shown).
//! - `raw`: the first edit that keeps raw text creates it; if two devices do so concurrently
//!   both maps are read, merged by key ([`crate::document_raw`]).

use std::collections::BTreeMap;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value,
};

use crate::sync::heads_to_hex;
use crate::{Author, FieldValue, FormRef, NewCheck, ReviewState, Site};

pub use crate::document_read::DocError;

/// Version of the document layout written by this build.
pub const LAYOUT_VERSION: i64 = 1;

/// Root keys that may be created after the document, so may hold competing values.
pub const LATE_ROOT_KEYS: [&str; 5] = ["manual_links", "comments", "decisions", "deleted", "raw"];

/// A check's Automerge document, with the operations fieldsync performs on it.
#[derive(Debug, Clone)]
pub struct CheckDoc {
    pub(crate) doc: AutoCommit,
}

/// An edit to a check: only the values given are written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckEdit {
    /// Field values to set (already validated against the form).
    pub fields: BTreeMap<String, FieldValue>,
    /// Replacement notes text (merged character by character).
    pub notes: Option<String>,
}

impl CheckDoc {
    /// Creates the document for a new check, written by `actor` on behalf of `author`.
    ///
    /// # Errors
    /// [`DocError::Automerge`] if Automerge refuses an operation (not expected).
    pub fn create(
        new: &NewCheck,
        form: &FormRef,
        author: &Author,
        actor: ActorId,
    ) -> Result<Self, DocError> {
        Self::create_with_raw(new, &BTreeMap::new(), form, author, actor)
    }

    /// Creates the document for a new check as [`CheckDoc::create`] does, keeping `raw`
    /// (field name -> text as typed) for the values whose typed text differs from what is
    /// stored (see [`crate::document_raw::raw_for_audit`]).
    ///
    /// # Errors
    /// [`DocError::Automerge`] if Automerge refuses an operation (not expected).
    pub fn create_with_raw(
        new: &NewCheck,
        raw: &BTreeMap<String, String>,
        form: &FormRef,
        author: &Author,
        actor: ActorId,
    ) -> Result<Self, DocError> {
        let mut doc = AutoCommit::new().with_actor(actor);
        doc.put(ROOT, "layout", LAYOUT_VERSION)?;
        doc.put(ROOT, "id", new.id.to_string())?;
        doc.put(ROOT, "kind", new.kind.as_str())?;
        doc.put(ROOT, "inspector", author.name.as_str())?;
        doc.put(ROOT, "observed_at", new.observed_at.to_string())?;
        let form_obj = doc.put_object(ROOT, "form", ObjType::Map)?;
        doc.put(&form_obj, "id", form.id.as_str())?;
        doc.put(&form_obj, "version", i64::from(form.version))?;
        write_site(&mut doc, &new.site)?;
        let fields = doc.put_object(ROOT, "fields", ObjType::Map)?;
        for (name, value) in &new.fields {
            doc.put(&fields, name.as_str(), to_scalar(value))?;
        }
        let notes = doc.put_object(ROOT, "notes", ObjType::Text)?;
        doc.update_text(&notes, &new.notes)?;
        doc.put_object(ROOT, "resolutions", ObjType::Map)?;
        doc.put_object(ROOT, "manual_links", ObjType::Map)?;
        let review = doc.put_object(ROOT, "review", ObjType::Map)?;
        doc.put(&review, "state", ReviewState::Received.as_str())?;
        doc.put_object(ROOT, "review_history", ObjType::List)?;
        doc.put_object(ROOT, "authors", ObjType::Map)?;
        doc.put_object(ROOT, "comments", ObjType::List)?;
        doc.put_object(ROOT, "decisions", ObjType::List)?;
        let raw_obj = doc.put_object(ROOT, "raw", ObjType::Map)?;
        for (name, text) in raw
            .iter()
            .filter(|(name, _)| new.fields.contains_key(*name))
        {
            doc.put(&raw_obj, name.as_str(), text.as_str())?;
        }
        let mut check = Self { doc };
        check.register_author(author)?;
        check.commit("record check");
        Ok(check)
    }

    /// Loads a document from saved bytes (`save` output, or incremental chunks appended).
    ///
    /// The chunks' framing is checked first ([`crate::sync_chunks::check_framing`]):
    /// automerge 0.12 panics on some chunk kinds fieldsync never writes; a panic while it
    /// decodes columns is contained ([`crate::automerge_guard`]).
    ///
    /// # Errors
    /// [`DocError::NotADocument`] if the framing is wrong or automerge panicked on the
    /// bytes; [`DocError::Automerge`] if the
    /// bytes are not an Automerge document.
    pub fn load(bytes: &[u8]) -> Result<Self, DocError> {
        crate::sync_chunks::check_framing(bytes).map_err(DocError::NotADocument)?;
        let doc = crate::automerge_guard::contained(|| AutoCommit::load(bytes))
            .map_err(DocError::NotADocument)??;
        Ok(Self { doc })
    }

    /// An empty document, to receive a check from a peer.
    pub fn empty() -> Self {
        Self {
            doc: AutoCommit::new(),
        }
    }

    /// Sets the actor future changes are written as.
    pub fn set_actor(&mut self, actor: ActorId) {
        self.doc.set_actor(actor);
    }

    /// The whole document, compressed (Automerge's `save`).
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// The current heads.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// The underlying Automerge document, for the sync protocol.
    pub fn automerge(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// Applies an edit as `author`. Returns true if anything changed. A change to data after a
    /// review decision shows as review state `edited` (derived when read, so an edit made
    /// offline while the supervisor reviewed counts too).
    ///
    /// # Errors
    /// [`DocError`] if the document lacks the check layout.
    pub fn edit(&mut self, author: &Author, edit: &CheckEdit) -> Result<bool, DocError> {
        self.edit_with_raw(author, edit, &BTreeMap::new())
    }

    /// Applies an edit as [`CheckDoc::edit`] does, keeping `raw` (field name -> text as
    /// typed) for changed values whose typed text differs from what is stored; a changed
    /// value without raw text drops the raw text of the value it replaces.
    ///
    /// # Errors
    /// [`DocError`] if the document lacks the check layout.
    pub fn edit_with_raw(
        &mut self,
        author: &Author,
        edit: &CheckEdit,
        raw: &BTreeMap<String, String>,
    ) -> Result<bool, DocError> {
        let fields = self.obj(&ROOT, "fields")?;
        let mut changed = false;
        for (name, value) in &edit.fields {
            let current = self.doc.get(&fields, name.as_str())?;
            let same = matches!(&current, Some((Value::Scalar(s), _)) if from_scalar(s).as_ref() == Some(value));
            if !same {
                self.doc.put(&fields, name.as_str(), to_scalar(value))?;
                self.put_raw(name, raw.get(name).map(String::as_str))?;
                changed = true;
            }
        }
        if let Some(notes) = &edit.notes {
            let obj = self.obj(&ROOT, "notes")?;
            let old = self.doc.text(&obj)?;
            if old != *notes {
                // Replaced whole, not diffed: two devices that rewrite the notes offline each
                // keep their text intact side by side after the merge, instead of a diff of
                // one interleaved into the other's characters.
                let len = isize::try_from(self.doc.length(&obj)).unwrap_or(isize::MAX);
                self.doc.splice_text(&obj, 0, len, notes)?;
                changed = true;
            }
        }
        if changed {
            self.register_author(author)?;
            self.commit("edit check");
        }
        Ok(changed)
    }

    /// Records a supervisor's review decision with a comment.
    ///
    /// # Errors
    /// [`DocError::Forbidden`] if `author` is not a supervisor or `state` is not a decision;
    /// [`DocError`] if the document lacks the check layout.
    pub fn review(
        &mut self,
        author: &Author,
        state: ReviewState,
        comment: &str,
    ) -> Result<(), DocError> {
        if !author.role.may_decide() {
            return Err(DocError::Forbidden(format!(
                "{} is an {}: only a supervisor may set review states",
                author.name,
                author.role.as_str()
            )));
        }
        if !state.is_decision() {
            return Err(DocError::Forbidden(format!(
                "review state {state} is set automatically; choose approved, has_issues or rejected"
            )));
        }
        let seen = self.heads();
        self.register_author(author)?;
        let from = self.review_state()?;
        self.push_review(from, state, &author.name, comment, &seen)?;
        self.commit("review check");
        Ok(())
    }

    fn push_review(
        &mut self,
        from: ReviewState,
        to: ReviewState,
        by: &str,
        comment: &str,
        seen: &[ChangeHash],
    ) -> Result<(), DocError> {
        let at = jiff::Timestamp::now().to_string();
        let seen = heads_to_hex(seen).join(" ");
        let review = self.obj(&ROOT, "review")?;
        let history = self.obj(&ROOT, "review_history")?;
        let index = self.doc.length(&history);
        let event = self.doc.insert_object(&history, index, ObjType::Map)?;
        for obj in [&review, &event] {
            for (key, value) in [
                ("by", by),
                ("at", &at),
                ("comment", comment),
                ("reviewed_heads", &seen),
            ] {
                self.doc.put(obj, key, value)?;
            }
        }
        self.doc.put(&review, "state", to.as_str())?;
        self.doc.put(&event, "from", from.as_str())?;
        self.doc.put(&event, "to", to.as_str())?;
        Ok(())
    }

    pub(crate) fn register_author(&mut self, author: &Author) -> Result<(), DocError> {
        let authors = self.obj(&ROOT, "authors")?;
        let actor = self.doc.get_actor().to_hex_string();
        if self.doc.get(&authors, actor.as_str())?.is_some() {
            return Ok(());
        }
        let entry = self
            .doc
            .put_object(&authors, actor.as_str(), ObjType::Map)?;
        self.doc.put(&entry, "name", author.name.as_str())?;
        self.doc.put(&entry, "device", author.device.as_str())?;
        self.doc.put(&entry, "role", author.role.as_str())?;
        Ok(())
    }

    pub(crate) fn commit(&mut self, message: &str) {
        let now = jiff::Timestamp::now().as_second();
        self.doc.commit_with(
            CommitOptions::default()
                .with_message(message)
                .with_time(now),
        );
    }

    pub(crate) fn obj(&self, parent: &ObjId, key: &str) -> Result<ObjId, DocError> {
        match self.doc.get(parent, key)? {
            Some((Value::Object(_), id)) => Ok(id),
            _ => Err(DocError::Missing {
                field: key.to_owned(),
            }),
        }
    }
}

fn write_site(doc: &mut AutoCommit, site: &Site) -> Result<(), DocError> {
    let obj = doc.put_object(ROOT, "site", ObjType::Map)?;
    doc.put(&obj, "id", site.id.as_str())?;
    doc.put(&obj, "name_ar", site.name_ar.as_str())?;
    if let Some(name_en) = &site.name_en {
        doc.put(&obj, "name_en", name_en.as_str())?;
    }
    if let Some(lat) = site.lat {
        doc.put(&obj, "lat", lat)?;
    }
    if let Some(lon) = site.lon {
        doc.put(&obj, "lon", lon)?;
    }
    Ok(())
}

/// A field value as an Automerge scalar.
pub(crate) fn to_scalar(value: &FieldValue) -> ScalarValue {
    match value {
        FieldValue::Bool(b) => ScalarValue::Boolean(*b),
        FieldValue::Int(i) => ScalarValue::Int(*i),
        FieldValue::Decimal(d) => ScalarValue::F64(*d),
        FieldValue::Text(t) => ScalarValue::Str(t.as_str().into()),
    }
}

/// An Automerge scalar as a field value, if it is one of the types forms use.
pub(crate) fn from_scalar(value: &ScalarValue) -> Option<FieldValue> {
    match value {
        ScalarValue::Boolean(b) => Some(FieldValue::Bool(*b)),
        ScalarValue::Int(i) => Some(FieldValue::Int(*i)),
        ScalarValue::Uint(u) => i64::try_from(*u).ok().map(FieldValue::Int),
        ScalarValue::F64(d) => Some(FieldValue::Decimal(*d)),
        ScalarValue::Str(s) => Some(FieldValue::Text(s.to_string())),
        _ => None,
    }
}
