//! The read side of [`super::SqliteStore`]: queries used by the GET routes and by sync rounds.

use std::collections::BTreeMap;

use fieldsync_schema::wire::CheckSummary;
use fieldsync_schema::{CheckId, Deletion, ReviewState};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{CheckFilter, LinkCounts, Quarantined, StoreError, StoredDoc};

/// Parses a stored check id.
pub(crate) fn parse_id(id: &str) -> Result<CheckId, StoreError> {
    id.parse().map_err(|e| StoreError::Corrupt {
        what: format!("check {id:?}"),
        detail: format!("{e}"),
    })
}

/// Converts a stored integer that must not be negative.
pub(crate) fn to_u64(value: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt {
        what: what.to_owned(),
        detail: format!("negative value {value}"),
    })
}

fn corrupt(id: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what: format!("check {id}"),
        detail: detail.to_string(),
    }
}

/// The stored document of `check`.
pub(crate) fn load(conn: &Connection, check: CheckId) -> Result<Option<StoredDoc>, StoreError> {
    let id = check.to_string();
    let row = conn
        .prepare_cached(
            "SELECT bytes, seq, heads, checksum, deleted FROM documents WHERE check_id = ?1",
        )?
        .query_row([&id], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<Vec<u8>>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .optional()?;
    row.map(|(bytes, seq, heads, stored_checksum, deleted)| {
        Ok(StoredDoc {
            verified: stored_checksum.is_some_and(|c| c == checksum(&bytes)),
            // Lenient: a damaged index column must not stop every round that loads the check.
            deleted: deleted.and_then(|d| {
                parse_deletion(&id, &d)
                    .inspect_err(
                        |e| tracing::warn!(check = %id, error = %e, "tombstone unreadable"),
                    )
                    .ok()
            }),
            bytes,
            seq: to_u64(seq, &id)?,
            heads: parse_heads(&heads).map_err(|detail| StoreError::Corrupt {
                what: format!("documents.heads of check {id}"),
                detail,
            })?,
        })
    })
    .transpose()
}

/// Parses a stored tombstone (`documents.deleted`, `damaged.deleted`).
pub(crate) fn parse_deletion(id: &str, text: &str) -> Result<Deletion, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        what: format!("tombstone of check {id}"),
        detail: e.to_string(),
    })
}

/// The SHA-256 of a stored document's bytes (column `documents.checksum`).
pub(crate) fn checksum(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).to_vec()
}

/// Parses space-separated hex change hashes.
pub(crate) fn parse_heads(text: &str) -> Result<Vec<automerge::ChangeHash>, String> {
    text.split_whitespace()
        .map(|h| h.parse().map_err(|e| format!("{h:?}: {e}")))
        .collect()
}

const LIST_CHECKS: &str = "
    SELECT d.check_id, d.kind, d.site_id, d.site_name_ar, d.inspector, d.observed_at,
           d.review_state, d.seq,
           (SELECT group_concat(l.resolution) FROM links l WHERE l.check_id = d.check_id),
           d.valid
    FROM documents d
    WHERE d.deleted IS NULL
      AND (?1 IS NULL OR EXISTS (SELECT 1 FROM links l
                                 WHERE l.check_id = d.check_id AND l.resolution = ?1))
      AND (?2 IS NULL OR d.kind = ?2)
      AND (?3 IS NULL OR d.site_id = ?3)
      AND (?4 IS NULL OR d.valid = ?4)
      AND (?5 IS NULL OR EXISTS (SELECT 1 FROM check_teams t
                                 WHERE t.check_id = d.check_id AND t.team = ?5))
    ORDER BY d.observed_at_utc, d.check_id";

/// The raw columns of one [`LIST_CHECKS`] row, parsed outside rusqlite's closure so errors
/// can name the check.
struct SummaryRow {
    id: String,
    kind: String,
    site_id: String,
    site_name_ar: String,
    inspector: String,
    observed_at: String,
    review_state: String,
    seq: i64,
    links: Option<String>,
    valid: bool,
}

impl SummaryRow {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            kind: r.get(1)?,
            site_id: r.get(2)?,
            site_name_ar: r.get(3)?,
            inspector: r.get(4)?,
            observed_at: r.get(5)?,
            review_state: r.get(6)?,
            seq: r.get(7)?,
            links: r.get(8)?,
            valid: r.get(9)?,
        })
    }

    fn into_summary(self) -> Result<CheckSummary, StoreError> {
        let mut resolutions = self
            .links
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<u16>().map_err(|e| corrupt(&self.id, e)))
            .collect::<Result<Vec<_>, _>>()?;
        resolutions.sort_unstable();
        Ok(CheckSummary {
            id: parse_id(&self.id)?,
            kind: self.kind.parse().map_err(|e| corrupt(&self.id, e))?,
            review_state: self
                .review_state
                .parse::<ReviewState>()
                .map_err(|e| corrupt(&self.id, e))?,
            seq: to_u64(self.seq, &self.id)?,
            site_id: self.site_id,
            site_name_ar: self.site_name_ar,
            inspector: self.inspector,
            observed_at: self.observed_at,
            resolutions,
            valid: self.valid,
        })
    }
}

/// The index entries matching `filter`.
pub(crate) fn list_checks(
    conn: &Connection,
    filter: &CheckFilter,
) -> Result<Vec<CheckSummary>, StoreError> {
    let mut stmt = conn.prepare_cached(LIST_CHECKS)?;
    let rows = stmt.query_map(
        params![
            filter.resolution,
            filter.kind.map(|k| k.as_str()),
            filter.site.as_ref().map(|s| s.as_str()),
            filter.valid,
            filter.team,
        ],
        SummaryRow::from_row,
    )?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row?.into_summary()?);
    }
    Ok(out)
}

/// Checks and distinct sites per linked resolution.
pub(crate) fn resolution_counts(
    conn: &Connection,
) -> Result<BTreeMap<u16, LinkCounts>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.resolution, COUNT(*), COUNT(DISTINCT d.site_id)
         FROM links l JOIN documents d ON d.check_id = l.check_id
         WHERE d.deleted IS NULL
         GROUP BY l.resolution",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (number, checks, sites) = row?;
        let number = u16::try_from(number).map_err(|_| StoreError::Corrupt {
            what: "links.resolution".into(),
            detail: format!("{number} is not a resolution number"),
        })?;
        let counts = LinkCounts {
            checks: to_u64(checks, "link count")?,
            sites: to_u64(sites, "site count")?,
        };
        out.insert(number, counts);
    }
    Ok(out)
}

/// Every quarantined message, oldest first.
pub(crate) fn quarantined(conn: &Connection) -> Result<Vec<Quarantined>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT check_id, device, reason, message, received_at FROM quarantine ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Vec<u8>>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (check, device, reason, message, received_at) = row?;
        out.push(Quarantined {
            check: parse_id(&check)?,
            device,
            reason,
            message,
            received_at,
        });
    }
    Ok(out)
}

/// The team of a stored check.
pub(crate) fn check_team(conn: &Connection, check: CheckId) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT team FROM check_teams WHERE check_id = ?1")?
        .query_row([check.to_string()], |r| r.get(0))
        .optional()?)
}
