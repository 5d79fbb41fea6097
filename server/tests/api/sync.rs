//! The sync protocol through `POST /api/v1/sync`: push, pull, idle, retry, paging, merge.

use automerge::sync::Message;
use fieldsync_schema::wire::CheckDetail;
use fieldsync_schema::{CheckEdit, FieldValue};
use serde_json::Value;

use crate::support::{Device, TestApp, bakery, message_heads};

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn a_pushed_check_is_stored_linked_and_acknowledged() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    let request = ana.request(&[check]);
    let response = app.sync(&request).await;

    assert!(response.rejected.is_empty(), "{:?}", response.rejected);
    assert_eq!((response.cursor, response.more), (1, false));
    assert_eq!(response.messages.len(), 1);
    assert_eq!(response.messages[0].check, check);
    let server_heads = message_heads(&response.messages[0]);
    ana.apply(&response);
    assert_eq!(
        ana.heads(check),
        server_heads,
        "after the reply, ana has the server's heads"
    );
    let links = ana.docs[&check].read().expect("read").resolutions;
    assert_eq!(links, [20, 28], "the reply carried the server's links");

    let (status, detail) = app.get(&format!("/api/v1/checks/{check}")).await;
    assert_eq!(status, 200, "{detail}");
    let detail: CheckDetail = serde_json::from_value(detail).expect("CheckDetail");
    assert_eq!(detail.check.id, check);
    assert_eq!(detail.check.resolutions, [20, 28]);
    assert_eq!(detail.seq, 1);
    assert!(detail.conflicts.is_empty());

    for (resolution, expected) in [(16, 0), (20, 1), (28, 1)] {
        let (status, list) = app
            .get(&format!("/api/v1/checks?resolution={resolution}"))
            .await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(
            ids(&list).len(),
            expected,
            "resolution {resolution}: {list}"
        );
    }
    let (_, list) = app.get("/api/v1/checks?kind=bakery&site=DEZ-BAK-014").await;
    assert_eq!(list[0]["id"], check.to_string());
    assert_eq!(list[0]["resolutions"], serde_json::json!([20, 28]));
    assert_eq!(list[0]["review_state"], "received");
    assert_eq!(list[0]["observed_at"], "2026-03-29T10:15:00+03:00");
    assert_eq!(list[0]["seq"], 1);
}

#[tokio::test]
async fn a_second_device_pulls_in_one_round_then_idles() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    ana.sync_all(&app, &[check]).await;

    let mut sara = Device::new("sara");
    let response = app.sync(&sara.request(&[])).await;
    assert_eq!((response.cursor, response.more), (1, false));
    assert_eq!(response.messages.len(), 1);
    let queued = sara.apply(&response);
    assert!(queued.is_empty(), "one round is enough: {queued:?}");
    assert_eq!(sara.heads(check), ana.heads(check));
    assert_eq!(
        sara.docs[&check].read().expect("read"),
        ana.docs[&check].read().expect("read")
    );

    let idle = app.sync(&sara.request(&[])).await;
    assert!(idle.messages.is_empty(), "{idle:?}");
    assert!(idle.rejected.is_empty());
    assert_eq!((idle.cursor, idle.more), (1, false));
}

#[tokio::test]
async fn retrying_a_round_is_harmless() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    let request = ana.request(&[check]);
    let first = app.sync(&request).await;
    let second = app.sync(&request).await;
    assert_eq!(second.cursor, first.cursor);
    assert_eq!(second.messages.len(), 1);
    assert_eq!(
        message_heads(&second.messages[0]),
        message_heads(&first.messages[0])
    );
    let (_, list) = app.get("/api/v1/checks").await;
    assert_eq!(ids(&list), [check.to_string()]);
    assert_eq!(list[0]["seq"], 1, "seq moves only when heads change");
}

#[tokio::test]
async fn a_bounded_response_pages_with_more() {
    let app = TestApp::with(|c| c, |s| s.with_reply_limit(2));
    let mut ana = Device::new("ana");
    let checks: Vec<_> = (0..5)
        .map(|i| ana.record(&bakery(&format!("SITE-{i}"), "2026-03-29T10:15:00+03:00")))
        .collect();
    for pair in checks.chunks(2) {
        ana.sync_all(&app, pair).await;
    }

    let mut sara = Device::new("sara");
    let mut cursors = Vec::new();
    for response in sara.sync_all(&app, &[]).await {
        assert!(response.messages.len() <= 2);
        cursors.push((response.cursor, response.more));
    }
    assert_eq!(cursors, [(2, true), (4, true), (5, false)]);
    for check in &checks {
        assert_eq!(sara.heads(*check), ana.heads(*check));
    }
}

