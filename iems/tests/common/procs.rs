//! What the tests of `iems` processes share: free ports, waiting, RabbitMQ.

use std::time::{Duration, Instant};

/// The RabbitMQ the process tests use.
pub const AMQP: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// Fails with how to start RabbitMQ when it is not reachable.
pub fn require_rabbitmq() {
    if std::net::TcpStream::connect_timeout(
        &"127.0.0.1:5672".parse().unwrap(),
        Duration::from_secs(2),
    )
    .is_err()
    {
        panic!("RabbitMQ is not reachable on 127.0.0.1:5672: start it with `rabbitmq-server -detached`");
    }
}

/// `n` distinct free loopback addresses: the listeners are held until all are
/// picked, so that the system cannot hand out one port twice.
pub fn free_addrs(n: usize) -> Vec<String> {
    let listeners: Vec<std::net::TcpListener> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().unwrap().to_string())
        .collect()
}

/// Polls `done` until it holds, failing after `secs` seconds.
pub async fn wait_for(what: &str, secs: u64, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
