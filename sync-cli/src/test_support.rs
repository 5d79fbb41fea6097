//! Test helpers: temporary stores, command shortcuts, and an in-memory sync server that
//! follows the protocol of `fieldsync_schema::sync` (server side), for the round tests.

use std::collections::BTreeMap;

use automerge::AutoCommit;
use automerge::sync::{Message, SyncDoc as _};
use fieldsync_schema::sync::{load_state, prime};
use fieldsync_schema::wire::{DocMessage, Rejection, SyncRequest, SyncResponse};
use fieldsync_schema::{CheckDoc, CheckId, Role};
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

/// `record --kind bakery` at an Arabic-named site with the given `--set`s.
pub fn bakery(sets: &[&str]) -> Record {
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

/// The server's copy of one document.
struct ServerDoc {
    doc: AutoCommit,
    seq: u64,
}

/// An in-memory server: per-document bytes and `seq`, per (device, document) sync state.
#[derive(Default)]
pub struct FakeServer {
    docs: BTreeMap<CheckId, ServerDoc>,
    states: BTreeMap<(String, CheckId), Vec<u8>>,
    seq: u64,
    /// Most server-initiated messages per response (0 = unlimited), to exercise `more`.
    pub page: usize,
    /// Checks whose messages are rejected.
    pub reject: Vec<CheckId>,
    /// Requests received.
    pub requests: Vec<SyncRequest>,
}

impl FakeServer {
    fn handle(&mut self, request: &SyncRequest) -> SyncResponse {
        let device = request.device.id.clone();
        let mut messages = Vec::new();
        let mut rejected = Vec::new();
        for m in &request.messages {
            if self.reject.contains(&m.check) {
                rejected.push(Rejection {
                    check: m.check,
                    error: "invalid_check".into(),
                    message: "refused by the test".into(),
                });
                continue;
            }
            let message = Message::decode(&m.message).expect("device message");
            messages.push(self.reply(&device, m.check, message));
        }
        let answered: Vec<CheckId> = messages.iter().map(|m: &DocMessage| m.check).collect();
        let mut changed: Vec<(u64, CheckId)> = self
            .docs
            .iter()
            .filter(|(id, d)| d.seq > request.cursor && !answered.contains(id))
            .map(|(id, d)| (d.seq, *id))
            .collect();
        changed.sort_unstable();
        let limit = if self.page == 0 {
            usize::MAX
        } else {
            self.page
        };
        let more = changed.len() > limit;
        let mut cursor = self.seq;
        for (seq, id) in changed.into_iter().take(limit) {
            messages.push(self.push(&device, id));
            if more {
                cursor = seq;
            }
        }
        SyncResponse {
            cursor,
            more,
            messages,
            rejected,
        }
    }

    fn reply(&mut self, device: &str, id: CheckId, message: Message) -> DocMessage {
        let key = (device.to_owned(), id);
        let mut state = load_state(self.states.get(&key).map(Vec::as_slice)).expect("state");
        let entry = self.docs.entry(id).or_insert_with(|| ServerDoc {
            doc: AutoCommit::new(),
            seq: 0,
        });
        let before = entry.doc.get_heads();
        entry
            .doc
            .sync()
            .receive_sync_message(&mut state, message)
            .expect("receive");
        if entry.doc.get_heads() != before {
            self.seq += 1;
            entry.seq = self.seq;
        }
        let reply = entry.doc.sync().generate_sync_message(&mut state);
        self.states.insert(key, state.encode());
        DocMessage {
            check: id,
            message: reply.expect("a first reply always exists").encode(),
        }
    }

    fn push(&mut self, device: &str, id: CheckId) -> DocMessage {
        let key = (device.to_owned(), id);
        let mut state = load_state(self.states.get(&key).map(Vec::as_slice)).expect("state");
        prime(&mut state);
        let doc = &mut self.docs.get_mut(&id).expect("known").doc;
        let message = doc
            .sync()
            .generate_sync_message(&mut state)
            .expect("primed");
        self.states.insert(key, state.encode());
        DocMessage {
            check: id,
            message: message.encode(),
        }
    }

    /// The server's check, read as the device would.
    pub fn check(&mut self, id: CheckId) -> fieldsync_schema::Check {
        let bytes = self.docs.get_mut(&id).expect("known").doc.save();
        CheckDoc::load(&bytes).expect("load").read().expect("read")
    }
}

impl Transport for FakeServer {
    fn exchange(&mut self, request: &SyncRequest) -> Result<Exchange, SyncClientError> {
        self.requests.push(request.clone());
        let response = self.handle(request);
        Ok(Exchange {
            bytes_up: serde_json::to_vec(request).expect("json").len() as u64,
            bytes_down: serde_json::to_vec(&response).expect("json").len() as u64,
            response,
        })
    }
}
