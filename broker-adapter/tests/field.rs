//! Meters that misbehave, through the real RabbitMQ into a real database
//! (SQLite, or MariaDB with `IEMS_TEST_DATABASE=mysql`): clocks that jump,
//! registers that flip or step back, long gaps, a reading that fails alone and
//! a database that goes away for a while.

mod common;

use common::proxy::CuttableProxy;
use common::{amqp_bus, events, message, publish_all, reading, wait_handled, Running, TestDb};
use iems_broker_adapter::AdapterConfig;
use iems_db::Backend;
use iems_messaging::Bus;
use iems_shared::consumption::Reading;
use iems_shared::Energy;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn kwh(v: f64) -> i64 {
    Energy::from_kwh(v).unwrap().uwh()
}

/// The dead letters' reason codes, sorted.
async fn dead_codes(bus: &Bus) -> Vec<String> {
    let mut codes: Vec<String> = bus
        .take_dead_letters()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.reason.split(':').next().unwrap_or_default().to_string())
        .collect();
    codes.sort();
    codes
}

/// Publishes the readings of one device, one message each, and waits until the adapter handled them.
async fn play(bus: &Bus, adapter: &Running, device: uuid::Uuid, readings: &[Reading]) {
    let before = adapter.stats.handled();
    let messages: Vec<Vec<u8>> = readings.iter().map(|r| message(device, r)).collect();
    publish_all(bus, &messages).await;
    wait_handled(&[adapter], before + readings.len() as u64).await;
}

#[tokio::test]
async fn a_meter_clock_that_jumps_years_is_dead_lettered_without_work() {
    let db = TestDb::new().await;
    let bus = amqp_bus("clock").await;
    let device = db.device(1.2).await;
    let adapter = Running::start(bus.clone(), db.pool.clone());
    let now = chrono::Utc::now();
    let recent: Vec<Reading> = (0..6)
        .map(|i| {
            Reading::new(
                now - chrono::Duration::minutes(60 - 10 * i),
                Energy::from_kwh(100.0 + 0.1 * i as f64).unwrap(),
            )
        })
        .collect();
    play(&bus, &adapter, device, &recent).await;
    let hours_before = db.count("SELECT COUNT(*) FROM hourly_consumption").await;
    // A clock reset to a default date after a power cut, and one far ahead.
    let at = |rfc: &str| chrono::DateTime::parse_from_rfc3339(rfc).unwrap().to_utc();
    let jumped = [
        Reading::new(at("2000-01-01T00:00:00Z"), Energy::from_kwh(100.6).unwrap()),
        Reading::new(at("2199-01-01T00:00:00Z"), Energy::from_kwh(100.7).unwrap()),
        Reading::new(
            now + chrono::Duration::minutes(30),
            Energy::from_kwh(100.8).unwrap(),
        ),
    ];
    play(&bus, &adapter, device, &jumped).await;
    adapter.stop().await;

    assert_eq!(
        dead_codes(&bus).await,
        ["future_timestamp", "future_timestamp", "stale_timestamp"]
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM readings").await, 6);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM hourly_consumption").await,
        hours_before,
        "no hour was written for the jumped readings"
    );
    bus.delete_topology().await.unwrap();
}

#[tokio::test]
async fn a_flipping_register_is_refused_and_cannot_inflate_or_overflow_an_hour() {
    let db = TestDb::new().await;
    let bus = amqp_bus("flip").await;
    let device = db.device(1.2).await;
    let adapter = Running::start(bus.clone(), db.pool.clone());
    let flips: Vec<Reading> = (0..40)
        .map(|i| reading(i, if i % 2 == 0 { 0.0 } else { 1e9 }))
        .collect();
    play(&bus, &adapter, device, &flips).await;
    adapter.stop().await;

    let hours = db.hourly(device).await;
    let most = hours.values().copied().max().unwrap_or(0);
    let least = hours.values().copied().min().unwrap_or(0);
    // Never more than the device's plausible 50 kW for an hour.
    assert!(most <= kwh(50.1) && least >= 0, "{hours:?}");
    let codes = dead_codes(&bus).await;
    let stored = db.count("SELECT COUNT(*) FROM readings").await;
    assert!(codes.iter().all(|c| c == "implausible"), "{codes:?}");
    assert_eq!(codes.len() as i64 + stored, 40);
    assert!(codes.len() >= 19, "every flip up was refused: {codes:?}");
    bus.delete_topology().await.unwrap();
}

