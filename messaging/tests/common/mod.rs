//! Helpers for tests against the real RabbitMQ of the machine
//! (`iems_testkit::rabbitmq`).
#![allow(dead_code, unused_imports)]

use iems_messaging::{Bus, BusConfig};
use std::time::Duration;

pub use iems_testkit::rabbitmq::{
    base_url, default_vhost_url, require_rabbitmq, unique, TestVhost,
};

/// A bus on the default vhost with names unique to this test.
pub async fn amqp_bus(prefix: &str) -> Bus {
    require_rabbitmq();
    let mut config = BusConfig::amqp(default_vhost_url(), unique(prefix));
    config.connect_timeout = Duration::from_secs(10);
    Bus::connect(&config).await.expect("connect to RabbitMQ")
}
