//! `fieldsync-server`: parses the configuration, binds, prints one line with the bound
//! address, and serves until SIGINT or SIGTERM (then gives requests in flight
//! `--shutdown-grace-secs`).

use std::io::{IsTerminal as _, Write as _};

use anyhow::Context as _;
use clap::Parser as _;
use fieldsync_server::{Config, open_state, serve_state};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
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
