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
//! - [`auth`]: users, devices, enrolment, bearer tokens, roles, the server's authority over
//!   incoming changes, and the audit log.
//! - [`cli`], [`admin`]: the command line: serving, and the admin subcommands (`backup`,
//!   `restore`, `user`, `device`, `audit`).
//! - [`rate_limit`]: sync requests per device per minute.
//!
//! Data flow of a sync round: the handler decodes the JSON [`fieldsync_schema::wire::SyncRequest`],
//! then on the blocking pool [`sync::sync_round`] opens one write transaction, applies each
//! device message to the stored document, validates it as a check, re-links it to
//! resolutions and stores it with a new change sequence, then adds messages for the documents
//! changed since the device's cursor, and commits before the response is sent.
//!
//! Embedding: [`serve`] runs the server on an already bound listener until a shutdown future
//! resolves, then gives the requests in flight the shutdown grace period; tests bind
//! `127.0.0.1:0` or drive [`router()`] directly.
//!
//! Slow clients: a request (body upload included) is answered 408 after the request timeout;
//! after the shutdown signal, connections still open at the end of the grace period are
//! closed. `axum::serve` sets no timer on hyper, so a client that never finishes sending its
//! request headers keeps its connection (one idle task and socket, never a request, never a
//! store handle) until the shutdown closes it; deploy behind a reverse proxy with a header
//! timeout when that matters.

pub mod admin;
pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod extract;
pub mod rate_limit;
pub mod router;
pub mod routes;
pub mod state;
pub mod store;
pub mod sync;

use std::future::{Future, IntoFuture as _};

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use config::Config;
pub use router::router;
pub use state::AppState;

/// Opens the store in `config.data` and serves on `listener` until `shutdown` resolves, then
/// finishes the requests in flight, for at most `config.shutdown_grace_secs`.
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

/// Serves `state` on `listener` until `shutdown` resolves. Then it stops accepting
/// connections and waits for the requests in flight for at most
/// [`AppState::shutdown_grace`]; connections still open after that are closed (at their next
/// read or write) and this returns anyway.
///
/// # Errors
/// The listener failed.
pub async fn serve_state(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let grace = state.shutdown_grace();
    let (signalled_tx, mut signalled_rx) = watch::channel(false);
    let (close_tx, close_rx) = watch::channel(false);
    let listener = closable::Listener::new(listener, close_rx);
    let server = axum::serve(listener, router(state))
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!(
                grace_secs = grace.as_secs(),
                "shutting down: finishing the requests in flight"
            );
            signalled_tx.send_replace(true);
        })
        .into_future();
    let mut server = std::pin::pin!(server);
    let signalled = async {
        if signalled_rx.wait_for(|fired| *fired).await.is_err() {
            // The signal task is gone without firing: only the server can end now.
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = &mut server => return result.context("server failed"),
        () = signalled => {}
    }
    if let Ok(result) = tokio::time::timeout(grace, &mut server).await {
        return result.context("server failed");
    }
    tracing::warn!(
        grace_secs = grace.as_secs(),
        "requests still in flight after the shutdown grace period: closing their connections"
    );
    close_tx.send_replace(true);
    Ok(())
}

/// A listener whose connections can all be closed at once, for the end of the grace period:
/// once the switch flips, every read and write of an accepted connection fails, so hyper
/// drops the connection and its request. `axum::serve` offers no other handle on them.
mod closable {
    use std::future::Future;
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
    use tokio::sync::watch;

    type Closed = Pin<Box<dyn Future<Output = ()> + Send>>;

    /// Wraps a listener; its connections close when `close` turns true or its sender drops.
    pub(crate) struct Listener<L> {
        inner: L,
        close: watch::Receiver<bool>,
    }

    impl<L> Listener<L> {
        pub(crate) fn new(inner: L, close: watch::Receiver<bool>) -> Self {
            Self { inner, close }
        }
    }

    impl<L: axum::serve::Listener> axum::serve::Listener for Listener<L> {
        type Io = Io<L::Io>;
        type Addr = L::Addr;

        async fn accept(&mut self) -> (Self::Io, Self::Addr) {
            let (io, addr) = self.inner.accept().await;
            let mut close = self.close.clone();
            let closed: Closed = Box::pin(async move {
                let _closed_or_gone = close.wait_for(|close| *close).await;
            });
            let io = Io {
                inner: io,
                closed: Some(closed),
            };
            (io, addr)
        }

        fn local_addr(&self) -> io::Result<Self::Addr> {
            self.inner.local_addr()
        }
    }

    /// A connection that fails every operation once closed.
    pub(crate) struct Io<T> {
        inner: T,
        /// Resolves when the connection must close; `None` once it has.
        closed: Option<Closed>,
    }

    impl<T> Io<T> {
        fn check(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
            if let Some(closed) = &mut self.closed
                && closed.as_mut().poll(cx).is_pending()
            {
                return Ok(());
            }
            self.closed = None;
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the server shut down after its grace period",
            ))
        }
    }

    impl<T: AsyncRead + Unpin> AsyncRead for Io<T> {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            self.check(cx)?;
            Pin::new(&mut self.inner).poll_read(cx, buf)
        }
    }

    impl<T: AsyncWrite + Unpin> AsyncWrite for Io<T> {
        fn poll_write(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.check(cx)?;
            Pin::new(&mut self.inner).poll_write(cx, buf)
        }

        fn poll_write_vectored(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            bufs: &[io::IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            self.check(cx)?;
            Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
        }

        fn is_write_vectored(&self) -> bool {
            self.inner.is_write_vectored()
        }

        fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.check(cx)?;
            Pin::new(&mut self.inner).poll_flush(cx)
        }

        fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.inner).poll_shutdown(cx)
        }
    }
}
