//! The `documents` table: check documents, their heads and their sync state.

use automerge::ChangeHash;
use fieldsync_schema::forms::is_valid;
use fieldsync_schema::validation::check_violations;
use fieldsync_schema::{Check, CheckDoc, CheckId, Conflict, Violation};
use rusqlite::{OptionalExtension, Row, params};

use super::index::observed_key;
use super::view::{VIEW_VERSION, view_of};
use super::{Db, StoreError, now_text};

/// Shortest id prefix `edit`, `show` and `review` accept.
pub const MIN_PREFIX: usize = 8;

/// Heads in the stored form: sorted hex, comma-separated (empty for no heads).
pub fn heads_text(heads: &[ChangeHash]) -> String {
    let mut hex = fieldsync_schema::sync::heads_to_hex(heads);
    hex.sort_unstable();
    hex.join(",")
}

/// A document row as stored.
#[derive(Debug)]
pub struct StoredDoc {
    /// The document.
    pub doc: CheckDoc,
    /// Its heads (stored form).
    pub heads: String,
    /// The server's heads as last seen (stored form), if ever seen.
    pub server_heads: Option<String>,
    /// The encoded sync state for the server, if any.
    pub sync_state: Option<Vec<u8>>,
}

impl StoredDoc {
    /// True when the document has something the server has not acknowledged.
    pub fn pending(&self) -> bool {
        self.server_heads.as_deref() != Some(self.heads.as_str())
    }
}

/// A check read out of its document, with what `list`, `show` and `export` display.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCheck {
    /// The check (winning values).
    pub check: Check,
    /// Concurrent writes of the same field.
    pub conflicts: Vec<Conflict>,
    /// Whether the document has changes the server has not acknowledged.
    pub pending: bool,
    /// Whether the server has held the check since this device last synced with it (its
    /// heads seen in a sync message). A check recorded here and never synced reads
    /// `received` only once the server has it (see `show`).
    pub on_server: bool,
    /// Every rule the check breaks, computed here from the form version it records, as the
    /// server computes them ([`check_violations`]), so the flag shows offline.
    pub violations: Vec<Violation>,
}

impl StoredCheck {
    /// A check as read, with its violations computed.
    pub fn new(check: Check, conflicts: Vec<Conflict>, pending: bool, on_server: bool) -> Self {
        Self {
            violations: check_violations(&check),
            check,
            conflicts,
            pending,
            on_server,
        }
    }

    /// False when a violation is an error: the server flags the check `invalid` too.
    pub fn valid(&self) -> bool {
        is_valid(&self.violations)
    }
}

/// Every stored check, split into those that read as checks and those that do not.
#[derive(Debug, Default)]
pub struct Checks {
    /// Readable checks, sorted by observation time (UTC) then id.
    pub readable: Vec<StoredCheck>,
    /// `(check id, reason)` for documents that do not read as a check.
    pub unreadable: Vec<(String, String)>,
}

pub(super) fn corrupt(check_id: &str, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what: format!("check {check_id}"),
        reason: reason.to_string(),
    }
}

fn stored_doc(check_id: &str, row: &Row<'_>) -> Result<StoredDoc, StoreError> {
    let bytes: Vec<u8> = row.get("bytes")?;
    Ok(StoredDoc {
        doc: CheckDoc::load(&bytes).map_err(|e| corrupt(check_id, e))?,
        heads: row.get("heads")?,
        server_heads: row.get("server_heads")?,
        sync_state: row.get("sync_state")?,
    })
}

fn read_check(check_id: &str, stored: &StoredDoc) -> Result<StoredCheck, StoreError> {
    Ok(StoredCheck::new(
        stored.doc.read().map_err(|e| corrupt(check_id, e))?,
        stored.doc.conflicts().map_err(|e| corrupt(check_id, e))?,
        stored.pending(),
        stored.server_heads.is_some(),
    ))
}

