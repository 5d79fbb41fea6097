-- 005: deletion tombstones. `deleted` is NULL for a live check, else the tombstone as JSON
-- `{"by","device","at","reason"}` (fieldsync_schema::Deletion), written from the document
-- with the other index columns. Deleted checks stay stored and synced (so a stale copy merges
-- into the tombstone) but are left out of the check list and resolution counts, and their
-- links are not indexed.
ALTER TABLE documents ADD COLUMN deleted TEXT;
