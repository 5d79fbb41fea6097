-- 005: the tag the server gave with the cursor (see fieldsync_schema::wire::SyncRequest).
ALTER TABLE meta ADD COLUMN cursor_tag TEXT;
