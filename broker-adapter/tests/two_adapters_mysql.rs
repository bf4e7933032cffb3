//! Two adapters on one RabbitMQ queue and one MariaDB database, always on MySQL
//! (whatever `IEMS_TEST_DATABASE` says): their batches touch the same devices at
//! once, so only the device locks keep the neighbours they read current.

mod common;

use common::{amqp_bus, expected, message, publish_all, reading, wait_handled, Running, TestDb};
use iems_db::Backend;
use iems_messaging::{Bus, BusConfig};
use iems_shared::consumption::Reading;
use iems_shared::Energy;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;

/// A deterministic xorshift shuffle.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        items.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

/// A device's readings: uneven consumption every 10 minutes; device 2's meter resets halfway.
fn device_readings(d: usize) -> Vec<Reading> {
    let mut register = 10.0 * d as f64;
    (0..600)
        .map(|i| {
            if d == 2 && i == 300 {
                register = 0.0;
            }
            register += 0.05 + 0.013 * ((i * (d + 3)) % 11) as f64;
            reading(10 * i as i64, register)
        })
        .collect()
}

#[tokio::test]
async fn two_adapters_on_mysql_keep_exact_totals_with_duplicates_and_shuffled_order() {
    let db = TestDb::on(Backend::Mysql).await;
    let bus = amqp_bus("two-mysql").await;
    // A low limit on one device, so that alerts are raised while both adapters write.
    let mut devices = Vec::new();
    for d in 0..6 {
        devices.push(db.device(if d == 0 { 0.4 } else { 100.0 }).await);
    }
    let readings: Vec<Vec<Reading>> = (0..devices.len()).map(device_readings).collect();

    // Every reading once, every third again and every seventh a third time, shuffled;
    // some go in concentrator batches that mix devices (one transaction, several locks).
    let mut items: Vec<(uuid::Uuid, Reading)> = Vec::new();
    for (device, rs) in devices.iter().zip(&readings) {
        for (i, r) in rs.iter().enumerate() {
            items.push((*device, *r));
            if i % 3 == 0 {
                items.push((*device, *r));
            }
            if i % 7 == 0 {
                items.push((*device, *r));
            }
        }
    }
    shuffle(&mut items, 0x9E3779B97F4A7C15);
    let unique: usize = readings.iter().map(Vec::len).sum();
    let duplicates = items.len() - unique;
    let mut messages = Vec::new();
    for (k, group) in items.chunks(5).enumerate() {
        if k % 4 == 0 {
            let parts: Vec<String> = group
                .iter()
                .map(|(d, r)| String::from_utf8(message(*d, r)).unwrap())
                .collect();
            messages.push(format!("[{}]", parts.join(",")).into_bytes());
        } else {
            messages.extend(group.iter().map(|(d, r)| message(*d, r)));
        }
    }
    // Everything waits in the queue before either adapter starts, so both take full prefetches at once.
    publish_all(&bus, &messages).await;
    let second_bus = Bus::connect(&BusConfig::amqp(
        "amqp://guest:guest@127.0.0.1:5672/%2f",
        bus.names().namespace().to_string(),
    ))
    .await
    .unwrap();
    let a = Running::start(bus.clone(), db.pool.clone());
    let b = Running::start(second_bus, db.another_pool().await);
    wait_handled(&[&a, &b], items.len() as u64).await;
    let count = |f: fn(&iems_broker_adapter::Stats) -> &std::sync::atomic::AtomicU64| {
        f(&a.stats).load(Ordering::Relaxed) + f(&b.stats).load(Ordering::Relaxed)
    };
    let (stored, duplicate, dead, alerts) = (
        count(|s| &s.readings_stored),
        count(|s| &s.duplicates),
        count(|s| &s.dead_lettered),
        count(|s| &s.alerts),
    );
    let (batches_a, batches_b) = (
        a.stats.batches.load(Ordering::Relaxed),
        b.stats.batches.load(Ordering::Relaxed),
    );
    a.stop().await;
    b.stop().await;

    assert!(
        batches_a > 0 && batches_b > 0,
        "both adapters took part ({batches_a}, {batches_b})"
    );
    assert_eq!(
        (stored, duplicate, dead),
        (unique as u64, duplicates as u64, 0)
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM readings").await,
        unique as i64
    );
    for (device, rs) in devices.iter().zip(&readings) {
        assert_eq!(db.hourly(*device).await, expected(rs), "device {device}");
    }
    let resets: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT device_id, ts, register_before_uwh, register_after_uwh FROM meter_events WHERE kind = 'reset'",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let r = &readings[2];
    assert_eq!(
        resets,
        vec![(
            devices[2].to_string(),
            r[300].at_ms(),
            r[299].register.uwh(),
            r[300].register.uwh()
        )]
    );

    // One alert per hour at most, and every hour that ends above the limit has one.
    let stored_alerts: Vec<(String, i64)> =
        sqlx::query_as("SELECT device_id, hour_start FROM alerts")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(stored_alerts.len() as u64, alerts, "each alert raised once");
    let alert_hours: BTreeSet<i64> = stored_alerts
        .iter()
        .map(|(d, h)| {
            assert_eq!(d, &devices[0].to_string());
            *h
        })
        .collect();
    let limit = Energy::from_kwh(0.4).unwrap().uwh();
    let over: BTreeMap<i64, i64> = expected(&readings[0])
        .into_iter()
        .filter(|(_, uwh)| *uwh > limit)
        .collect();
    assert!(!over.is_empty(), "the low-limit device crosses its limit");
    for hour in over.keys() {
        assert!(alert_hours.contains(hour), "no alert for hour {hour}");
    }
    assert!(bus.take_dead_letters().await.unwrap().is_empty());
    bus.delete_topology().await.unwrap();
}
