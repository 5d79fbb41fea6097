-- 002: the id of the server the cursor and server heads refer to (see meta.rs).
ALTER TABLE meta ADD COLUMN server_id TEXT;
