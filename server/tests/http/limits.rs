//! Limits enforced by hyper, below the router: generous, and documented in the README as
//! answered with an empty body (hyper writes them before any middleware runs, and
//! `axum::serve` cannot configure them). These tests pin where each one starts.

use crate::support::{RawClient, RawResponse, Server, blocking};

/// Sends `request` on a fresh connection (closed by the request) and reads the answer.
async fn exchange(server: &Server, request: String) -> RawResponse {
    let addr = server.addr;
    blocking(move || {
        let mut client = RawClient::connect(addr);
        client.send(request.as_bytes());
        client.read_response()
    })
    .await
}

fn get(path: &str, headers: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\n{headers}\r\n")
}

#[tokio::test]
async fn a_60_kib_url_reaches_the_router_and_gets_json() {
    let server = Server::start(|c| c).await;
    let path = format!("/nowhere/{}", "x".repeat(60 * 1024));
    let response = exchange(&server, get(&path, "")).await;
    assert_eq!(response.status, 404);
    assert_eq!(response.json()["error"], "not_found");
}

#[tokio::test]
async fn a_url_over_65534_bytes_gets_hypers_bare_414() {
    let server = Server::start(|c| c).await;
    let path = format!("/nowhere/{}", "x".repeat(65_534));
    let response = exchange(&server, get(&path, "")).await;
    assert_eq!(response.status, 414);
    assert!(response.body.is_empty(), "{response:?}");
}

fn headers(count: usize) -> String {
    (0..count)
        .map(|i| format!("x-filler-{i}: {i}\r\n"))
        .collect()
}

#[tokio::test]
async fn up_to_100_headers_and_a_100_kib_header_reach_the_router() {
    let server = Server::start(|c| c).await;
    // host and connection are two of the 100.
    let response = exchange(&server, get("/nowhere", &headers(98))).await;
    assert_eq!(response.status, 404, "{response:?}");
    assert_eq!(response.json()["error"], "not_found");
    let big = format!("x-big: {}\r\n", "y".repeat(100 * 1024));
    let response = exchange(&server, get("/nowhere", &big)).await;
    assert_eq!(response.json()["error"], "not_found");
}

#[tokio::test]
async fn more_than_100_headers_get_hypers_bare_431() {
    let server = Server::start(|c| c).await;
    let response = exchange(&server, get("/nowhere", &headers(99))).await;
    assert_eq!(response.status, 431);
    assert!(response.body.is_empty(), "{response:?}");
}
