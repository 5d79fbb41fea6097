-- 004: a random tag for every stored version (every seq ever assigned). A device sends back
-- the tag of its cursor; if this server has no such seq, or the seq carries another tag,
-- the server was restored from a backup (and may have reused seqs since): the device must
-- start over. Rows stored before this migration get a tag now.
CREATE TABLE change_log (
    seq INTEGER PRIMARY KEY,
    tag BLOB NOT NULL
) STRICT;

INSERT INTO change_log (seq, tag) SELECT seq, randomblob(8) FROM documents;
