-- 005: validation and link provenance.
-- documents.valid: 0 when the stored version breaks its form version's rules or a manual
-- link names a resolution that does not exist; violations: those reasons as a JSON array
-- of fieldsync_schema::Violation. The check is stored either way. Rows stored before this
-- migration were never validated: they count as valid until their next change.
-- links.source: what made the link, `rule:<id>` or `manual:<supervisor>` (`rule` for rows
-- stored before this migration).
ALTER TABLE documents ADD COLUMN valid INTEGER NOT NULL DEFAULT 1;
ALTER TABLE documents ADD COLUMN violations TEXT NOT NULL DEFAULT '[]';
ALTER TABLE links ADD COLUMN source TEXT NOT NULL DEFAULT 'rule';
CREATE INDEX documents_invalid ON documents (check_id) WHERE valid = 0;
