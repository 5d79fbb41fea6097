//! Requests per device per minute: a token bucket per key ([`RateLimiter`]).
//!
//! Each key starts with a full bucket of `per_minute` tokens, which refills evenly (one token
//! every `60 / per_minute` seconds); a request takes one token, and a request finding none is
//! refused with the time until the next token. Buckets that have refilled completely are
//! forgotten on the next sweep, so memory holds only keys active within the last minute.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Buckets kept before a sweep forgets the full ones.
const SWEEP_AT: usize = 4096;

/// A per-key rate limiter; cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per key per minute; 0 allows everything.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The configured requests per minute (0: no limit).
    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Takes a token for `key` at `now`.
    ///
    /// # Errors
    /// The bucket is empty: how long until the next token, rounded up to whole seconds (at
    /// least 1), for `Retry-After`.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= SWEEP_AT {
            buckets.retain(|_, b| refill(b, now, per_second, capacity) < capacity);
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let tokens = refill(bucket, now, per_second, capacity);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            return Ok(());
        }
        *bucket = Bucket { tokens, at: now };
        let wait = (1.0 - tokens) / per_second;
        Err(Duration::from_secs((wait.ceil() as u64).max(1)))
    }

    /// Keys currently remembered.
    pub fn tracked(&self) -> usize {
        self.buckets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// The bucket's tokens at `now` (not stored).
fn refill(bucket: &Bucket, now: Instant, per_second: f64, capacity: f64) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
    (bucket.tokens + elapsed * per_second).min(capacity)
}

#[cfg(test)]
#[path = "rate_limit_tests.rs"]
mod tests;
