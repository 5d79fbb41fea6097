//! The device side of the protocol against the real server's sync logic ([`LocalServer`]).

use fieldsync_schema::{FieldValue, Role};

use super::*;
use crate::store::StoredCheck;
use crate::sync_client::{Exchange, SyncClientError};
use crate::test_support::{LocalServer, bakery, edit, new_store};

fn sync(store: &mut Store, server: &mut LocalServer) -> Summary {
    run(store, server, |_| {}).expect("sync")
}

fn only_check(store: &Store) -> StoredCheck {
    let mut checks = store.db().checks().expect("checks").readable;
    assert_eq!(checks.len(), 1, "{checks:?}");
    checks.remove(0)
}

/// A server, two inspectors' stores, and a bakery check recorded (not synced) by the first.
fn two_inspectors_and_a_bakery() -> (
    LocalServer,
    (tempfile::TempDir, Store),
    (tempfile::TempDir, Store),
    fieldsync_schema::CheckId,
) {
    let server = LocalServer::default();
    let (a, mut ana) = new_store("ana", Role::Inspector);
    let bilal = new_store("bilal", Role::Inspector);
    let id = bakery(&["bread_price_syp=1250"])
        .record(&mut ana)
        .expect("record");
    (server, (a, ana), bilal, id)
}

#[test]
fn a_push_and_a_pull_each_take_one_round_trip() {
    let (mut server, (_a, mut ana), (_b, mut bilal), id) = two_inspectors_and_a_bakery();

    let push = sync(&mut ana, &mut server);
    assert_eq!(
        (push.sent, push.received, push.rounds),
        (1, 0, 1),
        "{push:?}"
    );
    assert!(push.rejected.is_empty());
    assert!(!only_check(&ana).pending, "acknowledged by the server");
    assert_eq!(server.check(id).site.name_ar, "مخبز الأمل");

    let pull = sync(&mut bilal, &mut server);
    assert_eq!(
        (pull.sent, pull.received, pull.rounds),
        (0, 1, 1),
        "{pull:?}"
    );
    let got = only_check(&bilal);
    assert!(!got.pending);
    assert_eq!(got.check, only_check(&ana).check);
    assert_eq!(bilal.db().meta().expect("meta").cursor, 1);

    let idle = sync(&mut bilal, &mut server);
    assert_eq!(
        (idle.sent, idle.received, idle.rounds),
        (0, 0, 1),
        "{idle:?}"
    );
    let last = server.requests.last().expect("request");
    assert!(last.messages.is_empty());
    assert_eq!(last.cursor, 1);
}

#[test]
fn offline_edits_on_two_devices_converge_and_show_the_conflict() {
    let (mut server, (_a, mut ana), (_b, mut bilal), id) = two_inspectors_and_a_bakery();
    sync(&mut ana, &mut server);
    sync(&mut bilal, &mut server);

    edit(
        id,
        &[
            "flour_received_kg=900",
            "flour_due_kg=1000",
            "bread_price_syp=1500",
        ],
    )
    .apply(&mut ana)
    .expect("ana edits");
    edit(
        id,
        &[
            "licence_valid=no",
            "bread_price_official_syp=1000",
            "bread_price_syp=2000",
        ],
    )
    .apply(&mut bilal)
    .expect("bilal edits");
    sync(&mut ana, &mut server);
    let both = sync(&mut bilal, &mut server);
    assert_eq!((both.sent, both.received), (1, 1), "{both:?}");
    sync(&mut ana, &mut server);

    let (a, b) = (only_check(&ana), only_check(&bilal));
    assert_eq!(a.check, b.check);
    assert_eq!(a.conflicts, b.conflicts);
    assert!(!a.pending && !b.pending);
    assert_eq!(a.check.fields["flour_received_kg"], FieldValue::Int(900));
    assert_eq!(a.check.fields["licence_valid"], FieldValue::Bool(false));
    assert_eq!(a.check.resolutions, [20, 28, 29]);
    let [conflict] = a.conflicts.as_slice() else {
        panic!("one conflict expected: {:?}", a.conflicts)
    };
    assert_eq!(conflict.field, "fields.bread_price_syp");
    let mut authors: Vec<_> = conflict
        .values
        .iter()
        .map(|v| v.author.as_ref().map(|a| a.name.clone()))
        .collect();
    authors.sort();
    assert_eq!(authors, [Some("ana".into()), Some("bilal".into())]);
    assert_eq!(server.check(id), a.check);
}

