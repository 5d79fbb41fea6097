//! Test helpers: an app over a temporary store, and a simulated device that speaks the
//! protocol of `fieldsync_schema::sync` the way the CLI does.

use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, Mutex};

use automerge::ActorId;
use automerge::sync::{Message, SyncDoc};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fieldsync_schema::sync::{load_state, needs_delivery, prime, trust_their_heads};
use fieldsync_schema::wire::{DeviceInfo, DocMessage, SyncRequest, SyncResponse};
use fieldsync_schema::{
    Author, CheckDoc, CheckId, FacilityKind, FieldValue, FormRef, NewCheck, Role, Site,
};
use fieldsync_server::auth::directory;
use fieldsync_server::store::open_connection;
use fieldsync_server::{AppState, Config, router};
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt as _;

/// The actor of every [`Device`] made in this process, by its (unique) device id, so the app
/// can enrol a device the first time it syncs.
static ACTORS: LazyLock<Mutex<HashMap<String, ActorId>>> = LazyLock::new(Mutex::default);

/// The router over a store in a temporary directory (deleted on drop). Requests carry a
/// bearer token: a sync request its device's (enrolled on first use, through the server's
/// directory on the same database), anything else a supervisor's.
pub struct TestApp {
    pub dir: TempDir,
    pub state: AppState,
    tokens: Mutex<HashMap<String, String>>,
}

impl TestApp {
    pub fn new() -> Self {
        Self::with(|config| config, |state| state)
    }

    /// An app whose config and state were adjusted by `config` and `state`.
    pub fn with(
        config: impl FnOnce(Config) -> Config,
        state: impl FnOnce(AppState) -> AppState,
    ) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config(Config::for_data_dir(dir.path().join("data")));
        let state = state(AppState::open(&config).expect("open store"));
        Self {
            dir,
            state,
            tokens: Mutex::default(),
        }
    }

    /// An app over `state` (a store of the test's own) whose data lives in `dir`.
    pub fn from_parts(dir: TempDir, state: AppState) -> Self {
        Self {
            dir,
            state,
            tokens: Mutex::default(),
        }
    }

    /// The token of the device `info` names (enrolled with its registered actor on first
    /// use; a device id no [`Device`] has gets a fresh actor).
    pub fn token_for(&self, info: &DeviceInfo) -> String {
        let mut tokens = self.tokens.lock().expect("tokens");
        if let Some(token) = tokens.get(&info.id) {
            return token.clone();
        }
        let actor = ACTORS
            .lock()
            .expect("actors")
            .get(&info.id)
            .cloned()
            .unwrap_or_else(ActorId::random);
        let mut conn = open_connection(&self.dir.path().join("data")).expect("open");
        let ttl = directory::DEFAULT_CODE_TTL;
        let code = match directory::add_user(&mut conn, &info.user, info.role, None, ttl) {
            Ok(code) => code,
            Err(_) => directory::issue_code(&mut conn, &info.user, ttl).expect("code"),
        };
        let actor = actor.to_hex_string();
        let request = directory::Enrolment {
            code: &code,
            device: &info.id,
            actor: &actor,
            existing: None,
        };
        let (token, _) = directory::enrol(&mut conn, &request).expect("enrol");
        tokens.insert(info.id.clone(), token.clone());
        token
    }

    /// A supervisor's token, for reads and raw requests.
    pub fn reader_token(&self) -> String {
        let info = DeviceInfo {
            id: "reader-device".into(),
            user: "reader".into(),
            role: Role::Supervisor,
        };
        self.token_for(&info)
    }

    pub fn router(&self) -> Router {
        router(self.state.clone())
    }

    /// Sends `request` and returns the status, headers and body bytes.
    /// Without an `Authorization` header, a supervisor's token is added.
    pub async fn send(
        &self,
        mut request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        if !request.headers().contains_key(header::AUTHORIZATION) {
            let bearer = format!("Bearer {}", self.reader_token());
            request
                .headers_mut()
                .insert(header::AUTHORIZATION, bearer.parse().expect("header value"));
        }
        let response = self.router().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        (status, headers, body.to_vec())
    }

    /// GET `path`; the body parsed as JSON.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let request = Request::get(path).body(Body::empty()).expect("request");
        let (status, headers, body) = self.send(request).await;
        assert_json(&headers, &body);
        (status, serde_json::from_slice(&body).expect("JSON body"))
    }

    /// POST raw bytes to `path` as JSON; the body parsed as JSON.
    pub async fn post(&self, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request");
        let (status, headers, body) = self.send(request).await;
        assert_json(&headers, &body);
        (status, serde_json::from_slice(&body).expect("JSON body"))
    }

    /// POST a sync request as its device, expecting 200.
    pub async fn sync(&self, request: &SyncRequest) -> SyncResponse {
        let bearer = format!("Bearer {}", self.token_for(&request.device));
        let http = Request::post("/api/v1/sync")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, bearer)
            .body(Body::from(serde_json::to_vec(request).expect("serialise")))
            .expect("request");
        let (status, headers, body) = self.send(http).await;
        assert_json(&headers, &body);
        let body: Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).expect("SyncResponse")
    }
}

