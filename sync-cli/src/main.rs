//! The `fieldsync` binary: everything lives in the library ([`fieldsync_sync_cli::main`]).

fn main() -> std::process::ExitCode {
    fieldsync_sync_cli::main()
}
