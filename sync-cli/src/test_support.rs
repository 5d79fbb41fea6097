//! Test helpers: temporary stores, command shortcuts, and the real server's sync logic
//! in-process ([`LocalServer`]), for the round tests.

use std::sync::Arc;

use fieldsync_schema::wire::SyncRequest;
use fieldsync_schema::{CheckDoc, CheckId, Role};
use fieldsync_server::sync::{Limits, sync_round};
use fieldsync_server::{AppState, Config};
use tempfile::TempDir;

use crate::commands::edit::Edit;
use crate::commands::record::Record;
use crate::store::{NewIdentity, Store};
use crate::sync_client::{Exchange, SyncClientError, Transport};

/// A temporary home directory, removed on drop.
pub fn temp_home() -> TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// A fresh identity for `user`.
pub fn identity(user: &str, role: Role) -> NewIdentity {
    NewIdentity::generate(user, role, None)
}

/// A home with an initialised store.
pub fn new_store(user: &str, role: Role) -> (TempDir, Store) {
    let home = temp_home();
    let store = Store::init(home.path(), &identity(user, role)).expect("init");
    (home, store)
}

/// `record --kind bakery` at an Arabic-named site with the given `--set`s, plus the values
/// the current bakery form requires that `sets` leaves out (`operating=yes`, then
/// `bread_price_syp=1250` while operating).
pub fn bakery(sets: &[&str]) -> Record {
    let given = |name: &str| {
        sets.iter()
            .find_map(|s| s.strip_prefix(&format!("{name}=")[..]))
    };
    let mut sets: Vec<&str> = sets.to_vec();
    if given("operating").is_none() {
        sets.push("operating=yes");
    }
    let operating = given("operating").is_none_or(|v| ["yes", "true", "نعم"].contains(&v));
    if operating && given("bread_price_syp").is_none() {
        sets.push("bread_price_syp=1250");
    }
    Record {
        kind: "bakery".into(),
        site_id: "DEZ-BAK-014".into(),
        site_name: "مخبز الأمل".into(),
        site_name_en: Some("Al-Amal bakery".into()),
        lat: Some(35.336),
        lon: Some(40.14),
        observed_at: Some("2026-03-29T10:15:00+03:00".into()),
        set: sets.iter().map(|s| (*s).to_owned()).collect(),
        notes: Some("الطابور طويل".into()),
        no_input: true,
    }
}

/// `edit ID --set ...`.
pub fn edit(id: CheckId, sets: &[&str]) -> Edit {
    Edit {
        id: id.to_string(),
        set: sets.iter().map(|s| (*s).to_owned()).collect(),
        notes: None,
    }
}

/// The real server's sync logic (`fieldsync_server::sync::sync_round`) over a SQLite store
/// in a temporary directory, called in-process instead of over HTTP.
pub struct LocalServer {
    _dir: Option<TempDir>,
    store: Arc<dyn fieldsync_server::store::Store>,
    /// Most messages per response (0 = the server's default), to exercise `more`.
    pub page: usize,
    /// Checks whose messages are replaced by garbage before the server sees them, so the
    /// server really rejects them.
    pub reject: Vec<CheckId>,
    /// Requests received (as sent, before any garbling).
    pub requests: Vec<SyncRequest>,
}

impl Default for LocalServer {
    fn default() -> Self {
        let dir = temp_home();
        let mut server = Self::open_at(&dir.path().join("data"));
        server._dir = Some(dir);
        server
    }
}

impl LocalServer {
    /// A server over the data directory `dir` (created if missing, kept after drop), so a
    /// test can stop it, copy or restore the directory, and open it again.
    pub fn open_at(dir: &std::path::Path) -> Self {
        let config = Config::for_data_dir(dir);
        let state = AppState::open(&config).expect("server store");
        Self {
            store: state.store().clone(),
            _dir: None,
            page: 0,
            reject: Vec::new(),
            requests: Vec::new(),
        }
    }

    /// The server's check, read as the device would.
    pub fn check(&self, id: CheckId) -> fieldsync_schema::Check {
        let stored = self.store.load_check(id).expect("load").expect("known");
        CheckDoc::load(&stored.bytes)
            .expect("load")
            .read()
            .expect("read")
    }
}

impl Transport for LocalServer {
    fn exchange(&mut self, request: &SyncRequest) -> Result<Exchange, SyncClientError> {
        self.requests.push(request.clone());
        let mut sent = request.clone();
        for message in &mut sent.messages {
            if self.reject.contains(&message.check) {
                message.message = vec![0, 1, 2, 3];
            }
        }
        let mut limits = Limits::default();
        if self.page > 0 {
            limits.reply_messages = self.page;
        }
        let response = sync_round(self.store.as_ref(), &sent, &limits).expect("server round");
        Ok(Exchange {
            bytes_up: serde_json::to_vec(request).expect("json").len() as u64,
            bytes_down: serde_json::to_vec(&response).expect("json").len() as u64,
            response,
        })
    }
}
