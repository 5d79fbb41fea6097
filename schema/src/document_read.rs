//! Reading a check back out of its document: hydration, review state and conflicts.

use std::collections::BTreeMap;

use automerge::{ObjId, ROOT, ReadDoc, ScalarValue, Value};
use serde::{Deserialize, Serialize};

use crate::document::{CheckDoc, from_scalar};
use crate::{
    Author, Check, CheckId, FacilityKind, FieldValue, FormRef, ObservedAt, Review, ReviewEvent,
    ReviewState, Site,
};

/// Why a document could not be read or changed as a check. Every variant names the field.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// A required key is absent.
    #[error("check document has no {field:?}")]
    Missing {
        /// Key path, e.g. `site.name_ar`.
        field: String,
    },
    /// A key holds a value that breaks its rule.
    #[error("check document field {field:?} has invalid value {value:?}: {rule}")]
    Invalid {
        /// Key path.
        field: String,
        /// The value found, rendered as text.
        value: String,
        /// The rule it breaks.
        rule: String,
    },
    /// The operation is not allowed to this author.
    #[error("{0}")]
    Forbidden(String),
    /// The bytes are not framed as the chunks of a document (fieldsync writes documents,
    /// changes and deflated changes only).
    #[error("not a check document: {0}")]
    NotADocument(String),
    /// Automerge refused the bytes or an operation.
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}

/// One field written concurrently with different values: every value and who wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// Key path (`fields.bread_price_syp`, `review.state`).
    pub field: String,
    /// The concurrent values; exactly one has `winner = true` and is what `get` returns.
    pub values: Vec<ConflictValue>,
}

/// One of the concurrent values of a [`Conflict`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictValue {
    /// The value.
    pub value: FieldValue,
    /// Automerge actor id (hex) that wrote it.
    pub actor: String,
    /// The registered author of that actor, if known.
    pub author: Option<Author>,
    /// True for the value every peer shows.
    pub winner: bool,
    /// When the change that wrote it was committed, RFC 3339 UTC (the writing device's
    /// clock), found from the value's op id in the change history; `None` if unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

impl CheckDoc {
    /// Reads the whole check (winning values).
    ///
    /// # Errors
    /// [`DocError::Missing`] or [`DocError::Invalid`] naming the key that breaks the layout.
    pub fn read(&self) -> Result<Check, DocError> {
        self.check_single_root_values()?;
        let id = self.str_at(&ROOT, "id", "id")?;
        let kind = self.str_at(&ROOT, "kind", "kind")?;
        let observed = self.str_at(&ROOT, "observed_at", "observed_at")?;
        let form = self.obj(&ROOT, "form")?;
        let links = self.read_links()?;
        Ok(Check {
            id: id.parse().map_err(|e| invalid("id", &id, e))?,
            kind: kind
                .parse::<FacilityKind>()
                .map_err(|e| invalid("kind", &kind, e))?,
            form: FormRef {
                id: self.str_at(&form, "id", "form.id")?,
                version: self.form_version(&form)?,
            },
            site: self.read_site()?,
            inspector: self.str_at(&ROOT, "inspector", "inspector")?,
            observed_at: observed
                .parse::<ObservedAt>()
                .map_err(|e| invalid("observed_at", &observed, e))?,
            fields: self.read_fields()?,
            notes: self.doc.text(self.obj(&ROOT, "notes")?)?,
            resolutions: links.keys().copied().collect(),
            link_sources: links,
            manual_links: self.read_manual_links()?,
            review: self.read_review()?,
            review_history: self.read_history()?,
            authors: self.read_authors()?,
            comments: self.comments()?,
            decisions: self.decisions()?,
            deleted: self.deletion()?,
            raw: self.read_raw()?,
        })
    }

    /// The observation time alone, without reading the rest of the check (for indexes).
    ///
    /// # Errors
    /// [`DocError`] if `observed_at` is missing or not a time with offset.
    pub fn observed_at(&self) -> Result<ObservedAt, DocError> {
        let text = self.str_at(&ROOT, "observed_at", "observed_at")?;
        text.parse().map_err(|e| invalid("observed_at", &text, e))
    }

