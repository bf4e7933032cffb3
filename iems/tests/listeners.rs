//! Every HTTP listener closes connections that are slow to send a request's
//! headers or idle between requests (issue 15): the functions' server (the
//! runtime, behind `iems serve-functions`) and the axum listener of `iems
//! up`, the hub and the services' ops ports (`iems::listen`).

mod common;

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SHORT: Duration = Duration::from_millis(300);
/// Far longer than [`SHORT`]: a connection still open by then was not closed.
const PATIENCE: Duration = Duration::from_secs(10);

/// Reads until the server closes the connection; the bytes read, or `None`
/// when it was still open after [`PATIENCE`].
async fn read_until_closed(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(PATIENCE, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(all),
            Ok(Ok(n)) => all.extend_from_slice(&buf[..n]),
        }
    }
}

async fn slow_headers_are_cut(addr: SocketAddr) {
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    assert!(
        read_until_closed(&mut slow).await.is_some(),
        "a client that never finishes its headers is disconnected"
    );
}

async fn idle_connections_are_closed(addr: SocketAddr, path: &str) {
    let mut idle = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
    idle.write_all(request.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut idle)
        .await
        .expect("an idle keep-alive connection is closed");
    assert!(
        answer.starts_with(b"HTTP/1.1 "),
        "the request itself was answered: {}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test]
async fn the_functions_server_times_out_slow_and_idle_clients() {
    let api = common::TestApi::start_with(|o| o.limits.header_read_timeout = SHORT).await;
    slow_headers_are_cut(api.addr).await;
    idle_connections_are_closed(api.addr, "/api/openapi.json").await;
}

#[tokio::test]
async fn the_axum_listeners_time_out_slow_and_idle_clients() {
    let router = axum::Router::new().route("/healthz", axum::routing::get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(iems::listen::serve_with(
        listener,
        router,
        SHORT,
        std::future::pending(),
    ));
    slow_headers_are_cut(addr).await;
    idle_connections_are_closed(addr, "/healthz").await;
}
