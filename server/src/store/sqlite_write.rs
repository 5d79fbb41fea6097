//! The write side of [`super::SqliteStore`]: one sync round inside its transaction.

use std::sync::atomic::AtomicI64;

use fieldsync_schema::sync::heads_to_hex;
use fieldsync_schema::{CheckId, Deletion};
use rusqlite::{Connection, OptionalExtension, params};

use super::sqlite_read::{checksum, parse_heads, parse_id, to_u64};
use crate::auth::audit::NewAudit;

use super::{
    Changed, Damage, DocRecord, PeerState, Quarantined, Sent, StoreError, StoredDoc, SyncBatch,
    damaged,
};

/// A sync round's view of the writer's open transaction.
pub(crate) struct Batch<'t> {
    tx: &'t Connection,
    /// Where the rolling checksum pass stands ([`SyncBatch::scrub`]), kept by the store.
    scrubbed: &'t AtomicI64,
}

impl<'t> Batch<'t> {
    /// Verbs over `tx`, a connection inside an open transaction (the group's savepoint);
    /// `scrubbed` is the store's position in its rolling checksum pass.
    pub(crate) fn new(tx: &'t Connection, scrubbed: &'t AtomicI64) -> Self {
        Self { tx, scrubbed }
    }
}

/// The current time, RFC 3339 UTC.
pub(crate) fn now() -> String {
    jiff::Timestamp::now().to_string()
}

const UPSERT_DOCUMENT: &str = "
    INSERT INTO documents (check_id, bytes, heads, seq, kind, site_id, site_name_ar, inspector,
                           observed_at, observed_at_utc, review_state, updated_at, checksum,
                           valid, violations, deleted, view, view_version)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
    ON CONFLICT (check_id) DO UPDATE SET
        bytes = excluded.bytes, heads = excluded.heads, seq = excluded.seq,
        checksum = excluded.checksum,
        kind = excluded.kind, site_id = excluded.site_id, site_name_ar = excluded.site_name_ar,
        inspector = excluded.inspector, observed_at = excluded.observed_at,
        observed_at_utc = excluded.observed_at_utc, review_state = excluded.review_state,
        updated_at = excluded.updated_at, valid = excluded.valid,
        violations = excluded.violations, deleted = excluded.deleted,
        view = excluded.view, view_version = excluded.view_version";

/// The violations as the JSON array stored in `documents.violations`.
fn violations_json(doc: &DocRecord<'_>) -> Result<String, StoreError> {
    serde_json::to_string(doc.violations).map_err(|e| StoreError::Corrupt {
        what: format!("violations of check {}", doc.check),
        detail: e.to_string(),
    })
}

