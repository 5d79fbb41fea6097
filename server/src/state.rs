//! Shared state of the HTTP handlers.

use std::sync::Arc;
use std::time::Duration;

use fieldsync_schema::sync_bounds::MessageBounds;
use fieldsync_schema::wire::MAX_MESSAGES_PER_REQUEST;

use crate::config::Config;
use crate::error::ApiError;
use crate::rate_limit::RateLimiter;
use crate::store::{SqliteStore, Store, StoreError};
use crate::sync::Limits;

/// What every handler can reach: the store and the limits. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    store: Arc<dyn Store>,
    reply_limit: usize,
    max_body_bytes: usize,
    max_messages: usize,
    limits: Limits,
    rate: Arc<RateLimiter>,
    request_timeout: Duration,
    shutdown_grace: Duration,
}

impl AppState {
    /// State over an already opened store, with the limits of `config`.
    pub fn new(store: Arc<dyn Store>, config: &Config) -> Self {
        Self {
            store,
            reply_limit: MAX_MESSAGES_PER_REQUEST,
            max_body_bytes: config.max_body_bytes,
            max_messages: config.max_messages_per_request,
            limits: Limits {
                document_bytes: config.max_document_bytes,
                message: MessageBounds {
                    max_bytes: config.max_document_bytes,
                    max_changes: config.max_changes_per_message,
                    max_decoded_bytes: config.max_decoded_bytes,
                    max_ops: config.max_ops_per_message,
                },
                text_chars: config.max_text_chars,
                ..Limits::default()
            },
            rate: Arc::new(RateLimiter::new(config.max_requests_per_minute)),
            request_timeout: config.request_timeout(),
            shutdown_grace: config.shutdown_grace(),
        }
    }

    /// Opens (creating if missing) the SQLite store in `config.data`. Blocks: call it before
    /// the runtime starts or from `spawn_blocking`.
    ///
    /// # Errors
    /// The store could not be opened or migrated (see [`SqliteStore::open`]).
    pub fn open(config: &Config) -> Result<Self, StoreError> {
        let store = SqliteStore::open(&config.data)?;
        store.limit_size(config.max_db_bytes)?;
        store.set_synchronous(config.sqlite_synchronous)?;
        Ok(Self::new(Arc::new(store), config))
    }

    /// Sets the most messages one sync response carries (default
    /// [`MAX_MESSAGES_PER_REQUEST`]); smaller values exercise `more` in tests.
    #[must_use]
    pub fn with_reply_limit(mut self, limit: usize) -> Self {
        self.reply_limit = limit.max(1);
        self
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Most messages in one sync response.
    pub fn reply_limit(&self) -> usize {
        self.reply_limit
    }

    /// Largest accepted request body in bytes, after decompression.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// Largest Automerge document in bytes the server stores ([`Config::max_document_bytes`]).
    pub fn max_document_bytes(&self) -> usize {
        self.limits.document_bytes
    }

    /// Most messages one sync request may carry ([`Config::max_messages_per_request`]).
    pub fn max_messages(&self) -> usize {
        self.max_messages
    }

    /// The bounds of one sync round, from the configuration (the reply limit included).
    pub fn limits(&self) -> Limits {
        Limits {
            reply_messages: self.reply_limit,
            ..self.limits
        }
    }

    /// The per-device limiter of sync requests ([`Config::max_requests_per_minute`]).
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.rate
    }

    /// Longest time one request may take, body upload included; then it gets a 408.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// How long requests in flight may finish after the shutdown signal.
    pub fn shutdown_grace(&self) -> Duration {
        self.shutdown_grace
    }

    /// Runs blocking store work on tokio's blocking pool, never on a worker thread.
    ///
    /// # Errors
    /// `work`'s error, or [`ApiError::Internal`] if the task panicked or was cancelled.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<T, ApiError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || work(store.as_ref()))
            .await
            .map_err(|e| ApiError::Internal(format!("store task failed: {e}")))?
    }
}
