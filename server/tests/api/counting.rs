//! A request body that hands out its bytes in chunks and counts how many were read.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use axum::body::Bytes;
use http_body::Frame;

/// `bytes` in chunks of `chunk` bytes; the counter says how many the server pulled.
pub struct CountingBody {
    bytes: Bytes,
    chunk: usize,
    pulled: Arc<AtomicUsize>,
}

impl CountingBody {
    pub fn new(bytes: Vec<u8>, chunk: usize) -> (Self, Arc<AtomicUsize>) {
        let pulled = Arc::new(AtomicUsize::new(0));
        let body = Self {
            bytes: Bytes::from(bytes),
            chunk,
            pulled: Arc::clone(&pulled),
        };
        (body, pulled)
    }
}

impl http_body::Body for CountingBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.bytes.is_empty() {
            return Poll::Ready(None);
        }
        let n = self.chunk.min(self.bytes.len());
        let data = self.bytes.split_to(n);
        self.pulled.fetch_add(n, Ordering::SeqCst);
        Poll::Ready(Some(Ok(Frame::data(data))))
    }
}
