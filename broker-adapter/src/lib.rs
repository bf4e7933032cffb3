//! The broker-adapter: consumes meter readings from the bus, stores them with
//! the hourly totals they change in batched transactions (SQLite or MySQL),
//! acks only after the commit, dead-letters what cannot be stored (with the reason), stores an
//! alert the first time an hour passes its device's limit and publishes alerts
//! and changed totals for ws-hub.
//!
//! Exactness rests on three things: the readings primary key (a duplicate counts
//! once), the shared consumption rules' insertion deltas (any order gives the same
//! totals), and a lock taken before the neighbours are read (`BEGIN IMMEDIATE`
//! on SQLite, the batch's device rows `FOR UPDATE` on MySQL), so several
//! adapters on one database serialize per device.

mod budgets;
mod credentials;
mod decode;
mod devices;
mod events;
pub mod ingest;
mod insight;
pub mod metrics;
mod reported;
mod store;
mod watch;
mod worker;

pub use devices::DeviceInfo;
pub use worker::Stats;

use iems_db::Pool;
use iems_messaging::{Bus, BusError};
pub use iems_shared::consumption::policy::ReadingPolicy;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Errors that stop the adapter.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    /// The bus failed (e.g. RabbitMQ unreachable at start).
    #[error(transparent)]
    Bus(#[from] BusError),
}

/// Tuning of the adapter; the defaults suit a laptop.
#[derive(Debug, Clone)]
pub struct AdapterConfig {
    /// Deliveries the broker may hand out before any is acked.
    pub prefetch: u16,
    /// Most deliveries stored in one transaction.
    pub batch_size: usize,
    /// How long a device's limit and owner are cached.
    pub device_cache_ttl: Duration,
    /// Least time between two consumption-update flushes of one device.
    pub update_interval: Duration,
    /// What is done with readings of meters that misbehave (docs/reliability.md).
    pub policy: ReadingPolicy,
    /// Least time between two budget checks of one client (zero: no budget
    /// alerts); a client is checked when its devices send readings.
    pub budget_check_interval: Duration,
    /// Least time between two insight checks of one device (its baseline and
    /// unusual consumption, docs/insight.md; zero: none); a device is checked
    /// when it sends readings.
    pub insight_check_interval: Duration,
}

impl Default for AdapterConfig {
    fn default() -> Self {
        AdapterConfig {
            prefetch: 2000,
            batch_size: 1000,
            device_cache_ttl: Duration::from_secs(2),
            update_interval: Duration::from_secs(1),
            policy: ReadingPolicy::default(),
            budget_check_interval: Duration::from_secs(60),
            insight_check_interval: Duration::from_secs(60),
        }
    }
}

/// Runs the adapter until `shutdown` resolves; the batch in flight is then
/// finished and acked before returning. `pool` must be migrated.
pub async fn run(
    config: AdapterConfig,
    bus: Bus,
    pool: Pool,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), AdapterError> {
    run_with_stats(config, bus, pool, Arc::new(Stats::default()), shutdown).await
}

/// Like [`run`], counting what it does in `stats` (for `iems up` and benchmarks).
pub async fn run_with_stats(
    config: AdapterConfig,
    bus: Bus,
    pool: Pool,
    stats: Arc<Stats>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), AdapterError> {
    worker::Worker::new(config, bus, pool, stats)
        .run(shutdown)
        .await
}
