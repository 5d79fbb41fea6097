//! Graceful shutdown: requests in flight get the grace period, and no client can hold the
//! server past it.

use std::time::Duration;

use crate::support::{
    RawClient, STALLED_BODY_LEN, STALLED_SENT, Server, blocking, start_stalled_sync, sync_body,
};

/// Slack over the grace period for `serve` to return (scheduling, not waiting).
const MARGIN: Duration = Duration::from_secs(5);

async fn assert_serve_returns_within(server: Server, limit: Duration) {
    let served = tokio::time::timeout(limit, server.handle)
        .await
        .unwrap_or_else(|_| panic!("serve still running {limit:?} after the shutdown signal"));
    served.expect("serve task").expect("serve");
}

#[tokio::test]
async fn a_client_stalled_mid_body_cannot_hold_shutdown_past_the_grace_period() {
    let grace = Duration::from_secs(1);
    let mut server = Server::start(|mut c| {
        c.shutdown_grace_secs = grace.as_secs();
        c
    })
    .await;
    let mut client = start_stalled_sync(&server).await;
    server.shutdown();
    assert_serve_returns_within(server, grace + MARGIN).await;
    // The stalled connection was closed too, not left to the client.
    assert!(blocking(move || client.is_closed()).await);
}

#[tokio::test]
async fn a_client_stalled_mid_headers_cannot_hold_shutdown_past_the_grace_period() {
    let grace = Duration::from_secs(1);
    let mut server = Server::start(|mut c| {
        c.shutdown_grace_secs = grace.as_secs();
        c
    })
    .await;
    let addr = server.addr;
    // One full request first, so the connection is surely accepted and served.
    let mut client = blocking(move || {
        let mut client = RawClient::connect(addr);
        client.send(b"GET /healthz HTTP/1.1\r\nhost: test\r\n\r\n");
        assert_eq!(client.read_response().status, 200);
        client.send(b"POST /api/v1/sync HTTP/1.1\r\nhost: te");
        client
    })
    .await;
    server.shutdown();
    assert_serve_returns_within(server, grace + MARGIN).await;
    assert!(blocking(move || client.is_closed()).await);
}

#[tokio::test]
async fn a_request_in_flight_at_shutdown_finishes_within_the_grace_period() {
    let mut server = Server::start(|mut c| {
        c.shutdown_grace_secs = 60;
        c
    })
    .await;
    let mut client = start_stalled_sync(&server).await;
    server.shutdown();
    let response = blocking(move || {
        client.send(&sync_body(STALLED_BODY_LEN)[STALLED_SENT..]);
        client.read_response()
    })
    .await;
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(response.json()["cursor"], 0);
    assert_serve_returns_within(server, MARGIN).await;
}

#[tokio::test]
async fn an_idle_server_stops_at_once() {
    let mut server = Server::start(|mut c| {
        c.shutdown_grace_secs = 3600;
        c
    })
    .await;
    server.shutdown();
    assert_serve_returns_within(server, MARGIN).await;
}
