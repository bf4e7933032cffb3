//! The machine's RabbitMQ (`IEMS_TEST_AMQP_URL`, by default
//! `amqp://guest:guest@127.0.0.1:5672`), as the tests use it: each test with
//! exchange and queue names of its own ([`unique`]), or a vhost of its own
//! ([`TestVhost`]) when it closes connections.

use std::process::Command;
use std::time::Duration;

/// How to start the broker, in every failure that means it is not running.
const START_HINT: &str = "start it with `rabbitmq-server -detached` (see ../shared/services.md)";

/// The broker's URL without a vhost (`IEMS_TEST_AMQP_URL`, or guest on loopback).
pub fn base_url() -> String {
    std::env::var("IEMS_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672".into())
}

/// The URL of the default vhost `/`.
pub fn default_vhost_url() -> String {
    format!("{}/%2f", base_url())
}

/// Fails with how to start RabbitMQ when nothing listens on its port.
pub fn require_rabbitmq() {
    let host_port = host_port(&base_url());
    let reachable = std::net::ToSocketAddrs::to_socket_addrs(host_port.as_str())
        .ok()
        .and_then(|mut addrs| addrs.next())
        .is_some_and(|addr| {
            std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok()
        });
    assert!(
        reachable,
        "RabbitMQ is not reachable on {host_port}: {START_HINT}"
    );
}

/// `host:port` of an AMQP URL (port 5672 when it names none).
fn host_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let has_port = host
        .rsplit_once(':')
        .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    if has_port {
        host.to_owned()
    } else {
        format!("{host}:5672")
    }
}

/// A name for this test's exchanges and queues: `test-{prefix}-{uuid}`.
pub fn unique(prefix: &str) -> String {
    format!("test-{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// A vhost of the test's own (for tests that close connections), deleted on
/// drop.
pub struct TestVhost {
    /// The vhost name.
    pub name: String,
}

impl TestVhost {
    /// Creates the vhost and gives `guest` every permission on it.
    pub fn create(prefix: &str) -> Self {
        require_rabbitmq();
        let name = unique(prefix);
        rabbitmqctl(&["add_vhost", &name]);
        rabbitmqctl(&["set_permissions", "-p", &name, "guest", ".*", ".*", ".*"]);
        TestVhost { name }
    }

    /// The AMQP URL of this vhost.
    pub fn url(&self) -> String {
        format!("{}/{}", base_url(), self.name)
    }

    /// Closes every client connection to this vhost, as a broker hiccup would.
    pub fn close_all_connections(&self) {
        rabbitmqctl(&[
            "close_all_connections",
            "-p",
            &self.name,
            "test: simulated broker failure",
        ]);
    }
}

impl Drop for TestVhost {
    fn drop(&mut self) {
        // Never a panic here: it would abort a test that is already failing.
        if let Err(e) = try_rabbitmqctl(&["delete_vhost", &self.name]) {
            eprintln!("test vhost {} left behind: {e}", self.name);
        }
    }
}

/// Runs `rabbitmqctl` with `args`, failing with its output when it fails.
pub fn rabbitmqctl(args: &[&str]) {
    if let Err(e) = try_rabbitmqctl(args) {
        panic!("{e}");
    }
}

fn try_rabbitmqctl(args: &[&str]) -> Result<(), String> {
    let out = Command::new("rabbitmqctl")
        .args(args)
        .output()
        .map_err(|e| format!("rabbitmqctl could not run ({e}): {START_HINT}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "rabbitmqctl {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::host_port;

    #[test]
    fn host_port_of_amqp_urls() {
        assert_eq!(
            host_port("amqp://guest:guest@127.0.0.1:5672"),
            "127.0.0.1:5672"
        );
        assert_eq!(
            host_port("amqp://guest:guest@127.0.0.1:5673/%2f"),
            "127.0.0.1:5673"
        );
        assert_eq!(host_port("amqp://rabbit/vhost"), "rabbit:5672");
        assert_eq!(host_port("amqp://user:p%40ss@broker:5671"), "broker:5671");
    }
}
