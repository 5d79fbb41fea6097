//! A panic while a request is served is caught, logged and answered 500 for that request
//! only: the writer keeps working and the next request is served. Panics are injected by a
//! store that wraps the real one.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use automerge::ActorId;
use axum::http::StatusCode;
use std::ops::ControlFlow;

use fieldsync_schema::wire::CheckSummary;
use fieldsync_schema::{CheckId, CheckRecord, RecordFilter};
use fieldsync_server::auth::directory::{DirectoryError, Enrolment};
use fieldsync_server::auth::{Identity, Registry};
use fieldsync_server::store::{
    CheckFilter, LinkCounts, Quarantined, SqliteStore, Store, StoreError, StoredDoc, SyncBatch,
    Walked,
};
use fieldsync_server::{AppState, Config};

use crate::support::{Device, TestApp, bakery};

/// The SQLite store, panicking once where told to.
struct Faulty {
    inner: SqliteStore,
    /// Panic inside the next round, on the single writer (in its transaction).
    in_writer: AtomicBool,
    /// Panic in the next `has_check`, on the blocking pool before the round takes the writer.
    before_writer: AtomicBool,
}

impl Store for Faulty {
    fn server_actor(&self) -> ActorId {
        self.inner.server_actor()
    }

    fn sync_batch(
        &self,
        work: &mut dyn FnMut(&mut dyn SyncBatch) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.inner.sync_batch(&mut |batch| {
            let outcome = work(batch);
            if self.in_writer.swap(false, Ordering::SeqCst) {
                panic!("injected panic in the writer, after the round's work");
            }
            outcome
        })
    }

    fn list_checks(&self, filter: &CheckFilter) -> Result<Vec<CheckSummary>, StoreError> {
        self.inner.list_checks(filter)
    }

    fn load_check(&self, check: CheckId) -> Result<Option<StoredDoc>, StoreError> {
        self.inner.load_check(check)
    }

    fn has_check(&self, check: CheckId) -> Result<bool, StoreError> {
        if self.before_writer.swap(false, Ordering::SeqCst) {
            panic!("injected panic on the blocking pool");
        }
        self.inner.has_check(check)
    }

    fn resolution_counts(&self) -> Result<BTreeMap<u16, LinkCounts>, StoreError> {
        self.inner.resolution_counts()
    }

    fn quarantined(&self) -> Result<Vec<Quarantined>, StoreError> {
        self.inner.quarantined()
    }

    fn for_each_record(
        &self,
        filter: &RecordFilter,
        visit: &mut dyn FnMut(CheckRecord) -> ControlFlow<()>,
    ) -> Result<Walked, StoreError> {
        self.inner.for_each_record(filter, visit)
    }

    fn authenticate(&self, token: &str) -> Result<Option<Identity>, StoreError> {
        self.inner.authenticate(token)
    }

    fn registry(&self) -> Result<Registry, StoreError> {
        self.inner.registry()
    }

    fn enrol(&self, request: &Enrolment<'_>) -> Result<(String, Identity), DirectoryError> {
        self.inner.enrol(request)
    }

    fn check_team(&self, check: CheckId) -> Result<Option<String>, StoreError> {
        self.inner.check_team(check)
    }
}

fn faulty_app() -> (TestApp, Arc<Faulty>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config::for_data_dir(dir.path().join("data"));
    let store = Arc::new(Faulty {
        inner: SqliteStore::open(&config.data).expect("open"),
        in_writer: AtomicBool::new(false),
        before_writer: AtomicBool::new(false),
    });
    let state = AppState::new(Arc::clone(&store) as Arc<dyn Store>, &config);
    (TestApp::from_parts(dir, state), store)
}

async fn push(app: &TestApp, device: &mut Device, checks: &[CheckId]) -> (StatusCode, String) {
    let request = device.request(checks);
    let (status, body) = app
        .post("/api/v1/sync", serde_json::to_vec(&request).expect("json"))
        .await;
    (status, body.to_string())
}

async fn stored(app: &TestApp) -> usize {
    let (_, list) = app.get("/api/v1/checks").await;
    list.as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_panic_in_the_writer_is_a_500_for_that_round_only() {
    let (app, store) = faulty_app();
    let mut ana = Device::new("ana");
    let first = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    store.in_writer.store(true, Ordering::SeqCst);
    let (status, body) = push(&app, &mut ana, &[first]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(body.contains("\"internal\""), "{body}");
    assert!(
        !body.contains("injected"),
        "the panic text stays in the log: {body}"
    );
    assert_eq!(stored(&app).await, 0, "the panicking round was rolled back");
    // The writer keeps working: the same push goes through.
    let mut ana = Device::new("ana");
    let first = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    ana.sync_all(&app, &[first]).await;
    assert_eq!(stored(&app).await, 1);
}

#[tokio::test]
async fn a_panic_on_the_blocking_pool_is_a_500_and_the_next_request_is_served() {
    let (app, store) = faulty_app();
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    store.before_writer.store(true, Ordering::SeqCst);
    let (status, body) = push(&app, &mut ana, &[check]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(!body.contains("injected"), "{body}");
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    ana.sync_all(&app, &[check]).await;
    assert_eq!(stored(&app).await, 1);
}
