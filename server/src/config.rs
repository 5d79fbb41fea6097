//! Server configuration: command-line flags, each with an environment variable and a working
//! local default. Loading the configuration never touches the disk.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use fieldsync_schema::wire::MAX_MESSAGES_PER_REQUEST;

/// Default listen address: loopback only, so a fresh install is not exposed by accident.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default data directory, relative to the working directory.
pub const DEFAULT_DATA: &str = "./data";
/// Default tracing filter.
pub const DEFAULT_LOG: &str = "info";
/// Default largest accepted request body, after decompression: 32 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// Default largest stored Automerge document: 1 MiB.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 1024 * 1024;
/// Default most Automerge chunks (changes, or whole documents) in one sync message: 10,000.
pub const DEFAULT_MAX_CHANGES_PER_MESSAGE: usize = 10_000;
/// Default most bytes one sync message's changes may inflate to: 16 MiB.
pub const DEFAULT_MAX_DECODED_BYTES: usize = 16 * 1024 * 1024;
/// Default most operations one sync message's changes may describe: 1,000,000 (why:
/// [`fieldsync_schema::sync_bounds::DEFAULT_MAX_OPS`]).
pub const DEFAULT_MAX_OPS_PER_MESSAGE: usize = fieldsync_schema::sync_bounds::DEFAULT_MAX_OPS;
/// Default longest free text (notes, a text field, a comment) in characters: 10,000.
pub const DEFAULT_MAX_TEXT_CHARS: usize = 10_000;
/// Default most sync requests one device may make per minute: 600 (a burst of 600, then
/// one every 100 ms).
pub const DEFAULT_MAX_REQUESTS_PER_MINUTE: u32 = 600;
/// Default time one request may take, body upload included: 120 s.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 120;
/// Default time requests in flight get to finish after the shutdown signal: 10 s.
pub const DEFAULT_SHUTDOWN_GRACE_SECS: u64 = 10;

