//! The `fieldsync` CLI, built inside the tests package so end-to-end tests can run it as a
//! process (cargo only builds binaries of the package under test).
fn main() -> std::process::ExitCode {
    fieldsync_sync_cli::main()
}
