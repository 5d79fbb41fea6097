//! Fault injection with real processes: the server and the CLI are killed with `kill -9` at
//! random points, connections are cut mid-request and mid-response and requests duplicated
//! and replayed out of order, the server's disk fills up or its data directory is read-only; after each fault the stores open,
//! nothing acknowledged or confirmed is lost, the next sync completes and nothing is stored
//! twice. Each fault prints one summary line (iterations, changes written, changes found,
//! lost = 0) on stderr.
//!
//! `cargo test --workspace` (and `.ci/run`) runs a short version (a few iterations each);
//! the long version is `FIELDSYNC_FAULT_ITERATIONS=50 cargo test -p fieldsync-tests --test
//! faults -- --test-threads 1` (README). A failing run prints its seed; repeat it with
//! `FIELDSYNC_FAULT_SEED=<seed>`.

#[allow(dead_code)]
#[path = "../e2e/harness.rs"]
mod harness;
#[path = "../e2e/process.rs"]
mod process;

mod cli_kill;
mod connection;
mod disk;
mod proxy;
mod read_only;
mod server_kill;
mod support;
