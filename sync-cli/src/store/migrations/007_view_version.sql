-- 007: the view layout (view.rs VIEW_VERSION) the rows were last brought up to. When a
-- build with another layout opens the store, it rewrites the views written with an older
-- one, once (view::refresh), so `list` and `export` do not fall back to decoding documents.
ALTER TABLE meta ADD COLUMN view_version INTEGER;