#[tokio::test]
async fn a_small_step_back_is_not_a_meter_reset() {
    let db = TestDb::new().await;
    let bus = amqp_bus("stepback").await;
    // A heat pump with a 1.2 kWh limit, as in the demo.
    let device = db.device(1.2).await;
    let adapter = Running::start(bus.clone(), db.pool.clone());
    let readings = [
        reading(0, 5417.43),
        reading(10, 5417.63),
        reading(20, 5417.53),
        reading(30, 5417.73),
    ];
    play(&bus, &adapter, device, &readings).await;
    adapter.stop().await;

    assert_eq!(dead_codes(&bus).await, ["step_back"]);
    assert!(events(&db).await.is_empty(), "no reset recorded");
    let total: i64 = db.hourly(device).await.values().sum();
    assert_eq!(total, kwh(0.3));
    assert_eq!(db.count("SELECT COUNT(*) FROM alerts").await, 0);
    bus.delete_topology().await.unwrap();
}

#[tokio::test]
async fn a_long_gap_is_booked_as_a_gap_not_spread_over_every_hour() {
    let db = TestDb::new().await;
    let bus = amqp_bus("gap").await;
    let device = db.device(1.2).await;
    let adapter = Running::start(bus.clone(), db.pool.clone());
    let twenty_days = 20 * 24 * 60;
    let readings = [
        reading(0, 100.0),
        reading(10, 100.5),
        reading(twenty_days, 340.5),
        reading(twenty_days + 10, 340.9),
    ];
    play(&bus, &adapter, device, &readings).await;
    adapter.stop().await;

    assert!(dead_codes(&bus).await.is_empty());
    let hours = db.hourly(device).await;
    assert!(
        hours.len() <= 3,
        "only the short steps are spread: {hours:?}"
    );
    let gaps = events(&db).await;
    assert_eq!(gaps.len(), 1);
    let (kind, ts, before, after, unspread) = gaps[0].clone();
    assert_eq!(kind, "gap");
    assert_eq!(ts, readings[2].at_ms());
    assert_eq!(
        (before, after, unspread),
        (kwh(100.5), kwh(340.5), kwh(240.0))
    );
    // Every kWh of the register's increase is somewhere a user can see.
    let spread: i64 = hours.values().sum();
    assert_eq!(spread + unspread, kwh(340.9 - 100.0));
    bus.delete_topology().await.unwrap();
}

#[tokio::test]
async fn a_reading_that_fails_alone_is_dead_lettered_alone() {
    let db = TestDb::new().await;
    let bus = amqp_bus("alone").await;
    let doomed = db.device(10.0).await;
    let kept = db.device(10.0).await;
    // A long device cache: the adapter still believes in the deleted device.
    let config = AdapterConfig {
        device_cache_ttl: Duration::from_secs(600),
        ..AdapterConfig::default()
    };
    let adapter = Running::start_with(bus.clone(), db.pool.clone(), config);
    play(&bus, &adapter, doomed, &[reading(0, 1.0)]).await;
    play(&bus, &adapter, kept, &[reading(0, 1.0)]).await;
    sqlx::query("DELETE FROM devices WHERE id = ?")
        .bind(doomed.to_string())
        .execute(&db.pool)
        .await
        .unwrap();
    // A concentrator batch mixing both devices, and a message of the deleted one alone.
    let batch = format!(
        "[{}, {}]",
        String::from_utf8(message(doomed, &reading(10, 1.1))).unwrap(),
        String::from_utf8(message(kept, &reading(10, 1.1))).unwrap(),
    );
    let before = adapter.stats.handled();
    publish_all(
        &bus,
        &[batch.into_bytes(), message(doomed, &reading(20, 1.2))],
    )
    .await;
    wait_handled(&[&adapter], before + 3).await;
    adapter.stop().await;

    let dead = bus.take_dead_letters().await.unwrap();
    assert_eq!(dead.len(), 2, "{dead:?}");
    assert!(
        dead.iter().all(|d| d.reason.starts_with("storage: ")),
        "{dead:?}"
    );
    assert!(
        dead.iter().any(|d| d.reason.contains("batch item 0")),
        "{dead:?}"
    );
    let kept_readings: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM readings WHERE device_id = ?")
            .bind(kept.to_string())
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(kept_readings, 2, "the good reading of the batch was stored");
    bus.delete_topology().await.unwrap();
}

