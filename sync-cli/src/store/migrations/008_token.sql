-- 008: the device's bearer token (issue 6), from `fieldsync init --enrol` or `fieldsync enrol`;
-- NULL for a device not enrolled yet. Sent as `Authorization: Bearer <token>`.
ALTER TABLE meta ADD COLUMN token TEXT;