    /// The check id recorded in the document.
    ///
    /// # Errors
    /// [`DocError`] if `id` is missing or not a UUID.
    pub fn id(&self) -> Result<CheckId, DocError> {
        let id = self.str_at(&ROOT, "id", "id")?;
        id.parse().map_err(|e| invalid("id", &id, e))
    }

    /// Fields written concurrently with different values, with every value and its author.
    ///
    /// Covers form fields, the site name and the review state. Concurrent writes of one
    /// and the same value (two inspectors saw the same price) are not a conflict.
    ///
    /// # Errors
    /// [`DocError`] if the document lacks the check layout.
    pub fn conflicts(&self) -> Result<Vec<Conflict>, DocError> {
        let authors = self.read_authors()?;
        let fields = self.obj(&ROOT, "fields")?;
        let site = self.obj(&ROOT, "site")?;
        let review = self.obj(&ROOT, "review")?;
        let mut places: Vec<(ObjId, String, String)> = self
            .doc
            .keys(&fields)
            .map(|k| (fields.clone(), format!("fields.{k}"), k))
            .collect();
        places.push((site, "site.name_ar".into(), "name_ar".into()));
        places.push((review, "review.state".into(), "state".into()));
        let mut out = Vec::new();
        for (obj, path, key) in places {
            let all = self.doc.get_all(&obj, key.as_str())?;
            if all.len() < 2 {
                continue;
            }
            let winner = self.doc.get(&obj, key.as_str())?.map(|(_, id)| id);
            let values = all
                .into_iter()
                .filter_map(|(value, id)| {
                    let Value::Scalar(s) = value else { return None };
                    let actor = match &id {
                        ObjId::Id(_, actor, _) => actor.to_hex_string(),
                        ObjId::Root => String::new(),
                    };
                    Some(ConflictValue {
                        at: self.written_at(&id),
                        value: from_scalar(&s)?,
                        author: authors.get(&actor).cloned(),
                        winner: winner.as_ref() == Some(&id),
                        actor,
                    })
                })
                .collect::<Vec<_>>();
            if values.windows(2).all(|w| w[0].value == w[1].value) {
                // Two people wrote the same value: nothing to decide.
                continue;
            }
            out.push(Conflict {
                field: path,
                values,
            });
        }
        Ok(out)
    }

    /// When the change holding op `id` was committed (see [`ConflictValue::at`]).
    fn written_at(&self, id: &ObjId) -> Option<String> {
        let hash = self.doc.hash_for_opid(id)?;
        let change = self.doc.get_change_by_hash(&hash)?;
        let at = jiff::Timestamp::from_second(change.timestamp()).ok()?;
        Some(at.to_string())
    }

    /// Every root key but [`crate::document::LATE_ROOT_KEYS`] is written once, when the check is created; competing values mean
    /// another check's document was merged into this one.
    fn check_single_root_values(&self) -> Result<(), DocError> {
        for key in self.doc.keys(ROOT) {
            if crate::document::LATE_ROOT_KEYS.contains(&key.as_str()) {
                continue;
            }
            let count = self.doc.get_all(ROOT, key.as_str())?.len();
            if count > 1 {
                return Err(invalid(
                    &key,
                    &format!("{count} competing values"),
                    "set once when the check is created; another check's document was merged into this one",
                ));
            }
        }
        Ok(())
    }

    fn read_site(&self) -> Result<Site, DocError> {
        let site = self.obj(&ROOT, "site")?;
        let id = self.str_at(&site, "id", "site.id")?;
        Ok(Site {
            id: id.parse().map_err(|e| invalid("site.id", &id, e))?,
            name_ar: self.str_at(&site, "name_ar", "site.name_ar")?,
            name_en: self.opt_str(&site, "name_en")?,
            lat: self.opt_f64(&site, "lat")?,
            lon: self.opt_f64(&site, "lon")?,
        })
    }

    fn read_fields(&self) -> Result<BTreeMap<String, FieldValue>, DocError> {
        let fields = self.obj(&ROOT, "fields")?;
        let mut out = BTreeMap::new();
        for key in self.doc.keys(&fields) {
            if let Some((Value::Scalar(s), _)) = self.doc.get(&fields, key.as_str())? {
                let value = from_scalar(&s).ok_or_else(|| {
                    invalid(
                        &format!("fields.{key}"),
                        &s.to_string(),
                        "not a boolean, number or text",
                    )
                })?;
                out.insert(key, value);
            }
        }
        Ok(out)
    }

