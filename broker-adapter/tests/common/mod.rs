//! Helpers for the adapter's tests: a fresh migrated database (SQLite, or MySQL
//! with `IEMS_TEST_DATABASE=mysql`), devices, reading messages, a running
//! adapter, and the real RabbitMQ (own names per test).
#![allow(dead_code)]

pub mod proxy;

use iems_broker_adapter::{AdapterConfig, Stats};
use iems_db::testing::TestDatabase;
use iems_db::{Backend, Pool};
use iems_messaging::{Bus, BusConfig};
use iems_shared::consumption::Reading;
use iems_shared::Energy;
use iems_testkit::rabbitmq::{default_vhost_url, require_rabbitmq, unique};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A migrated throwaway database and a pool on it.
pub struct TestDb {
    /// The database (dropped with this value).
    pub database: TestDatabase,
    /// A pool on it.
    pub pool: Pool,
}

impl TestDb {
    /// A fresh database on the backend `IEMS_TEST_DATABASE` names.
    pub async fn new() -> Self {
        Self::with(TestDatabase::from_env().await).await
    }

    /// A fresh database on `backend`, whatever `IEMS_TEST_DATABASE` says.
    pub async fn on(backend: Backend) -> Self {
        Self::with(TestDatabase::create(backend).await).await
    }

    async fn with(database: TestDatabase) -> Self {
        let pool = database.pool(4).await.unwrap();
        TestDb { database, pool }
    }

    /// Another pool on the same database (as a second adapter process would have).
    pub async fn another_pool(&self) -> Pool {
        self.database.pool(4).await.unwrap()
    }

    /// Inserts a device with an hourly limit; returns its id.
    pub async fn device(&self, max_hourly_kwh: f64) -> uuid::Uuid {
        let max_hourly_uwh = Energy::from_kwh(max_hourly_kwh).unwrap().uwh();
        let id = iems_db::testing::insert_device(&self.pool, "meter", max_hourly_uwh, None).await;
        id.parse().unwrap()
    }

    /// The stored non-zero hourly totals of a device, hour start ms → µWh,
    /// after checking that its day rows hold exactly the same hours (in their
    /// 24 columns and in their text).
    pub async fn hourly(&self, device: uuid::Uuid) -> BTreeMap<i64, i64> {
        let hours: BTreeMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(
            "SELECT hour_start, energy_uwh FROM hourly_consumption WHERE device_id = ? AND energy_uwh <> 0",
        )
        .bind(device.to_string())
        .fetch_all(&self.pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
        let sql = format!(
            "SELECT day_start, hours, {} FROM daily_consumption WHERE device_id = ?",
            iems_shared::sql::daily::hour_columns()
        );
        let mut days = Vec::new();
        for row in sqlx::query(&sql)
            .bind(device.to_string())
            .fetch_all(&self.pool)
            .await
            .unwrap()
        {
            use sqlx::Row;
            let text: String = row.get(1);
            let from_text = iems_shared::sql::daily::parse_hours(&text).unwrap();
            let columns: Vec<i64> = (2..26).map(|i| row.get::<i64, _>(i)).collect();
            assert_eq!(columns, from_text.to_vec(), "a day row's text and columns");
            days.push((row.get::<i64, _>(0), from_text));
        }
        let from_days: BTreeMap<i64, i64> =
            iems_shared::consumption::daily::hours_of_days(&days, i64::MIN, i64::MAX)
                .into_iter()
                .map(|(h, e)| (h, e.uwh()))
                .collect();
        assert_eq!(from_days, hours, "the day rows hold the hourly totals");
        hours
    }

    /// One number from the database.
    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.pool).await.unwrap()
    }
}

/// The expected totals by the shared rules, in the same form as [`TestDb::hourly`].
pub fn expected(readings: &[Reading]) -> BTreeMap<i64, i64> {
    iems_shared::consumption::hourly_totals(readings)
        .unwrap()
        .into_iter()
        .map(|(h, e)| (h.timestamp_millis(), e.uwh()))
        .collect()
}

