-- 003: which documents the device receives from the server (see fieldsync_schema::wire::Receive).
ALTER TABLE meta ADD COLUMN receive TEXT NOT NULL DEFAULT 'all' CHECK (receive IN ('all', 'own'));
