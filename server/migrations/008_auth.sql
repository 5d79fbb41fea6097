-- 008: identities (issue 6). Users with a role and a team, their enrolled devices (each with
-- its Automerge actor and the SHA-256 of its bearer token), one-time enrolment codes (SHA-256
-- only), and the team each check belongs to (the team of the user whose device created it,
-- recorded at first sync). Tokens and codes are never stored in clear. See src/auth/mod.rs.

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('inspector', 'supervisor', 'admin')),
    team       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE devices (
    device_id   TEXT PRIMARY KEY NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    actor       TEXT NOT NULL UNIQUE,
    token_hash  BLOB NOT NULL UNIQUE,
    enrolled_at TEXT NOT NULL,
    revoked_at  TEXT
) STRICT;

CREATE TABLE enrolment_codes (
    code_hash  BLOB PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    device_id  TEXT
) STRICT;

CREATE TABLE check_teams (
    check_id TEXT PRIMARY KEY NOT NULL REFERENCES documents (check_id),
    team     TEXT NOT NULL
) STRICT;

CREATE INDEX check_teams_by_team ON check_teams (team, check_id);

-- Checks stored before identities existed belong to the default team.
INSERT INTO check_teams (check_id, team) SELECT check_id, 'default' FROM documents;
