//! HTTP-level tests of fieldsync-server: shutdown with slow clients, timeouts and the JSON
//! shape of every error, mostly against a real server on `127.0.0.1:0` driven by a raw TCP
//! client (the route tests in `api/` use `oneshot` and cannot stall a connection).

mod errors;
mod limits;
mod shutdown;
mod support;
