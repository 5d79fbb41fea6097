//! A real server on `127.0.0.1:0` over a temporary store, and a blocking raw HTTP/1.1
//! client (run it on the blocking pool with [`blocking`]) that can stop mid-request.

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use fieldsync_schema::Role;
use fieldsync_schema::wire::{DeviceInfo, SyncRequest};
use fieldsync_server::Config;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long a client read waits before the test calls the server stuck.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A server running [`fieldsync_server::serve`] until [`Server::shutdown`].
pub struct Server {
    pub addr: SocketAddr,
    /// A supervisor device's bearer token on this server.
    pub token: String,
    pub handle: JoinHandle<anyhow::Result<()>>,
    shutdown: Option<oneshot::Sender<()>>,
    _dir: TempDir,
}

impl Server {
    /// Starts a server whose default test configuration was adjusted by `config`.
    pub async fn start(config: impl FnOnce(Config) -> Config) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config(Config::for_data_dir(dir.path().join("data")));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = fieldsync_server::open_state(config).await.expect("store");
        let token = enrol_token(&dir.path().join("data"));
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(fieldsync_server::serve_state(listener, state, async move {
            let _sent_or_dropped = rx.await;
        }));
        Self {
            addr,
            token,
            handle,
            shutdown: Some(tx),
            _dir: dir,
        }
    }

    /// Fires the shutdown future.
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            tx.send(()).expect("server still running");
        }
    }
}

/// Adds a supervisor with a device to the store in `data` and returns the device's token.
pub fn enrol_token(data: &std::path::Path) -> String {
    use fieldsync_server::auth::directory;
    let mut conn = fieldsync_server::store::open_connection(data).expect("open");
    let code = directory::add_user(
        &mut conn,
        "sara",
        Role::Supervisor,
        None,
        directory::DEFAULT_CODE_TTL,
    )
    .expect("user");
    let request = directory::Enrolment {
        code: &code,
        device: "sara-device",
        actor: "5a5a",
        existing: None,
    };
    directory::enrol(&mut conn, &request).expect("enrol").0
}

/// Runs blocking client work off the runtime's workers.
pub async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work)
        .await
        .expect("client thread")
}

/// A response as read off the wire.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    /// The status line and headers, lower-cased.
    pub head: String,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == name).then(|| value.trim())
        })
    }

    pub fn json(&self) -> serde_json::Value {
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{}",
            self.head
        );
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// A raw HTTP/1.1 connection.
pub struct RawClient {
    stream: TcpStream,
}

impl RawClient {
    pub fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(READ_TIMEOUT))
            .expect("read timeout");
        Self { stream }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    /// Reads a response head (through the blank line), lower-cased.
    pub fn read_head(&mut self) -> String {
        let mut head = Vec::new();
        let mut byte = [0_u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            match self.stream.read(&mut byte) {
                Ok(1) => head.push(byte[0]),
                Ok(_) => panic!("connection closed after {:?}", lossy(&head)),
                Err(e) => panic!("no response ({e}) after {:?}", lossy(&head)),
            }
        }
        lossy(&head).to_lowercase()
    }

    /// Reads one whole response: the body by `content-length`, else up to the close.
    pub fn read_response(&mut self) -> RawResponse {
        let head = self.read_head();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status line");
        let mut response = RawResponse {
            status,
            head,
            body: Vec::new(),
        };
        match response.header("content-length").map(str::parse::<usize>) {
            Some(length) => {
                response.body = vec![0; length.expect("content-length")];
                self.stream.read_exact(&mut response.body).expect("body");
            }
            None => {
                self.stream
                    .read_to_end(&mut response.body)
                    .expect("body up to the close");
            }
        }
        response
    }

    /// Whether the server closed the connection (end of stream or reset) rather than leave
    /// it open until the read timeout.
    pub fn is_closed(&mut self) -> bool {
        let mut rest = Vec::new();
        match self.stream.read_to_end(&mut rest) {
            Ok(_) => true,
            Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        }
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A valid sync request body (a first sync with nothing to push), padded with JSON
/// whitespace to `len` bytes.
pub fn sync_body(len: usize) -> Vec<u8> {
    let request = SyncRequest {
        device: DeviceInfo {
            id: "stalled-device".into(),
            user: "ana".into(),
            role: Role::Inspector,
        },
        cursor: 0,
        horizon: None,
        receive: Default::default(),
        window: None,
        messages: Vec::new(),
    };
    let mut body = serde_json::to_vec(&request).expect("json");
    assert!(body.len() <= len, "body of {} bytes", body.len());
    body.resize(len, b' ');
    body
}

/// Length of the body [`start_stalled_sync`] announces.
pub const STALLED_BODY_LEN: usize = 1000;
/// How much of it [`start_stalled_sync`] sends.
pub const STALLED_SENT: usize = STALLED_BODY_LEN / 2;

/// Starts `POST /api/v1/sync` announcing a [`STALLED_BODY_LEN`]-byte body and sends half of
/// it. Returns once the handler is reading the body: the request asks `Expect:
/// 100-continue`, and hyper answers `100 Continue` only when the handler first polls the body.
pub async fn start_stalled_sync(server: &Server) -> RawClient {
    let (addr, token) = (server.addr, server.token.clone());
    blocking(move || {
        let mut client = RawClient::connect(addr);
        client.send(
            format!(
                "POST /api/v1/sync HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\n\
                 authorization: Bearer {token}\r\n\
                 content-length: {STALLED_BODY_LEN}\r\nexpect: 100-continue\r\n\r\n"
            )
            .as_bytes(),
        );
        let interim = client.read_head();
        assert!(interim.starts_with("http/1.1 100 "), "{interim}");
        client.send(&sync_body(STALLED_BODY_LEN)[..STALLED_SENT]);
        client
    })
    .await
}