#[test]
fn paged_responses_are_followed_until_more_is_false() {
    let mut server = LocalServer::default();
    let (_a, mut ana) = new_store("ana", Role::Inspector);
    for _ in 0..5 {
        bakery(&[]).record(&mut ana).expect("record");
    }
    sync(&mut ana, &mut server);
    server.page = 2;
    let (_b, mut bilal) = new_store("bilal", Role::Inspector);
    let pull = sync(&mut bilal, &mut server);
    assert_eq!((pull.received, pull.rounds), (5, 3), "{pull:?}");
    assert_eq!(bilal.db().checks().expect("checks").readable.len(), 5);
    assert_eq!(bilal.db().meta().expect("meta").cursor, 5);
}

#[test]
fn more_than_a_request_holds_is_sent_in_several_bounded_rounds() {
    let mut server = LocalServer::default();
    let (_a, mut ana) = new_store("ana", Role::Inspector);
    let count = MAX_MESSAGES_PER_REQUEST + 3;
    for _ in 0..count {
        bakery(&[]).record(&mut ana).expect("record");
    }
    let push = sync(&mut ana, &mut server);
    assert_eq!(push.sent, count, "{push:?}");
    assert_eq!(push.rounds as usize, server.requests.len());
    assert_windowed(&server.requests);
    let sent: usize = server.requests.iter().map(|r| r.messages.len()).sum();
    assert_eq!(sent, count, "each check sent once");
    assert!(ana.db().pending_ids().expect("pending").is_empty());
}

#[test]
fn a_rejected_check_is_reported_stays_pending_and_the_rest_syncs() {
    let mut server = LocalServer::default();
    let (_a, mut ana) = new_store("ana", Role::Inspector);
    let bad = bakery(&[]).record(&mut ana).expect("bad");
    let good = bakery(&[]).record(&mut ana).expect("good");
    server.reject.push(bad);
    let mut seen = Vec::new();
    let summary = run(&mut ana, &mut server, |r| seen.push(r.check)).expect("sync");
    assert_eq!(seen, [bad]);
    assert_eq!(summary.rejected.len(), 1);
    assert_eq!(
        summary.rounds, 1,
        "a rejected check is not retried in the same run"
    );
    assert_eq!(ana.db().pending_ids().expect("pending"), [bad]);
    assert_eq!(server.check(good).id, good);
}

/// A transport that always fails, or always answers `more`.
struct Broken {
    more: bool,
}

impl Transport for Broken {
    fn exchange(&mut self, request: &SyncRequest) -> Result<Exchange, SyncClientError> {
        if !self.more {
            return Err(SyncClientError::BadResponse {
                url: "http://test".into(),
                reason: "unreachable in this test".into(),
            });
        }
        Ok(Exchange {
            response: SyncResponse {
                server: "broken".into(),
                reset: false,
                cursor: request.cursor + 1,
                horizon: None,
                more: true,
                messages: vec![],
                rejected: vec![],
                deleted: vec![],
                wanted: vec![],
            },
            bytes_up: 1,
            bytes_down: 1,
        })
    }
}

#[test]
fn a_failed_round_leaves_the_store_untouched() {
    let (_a, mut ana) = new_store("ana", Role::Inspector);
    let id = bakery(&[]).record(&mut ana).expect("record");
    let before = ana.db().load_existing(id).expect("doc");
    let err = run(&mut ana, &mut Broken { more: false }, |_| {}).expect_err("fails");
    assert!(err.to_string().contains("http://test"), "{err}");
    let after = ana.db().load_existing(id).expect("doc");
    assert_eq!(
        (after.heads, after.server_heads, after.sync_state),
        (before.heads, before.server_heads, before.sync_state)
    );
    assert_eq!(ana.db().meta().expect("meta").cursor, 0);
}