/// Midnight (UTC) 40 days before the tests started: readings are recent enough
/// for the reading policy (at most a year old) whenever the tests run, and the
/// course file's 28 days end before now.
pub fn base() -> chrono::DateTime<chrono::Utc> {
    static BASE: std::sync::OnceLock<chrono::DateTime<chrono::Utc>> = std::sync::OnceLock::new();
    *BASE.get_or_init(|| {
        use chrono::DurationRound;
        (chrono::Utc::now() - chrono::Duration::days(40))
            .duration_trunc(chrono::Duration::days(1))
            .unwrap()
    })
}

/// A reading at `minutes` after [`base`].
pub fn reading(minutes: i64, kwh: f64) -> Reading {
    Reading::new(
        base() + chrono::Duration::minutes(minutes),
        Energy::from_kwh(kwh).unwrap(),
    )
}

/// Meter events of a device: `(kind, ts, register before, register after, unspread)`.
pub async fn events(db: &TestDb) -> Vec<(String, i64, i64, i64, i64)> {
    sqlx::query_as(
        "SELECT kind, ts, register_before_uwh, register_after_uwh, unspread_uwh FROM meter_events ORDER BY ts",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

/// The AMQP message of one reading (timestamp in unix ms).
pub fn message(device: uuid::Uuid, r: &Reading) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "device_id": device.to_string(),
        "timestamp": r.at_ms(),
        "measurement_value": r.register.kwh(),
    }))
    .unwrap()
}

/// The course `sensor.csv` (`../shared/data/seed-sensor.csv` beside the repository, or
/// `IEMS_SEED_SENSOR_CSV`), one register value per line.
pub fn course_registers() -> Vec<f64> {
    let path = std::env::var_os("IEMS_SEED_SENSOR_CSV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/seed-sensor.csv")
        });
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().parse().unwrap())
        .collect()
}

/// A bus on the real RabbitMQ with names unique to this test.
pub async fn amqp_bus(prefix: &str) -> Bus {
    require_rabbitmq();
    Bus::connect(&BusConfig::amqp(default_vhost_url(), unique(prefix)))
        .await
        .unwrap()
}

/// A running adapter: stop it with [`Running::stop`].
pub struct Running {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
    /// Its counters.
    pub stats: Arc<Stats>,
}

impl Running {
    /// Starts an adapter on `bus` and `pool`.
    pub fn start(bus: Bus, pool: Pool) -> Self {
        let config = AdapterConfig {
            batch_size: 200,
            prefetch: 400,
            ..AdapterConfig::default()
        };
        Self::start_with(bus, pool, config)
    }

    /// Starts an adapter with its own configuration.
    pub fn start_with(bus: Bus, pool: Pool, config: AdapterConfig) -> Self {
        let stats = Arc::new(Stats::default());
        let (stop, stopped) = oneshot::channel::<()>();
        let s = Arc::clone(&stats);
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            iems_broker_adapter::run_with_stats(config, bus, pool, s, shutdown)
                .await
                .unwrap();
        });
        Running { stop, task, stats }
    }

    /// Asks it to stop and waits until it has.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap();
    }
}

/// Waits until the adapters together handled `n` readings (stored, duplicate or dead-lettered).
pub async fn wait_handled(adapters: &[&Running], n: u64) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let handled: u64 = adapters.iter().map(|a| a.stats.handled()).sum();
        if handled >= n {
            assert_eq!(handled, n, "more readings handled than sent");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out: {handled} of {n} readings handled"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Publishes every message and waits for all the confirms.
pub async fn publish_all(bus: &Bus, messages: &[Vec<u8>]) {
    let mut confirms = Vec::with_capacity(messages.len());
    for m in messages {
        confirms.push(bus.publish_reading(m).await.unwrap());
    }
    for c in confirms {
        c.wait().await.unwrap();
    }
}

/// Waits until `n` readings are stored and the queue is drained (redeliveries
/// after a lost connection make the handled count unreliable there).
pub async fn wait_stored(db: &TestDb, bus: &Bus, n: i64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let stored = db.count("SELECT COUNT(*) FROM readings").await;
        if stored == n && bus.pending_readings().await.unwrap_or(1) == 0 {
            return;
        }
        assert!(stored <= n, "{stored} readings stored, only {n} sent");
        assert!(
            Instant::now() < deadline,
            "timed out: {stored} of {n} readings stored"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