impl SyncBatch for Batch<'_> {
    fn load(&mut self, check: CheckId) -> Result<Option<StoredDoc>, StoreError> {
        super::sqlite_read::load(self.tx, check)
    }

    fn store_check(&mut self, doc: &DocRecord<'_>) -> Result<u64, StoreError> {
        let seq = self.latest_seq()? + 1;
        let id = doc.check.to_string();
        let seq_sql = i64::try_from(seq).map_err(|_| StoreError::Corrupt {
            what: "documents.seq".into(),
            detail: format!("sequence {seq} overflows"),
        })?;
        self.tx.execute(
            UPSERT_DOCUMENT,
            params![
                id,
                doc.bytes,
                heads_to_hex(doc.heads).join(" "),
                seq_sql,
                doc.kind.as_str(),
                doc.site_id,
                doc.site_name_ar,
                doc.inspector,
                doc.observed_at,
                doc.observed_at_utc,
                doc.review_state,
                now(),
                checksum(doc.bytes),
                doc.valid,
                violations_json(doc)?,
                doc.deleted.and_then(|d| serde_json::to_string(d).ok()),
                doc.view,
                doc.view.map(|_| super::records::VIEW_VERSION),
            ],
        )?;
        self.tx
            .prepare_cached("INSERT INTO change_log (seq, tag) VALUES (?1, randomblob(8))")?
            .execute([seq_sql])?;
        self.tx
            .execute("DELETE FROM links WHERE check_id = ?1", [&id])?;
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO links (check_id, resolution, source) VALUES (?1, ?2, ?3)",
        )?;
        for (resolution, source) in doc.links {
            insert.execute(params![id, resolution, source.to_string()])?;
        }
        Ok(seq)
    }

    fn sync_state(
        &mut self,
        device: &str,
        check: CheckId,
    ) -> Result<Option<PeerState>, StoreError> {
        let row: Option<(Vec<u8>, Option<i64>, Option<String>)> = self
            .tx
            .prepare_cached(
                "SELECT state, sent_seq, sent_heads FROM sync_states
                 WHERE device = ?1 AND check_id = ?2",
            )?
            .query_row(params![device, check.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let Some((state, sent_seq, sent_heads)) = row else {
            return Ok(None);
        };
        let sent = match (sent_seq, sent_heads) {
            (Some(seq), Some(heads)) => Some(Sent {
                seq: to_u64(seq, "sync_states.sent_seq")?,
                heads: parse_heads(&heads).map_err(|detail| StoreError::Corrupt {
                    what: format!("sync_states.sent_heads of check {check}"),
                    detail,
                })?,
            }),
            _ => None,
        };
        Ok(Some(PeerState { state, sent }))
    }

    fn put_sync_state(
        &mut self,
        device: &str,
        check: CheckId,
        peer: &PeerState,
    ) -> Result<(), StoreError> {
        let sent_seq = peer
            .sent
            .as_ref()
            .map(|s| i64::try_from(s.seq).unwrap_or(i64::MAX));
        let sent_heads = peer.sent.as_ref().map(|s| heads_to_hex(&s.heads).join(" "));
        self.tx
            .prepare_cached(
                "INSERT INTO sync_states (device, check_id, state, sent_seq, sent_heads)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (device, check_id) DO UPDATE SET state = excluded.state,
                   sent_seq = excluded.sent_seq, sent_heads = excluded.sent_heads",
            )?
            .execute(params![
                device,
                check.to_string(),
                peer.state,
                sent_seq,
                sent_heads
            ])?;
        Ok(())
    }

    fn forget_sync_states(&mut self, check: CheckId) -> Result<(), StoreError> {
        damaged::forget_states(self.tx, check)
    }

    fn quarantine(&mut self, entry: &Quarantined) -> Result<bool, StoreError> {
        let received_at = if entry.received_at.is_empty() {
            now()
        } else {
            entry.received_at.clone()
        };
        let updated = self
            .tx
            .prepare_cached(
                "UPDATE quarantine SET message = ?4, received_at = ?5
                 WHERE check_id = ?1 AND device = ?2 AND reason = ?3",
            )?
            .execute(params![
                entry.check.to_string(),
                entry.device,
                entry.reason,
                entry.message,
                received_at
            ])?;
        if updated > 0 {
            return Ok(false);
        }
        self.tx.execute(
            "INSERT INTO quarantine (check_id, device, reason, message, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                entry.check.to_string(),
                entry.device,
                entry.reason,
                entry.message,
                received_at
            ],
        )?;
        Ok(true)
    }

    fn changed_since(
        &mut self,
        cursor: u64,
        limit: usize,
        held_by: Option<&str>,
        team: Option<&str>,
    ) -> Result<Vec<Changed>, StoreError> {
        let cursor = i64::try_from(cursor).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.tx.prepare_cached(
            "SELECT d.check_id, d.seq FROM documents d
             WHERE d.seq > ?1 AND (?3 IS NULL OR EXISTS (
                 SELECT 1 FROM sync_states s WHERE s.device = ?3 AND s.check_id = d.check_id))
               AND (?4 IS NULL OR EXISTS (
                 SELECT 1 FROM check_teams t WHERE t.check_id = d.check_id AND t.team = ?4))
             ORDER BY d.seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![cursor, limit, held_by, team], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, seq) = row?;
            out.push(Changed {
                check: parse_id(&id)?,
                seq: to_u64(seq, &id)?,
            });
        }
        Ok(out)
    }

    fn cursor_tag(&mut self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        Ok(self
            .tx
            .prepare_cached("SELECT tag FROM change_log WHERE seq = ?1")?
            .query_row([seq], |r| r.get(0))
            .optional()?)
    }

    fn latest_seq(&mut self) -> Result<u64, StoreError> {
        let max: i64 =
            self.tx
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM documents", [], |r| {
                    r.get(0)
                })?;
        to_u64(max, "max(seq)")
    }

    fn check_team(&mut self, check: CheckId) -> Result<Option<String>, StoreError> {
        super::sqlite_read::check_team(self.tx, check)
    }

    fn set_check_team(&mut self, check: CheckId, team: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO check_teams (check_id, team) VALUES (?1, ?2)
                 ON CONFLICT (check_id) DO NOTHING",
            )?
            .execute(params![check.to_string(), team])?;
        Ok(())
    }

    fn audit(&mut self, entry: &NewAudit<'_>) -> Result<(), StoreError> {
        crate::auth::audit::append(self.tx, entry)
    }

    fn deletion(&mut self, check: CheckId) -> Result<Option<Deletion>, StoreError> {
        let id = check.to_string();
        let text: Option<String> = self
            .tx
            .prepare_cached("SELECT deleted FROM documents WHERE check_id = ?1")?
            .query_row([&id], |r| r.get(0))
            .optional()?
            .flatten();
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| StoreError::Corrupt {
                what: format!("documents.deleted of check {id}"),
                detail: e.to_string(),
            })
        })
        .transpose()
    }

    fn damage(&mut self, check: CheckId) -> Result<Option<Damage>, StoreError> {
        damaged::damage(self.tx, check)
    }

    fn mark_damaged(&mut self, damage: &Damage) -> Result<bool, StoreError> {
        damaged::mark(self.tx, damage)
    }

    fn damage_tombstone_restored(&mut self, check: CheckId) -> Result<(), StoreError> {
        damaged::tombstone_restored(self.tx, check)
    }

    fn repaired(&mut self, check: CheckId) -> Result<(), StoreError> {
        damaged::repaired(self.tx, check)
    }

    fn wanted(&mut self, device: &str, limit: usize) -> Result<Vec<CheckId>, StoreError> {
        damaged::wanted(self.tx, device, limit)
    }

    fn heard_from(&mut self, device: &str, check: CheckId) -> Result<(), StoreError> {
        damaged::heard_from(self.tx, device, check)
    }

    fn scrub(&mut self, rows: usize, bytes: usize) -> Result<Vec<CheckId>, StoreError> {
        damaged::scrub(self.tx, self.scrubbed, rows, bytes)
    }

    fn seal(&mut self, check: CheckId) -> Result<(), StoreError> {
        damaged::seal(self.tx, check)
    }
}