#[test]
fn a_server_that_never_finishes_is_given_up_on() {
    let (_a, mut ana) = new_store("ana", Role::Inspector);
    let err = run(&mut ana, &mut Broken { more: true }, |_| {}).expect_err("gives up");
    assert!(
        err.to_string().contains("no progress in 50 round trips"),
        "{err}"
    );
    assert_eq!(ana.db().meta().expect("meta").cursor, u64::from(MAX_ROUNDS));
}

/// Request plus response bytes of an idle re-sync of a device holding `n` synced checks.
fn idle_bytes(n: usize) -> (u64, u32) {
    let mut server = LocalServer::default();
    let (_a, mut ana) = new_store("ana", Role::Inspector);
    for _ in 0..n {
        bakery(&["bread_price_syp=1250"])
            .record(&mut ana)
            .expect("record");
    }
    sync(&mut ana, &mut server);
    let idle = sync(&mut ana, &mut server);
    (idle.bytes_up + idle.bytes_down, idle.rounds)
}

#[test]
fn an_idle_resync_costs_the_same_whatever_the_number_of_checks() {
    let (small, small_rounds) = idle_bytes(10);
    let (large, large_rounds) = idle_bytes(1_000);
    assert_eq!((small_rounds, large_rounds), (1, 1));
    // Only the cursor's digits may differ ("cursor":10 vs "cursor":1000, both ways).
    assert!(
        large <= small + 8,
        "idle bytes grew with the store: {small} for 10, {large} for 1000"
    );
    assert!(large < 1024, "an idle sync stays under 1 KB: {large}");
}

#[test]
fn large_pushes_go_in_requests_bounded_in_bytes() {
    let mut server = LocalServer::default();
    let (_a, mut ana) = new_store("ana", Role::Inspector);
    let letters: Vec<char> = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي ".chars().collect();
    let mut seed: u64 = 7;
    for _ in 0..20 {
        let notes: String = (0..3_000)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                letters[(seed >> 33) as usize % letters.len()]
            })
            .collect();
        let mut record = bakery(&[]);
        record.notes = Some(notes);
        record.record(&mut ana).expect("record");
    }
    let push = sync(&mut ana, &mut server);
    assert_eq!(push.sent, 20);
    assert!(server.requests.len() > 1, "split by bytes: {push:?}");
    assert_windowed(&server.requests);
    assert!(ana.db().pending_ids().expect("pending").is_empty());
}

#[test]
fn a_long_sync_that_makes_progress_is_not_cut_short() {
    let mut server = LocalServer::default();
    let (_a, mut ana) = new_store("ana", Role::Inspector);
    let count = MAX_ROUNDS as usize + 10;
    for _ in 0..count {
        bakery(&[]).record(&mut ana).expect("record");
    }
    sync(&mut ana, &mut server);
    server.page = 1;
    let (_b, mut bilal) = new_store("bilal", Role::Inspector);
    let pull = sync(&mut bilal, &mut server);
    assert_eq!(pull.received, count);
    assert!(pull.rounds as usize >= count, "{pull:?}");
}

#[test]
fn a_device_that_receives_its_own_gets_reviews_but_not_other_inspectors_checks() {
    use crate::commands::review::{Decision, Review};
    use fieldsync_schema::{ReviewState, wire::Receive};

    let mut server = LocalServer::default();
    let (_a, mut ana) = new_store("ana", Role::Inspector);
    ana.db().set_receive(Receive::Own).expect("own");
    let (_b, mut bilal) = new_store("bilal", Role::Inspector);
    let (_s, mut sara) = new_store("sara", Role::Supervisor);
    let mine = bakery(&[]).record(&mut ana).expect("record");
    sync(&mut ana, &mut server);
    bakery(&[]).record(&mut bilal).expect("record");
    sync(&mut bilal, &mut server);

    let pull = sync(&mut ana, &mut server);
    assert_eq!(
        pull.received, 0,
        "bilal's check does not come down: {pull:?}"
    );
    assert_eq!(only_check(&ana).check.id, mine);

    sync(&mut sara, &mut server);
    assert_eq!(
        sara.db().checks().expect("checks").readable.len(),
        2,
        "supervisors get all"
    );
    Review {
        id: mine.to_string(),
        state: Decision::Approved,
        comment: "ok".into(),
    }
    .apply(&mut sara)
    .expect("review");
    sync(&mut sara, &mut server);
    let pull = sync(&mut ana, &mut server);
    assert_eq!(pull.received, 1, "{pull:?}");
    assert_eq!(only_check(&ana).check.review.state, ReviewState::Approved);
}

