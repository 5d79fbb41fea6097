-- 011: documents found damaged on disk (bytes that fail their checksum and do not load),
-- until the devices that hold them have rebuilt them.
-- damaged: one row per such check. `heads` are the heads of the damaged version
-- (space-separated hex): the rebuild is complete, and the row goes, once a stored version
-- holds every one of them. `deleted` is the damaged version's tombstone (documents.deleted,
-- JSON) for as long as no rebuilt version carries one: the check stays deleted in the index
-- and is not sent to devices, so a stale copy cannot bring it back. `accepted` are the heads
-- of every version the server is known to have stored (the damaged one's, and those it had
-- sent each device, from sync_states): changes in their history were judged when they
-- first arrived and are not judged again when a device sends them back.
-- damaged_holders: the devices that held the check when it was found (a sync_states row)
-- and have not sent a message about it since; a sync response to such a device names the
-- check in `wanted`, and the device sends it whole.
CREATE TABLE damaged (
    check_id TEXT PRIMARY KEY NOT NULL,
    heads    TEXT NOT NULL,
    accepted TEXT NOT NULL,
    deleted  TEXT,
    found_at TEXT NOT NULL
) STRICT;

CREATE TABLE damaged_holders (
    device   TEXT NOT NULL,
    check_id TEXT NOT NULL REFERENCES damaged (check_id) ON DELETE CASCADE,
    PRIMARY KEY (device, check_id)
) STRICT;
