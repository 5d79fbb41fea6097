//! # fieldsync-sync-cli: the device CLI (`fieldsync`)
//!
//! The inspector's and supervisor's offline tool. Each check is an Automerge document
//! ([`fieldsync_schema::CheckDoc`]) kept in a local SQLite store (module `store`); every command
//! works offline except `sync`, which runs the batched protocol of [`fieldsync_schema::sync`]
//! against the server (module `sync_rounds` over `sync_client`).
//!
//! Data flow: `record`/`edit`/`review` validate input with the built-in forms, change the
//! document as this device's actor and save it (now *pending*); `sync` sends pending
//! documents, applies the server's replies and changes, and stores the server's heads;
//! `list`/`show`/`export` read checks and conflicts back out of the documents (module `output`
//! formats them, Arabic first).
//!
//! The library exists so other packages can build the same binary ([`main`]) and drive the
//! real device code: the benchmark harness and end-to-end tests use [`store`] (a device's
//! local store), [`sync_client`] (the HTTP transport) and [`sync_rounds`] (the device side of
//! the protocol) directly.

mod cli;
mod commands;
pub mod export;
mod form_text;
mod lang;
mod output;
pub mod store;
pub mod sync_client;
#[cfg(test)]
mod sync_props;
pub mod sync_rounds;
#[cfg(test)]
mod test_support;
mod walk;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

/// Parses the command line, runs the command, and turns an error into `error: ...` on
/// stderr with exit code 1 (clap exits with 2 on usage errors).
///
/// A closed stdout pipe (`fieldsync list | head -1`) never reaches here: commands write
/// through `output::print`, which counts it as success. It is not caught here because a
/// broken pipe to the sync server is a real failure.
pub fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Not `eprintln!`: it panics when stderr is closed too.
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
