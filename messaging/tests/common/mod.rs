//! Helpers for tests against the real RabbitMQ of the machine.
#![allow(dead_code)]

use iems_messaging::{Bus, BusConfig};
use std::process::Command;
use std::time::Duration;

/// The broker's base URL (override with `IEMS_TEST_AMQP_URL`, no vhost part).
pub fn base_url() -> String {
    std::env::var("IEMS_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672".into())
}

/// Fails with instructions when RabbitMQ is not listening.
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

/// A unique name for this test's exchanges and queues.
pub fn unique(prefix: &str) -> String {
    format!("test-{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// A bus on the default vhost with names unique to this test.
pub async fn amqp_bus(prefix: &str) -> Bus {
    require_rabbitmq();
    let mut config = BusConfig::amqp(format!("{}/%2f", base_url()), unique(prefix));
    config.connect_timeout = Duration::from_secs(10);
    Bus::connect(&config).await.expect("connect to RabbitMQ")
}

/// A vhost of its own (for tests that close connections), deleted on drop.
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

    /// The URL of this vhost.
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
        rabbitmqctl(&["delete_vhost", &self.name]);
    }
}

/// Runs `rabbitmqctl` with `args`, panicking with its output on failure.
pub fn rabbitmqctl(args: &[&str]) {
    let out = Command::new("rabbitmqctl")
        .args(args)
        .output()
        .expect("rabbitmqctl is installed");
    assert!(
        out.status.success(),
        "rabbitmqctl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