#[tokio::test]
async fn concurrent_edits_converge_and_show_as_conflicts() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let mut bilal = Device::new("bilal");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    ana.sync_all(&app, &[check]).await;
    bilal.sync_all(&app, &[]).await;

    for (device, price) in [(&mut ana, 1500), (&mut bilal, 2000)] {
        let doc = device.docs.get_mut(&check).expect("has check");
        doc.set_actor(device.actor.clone());
        let edit = CheckEdit {
            fields: [("bread_price_syp".to_owned(), FieldValue::Int(price))].into(),
            notes: None,
        };
        assert!(doc.edit(&device.author, &edit).expect("edit"));
    }
    ana.sync_all(&app, &[check]).await;
    bilal.sync_all(&app, &[check]).await;
    ana.sync_all(&app, &[]).await;
    assert_eq!(ana.heads(check), bilal.heads(check));

    let (_, detail) = app.get(&format!("/api/v1/checks/{check}")).await;
    let detail: CheckDetail = serde_json::from_value(detail).expect("CheckDetail");
    assert_eq!(detail.conflicts.len(), 1, "{:?}", detail.conflicts);
    assert_eq!(detail.conflicts[0].field, "fields.bread_price_syp");
    assert_eq!(detail.check, ana.docs[&check].read().expect("read"));
}

#[tokio::test]
async fn resolutions_count_checks_and_sites() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let a = ana.record(&bakery("SITE-A", "2026-03-29T10:15:00+03:00"));
    let b = ana.record(&bakery("SITE-A", "2026-03-30T10:15:00+03:00"));
    let c = ana.record(&bakery("SITE-B", "2026-03-28T10:15:00+03:00"));
    ana.sync_all(&app, &[a, b, c]).await;

    let (status, rows) = app.get("/api/v1/resolutions").await;
    assert_eq!(status, 200);
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 42);
    let row = |n: u64| rows.iter().find(|r| r["number"] == n).expect("row").clone();
    assert_eq!(
        (row(20)["checks"].clone(), row(20)["sites"].clone()),
        (3.into(), 2.into())
    );
    assert_eq!(row(16)["checks"], 0);
    assert!(row(16)["text_ar"].as_str().is_some_and(|t| !t.is_empty()));

    let (_, list) = app.get("/api/v1/checks?resolution=20").await;
    assert_eq!(
        ids(&list),
        [c, a, b].map(|id| id.to_string()),
        "ordered by observed_at"
    );
}

#[tokio::test]
async fn the_cursor_stops_before_the_first_document_left_out() {
    let app = TestApp::with(|c| c, |s| s.with_reply_limit(2));
    let mut ana = Device::new("ana");
    let checks: Vec<_> = (0..3)
        .map(|i| ana.record(&bakery(&format!("SITE-{i}"), "2026-03-29T10:15:00+03:00")))
        .collect();
    for check in &checks {
        ana.sync_all(&app, &[*check]).await;
    }
    let mut sara = Device::new("sara");
    sara.sync_all(&app, &[]).await;
    assert_eq!(sara.cursor, 3);

    // Ana edits the first check (seq 4) and pushes it with an old cursor: her reply uses one
    // slot, check 2 the other, check 3 is left out, so the cursor must stop at 2.
    let first = checks[0];
    let doc = ana.docs.get_mut(&first).expect("has check");
    let edit = CheckEdit {
        fields: [("licence_valid".to_owned(), FieldValue::Bool(false))].into(),
        notes: None,
    };
    doc.edit(&ana.author, &edit).expect("edit");
    ana.cursor = 0;
    let response = app.sync(&ana.request(&[first])).await;
    let sent: Vec<_> = response.messages.iter().map(|m| m.check).collect();
    assert_eq!(sent, [first, checks[1]]);
    assert_eq!((response.cursor, response.more), (2, true));
    ana.apply(&response);
    let next = app.sync(&ana.request(&[])).await;
    let sent: Vec<_> = next.messages.iter().map(|m| m.check).collect();
    assert_eq!(sent, [checks[2], first], "ascending by seq");
    assert_eq!((next.cursor, next.more), (4, false));
    let links = ana.docs[&first].read().expect("read").resolutions;
    assert_eq!(links, [20, 28, 29], "the server re-linked the edited check");
}

