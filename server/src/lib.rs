//! # fieldsync-server
//!
//! The sync server of fieldsync: devices push and pull check documents (Automerge) over
//! `POST /api/v1/sync`; supervisors' tools read the checks and their resolution links over
//! the read API. Built on axum and tokio, stored in SQLite.
//!
//! - [`config`]: [`Config`], the command-line flags and their environment variables.
//! - [`state`], [`mod@router`], [`routes`]: [`AppState`], the route table and the handlers.
//! - [`sync`]: the server side of the batched sync protocol, independent of HTTP.
//! - [`store`]: the [`store::Store`] trait and its SQLite implementation.
//! - [`error`]: [`error::ApiError`], the JSON error responses.
//!
//! Data flow of a sync round: the handler decodes the JSON [`fieldsync_schema::wire::SyncRequest`],
//! then on the blocking pool [`sync::sync_round`] opens one write transaction, applies each
//! device message to the stored document, validates it as a check, re-links it to
//! resolutions and stores it with a new change sequence, then adds messages for the documents
//! changed since the device's cursor, and commits before the response is sent.
//!
//! Embedding: [`serve`] runs the server on an already bound listener until a shutdown future
//! resolves; tests bind `127.0.0.1:0` or drive [`router()`] directly.

pub mod config;
pub mod error;
pub mod extract;
pub mod router;
pub mod routes;
pub mod state;
pub mod store;
pub mod sync;

use std::future::Future;

use anyhow::Context as _;
use tokio::net::TcpListener;

pub use config::Config;
pub use router::router;
pub use state::AppState;

/// Opens the store in `config.data` and serves on `listener` until `shutdown` resolves, then
/// finishes the requests in flight.
///
/// # Errors
/// The store could not be opened (including a database newer than this binary), or the
/// listener failed.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = open_state(config).await?;
    serve_state(listener, state, shutdown).await
}

/// Opens the store for `config` on the blocking pool.
///
/// # Errors
/// The store could not be opened or migrated.
pub async fn open_state(config: Config) -> anyhow::Result<AppState> {
    let data = config.data.clone();
    tokio::task::spawn_blocking(move || AppState::open(&config))
        .await
        .context("opening the store panicked")?
        .with_context(|| format!("cannot open the store in {}", data.display()))
}

/// Serves `state` on `listener` until `shutdown` resolves.
///
/// # Errors
/// The listener failed.
pub async fn serve_state(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .context("server failed")
}
