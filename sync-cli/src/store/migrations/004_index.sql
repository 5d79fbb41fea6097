-- 004: index columns read out of each document, so checks can be ordered without loading
-- them (see index.rs). `observed_at_utc` is the observation instant in fixed-width RFC 3339
-- UTC (sorts as text), NULL when the document does not read as a check. Rows stored before
-- this migration are filled by its hook (`index::backfill`), in the same transaction.
ALTER TABLE documents ADD COLUMN observed_at_utc TEXT;
CREATE INDEX documents_by_observed ON documents (observed_at_utc, check_id);
