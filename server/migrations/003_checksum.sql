-- 003: a SHA-256 of each stored document's bytes, written with them and checked before the
-- bytes are served as they are (NULL for rows stored before this migration: those are
-- always loaded, which also detects damage).
ALTER TABLE documents ADD COLUMN checksum BLOB;
