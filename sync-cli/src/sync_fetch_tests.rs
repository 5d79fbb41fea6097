//! `run_fetching`: wanted checks the device does not hold, against the real server logic.

use fieldsync_schema::Role;

use super::*;
use crate::sync_client::{Exchange, SyncClientError};
use crate::test_support::{LocalServer, bakery, new_store};

/// Counts round trips and keeps the requests.
struct Counting<'a> {
    server: &'a mut LocalServer,
    requests: Vec<SyncRequest>,
}

impl Transport for Counting<'_> {
    fn exchange(&mut self, request: &SyncRequest) -> Result<Exchange, SyncClientError> {
        self.requests.push(request.clone());
        assert!(
            self.requests.len() < 20,
            "looping: {:#?}",
            &self.requests[..3]
        );
        self.server.exchange(request)
    }
}

fn fetch(store: &mut Store, server: &mut LocalServer, wanted: &[CheckId]) -> Summary {
    let mut counting = Counting {
        server,
        requests: Vec::new(),
    };
    run_fetching(
        store,
        &mut counting,
        &mut OnRejection(|_: &Rejection| {}),
        wanted,
    )
    .expect("fetch")
}

#[test]
fn a_fetched_check_arrives_in_one_round_trip_and_stays_held() {
    let mut server = LocalServer::default();
    let (_a, mut ana) = new_store("ana", Role::Inspector);
    let (_b, mut bilal) = new_store("bilal", Role::Inspector);
    bilal
        .db()
        .set_receive(fieldsync_schema::wire::Receive::Own)
        .expect("own");
    let id = bakery(&[]).record(&mut ana).expect("record");
    fetch(&mut ana, &mut server, &[]);

    let summary = fetch(&mut bilal, &mut server, &[id]);
    assert_eq!((summary.rounds, summary.received), (1, 1), "{summary:?}");
    assert!(bilal.db().load(id).expect("load").is_some());
    assert_eq!(
        bilal.db().pending_ids().expect("pending"),
        Vec::<CheckId>::new()
    );
}

#[test]
fn a_check_the_server_lacks_ends_the_run_without_storing_anything() {
    let mut server = LocalServer::default();
    let (_b, mut bilal) = new_store("bilal", Role::Inspector);
    let absent: CheckId = "0190f5a4-0000-7000-8000-000000000000".parse().expect("id");
    let summary = fetch(&mut bilal, &mut server, &[absent]);
    assert_eq!(summary.rounds, 1, "{summary:?}");
    assert!(bilal.db().load(absent).expect("load").is_none());
}