/// Readings published while the database is away wait for it: none is
/// dead-lettered, all are stored once it is back. `outage` takes the database
/// away when first polled and gives it back when it completes.
async fn outage_waits(
    db: &TestDb,
    pool: iems_db::Pool,
    outage: impl std::future::Future<Output = ()>,
) {
    let bus = amqp_bus("outage").await;
    let device = db.device(10.0).await;
    let adapter = Running::start(bus.clone(), pool);
    play(&bus, &adapter, device, &[reading(0, 1.0)]).await;
    let readings: Vec<Reading> = (1..=40)
        .map(|i| reading(10 * i, 1.0 + 0.1 * i as f64))
        .collect();
    let messages: Vec<Vec<u8>> = readings.iter().map(|r| message(device, r)).collect();
    tokio::join!(outage, async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        publish_all(&bus, &messages).await;
    });
    wait_handled(&[&adapter], 41).await;
    let outages = adapter.stats.outages.load(Ordering::Relaxed);
    adapter.stop().await;

    assert!(outages >= 1, "the adapter saw the outage");
    assert!(bus.take_dead_letters().await.unwrap().is_empty());
    assert_eq!(db.count("SELECT COUNT(*) FROM readings").await, 41);
    let total: i64 = db.hourly(device).await.values().sum();
    assert_eq!(total, kwh(4.0));
    bus.delete_topology().await.unwrap();
}

/// MariaDB unreachable for 15 s (its connections reset, new ones refused), with
/// a pool that gives up on a connection after 0.25 s: each failed batch handed
/// back to the broker would have reached the delivery limit (20) well within
/// the outage, dead-lettering every reading; held, none is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mysql_outage_holds_the_readings_instead_of_dead_lettering_them() {
    let db = TestDb::on(Backend::Mysql).await;
    let upstream: std::net::SocketAddr = db.database.mysql_host().unwrap().parse().unwrap();
    let proxy = CuttableProxy::start(upstream).await;
    let url = db
        .database
        .url()
        .replacen(&upstream.to_string(), &proxy.addr.to_string(), 1);
    let pool = iems_db::connect_with(&url, 4, Duration::from_millis(250))
        .await
        .unwrap();
    outage_waits(&db, pool, async {
        proxy.cut();
        tokio::time::sleep(Duration::from_secs(15)).await;
        proxy.restore();
    })
    .await;
}

/// SQLite held by another writer for longer than its busy timeout (10 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_sqlite_database_holds_the_readings_instead_of_dead_lettering_them() {
    let db = TestDb::on(Backend::Sqlite).await;
    let holder = db.database.pool(1).await.unwrap();
    outage_waits(&db, db.pool.clone(), async {
        let mut lock = holder.begin_with("BEGIN EXCLUSIVE").await.unwrap();
        sqlx::query("UPDATE devices SET updated_at = 1")
            .execute(&mut *lock)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(12)).await;
        lock.commit().await.unwrap();
    })
    .await;
}