fn assert_json(headers: &axum::http::HeaderMap, body: &[u8]) {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_eq!(
        kind,
        "application/json",
        "{}",
        String::from_utf8_lossy(body)
    );
}

pub fn inspector(name: &str) -> Author {
    Author {
        name: name.into(),
        device: format!("{name}-device"),
        role: Role::Inspector,
    }
}

/// A bakery check with a bread price (links to resolutions 16 and 20).
pub fn bakery(site: &str, observed_at: &str) -> NewCheck {
    NewCheck {
        id: CheckId::new(),
        kind: FacilityKind::Bakery,
        site: Site {
            id: site.parse().expect("site id"),
            name_ar: "مخبز الأمل".into(),
            name_en: None,
            lat: None,
            lon: None,
        },
        observed_at: observed_at.parse().expect("time"),
        // Linked to 20 (price above the official one) and 28 (flour below the allocation).
        fields: BTreeMap::from([
            ("operating".to_owned(), FieldValue::Bool(true)),
            ("bread_price_syp".to_owned(), FieldValue::Int(1250)),
            ("bread_price_official_syp".to_owned(), FieldValue::Int(1000)),
            ("flour_due_kg".to_owned(), FieldValue::Int(1000)),
            ("flour_received_kg".to_owned(), FieldValue::Int(800)),
        ]),
        notes: String::new(),
    }
}

pub fn bakery_form() -> FormRef {
    FormRef {
        id: "bakery".into(),
        version: 1,
    }
}

/// A device's store in memory: documents, encoded sync states for the server, cursor.
pub struct Device {
    pub info: DeviceInfo,
    pub author: Author,
    pub actor: ActorId,
    pub docs: HashMap<CheckId, CheckDoc>,
    pub states: HashMap<CheckId, Vec<u8>>,
    /// Replies queued by the last response, sent instead of primed messages.
    pub replies: HashMap<CheckId, Vec<u8>>,
    /// Heads of the messages of the last request, per check.
    pub sent: Vec<(CheckId, Vec<automerge::ChangeHash>)>,
    /// Checks the server acknowledged without a reply, in order.
    pub acknowledged: Vec<CheckId>,
    pub cursor: u64,
}

impl Device {
    /// A new inspector's device; its id is `<name>-device-<8 hex digits>` (unique).
    pub fn new(name: &str) -> Self {
        let actor = ActorId::random();
        let mut author = inspector(name);
        author.device = format!("{name}-device-{}", &actor.to_hex_string()[..8]);
        ACTORS
            .lock()
            .expect("actors")
            .insert(author.device.clone(), actor.clone());
        Self {
            info: DeviceInfo {
                id: author.device.clone(),
                user: name.into(),
                role: Role::Inspector,
            },
            author,
            actor,
            docs: HashMap::new(),
            states: HashMap::new(),
            replies: HashMap::new(),
            sent: Vec::new(),
            acknowledged: Vec::new(),
            cursor: 0,
        }
    }

