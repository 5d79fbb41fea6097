-- 005: the server's horizon as this device last saw it: the highest change sequence the
-- server had assigned at the end of a round, and its tag (see fieldsync_schema::wire::Horizon).
ALTER TABLE meta ADD COLUMN horizon_seq INTEGER;
ALTER TABLE meta ADD COLUMN horizon_tag TEXT;
