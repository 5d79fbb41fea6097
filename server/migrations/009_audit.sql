-- 009: the audit log (issue 6): append-only. Enrolment codes issued, devices enrolled and
-- revoked, users added, review decisions, deletions, conflict decisions, manual links and
-- rejected changes. The triggers refuse any UPDATE or DELETE, whoever runs it.

CREATE TABLE audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    action   TEXT NOT NULL,
    user     TEXT,
    device   TEXT,
    check_id TEXT,
    detail   TEXT NOT NULL
) STRICT;

CREATE INDEX audit_by_time ON audit (at);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be changed');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be deleted');
END;
