//! Checks the server names in `wanted` (its copy was damaged on disk): a device holding one
//! with nothing pending sends it whole in the same sync, once per sync however often it is
//! asked, against the real server logic.

use automerge::sync::{Message, State, SyncDoc as _};
use fieldsync_schema::{CheckDoc, Role};

use super::*;
use crate::sync_client::{Exchange, SyncClientError};
use crate::test_support::{LocalServer, bakery, new_store};

/// Flips bytes in the middle of the server's stored document of `check`.
fn damage(data: &std::path::Path, check: CheckId) {
    let conn = rusqlite::Connection::open(data.join(fieldsync_server::store::DB_FILE))
        .expect("server database");
    let mut bytes: Vec<u8> = conn
        .query_row(
            "SELECT bytes FROM documents WHERE check_id = ?1",
            [check.to_string()],
            |r| r.get(0),
        )
        .expect("stored");
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 8] {
        *b ^= 0x3c;
    }
    conn.execute(
        "UPDATE documents SET bytes = ?2 WHERE check_id = ?1",
        rusqlite::params![check.to_string(), bytes],
    )
    .expect("damage");
}

/// Messages about `check` in `requests`.
fn messages_about(requests: &[SyncRequest], check: CheckId) -> Vec<&DocMessage> {
    requests
        .iter()
        .flat_map(|r| &r.messages)
        .filter(|m| m.check == check)
        .collect()
}

#[test]
fn a_damaged_check_is_sent_whole_by_a_device_with_nothing_pending() {
    let data = tempfile::tempdir().expect("data");
    let mut server = LocalServer::open_at(data.path());
    let (_a, mut ana) = new_store("ana", Role::Inspector);
    let lost = bakery(&["bread_price_syp=1250"])
        .record(&mut ana)
        .expect("record");
    bakery(&[]).record(&mut ana).expect("record");
    run(&mut ana, &mut server, |_| {}).expect("first sync");
    let before = server.check(lost);
    damage(data.path(), lost);

    server.requests.clear();
    let summary = run(&mut ana, &mut server, |_| {}).expect("sync");
    assert_eq!(summary.resent, [lost]);
    assert_eq!(summary.rounds, 2, "asked, then sent");
    let sent = messages_about(&server.requests, lost);
    assert_eq!(sent.len(), 1);
    let whole = Message::decode(&sent[0].message).expect("decodes");
    let mut doc = CheckDoc::empty();
    doc.automerge()
        .sync()
        .receive_sync_message(&mut State::new(), whole)
        .expect("applies");
    assert_eq!(
        doc.read().expect("the message alone is the whole check"),
        before
    );
    assert_eq!(server.check(lost), before, "the server reads it again");
    assert!(ana.db().pending_ids().expect("pending").is_empty());

    let idle = run(&mut ana, &mut server, |_| {}).expect("idle sync");
    assert!(idle.resent.is_empty());
    assert_eq!(idle.rounds, 1);
}

/// A server that names `check` in `wanted` in every response.
struct Nagging<'a> {
    server: &'a mut LocalServer,
    check: CheckId,
}

impl Transport for Nagging<'_> {
    fn exchange(&mut self, request: &SyncRequest) -> Result<Exchange, SyncClientError> {
        let mut exchange = self.server.exchange(request)?;
        exchange.response.wanted = vec![self.check, CheckId::new()];
        Ok(exchange)
    }
}

#[test]
fn a_server_that_keeps_asking_gets_each_check_once_per_sync() {
    let mut server = LocalServer::default();
    let (_a, mut ana) = new_store("ana", Role::Inspector);
    let id = bakery(&[]).record(&mut ana).expect("record");
    run(&mut ana, &mut server, |_| {}).expect("first sync");
    for _ in 0..2 {
        server.requests.clear();
        let mut nagging = Nagging {
            server: &mut server,
            check: id,
        };
        let summary = run(&mut ana, &mut nagging, |_| {}).expect("ends");
        assert_eq!(summary.resent, [id], "an unknown check is ignored");
        assert_eq!(summary.rounds, 2);
        assert_eq!(messages_about(&server.requests, id).len(), 1);
        assert!(ana.db().pending_ids().expect("pending").is_empty());
    }
}
