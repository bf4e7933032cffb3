//! The readings side of the ingestion tests: a RabbitMQ namespace of the
//! test's own, the broker-adapter on it with its own pool (as in `iems up`
//! and `iems broker-adapter`), and what the tests read back.

use super::TestApi;
use iems_db::Pool;
use iems_messaging::{Bus, BusConfig};
use iems_testkit::rabbitmq;
use sqlx::Row;
use std::future::Future;

/// The adapter running for a test; stops (with everything served on
/// [`Adapter::stopped`]) when dropped.
pub struct Adapter {
    /// The test's namespace.
    pub namespace: String,
    /// The bus in that namespace.
    pub bus: Bus,
    /// The adapter's pool on the components' database.
    pub pool: Pool,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Adapter {
    /// Starts the adapter on a new namespace named after `prefix`.
    pub async fn start(api: &TestApi, prefix: &str) -> Adapter {
        rabbitmq::require_rabbitmq();
        let namespace = rabbitmq::unique(prefix);
        let bus = Bus::connect(&BusConfig::amqp(
            rabbitmq::default_vhost_url(),
            namespace.clone(),
        ))
        .await
        .expect("RabbitMQ");
        let pool = api.another_pool(4).await;
        let (stop, _) = tokio::sync::watch::channel(false);
        let adapter = Adapter {
            namespace,
            bus,
            pool,
            stop,
        };
        tokio::spawn(iems_broker_adapter::run(
            iems_broker_adapter::AdapterConfig::default(),
            adapter.bus.clone(),
            adapter.pool.clone(),
            adapter.stopped(),
        ));
        adapter
    }

    /// Resolves when the adapter is dropped (for servers started beside it).
    pub fn stopped(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.stop.subscribe();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    }
}

impl Drop for Adapter {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Readings stored for the device.
pub async fn stored(api: &TestApi, device: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM readings WHERE device_id = ?")
        .bind(device)
        .fetch_one(&api.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// The device's hourly totals summed (in Rust: MySQL's SUM is a DECIMAL).
pub async fn hourly_total(api: &TestApi, device: &str) -> i64 {
    sqlx::query("SELECT energy_uwh FROM hourly_consumption WHERE device_id = ?")
        .bind(device)
        .fetch_all(&api.pool)
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<i64, _>(0).unwrap())
        .sum()
}