impl Db<'_> {
    /// The stored document, if there is one.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] if the bytes are not a document; SQLite failures.
    pub fn load(&self, id: CheckId) -> Result<Option<StoredDoc>, StoreError> {
        let key = id.to_string();
        self.conn
            .query_row(
                "SELECT bytes, heads, server_heads, sync_state FROM documents WHERE check_id = ?1",
                [&key],
                |row| Ok(stored_doc(&key, row)),
            )
            .optional()?
            .transpose()
    }

    /// The stored document, which must exist.
    ///
    /// # Errors
    /// [`StoreError::UnknownCheck`] if absent; as [`Db::load`].
    pub fn load_existing(&self, id: CheckId) -> Result<StoredDoc, StoreError> {
        self.load(id)?.ok_or_else(|| StoreError::UnknownCheck {
            prefix: id.to_string(),
        })
    }

    /// The check with this id, read from its document.
    ///
    /// # Errors
    /// [`StoreError::UnknownCheck`] if absent, [`StoreError::Corrupt`] if unreadable.
    pub fn check(&self, id: CheckId) -> Result<StoredCheck, StoreError> {
        read_check(&id.to_string(), &self.load_existing(id)?)
    }

    /// True when the store holds a document for `id` (nothing is loaded).
    ///
    /// # Errors
    /// SQLite failures.
    pub fn holds(&self, id: CheckId) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM documents WHERE check_id = ?1")?
            .exists([id.to_string()])?)
    }

    /// Stores a newly recorded document (never synced).
    ///
    /// # Errors
    /// SQLite failures, including an id already stored.
    pub fn insert_new(&self, id: CheckId, doc: &mut CheckDoc) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO documents
                 (check_id, bytes, heads, updated_at, observed_at_utc, view, view_version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            local_row(id, doc),
        )?;
        Ok(())
    }

    /// Stores a locally edited document, keeping its sync columns.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn save_local(&self, id: CheckId, doc: &mut CheckDoc) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE documents SET bytes = ?2, heads = ?3, updated_at = ?4, observed_at_utc = ?5,
                 view = ?6, view_version = ?7
             WHERE check_id = ?1",
            local_row(id, doc),
        )?;
        Ok(())
    }

    /// Stores a document after receiving a sync message, with the server's heads and state.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn save_synced(
        &self,
        id: CheckId,
        doc: &mut CheckDoc,
        server_heads: &str,
        sync_state: &[u8],
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO documents
                 (check_id, bytes, heads, server_heads, sync_state, updated_at, observed_at_utc,
                  view, view_version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (check_id) DO UPDATE SET bytes = excluded.bytes,
                 heads = excluded.heads, server_heads = excluded.server_heads,
                 sync_state = excluded.sync_state, updated_at = excluded.updated_at,
                 observed_at_utc = excluded.observed_at_utc, view = excluded.view,
                 view_version = excluded.view_version",
            params![
                id.to_string(),
                doc.save(),
                heads_text(&doc.heads()),
                server_heads,
                sync_state,
                now_text(),
                observed_key(doc),
                view_of(doc),
                VIEW_VERSION
            ],
        )?;
        Ok(())
    }

    /// Records that the server acknowledged `id` at `server_heads` (the heads this device
    /// sent) without replying, with the matching sync state. The bytes are unchanged.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn acknowledge(
        &self,
        id: CheckId,
        server_heads: &str,
        sync_state: &[u8],
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE documents SET server_heads = ?2, sync_state = ?3 WHERE check_id = ?1",
            params![id.to_string(), server_heads, sync_state],
        )?;
        Ok(())
    }

    /// Forgets what this device believed the server has of `id` (its heads and the sync
    /// state): the check is pending again and its next message carries it whole. For a
    /// check the server asks for (`wanted`: its copy was damaged). Returns false when the
    /// store does not hold `id`.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn forget_server_copy(&self, id: CheckId) -> Result<bool, StoreError> {
        let updated = self.conn.execute(
            "UPDATE documents SET server_heads = NULL, sync_state = NULL WHERE check_id = ?1",
            [id.to_string()],
        )?;
        Ok(updated > 0)
    }

    /// Ids of documents with something to send, in id order.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a stored id that is not a UUID; SQLite failures.
    pub fn pending_ids(&self) -> Result<Vec<CheckId>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT check_id FROM documents
             WHERE server_heads IS NULL OR server_heads <> heads ORDER BY check_id",
        )?;
        let ids = stmt.query_map([], |row| row.get::<_, String>(0))?;
        ids.map(|id| {
            let id = id?;
            id.parse().map_err(|e| corrupt(&id, e))
        })
        .collect()
    }

    /// Resolves a full id or a unique prefix of at least [`MIN_PREFIX`] characters.
    ///
    /// # Errors
    /// [`StoreError::PrefixTooShort`], [`StoreError::UnknownCheck`] or
    /// [`StoreError::Ambiguous`] naming what was typed.
    pub fn resolve(&self, typed: &str) -> Result<CheckId, StoreError> {
        let prefix = typed.trim().to_lowercase();
        if prefix.chars().count() < MIN_PREFIX {
            return Err(StoreError::PrefixTooShort {
                prefix: typed.to_owned(),
                min: MIN_PREFIX,
            });
        }
        let mut stmt = self.conn.prepare(
            "SELECT check_id FROM documents
             WHERE substr(check_id, 1, length(?1)) = ?1 ORDER BY check_id LIMIT 4",
        )?;
        let found = stmt
            .query_map([&prefix], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        match found.as_slice() {
            [] => Err(StoreError::UnknownCheck {
                prefix: typed.to_owned(),
            }),
            [one] => one.parse().map_err(|e| corrupt(one, e)),
            many => Err(StoreError::Ambiguous {
                prefix: typed.to_owned(),
                matches: many.join(", "),
            }),
        }
    }
}

/// The columns a local write stores: id, bytes, heads, update time, observation index key,
/// view and its version.
type LocalRow = (
    String,
    Vec<u8>,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
);

fn local_row(id: CheckId, doc: &mut CheckDoc) -> LocalRow {
    (
        id.to_string(),
        doc.save(),
        heads_text(&doc.heads()),
        now_text(),
        observed_key(doc),
        view_of(doc),
        VIEW_VERSION,
    )
}