/// How to run the server.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(
    name = "fieldsync-server",
    version,
    about = "The fieldsync sync server."
)]
pub struct Config {
    /// Directory holding the database (`fieldsync.db`); created if missing. Also the data
    /// directory of every admin subcommand (before or after it).
    #[arg(long, global = true, env = "FIELDSYNC_DATA", default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    /// Address to listen on, `host:port`; port 0 picks a free port.
    #[arg(long, env = "FIELDSYNC_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: String,
    /// Log filter, `tracing` syntax (`info`, `fieldsync_server=debug,tower_http=info`).
    #[arg(long, env = "FIELDSYNC_LOG", default_value = DEFAULT_LOG)]
    pub log: String,
    /// Largest accepted request body in bytes, after gzip decompression; larger ones get 413.
    #[arg(long, env = "FIELDSYNC_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Largest Automerge document in bytes the server stores; a sync message that would make
    /// a document larger is rejected for that document.
    #[arg(
        long,
        env = "FIELDSYNC_MAX_DOCUMENT_BYTES",
        default_value_t = DEFAULT_MAX_DOCUMENT_BYTES
    )]
    pub max_document_bytes: usize,
    /// Most documents (sync messages) in one sync request; more get 413. Clients send at most
    /// 500 (`MAX_MESSAGES_PER_REQUEST`), so a higher value changes nothing. At least 1.
    #[arg(
        long,
        env = "FIELDSYNC_MAX_MESSAGES_PER_REQUEST",
        default_value_t = MAX_MESSAGES_PER_REQUEST,
        value_parser = at_least_one
    )]
    pub max_messages_per_request: usize,
    /// Most Automerge chunks (changes, or a whole document) in one sync message; a message
    /// with more is rejected `too_many_changes` for its document (413 when alone).
    #[arg(
        long,
        env = "FIELDSYNC_MAX_CHANGES_PER_MESSAGE",
        default_value_t = DEFAULT_MAX_CHANGES_PER_MESSAGE
    )]
    pub max_changes_per_message: usize,
    /// Most bytes one sync message's changes may decode to, deflated parts inflated; more is
    /// rejected `too_large` for its document (413 when alone).
    #[arg(
        long,
        env = "FIELDSYNC_MAX_DECODED_BYTES",
        default_value_t = DEFAULT_MAX_DECODED_BYTES
    )]
    pub max_decoded_bytes: usize,
    /// Most operations one sync message's changes may describe together, counted from their
    /// run-length-encoded columns before Automerge decodes them (no column may decode to
    /// more values either); more is rejected `too_many_operations` for its document (413
    /// when alone).
    #[arg(
        long,
        env = "FIELDSYNC_MAX_OPS_PER_MESSAGE",
        default_value_t = DEFAULT_MAX_OPS_PER_MESSAGE
    )]
    pub max_ops_per_message: usize,
    /// Longest free text of a check (notes, a text field, a comment, a name) in characters; a
    /// message that makes one longer is rejected `text_too_long` for its document (422 when
    /// alone).
    #[arg(long, env = "FIELDSYNC_MAX_TEXT_CHARS", default_value_t = DEFAULT_MAX_TEXT_CHARS)]
    pub max_text_chars: usize,
    /// Most sync requests one device may make per minute (a burst of that many, then evenly
    /// spread); more get 429 with `Retry-After`. 0 turns the limit off.
    #[arg(
        long,
        env = "FIELDSYNC_MAX_REQUESTS_PER_MINUTE",
        default_value_t = DEFAULT_MAX_REQUESTS_PER_MINUTE
    )]
    pub max_requests_per_minute: u32,
    /// Seconds one request may take, from its headers to its response, body upload included;
    /// a slower one gets a JSON 408. At least 1.
    #[arg(
        long,
        env = "FIELDSYNC_REQUEST_TIMEOUT_SECS",
        default_value_t = DEFAULT_REQUEST_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub request_timeout_secs: u64,
    /// Seconds the requests in flight get to finish after SIGINT/SIGTERM; then the server
    /// closes their connections and exits anyway. 0 closes them at once.
    #[arg(
        long,
        env = "FIELDSYNC_SHUTDOWN_GRACE_SECS",
        default_value_t = DEFAULT_SHUTDOWN_GRACE_SECS
    )]
    pub shutdown_grace_secs: u64,
    /// Largest database file in bytes (rounded down to whole pages); a sync round that would
    /// grow it beyond gets a 507 and nothing of it is kept, exactly as when the disk is full.
    /// 0 (the default) sets no limit but the disk's.
    #[arg(long, env = "FIELDSYNC_MAX_DB_BYTES", default_value_t = 0)]
    pub max_db_bytes: u64,
    /// SQLite's `synchronous` level for the server's writes. Only `full` keeps every
    /// acknowledged round through a power cut; `normal` exists to measure what `full` costs
    /// (BENCHMARKS.md) and may lose the last acknowledged rounds on a power cut (not on a
    /// crash of the server alone). Hidden from `--help` for that reason.
    #[arg(
        long,
        env = "FIELDSYNC_SQLITE_SYNCHRONOUS",
        value_enum,
        default_value_t = Synchronous::Full,
        hide = true
    )]
    pub sqlite_synchronous: Synchronous,
}

/// SQLite's `synchronous` level for the writer ([`Config::sqlite_synchronous`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Synchronous {
    /// Every commit waits for the disk: acknowledged rounds survive a power cut.
    Full,
    /// With WAL, commits do not wait for the disk (checkpoints do): faster, and the last
    /// commits may be lost on a power cut.
    Normal,
}

