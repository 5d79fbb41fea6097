//! The `fieldsync-server` binary, built inside the tests package so end-to-end and fault
//! tests can run the real server as a child process (and `kill -9` it): cargo only exposes
//! `CARGO_BIN_EXE_*` for binaries of the package under test.
fn main() -> anyhow::Result<()> {
    fieldsync_server::cli::main()
}
