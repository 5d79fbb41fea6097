//! `fieldsync-server`: serves (no subcommand) or runs `backup` / `restore`; see
//! [`fieldsync_server::cli`].

fn main() -> anyhow::Result<()> {
    fieldsync_server::cli::main()
}
