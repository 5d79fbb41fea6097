//! HTTP transport of the sync protocol: one blocking `POST /api/v1/sync` per round (ureq).

use std::io::{Read as _, Write as _};
use std::time::Duration;

use fieldsync_schema::wire::{CheckSummary, ErrorBody, SyncRequest, SyncResponse};
use fieldsync_schema::{CheckId, SiteId};

/// Largest response body accepted (decompressed): a full round of large documents.
const MAX_RESPONSE_BYTES: u64 = 512 * 1024 * 1024;

/// One completed round trip.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// The server's answer.
    pub response: SyncResponse,
    /// Request body bytes sent (gzip-compressed, as on the wire; headers not counted).
    pub bytes_up: u64,
    /// Response body bytes received as on the wire (compressed; headers not counted).
    pub bytes_down: u64,
}

/// Why a round trip failed; every variant names the server URL.
#[derive(Debug, thiserror::Error)]
pub enum SyncClientError {
    /// No HTTP answer: connection refused, DNS failure, timeout, TLS failure.
    #[error("cannot reach the fieldsync server at {url}")]
    Unreachable {
        /// The sync endpoint.
        url: String,
        /// What went wrong.
        source: Box<ureq::Error>,
    },
    /// The server answered 4xx or 5xx.
    #[error("the server at {url} refused the request (HTTP {status}, {code}): {message}")]
    Refused {
        /// The sync endpoint.
        url: String,
        /// HTTP status.
        status: u16,
        /// The error body's code (`bad_request`), or `unknown` without a JSON body.
        code: String,
        /// The error body's message, or the start of the body.
        message: String,
    },
    /// The server answered 2xx with a body that is not a sync response.
    #[error("the server at {url} sent an unreadable response: {reason}")]
    BadResponse {
        /// The sync endpoint.
        url: String,
        /// Why it could not be read.
        reason: String,
    },
}

/// Sends sync rounds; implemented over HTTP here and by a fake server in tests.
pub trait Transport {
    /// Sends one request and returns the server's response.
    ///
    /// # Errors
    /// [`SyncClientError`] naming the server.
    fn exchange(&mut self, request: &SyncRequest) -> Result<Exchange, SyncClientError>;
}

/// The HTTP transport to one server.
#[derive(Debug)]
pub struct HttpTransport {
    agent: ureq::Agent,
    /// The server's base URL, without a trailing `/`.
    base: String,
    url: String,
    /// True once a sync round got a readable answer from the server.
    reached: bool,
    /// The device's bearer token, sent with every request.
    token: Option<String>,
}

impl HttpTransport {
    /// A transport to `server` (e.g. `http://127.0.0.1:8080`).
    pub fn new(server: &str) -> HttpTransport {
        // No `user-agent` or `accept` header: on 2G every byte of every round trip counts
        // (an idle reconnect is one small request), and the server needs neither.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .user_agent(ureq::config::AutoHeaderValue::None)
            .accept(ureq::config::AutoHeaderValue::None)
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(15)))
            .timeout_global(Some(Duration::from_secs(600)))
            .build()
            .into();
        let base = server.trim_end_matches('/').to_owned();
        HttpTransport {
            agent,
            url: format!("{base}/api/v1/sync"),
            base,
            reached: false,
            token: None,
        }
    }

    /// Sends `token` as `Authorization: Bearer <token>` with every request (an enrolled
    /// device's; without one the server answers 401).
    #[must_use]
    pub fn with_token(mut self, token: Option<String>) -> HttpTransport {
        self.token = token;
        self
    }

    /// The `Authorization` header value, if the device has a token.
    fn bearer(&self) -> Option<String> {
        self.token.as_ref().map(|t| format!("Bearer {t}"))
    }

    /// True once a round got a readable answer: the device has reached this server, even if
    /// a later round failed.
    pub fn reached(&self) -> bool {
        self.reached
    }

    /// The ids of the checks the server holds at `site` (`GET /api/v1/checks?site=`).
    ///
    /// # Errors
    /// [`SyncClientError`] naming the URL: unreachable, a 4xx/5xx answer, or a body that is
    /// not a list of checks.
    pub fn checks_at_site(&self, site: &SiteId) -> Result<Vec<CheckId>, SyncClientError> {
        let url = format!("{}/api/v1/checks", self.base);
        let mut get = self.agent.get(&url).query("site", site.as_str());
        if let Some(bearer) = self.bearer() {
            get = get.header("authorization", bearer);
        }
        let mut response = get.call().map_err(|e| SyncClientError::Unreachable {
            url: url.clone(),
            source: Box::new(e),
        })?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_vec()
            .map_err(|e| SyncClientError::Unreachable {
                url: url.clone(),
                source: Box::new(e),
            })?;
        if status >= 400 {
            return Err(refused(&url, status, &body));
        }
        let checks: Vec<CheckSummary> =
            serde_json::from_slice(&body).map_err(|e| SyncClientError::BadResponse {
                url: url.clone(),
                reason: format!("HTTP {status}: {e}"),
            })?;
        Ok(checks.into_iter().map(|c| c.id).collect())
    }
}