impl Synchronous {
    /// The pragma value.
    pub fn as_str(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

/// Parses a count of at least 1.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

impl Config {
    /// The default configuration with `dir` as data directory (for tests and embedding).
    pub fn for_data_dir(dir: impl Into<PathBuf>) -> Config {
        Config {
            data: dir.into(),
            listen: DEFAULT_LISTEN.to_owned(),
            log: DEFAULT_LOG.to_owned(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            max_messages_per_request: MAX_MESSAGES_PER_REQUEST,
            max_changes_per_message: DEFAULT_MAX_CHANGES_PER_MESSAGE,
            max_decoded_bytes: DEFAULT_MAX_DECODED_BYTES,
            max_ops_per_message: DEFAULT_MAX_OPS_PER_MESSAGE,
            max_text_chars: DEFAULT_MAX_TEXT_CHARS,
            max_requests_per_minute: DEFAULT_MAX_REQUESTS_PER_MINUTE,
            request_timeout_secs: DEFAULT_REQUEST_TIMEOUT_SECS,
            shutdown_grace_secs: DEFAULT_SHUTDOWN_GRACE_SECS,
            max_db_bytes: 0,
            sqlite_synchronous: Synchronous::Full,
        }
    }

    /// [`Config::request_timeout_secs`] as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// [`Config::shutdown_grace_secs`] as a duration.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_defaults_match_for_data_dir() {
        let parsed =
            Config::try_parse_from(["fieldsync-server", "--data", "/tmp/x"]).expect("parse");
        let mut expected = Config::for_data_dir("/tmp/x");
        // The environment may set these; compare only what the command line fixed.
        expected.listen.clone_from(&parsed.listen);
        expected.log.clone_from(&parsed.log);
        expected.max_body_bytes = parsed.max_body_bytes;
        expected.max_document_bytes = parsed.max_document_bytes;
        expected.max_messages_per_request = parsed.max_messages_per_request;
        expected.max_changes_per_message = parsed.max_changes_per_message;
        expected.max_decoded_bytes = parsed.max_decoded_bytes;
        expected.max_ops_per_message = parsed.max_ops_per_message;
        expected.max_text_chars = parsed.max_text_chars;
        expected.max_requests_per_minute = parsed.max_requests_per_minute;
        expected.request_timeout_secs = parsed.request_timeout_secs;
        expected.shutdown_grace_secs = parsed.shutdown_grace_secs;
        expected.max_db_bytes = parsed.max_db_bytes;
        expected.sqlite_synchronous = parsed.sqlite_synchronous;
        assert_eq!(parsed, expected);
        let custom = Config::try_parse_from([
            "fieldsync-server",
            "--listen",
            "127.0.0.1:0",
            "--max-body-bytes",
            "1024",
            "--max-document-bytes",
            "2048",
            "--request-timeout-secs",
            "5",
            "--shutdown-grace-secs",
            "0",
            "--max-messages-per-request",
            "20",
            "--max-changes-per-message",
            "30",
            "--max-decoded-bytes",
            "4096",
            "--max-ops-per-message",
            "70",
            "--max-text-chars",
            "50",
            "--max-requests-per-minute",
            "0",
        ])
        .expect("parse");
        assert_eq!(
            (
                custom.max_messages_per_request,
                custom.max_changes_per_message,
                custom.max_decoded_bytes,
                custom.max_ops_per_message,
                custom.max_text_chars,
                custom.max_requests_per_minute
            ),
            (20, 30, 4096, 70, 50, 0)
        );
        assert_eq!(custom.listen, "127.0.0.1:0");
        assert_eq!(custom.max_body_bytes, 1024);
        assert_eq!(custom.max_document_bytes, 2048);
        assert_eq!(custom.request_timeout(), Duration::from_secs(5));
        assert_eq!(custom.shutdown_grace(), Duration::ZERO);
    }

    #[test]
    fn defaults_of_the_limits() {
        let config = Config::for_data_dir("/tmp/x");
        assert_eq!(config.max_document_bytes, 1_048_576);
        assert_eq!(config.max_messages_per_request, 500);
        assert_eq!(config.max_changes_per_message, 10_000);
        assert_eq!(config.max_decoded_bytes, 16 * 1_048_576);
        assert_eq!(config.max_ops_per_message, 1_000_000);
        assert_eq!(config.max_text_chars, 10_000);
        assert_eq!(config.max_requests_per_minute, 600);
        assert_eq!(config.request_timeout(), Duration::from_secs(120));
        assert_eq!(config.shutdown_grace(), Duration::from_secs(10));
    }

    #[test]
    fn a_zero_request_timeout_is_refused() {
        let err = Config::try_parse_from(["fieldsync-server", "--request-timeout-secs", "0"])
            .expect_err("0 would time out every request");
        assert!(err.to_string().contains("request-timeout-secs"), "{err}");
    }
}
