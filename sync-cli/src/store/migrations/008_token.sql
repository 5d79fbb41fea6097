-- 008: identities (issue 6). The device's bearer token, from `fieldsync init --enrol` or
-- `fieldsync enrol` (NULL until enrolled), sent as `Authorization: Bearer <token>`; and the
-- admin role. SQLite cannot change a CHECK constraint in place, so `meta` (one row, no
-- foreign keys point at it) is rebuilt with the same columns.
CREATE TABLE meta_008 (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    device_id    TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('inspector', 'supervisor', 'admin')),
    server_url   TEXT,
    cursor       INTEGER NOT NULL DEFAULT 0 CHECK (cursor >= 0),
    server_id    TEXT,
    receive      TEXT NOT NULL DEFAULT 'all' CHECK (receive IN ('all', 'own')),
    horizon_seq  INTEGER,
    horizon_tag  TEXT,
    view_version INTEGER,
    token        TEXT
) STRICT;
INSERT INTO meta_008 (id, device_id, actor_id, user_name, role, server_url, cursor, server_id,
                      receive, horizon_seq, horizon_tag, view_version)
SELECT id, device_id, actor_id, user_name, role, server_url, cursor, server_id, receive,
       horizon_seq, horizon_tag, view_version FROM meta;
DROP TABLE meta;
ALTER TABLE meta_008 RENAME TO meta;