impl Transport for HttpTransport {
    fn exchange(&mut self, request: &SyncRequest) -> Result<Exchange, SyncClientError> {
        let bad = |reason: String| SyncClientError::BadResponse {
            url: self.url.clone(),
            reason,
        };
        let json = serde_json::to_vec(request).map_err(|e| bad(e.to_string()))?;
        // Below GZIP_MIN_BYTES gzip's header and trailer cost more than it saves.
        let compress = json.len() >= GZIP_MIN_BYTES;
        let body = if compress {
            gzip(&json).map_err(|e| bad(format!("compressing the request: {e}")))?
        } else {
            json
        };
        let unreachable = |e: ureq::Error| SyncClientError::Unreachable {
            url: self.url.clone(),
            source: Box::new(e),
        };
        let mut post = self
            .agent
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept-encoding", "gzip");
        if compress {
            post = post.header("content-encoding", "gzip");
        }
        if let Some(bearer) = self.bearer() {
            post = post.header("authorization", bearer);
        }
        let mut response = post.send(&body[..]).map_err(unreachable)?;
        let status = response.status().as_u16();
        let gzipped = response
            .headers()
            .get("content-encoding")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
        // ureq is built without its gzip feature, so these are the bytes on the wire.
        let wire = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_vec()
            .map_err(unreachable)?;
        let bytes = if gzipped {
            gunzip(&wire).map_err(|e| bad(format!("HTTP {status}: bad gzip body: {e}")))?
        } else {
            wire.clone()
        };
        if status >= 400 {
            return Err(refused(&self.url, status, &bytes));
        }
        let parsed: SyncResponse =
            serde_json::from_slice(&bytes).map_err(|e| bad(format!("HTTP {status}: {e}")))?;
        self.reached = true;
        Ok(Exchange {
            response: parsed,
            bytes_up: body.len() as u64,
            bytes_down: wire.len() as u64,
        })
    }
}

/// Smallest request body worth compressing (an idle reconnect's body is about 150 bytes).
pub const GZIP_MIN_BYTES: usize = 512;

/// Gzip-compresses a request body. Sync messages are already compact binary, but their
/// base64 in JSON compresses back to about their own size.
fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// Decompresses a gzip response body, refusing more than [`MAX_RESPONSE_BYTES`].
fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_RESPONSE_BYTES + 1)
        .read_to_end(&mut out)?;
    if out.len() as u64 > MAX_RESPONSE_BYTES {
        return Err(std::io::Error::other("response larger than the limit"));
    }
    Ok(out)
}

/// The error for a 4xx/5xx answer, with the [`ErrorBody`] message when there is one.
pub(crate) fn refused(url: &str, status: u16, body: &[u8]) -> SyncClientError {
    let (code, message) = match serde_json::from_slice::<ErrorBody>(body) {
        Ok(err) => {
            let message = match err.check {
                Some(check) => format!("{} (check {check})", err.message),
                None => err.message,
            };
            (err.error, message)
        }
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let short: String = text.trim().chars().take(300).collect();
            ("unknown".to_owned(), short)
        }
    };
    SyncClientError::Refused {
        url: url.to_owned(),
        status,
        code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers one HTTP request with a minimal sync response, then stops listening.
    fn answer_once() -> String {
        use std::io::{BufRead as _, BufReader};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().expect("accept");
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).expect("header");
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().expect("length");
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).expect("body");
            let reply = br#"{"server":"0123456789abcdef","cursor":0}"#;
            let mut stream = stream;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                reply.len()
            );
            stream.write_all(head.as_bytes()).expect("head");
            stream.write_all(reply).expect("reply");
        });
        url
    }

    fn empty_request() -> SyncRequest {
        SyncRequest {
            device: fieldsync_schema::wire::DeviceInfo {
                id: "d".into(),
                user: "u".into(),
                role: fieldsync_schema::Role::Inspector,
            },
            cursor: 0,
            horizon: None,
            receive: Default::default(),
            messages: Vec::new(),
            window: None,
        }
    }

    #[test]
    fn a_server_that_answered_once_counts_as_reached_even_after_a_failed_round() {
        let mut transport = HttpTransport::new(&answer_once());
        assert!(!transport.reached());
        transport.exchange(&empty_request()).expect("first round");
        assert!(transport.reached());
        assert!(transport.exchange(&empty_request()).is_err(), "server gone");
        assert!(
            transport.reached(),
            "still reached: the URL is worth keeping"
        );
    }

    #[test]
    fn refusals_carry_the_error_body_message() {
        let body = br#"{"error":"bad_request","message":"cursor is ahead of the server"}"#;
        let msg = refused("http://h/api/v1/sync", 400, body).to_string();
        assert!(
            msg.contains("HTTP 400") && msg.contains("cursor is ahead of the server"),
            "{msg}"
        );
        let msg = refused("http://h/api/v1/sync", 502, b"Bad Gateway").to_string();
        assert!(msg.contains("502") && msg.contains("Bad Gateway"), "{msg}");
    }

    #[test]
    fn an_unreachable_server_is_named() {
        // A port that was just free: nothing listens on it any more.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let server = format!("http://127.0.0.1:{port}/");
        let mut transport = HttpTransport::new(&server);
        let request = SyncRequest {
            device: fieldsync_schema::wire::DeviceInfo {
                id: "d".into(),
                user: "u".into(),
                role: fieldsync_schema::Role::Inspector,
            },
            cursor: 0,
            horizon: None,
            receive: Default::default(),
            window: None,
            messages: vec![],
        };
        let err = transport.exchange(&request).expect_err("nothing listens");
        let msg = err.to_string();
        let named = format!("127.0.0.1:{port}");
        assert!(
            msg.contains("cannot reach") && msg.contains(&named),
            "{msg}"
        );
    }
}
