//! What the tests of several iems crates share (a dev-dependency, and a
//! dependency of the benchmarks in `iems-bench` alone; it depends on no iems
//! crate, so any crate's tests may use it):
//!
//! - [`rabbitmq`]: the machine's RabbitMQ, names unique to a test, vhosts of
//!   a test's own;
//! - [`http`]: a minimal HTTP/1.1 client, one connection per request;
//! - [`free_addrs`] and [`wait_for`]: ports for child processes, and polling.

pub mod http;
pub mod rabbitmq;

use std::time::{Duration, Instant};

/// `n` distinct free loopback addresses: the listeners are held until all are
/// picked, so that the system cannot hand out one port twice.
pub fn free_addrs(n: usize) -> Vec<String> {
    let listeners: Vec<std::net::TcpListener> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("its address").to_string())
        .collect()
}

/// Polls `done` every 50 ms until it holds, failing after `secs` seconds.
pub async fn wait_for(what: &str, secs: u64, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