#[tokio::test]
async fn a_pull_only_device_gets_just_the_new_change_once_its_cursor_acknowledges() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    ana.sync_all(&app, &[check]).await;

    let mut sara = Device::new("sara");
    let first = app.sync(&sara.request(&[])).await;
    assert!(
        sara.apply(&first).is_empty(),
        "sara only pulls: she never replies"
    );
    let whole = first.messages[0].message.len();

    let edit = fieldsync_schema::CheckEdit {
        fields: [(
            "flour_received_kg".to_owned(),
            fieldsync_schema::FieldValue::Int(900),
        )]
        .into(),
        notes: None,
    };
    let author = ana.author.clone();
    assert!(
        ana.docs
            .get_mut(&check)
            .expect("doc")
            .edit(&author, &edit)
            .expect("edit")
    );
    ana.sync_all(&app, &[check]).await;

    let second = app.sync(&sara.request(&[])).await;
    assert_eq!(second.messages.len(), 1);
    // Only the new changes: alone they do not make a document (their dependencies are
    // missing), unlike the whole document the first pull carried.
    let alone = Message::decode(&second.messages[0].message).expect("decodes");
    let mut fresh = fieldsync_schema::CheckDoc::empty();
    for chunk in alone.changes.iter() {
        fresh.automerge().load_incremental(chunk).expect("load");
    }
    assert!(
        fresh.heads().is_empty(),
        "not the whole document: {whole} bytes first"
    );
    assert!(sara.apply(&second).is_empty());
    assert_eq!(sara.heads(check), ana.heads(check));
}

#[tokio::test]
async fn a_check_the_server_has_nothing_to_add_to_is_acknowledged_without_a_reply() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    // Linked on the device as `fieldsync record` does, so the server adds nothing.
    let server = fieldsync_server::sync::server_author();
    let doc = ana.docs.get_mut(&check).expect("doc");
    let links = fieldsync_schema::Catalog::builtin().check_links(&doc.read().expect("read"));
    doc.set_links(&server, &links).expect("links");
    let response = app.sync(&ana.request(&[check])).await;
    assert!(response.messages.is_empty(), "no reply: {response:?}");
    assert!(response.rejected.is_empty());
    assert!(ana.apply(&response).is_empty());
    assert_eq!(ana.acknowledged, [check]);
    let (_, detail) = app.get(&format!("/api/v1/checks/{check}")).await;
    assert_eq!(detail["check"]["resolutions"], serde_json::json!([20, 28]));

    // The acknowledgement is real: an edit next time sends only the new change.
    let edit = CheckEdit {
        fields: [("operating".to_owned(), FieldValue::Bool(false))].into(),
        notes: None,
    };
    let author = ana.author.clone();
    ana.docs
        .get_mut(&check)
        .expect("doc")
        .edit(&author, &edit)
        .expect("edit");
    let request = ana.request(&[check]);
    let message = Message::decode(&request.messages[0].message).expect("decodes");
    assert_eq!(message.changes.len(), 1, "only the edit");
    let response = app.sync(&request).await;
    assert!(
        response.messages.is_empty() && response.rejected.is_empty(),
        "{response:?}"
    );
}

#[tokio::test]
async fn a_cursor_ahead_of_the_server_is_told_to_reset_and_nothing_is_processed() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    let mut request = ana.request(&[check]);
    request.cursor = 7;
    let response = app.sync(&request).await;
    assert!(response.reset, "{response:?}");
    assert!(response.messages.is_empty() && response.rejected.is_empty());
    let (_, list) = app.get("/api/v1/checks").await;
    assert_eq!(
        list,
        serde_json::json!([]),
        "nothing of the request was stored"
    );

    request.cursor = 0;
    let response = app.sync(&request).await;
    assert!(!response.reset);
    assert_eq!(
        response.server,
        app.sync(&ana.request(&[])).await.server,
        "stable server id"
    );
}
