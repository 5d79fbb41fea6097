//! `fieldsync-server`: parses the configuration, binds, prints one line with the bound
//! address, and serves until SIGINT or SIGTERM (then gives requests in flight
//! `--shutdown-grace-secs`). With an admin subcommand (`user`, `device`, `audit`; see
//! [`fieldsync_server::admin`]) it runs that against `--data` instead and exits.

use std::io::{IsTerminal as _, Write as _};

use anyhow::Context as _;
use clap::Parser;
use fieldsync_server::admin::AdminCommand;
use fieldsync_server::{Config, open_state, serve_state};
use tracing_subscriber::EnvFilter;

/// The command line: the server's configuration and, optionally, an admin subcommand.
#[derive(Debug, Parser)]
#[command(
    name = "fieldsync-server",
    version,
    about = "The fieldsync sync server; with a subcommand, its admin tools."
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    admin: Option<AdminCommand>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(command) = &cli.admin {
        return fieldsync_server::admin::run(&cli.config.data, command);
    }
    serve(cli.config)
}

#[tokio::main]
async fn serve(config: Config) -> anyhow::Result<()> {
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
