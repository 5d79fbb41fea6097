//! Route tests of fieldsync-server: the real router over a temporary SQLite store, driven
//! with `tower::ServiceExt::oneshot` (no sockets). One test binary, a module per suite.

mod limits;
mod read;
mod reports;
mod support;
mod sync;
mod sync_errors;
