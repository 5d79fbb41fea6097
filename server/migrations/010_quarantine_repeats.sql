-- 010: a device that keeps re-sending a refused message (its unsynced change stays pending)
-- updates the one quarantine row of that (check, device, reason) instead of adding a row
-- per sync; this index finds it.
CREATE INDEX quarantine_by_check ON quarantine (check_id, device);
