//! Route tests of fieldsync-server: the real router over a temporary SQLite store, driven
//! with `tower::ServiceExt::oneshot` (no sockets). One test binary, a module per suite.

mod counting;
mod hostile;
mod limits;
mod panics;
mod read;
mod reports;
mod support;
mod sync;
mod sync_errors;
