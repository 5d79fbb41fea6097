-- 006: each document's check as `list`, `show` and `export` display it (the check with its
-- conflicts, JSON), so walking every check does not load every Automerge document (see
-- view.rs). `view_version` is the layout the JSON was written with; a row whose version is
-- not the binary's, or whose view is NULL (the document does not read as a check), is
-- decoded from `bytes` instead. Rows stored before this migration are filled by its hook.
ALTER TABLE documents ADD COLUMN view TEXT;
ALTER TABLE documents ADD COLUMN view_version INTEGER;
