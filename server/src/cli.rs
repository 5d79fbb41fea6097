//! The `fieldsync-server` command line: without a subcommand it serves (flags in
//! [`Config`]); `backup` and `restore` are the administration subcommands ([`admin`]).
//!
//! [`main`] is the whole program, so the tests package can build the same binary under
//! another name and run it as a real process (kill -9 included).

use std::io::{IsTerminal as _, Write as _};

use anyhow::Context as _;
use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::{Config, admin, open_state, serve_state};

/// `fieldsync-server [FLAGS]` serves; `fieldsync-server backup|restore ...` administers.
#[derive(Debug, Parser)]
#[command(
    name = "fieldsync-server",
    version,
    about = "The fieldsync sync server."
)]
pub struct Cli {
    /// How to serve (when no subcommand is given).
    #[command(flatten)]
    pub config: Config,
    /// An administration task instead of serving.
    #[command(subcommand)]
    pub command: Option<admin::Command>,
}

/// Parses the command line and runs it.
///
/// # Errors
/// The subcommand failed, or the server could not start or failed while serving.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(command) => command.run(&cli.config.data),
        None => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the tokio runtime")?;
            runtime.block_on(serve_main(cli.config))
        }
    }
}

/// Binds, prints one line with the bound address, and serves until SIGINT or SIGTERM (then
/// gives requests in flight `--shutdown-grace-secs`).
async fn serve_main(config: Config) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(&config.log)
        .with_context(|| format!("invalid --log filter {:?}", config.log))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let listen = config.listen.clone();
    let state = open_state(config).await?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr().context("bound address")?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "fieldsync-server listening on http://{addr}").context("stdout")?;
    stdout.flush().context("stdout")?;
    drop(stdout);
    serve_state(listener, state, shutdown_signal()).await
}

/// Resolves on the first SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    // `serve_state` logs the shutdown and its grace period.
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_subcommand_serves_and_backup_restore_parse() {
        let cli =
            Cli::try_parse_from(["fieldsync-server", "--listen", "127.0.0.1:0"]).expect("serve");
        assert!(cli.command.is_none());
        assert_eq!(cli.config.listen, "127.0.0.1:0");
        let cli = Cli::try_parse_from(["fieldsync-server", "backup", "--data", "d", "--out", "f"])
            .expect("backup");
        let Some(admin::Command::Backup(backup)) = cli.command else {
            panic!("not backup: {cli:?}")
        };
        assert_eq!(backup.out, std::path::Path::new("f"));
        assert_eq!(
            cli.config.data,
            std::path::Path::new("d"),
            "--data after it"
        );
        let cli = Cli::try_parse_from(["fieldsync-server", "--data", "e", "user", "list"])
            .expect("user list");
        assert!(
            matches!(cli.command, Some(admin::Command::User(_))),
            "{cli:?}"
        );
        assert_eq!(
            cli.config.data,
            std::path::Path::new("e"),
            "--data before it"
        );
        let err = Cli::try_parse_from(["fieldsync-server", "restore"]).expect_err("--from");
        assert!(err.to_string().contains("--from"), "{err}");
    }
}
