//! Server configuration: command-line flags, each with an environment variable and a working
//! local default. Loading the configuration never touches the disk.

use std::path::PathBuf;

use clap::Parser;

/// Default listen address: loopback only, so a fresh install is not exposed by accident.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default data directory, relative to the working directory.
pub const DEFAULT_DATA: &str = "./data";
/// Default tracing filter.
pub const DEFAULT_LOG: &str = "info";
/// Default largest accepted request body, after decompression: 32 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// How to run the server.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(
    name = "fieldsync-server",
    version,
    about = "The fieldsync sync server."
)]
pub struct Config {
    /// Directory holding the database (`fieldsync.db`); created if missing.
    #[arg(long, env = "FIELDSYNC_DATA", default_value = DEFAULT_DATA)]
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
}

impl Config {
    /// The default configuration with `dir` as data directory (for tests and embedding).
    pub fn for_data_dir(dir: impl Into<PathBuf>) -> Config {
        Config {
            data: dir.into(),
            listen: DEFAULT_LISTEN.to_owned(),
            log: DEFAULT_LOG.to_owned(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
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
        assert_eq!(parsed, expected);
        let custom = Config::try_parse_from([
            "fieldsync-server",
            "--listen",
            "127.0.0.1:0",
            "--max-body-bytes",
            "1024",
        ])
        .expect("parse");
        assert_eq!(custom.listen, "127.0.0.1:0");
        assert_eq!(custom.max_body_bytes, 1024);
    }
}