    fn read_review(&self) -> Result<Review, DocError> {
        let review = self.obj(&ROOT, "review")?;
        Ok(Review {
            state: self.review_state()?,
            by: self.opt_str(&review, "by")?,
            at: self.opt_str(&review, "at")?,
            comment: self.opt_str(&review, "comment")?,
        })
    }

    pub(crate) fn read_history(&self) -> Result<Vec<ReviewEvent>, DocError> {
        let list = self.obj(&ROOT, "review_history")?;
        let mut out = Vec::new();
        for index in 0..self.doc.length(&list) {
            let Some((Value::Object(_), event)) = self.doc.get(&list, index)? else {
                continue;
            };
            let state = |key: &str| -> Result<ReviewState, DocError> {
                let text = self.str_at(&event, key, "review_history")?;
                text.parse()
                    .map_err(|e: String| invalid("review_history", &text, e))
            };
            out.push(ReviewEvent {
                from: state("from")?,
                to: state("to")?,
                by: self.str_at(&event, "by", "review_history.by")?,
                at: self.str_at(&event, "at", "review_history.at")?,
                comment: self.opt_str(&event, "comment")?.unwrap_or_default(),
            });
        }
        // Concurrent decisions are appended at the same place on different devices; the
        // list order then follows actor ids, not time. Show them in time order.
        out.sort_by_key(|e| e.at.parse::<jiff::Timestamp>().ok());
        Ok(out)
    }

    pub(crate) fn read_authors(&self) -> Result<BTreeMap<String, Author>, DocError> {
        let obj = self.obj(&ROOT, "authors")?;
        let mut out = BTreeMap::new();
        for actor in self.doc.keys(&obj) {
            let entry = self.obj(&obj, &actor)?;
            let role = self.str_at(&entry, "role", "authors.role")?;
            out.insert(
                actor,
                Author {
                    name: self.str_at(&entry, "name", "authors.name")?,
                    device: self.str_at(&entry, "device", "authors.device")?,
                    role: role
                        .parse()
                        .map_err(|e: String| invalid("authors.role", &role, e))?,
                },
            );
        }
        Ok(out)
    }

    fn form_version(&self, form: &ObjId) -> Result<u32, DocError> {
        match self.doc.get(form, "version")? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Int(v) => {
                    u32::try_from(*v).map_err(|e| invalid("form.version", &v.to_string(), e))
                }
                ScalarValue::Uint(v) => {
                    u32::try_from(*v).map_err(|e| invalid("form.version", &v.to_string(), e))
                }
                other => Err(invalid(
                    "form.version",
                    &other.to_string(),
                    "not a whole number",
                )),
            },
            _ => Err(DocError::Missing {
                field: "form.version".into(),
            }),
        }
    }

    pub(crate) fn str_at(&self, obj: &ObjId, key: &str, path: &str) -> Result<String, DocError> {
        self.opt_str(obj, key)?.ok_or_else(|| DocError::Missing {
            field: path.to_owned(),
        })
    }

    pub(crate) fn opt_str(&self, obj: &ObjId, key: &str) -> Result<Option<String>, DocError> {
        match self.doc.get(obj, key)? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Str(text) => Ok(Some(text.to_string())),
                other => Err(invalid(key, &other.to_string(), "not text")),
            },
            Some((Value::Object(_), id)) => Ok(Some(self.doc.text(id)?)),
            None => Ok(None),
        }
    }

    fn opt_f64(&self, obj: &ObjId, key: &str) -> Result<Option<f64>, DocError> {
        match self.doc.get(obj, key)? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::F64(v) => Ok(Some(*v)),
                ScalarValue::Int(v) => Ok(Some(*v as f64)),
                other => Err(invalid(key, &other.to_string(), "not a number")),
            },
            _ => Ok(None),
        }
    }
}

pub(crate) fn invalid(field: &str, value: &str, rule: impl ToString) -> DocError {
    DocError::Invalid {
        field: field.to_owned(),
        value: value.to_owned(),
        rule: rule.to_string(),
    }
}
