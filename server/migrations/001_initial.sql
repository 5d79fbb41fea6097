-- 001: the initial layout. Invariants are documented at the top of src/store/sqlite.rs.
-- Never edit this file once released: add 002_*.sql instead.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE documents (
    check_id        TEXT PRIMARY KEY NOT NULL,
    bytes           BLOB NOT NULL,
    heads           TEXT NOT NULL,
    seq             INTEGER NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    site_id         TEXT NOT NULL,
    site_name_ar    TEXT NOT NULL,
    inspector       TEXT NOT NULL,
    observed_at     TEXT NOT NULL,
    observed_at_utc TEXT NOT NULL,
    review_state    TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

CREATE INDEX documents_by_observed ON documents (observed_at_utc, check_id);
CREATE INDEX documents_by_kind ON documents (kind);
CREATE INDEX documents_by_site ON documents (site_id);

CREATE TABLE links (
    check_id   TEXT NOT NULL REFERENCES documents (check_id) ON DELETE CASCADE,
    resolution INTEGER NOT NULL,
    PRIMARY KEY (check_id, resolution)
) STRICT;

CREATE INDEX links_by_resolution ON links (resolution, check_id);

CREATE TABLE sync_states (
    device   TEXT NOT NULL,
    check_id TEXT NOT NULL,
    state    BLOB NOT NULL,
    PRIMARY KEY (device, check_id)
) STRICT;

CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    check_id    TEXT NOT NULL,
    device      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    message     BLOB NOT NULL,
    received_at TEXT NOT NULL
) STRICT;
