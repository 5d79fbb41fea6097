//! A loopback TCP proxy between the devices and the server. It counts the bytes that really
//! cross the socket both ways (HTTP headers included), and can shape the link like a poor
//! GPRS connection: limited bandwidth per direction, a fixed delay each way, and every open
//! connection cut at a fixed interval.
//!
//! Threads: one accepts; per connection and direction one reads (and, when shaped, holds the
//! link busy for the chunk's transmission time) and, when shaped, one writes each chunk once
//! its delay has passed. Bytes are counted when written to the far side.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use anyhow::Context as _;

/// Bytes read per chunk on a shaped link (a small GPRS frame burst).
const SHAPED_CHUNK: usize = 512;

/// How a shaped link behaves.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Device-to-server bandwidth, bytes per second.
    pub up_bytes_per_s: f64,
    /// Server-to-device bandwidth, bytes per second.
    pub down_bytes_per_s: f64,
    /// Added one-way delay.
    pub delay: Duration,
    /// Every open connection is cut at each multiple of this since the proxy started.
    pub cut_every: Option<Duration>,
}

/// What crossed the proxy.
#[derive(Debug, Default)]
pub struct Counters {
    /// Device-to-server bytes delivered.
    pub up: AtomicU64,
    /// Server-to-device bytes delivered.
    pub down: AtomicU64,
    /// Connections accepted.
    pub connections: AtomicU64,
    /// Connections cut by the shaper.
    pub cuts: AtomicU64,
}

/// A running proxy; stops accepting when dropped.
#[derive(Debug)]
pub struct Proxy {
    /// `http://127.0.0.1:PORT` to give a device instead of the server's URL.
    pub url: String,
    /// Live counters.
    pub counters: Arc<Counters>,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

type Open = Arc<Mutex<Vec<TcpStream>>>;

impl Proxy {
    /// Starts a proxy to the server at `server_url` (`http://HOST:PORT`).
    ///
    /// # Errors
    /// The URL has no socket address, or binding failed.
    pub fn start(server_url: &str, shape: Option<Shape>) -> anyhow::Result<Proxy> {
        let upstream: SocketAddr = server_url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .with_context(|| format!("{server_url} is not http://IP:PORT"))?;
        let listener = TcpListener::bind("127.0.0.1:0").context("binding the proxy")?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let open: Open = Arc::default();
        if let Some(every) = shape.and_then(|s| s.cut_every) {
            let (open, counters, stop) =
                (Arc::clone(&open), Arc::clone(&counters), Arc::clone(&stop));
            std::thread::spawn(move || cutter(every, &open, &counters, &stop));
        }
        let (c, s) = (Arc::clone(&counters), Arc::clone(&stop));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { continue };
                c.connections.fetch_add(1, Ordering::Relaxed);
                let (c, open) = (Arc::clone(&c), Arc::clone(&open));
                std::thread::spawn(move || {
                    if let Err(err) = connect(client, upstream, shape, &c, &open) {
                        eprintln!("proxy: {err:#}");
                    }
                });
            }
        });
        Ok(Proxy {
            url: format!("http://{addr}"),
            counters,
            addr,
            stop,
        })
    }

    /// Bytes delivered so far: (device to server, server to device).
    pub fn bytes(&self) -> (u64, u64) {
        (
            self.counters.up.load(Ordering::SeqCst),
            self.counters.down.load(Ordering::SeqCst),
        )
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Cuts every open connection at each multiple of `every`.
fn cutter(every: Duration, open: &Mutex<Vec<TcpStream>>, counters: &Counters, stop: &AtomicBool) {
    let started = Instant::now();
    let mut next = every;
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep((started + next).saturating_duration_since(Instant::now()));
        next += every;
        let mut streams = lock(open);
        // Client and server sides are registered in pairs.
        let live = streams.len() / 2;
        for stream in streams.drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
        counters.cuts.fetch_add(live as u64, Ordering::Relaxed);
    }
}

fn connect(
    client: TcpStream,
    upstream: SocketAddr,
    shape: Option<Shape>,
    counters: &Arc<Counters>,
    open: &Open,
) -> anyhow::Result<()> {
    let server = TcpStream::connect(upstream).context("proxy: connecting to the server")?;
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    if shape.is_some_and(|s| s.cut_every.is_some()) {
        let mut open = lock(open);
        open.push(client.try_clone()?);
        open.push(server.try_clone()?);
    }
    let (up_rate, down_rate, delay) = match shape {
        Some(s) => (Some(s.up_bytes_per_s), Some(s.down_bytes_per_s), s.delay),
        None => (None, None, Duration::ZERO),
    };
    let (from, to) = (client.try_clone()?, server.try_clone()?);
    let c = Arc::clone(counters);
    let up = std::thread::spawn(move || pump(from, to, up_rate, delay, &c.up));
    pump(server, client, down_rate, delay, &counters.down);
    let _ = up.join();
    Ok(())
}

/// Copies `from` to `to` until either side ends, counting bytes delivered. With a rate, each
/// chunk holds the link for `len / rate` and is delivered `delay` after it left.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    rate: Option<f64>,
    delay: Duration,
    counter: &AtomicU64,
) {
    let Some(rate) = rate else {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    // Counted before forwarding: counted after, the reply could reach the
                    // device (and the harness read the counters) before this thread ran
                    // again (seen: `idle` with 0 bytes up, 187 down, on a loaded machine).
                    counter.fetch_add(n as u64, Ordering::SeqCst);
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        let _ = to.shutdown(Shutdown::Write);
        return;
    };
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    let writer = std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
            for (due, chunk) in rx {
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
                if to.write_all(&chunk).is_err() {
                    let _ = to.shutdown(Shutdown::Both);
                    return;
                }
                counter.fetch_add(chunk.len() as u64, Ordering::SeqCst);
            }
            let _ = to.shutdown(Shutdown::Write);
        });
        let mut buf = [0u8; SHAPED_CHUNK];
        let mut link_free = Instant::now();
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let sent = link_free.max(Instant::now()) + Duration::from_secs_f64(n as f64 / rate);
            link_free = sent;
            std::thread::sleep(sent.saturating_duration_since(Instant::now()));
            if tx.send((sent + delay, buf[..n].to_vec())).is_err() {
                break;
            }
        }
        drop(tx);
        writer.join()
    });
    let _ = writer;
}
