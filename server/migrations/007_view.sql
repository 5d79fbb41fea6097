-- 007: each stored version's check as exports and reports read it. `view` is the JSON of
-- fieldsync_schema::CheckRecord (the check as stored, links included, its conflicts and its
-- violations), written by the statement that writes `bytes`, from the same document;
-- `view_version` is its layout (VIEW_VERSION in src/store/records.rs). Rows stored before
-- this migration have NULL and are read from their bytes until their next change.
ALTER TABLE documents ADD COLUMN view TEXT;
ALTER TABLE documents ADD COLUMN view_version INTEGER;
