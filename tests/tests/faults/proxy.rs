//! A loopback TCP proxy between a device and the server that cuts connections on demand:
//! after a number of bytes of the request stream (mid-request) or of the response stream
//! (mid-response). It keeps every request the device sent, so a test can send them again
//! (duplicated) and in another order (reordered).

use std::collections::VecDeque;
use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context as _, Result};

/// What the proxy does to the next connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Forward everything.
    Pass,
    /// Close both sides after this many bytes from the device.
    CutRequest(usize),
    /// Close both sides after this many bytes from the server.
    CutResponse(usize),
}

#[derive(Default)]
struct Shared {
    plans: VecDeque<Plan>,
    /// Bytes the device sent, one entry per connection.
    sent: Vec<Vec<u8>>,
}

/// The proxy; it runs until the test process ends (its threads only hold loopback sockets).
pub struct Proxy {
    url: String,
    shared: Arc<Mutex<Shared>>,
}

impl Proxy {
    /// Listens on `127.0.0.1:0` and forwards to `upstream` (`127.0.0.1:PORT`).
    ///
    /// # Errors
    /// The listener could not be bound.
    pub fn start(upstream: &str) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").context("bind the proxy")?;
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Mutex::new(Shared::default()));
        let upstream = upstream.to_owned();
        let state = Arc::clone(&shared);
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                let plan = lock(&state).plans.pop_front().unwrap_or(Plan::Pass);
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let index = {
                    let mut shared = lock(&state);
                    shared.sent.push(Vec::new());
                    shared.sent.len() - 1
                };
                connect(client, server, plan, index, Arc::clone(&state));
            }
        });
        Ok(Self { url, shared })
    }

    /// The proxy's URL, for `fieldsync sync --server`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Queues a plan for the next connection (later ones pass).
    pub fn plan(&self, plan: Plan) {
        lock(&self.shared).plans.push_back(plan);
    }

    /// Every HTTP request the device sent so far (method line, headers, body), drained.
    pub fn take_requests(&self) -> Vec<Request> {
        let streams = std::mem::take(&mut lock(&self.shared).sent);
        streams.iter().flat_map(|s| split_requests(s)).collect()
    }
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Pumps both directions of one connection, applying `plan`.
fn connect(
    client: TcpStream,
    server: TcpStream,
    plan: Plan,
    index: usize,
    state: Arc<Mutex<Shared>>,
) {
    let (up_limit, down_limit) = match plan {
        Plan::Pass => (usize::MAX, usize::MAX),
        Plan::CutRequest(n) => (n, usize::MAX),
        Plan::CutResponse(n) => (usize::MAX, n),
    };
    let (Ok(client2), Ok(server2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    std::thread::spawn(move || {
        pump(client, server, up_limit, |bytes| {
            lock(&state).sent[index].extend_from_slice(bytes);
        });
    });
    std::thread::spawn(move || pump(server2, client2, down_limit, |_| {}));
}

/// Copies `from` to `to` until EOF or `limit` bytes, then shuts both sockets down.
fn pump(mut from: TcpStream, mut to: TcpStream, limit: usize, mut seen: impl FnMut(&[u8])) {
    let mut left = limit;
    let mut buf = [0u8; 8192];
    while left > 0 {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n.min(left),
        };
        seen(&buf[..n]);
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        left -= n;
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

/// One HTTP/1.1 request as the device sent it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `POST /api/v1/sync`.
    pub path: String,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body as sent (gzip).
    pub body: Vec<u8>,
}

/// Splits a connection's request stream into whole requests (a cut one is dropped).
fn split_requests(mut stream: &[u8]) -> Vec<Request> {
    let mut out = Vec::new();
    while let Some(end) = stream.windows(4).position(|w| w == b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&stream[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let path = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("/")
            .to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let start = end + 4;
        if stream.len() < start + length {
            break;
        }
        out.push(Request {
            path,
            headers,
            body: stream[start..start + length].to_vec(),
        });
        stream = &stream[start + length..];
    }
    out
}