/// Every request holds at most [`MAX_MESSAGES_PER_REQUEST`] messages and at most the window
/// of its round: [`BATCH_BYTES`] first, doubling after each fast round (in-process rounds
/// are fast) up to [`MAX_WINDOW_BYTES`]; a single larger message may go alone.
fn assert_windowed(requests: &[SyncRequest]) {
    for (round, request) in requests.iter().enumerate() {
        let bytes: usize = request.messages.iter().map(|m| m.message.len()).sum();
        let window = (BATCH_BYTES << round.min(16)).min(MAX_WINDOW_BYTES);
        assert!(request.messages.len() <= MAX_MESSAGES_PER_REQUEST);
        assert!(
            request.messages.len() == 1 || bytes <= window,
            "round {round}: {bytes} bytes, window {window}"
        );
    }
}

#[test]
fn the_window_grows_on_a_fast_link_and_shrinks_on_a_slow_one() {
    let fast = Duration::from_millis(50);
    let slow = Duration::from_secs(7);
    assert_eq!(next_window(BATCH_BYTES, fast), 2 * BATCH_BYTES);
    assert_eq!(next_window(MAX_WINDOW_BYTES, fast), MAX_WINDOW_BYTES);
    assert_eq!(next_window(8 * BATCH_BYTES, slow), 4 * BATCH_BYTES);
    assert_eq!(
        next_window(BATCH_BYTES, slow),
        BATCH_BYTES,
        "2G keeps 16 KiB rounds"
    );
    assert_eq!(
        next_window(4 * BATCH_BYTES, Duration::from_secs(2)),
        4 * BATCH_BYTES
    );
}

/// Answers the first round, then fails as a cut link.
struct CutAfterFirst<'a> {
    server: &'a mut LocalServer,
    rounds: usize,
}

impl Transport for CutAfterFirst<'_> {
    fn exchange(&mut self, request: &SyncRequest) -> Result<Exchange, SyncClientError> {
        self.rounds += 1;
        if self.rounds > 1 {
            return Err(SyncClientError::BadResponse {
                url: "http://cut".into(),
                reason: "link cut".into(),
            });
        }
        self.server.exchange(request)
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

#[test]
fn checks_pushed_in_a_paged_round_cut_short_come_back_after_a_restore() {
    let root = crate::test_support::temp_home();
    let (data, backup) = (root.path().join("data"), root.path().join("backup"));
    let (_b, mut big) = new_store("big", Role::Inspector);
    for _ in 0..12 {
        bakery(&[]).record(&mut big).expect("record");
    }
    let mut server = LocalServer::open_at(&data);
    sync(&mut big, &mut server);
    drop(server);
    copy_dir(&data, &backup);

    // x pushes 3 checks; the round is paged (more) and answers a cursor below their
    // sequences; the next round is cut.
    let (_x, mut x) = new_store("x", Role::Inspector);
    let mine: Vec<_> = (0..3)
        .map(|_| bakery(&[]).record(&mut x).expect("record"))
        .collect();
    let mut server = LocalServer::open_at(&data);
    server.page = 2;
    let cut = run(
        &mut x,
        &mut CutAfterFirst {
            server: &mut server,
            rounds: 0,
        },
        |_| {},
    );
    assert!(cut.is_err(), "the second round was cut");
    assert!(
        x.db().pending_ids().expect("pending").is_empty(),
        "x's checks were acknowledged"
    );
    assert!(
        x.db().meta().expect("meta").cursor < 15,
        "cursor below x's own checks"
    );
    drop(server);

    std::fs::remove_dir_all(&data).expect("rm");
    copy_dir(&backup, &data);
    let mut server = LocalServer::open_at(&data);
    sync(&mut x, &mut server);
    for id in mine {
        assert_eq!(server.check(id).id, id, "x's check is back on the server");
    }
}