    /// Records a new check and returns its id.
    pub fn record(&mut self, new: &NewCheck) -> CheckId {
        let doc = CheckDoc::create(new, &bakery_form(), &self.author, self.actor.clone())
            .expect("create");
        self.docs.insert(new.id, doc);
        new.id
    }

    /// The reply queued by the last response for `check`, else a primed message (step 1).
    pub fn message_for(&mut self, check: CheckId) -> DocMessage {
        if let Some(message) = self.replies.remove(&check) {
            return DocMessage { check, message };
        }
        let mut state = load_state(self.states.get(&check).map(Vec::as_slice)).expect("state");
        prime(&mut state);
        let doc = self.docs.get_mut(&check).expect("known check");
        let message = doc
            .automerge()
            .sync()
            .generate_sync_message(&mut state)
            .expect("a primed state always yields a message");
        self.states.insert(check, state.encode());
        DocMessage {
            check,
            message: message.encode(),
        }
    }

    /// A request carrying messages for `checks`.
    pub fn request(&mut self, checks: &[CheckId]) -> SyncRequest {
        let messages: Vec<DocMessage> = checks.iter().map(|c| self.message_for(*c)).collect();
        self.sent = messages
            .iter()
            .map(|m| {
                (
                    m.check,
                    Message::decode(&m.message).expect("own message").heads,
                )
            })
            .collect();
        SyncRequest {
            device: self.info.clone(),
            cursor: self.cursor,
            horizon: None,
            receive: Default::default(),
            window: None,
            messages,
        }
    }

    /// Applies a response (the device's step 3); returns the checks that need another round.
    pub fn apply(&mut self, response: &SyncResponse) -> Vec<CheckId> {
        let mut queued = Vec::new();
        for incoming in &response.messages {
            let check = incoming.check;
            let mut state = load_state(self.states.get(&check).map(Vec::as_slice)).expect("state");
            let doc = self.docs.entry(check).or_insert_with(CheckDoc::empty);
            let message = Message::decode(&incoming.message).expect("server message decodes");
            doc.automerge()
                .sync()
                .receive_sync_message(&mut state, message)
                .expect("receive");
            trust_their_heads(doc.automerge(), &mut state);
            if let Some(reply) = doc.automerge().sync().generate_sync_message(&mut state)
                && needs_delivery(&reply)
            {
                queued.push(check);
                self.replies.insert(check, reply.encode());
            }
            self.states.insert(check, state.encode());
        }
        // Sent, neither answered nor rejected: acknowledged at the heads sent.
        for (check, heads) in std::mem::take(&mut self.sent) {
            let answered = response.messages.iter().any(|m| m.check == check)
                || response.rejected.iter().any(|r| r.check == check);
            if !answered {
                let mut state = automerge::sync::State::new();
                state.shared_heads = heads;
                self.states.insert(check, state.encode());
                self.acknowledged.push(check);
            }
        }
        self.cursor = response.cursor;
        queued
    }

    /// Syncs until nothing is queued and `more` is false, pushing `checks` first.
    pub async fn sync_all(&mut self, app: &TestApp, checks: &[CheckId]) -> Vec<SyncResponse> {
        let mut pending = checks.to_vec();
        let mut responses = Vec::new();
        for _ in 0..10 {
            let request = self.request(&pending);
            let response = app.sync(&request).await;
            pending = self.apply(&response);
            let more = response.more;
            responses.push(response);
            if pending.is_empty() && !more {
                return responses;
            }
        }
        panic!("sync did not settle in 10 rounds");
    }

    pub fn heads(&mut self, check: CheckId) -> Vec<automerge::ChangeHash> {
        self.docs.get_mut(&check).expect("known check").heads()
    }
}

/// The heads a server message announces.
pub fn message_heads(message: &DocMessage) -> Vec<automerge::ChangeHash> {
    Message::decode(&message.message).expect("decodes").heads
}
