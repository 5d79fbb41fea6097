-- 001: the device's identity and sync position (one row), and its check documents.
CREATE TABLE meta (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    device_id   TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('inspector', 'supervisor')),
    server_url  TEXT,
    cursor      INTEGER NOT NULL DEFAULT 0 CHECK (cursor >= 0)
) STRICT;

CREATE TABLE documents (
    check_id      TEXT PRIMARY KEY NOT NULL,
    bytes         BLOB NOT NULL,
    heads         TEXT NOT NULL,
    server_heads  TEXT,
    sync_state    BLOB,
    updated_at    TEXT NOT NULL
) STRICT;
