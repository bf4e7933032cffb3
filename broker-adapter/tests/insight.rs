//! Baselines and unusual-consumption alerts as readings arrive: a heater left
//! on for eight hours raises one `unusual` alert (stored once, published on
//! the alerts topic), and a device with too little history raises none.

mod common;

use common::*;
use iems_broker_adapter::AdapterConfig;
use iems_messaging::Topic;
use iems_shared::consumption::Reading;
use iems_shared::wire::AlertsTopicEvent;
use iems_shared::Energy;
use std::time::Duration;

const HOUR_MIN: i64 = 60;

/// Hourly readings of a steady 0.2 kWh an hour over `[first_hour, last_hour]`
/// (hours after [`base`]), with 1.5 kWh more in each hour of `heater`.
fn hourly(first_hour: i64, last_hour: i64, heater: std::ops::Range<i64>) -> Vec<Reading> {
    let mut kwh = 100.0;
    let mut out = Vec::new();
    for h in first_hour..=last_hour {
        if h > first_hour {
            // The energy of hour h - 1.
            kwh += 0.2 + if heater.contains(&(h - 1)) { 1.5 } else { 0.0 };
        }
        out.push(reading(h * HOUR_MIN, kwh));
    }
    out
}

#[tokio::test]
async fn a_heater_left_on_raises_one_unusual_alert() {
    let db = TestDb::new().await;
    let bus = amqp_bus("insight").await;
    let seasoned = db.device(100.0).await;
    let young = db.device(100.0).await;
    let end = 28 * 24; // four weeks of history, then the hour in progress
    let heater = end - 10..end - 2;
    let mut messages = Vec::new();
    let old = hourly(0, end, heater.clone());
    messages.extend(old.iter().map(|r| message(seasoned, r)));
    // Nine days: too little history (three weeks) for any alert.
    let new = hourly(end - 9 * 24, end, heater.clone());
    messages.extend(new.iter().map(|r| message(young, r)));

    let mut alerts = bus.subscribe(Topic::Alerts).await.unwrap();
    let config = AdapterConfig {
        insight_check_interval: Duration::from_millis(300),
        ..AdapterConfig::default()
    };
    let adapter = Running::start_with(bus.clone(), db.pool.clone(), config);
    publish_all(&bus, &messages).await;
    wait_handled(&[&adapter], messages.len() as u64).await;

    let event = loop {
        let raw = tokio::time::timeout(Duration::from_secs(20), alerts.next())
            .await
            .expect("an unusual alert within 20 s")
            .expect("the alerts topic is open");
        if let AlertsTopicEvent::Limit(e) = serde_json::from_slice(&raw).unwrap() {
            if e.alert.kind == "unusual" {
                break e;
            }
        }
    };
    let first = base() + chrono::Duration::hours(heater.start);
    assert_eq!(event.alert.device_id, seasoned.to_string());
    assert_eq!(event.alert.direction.as_deref(), Some("high"));
    assert_eq!(event.alert.hours, 8);
    assert_eq!(event.alert.hour_start, iems_shared::time::rfc3339(first));
    assert_eq!(
        event.alert.hour_end,
        iems_shared::time::rfc3339(first + chrono::Duration::hours(8))
    );
    assert!(
        (event.alert.kwh - 8.0 * 1.7).abs() < 1e-6,
        "{:?}",
        event.alert
    );
    assert!(
        (event.alert.expected_kwh.unwrap() - 8.0 * 0.2).abs() < 1e-6,
        "{:?}",
        event.alert
    );

    // Later readings (and later checks) do not raise the same run again.
    let later = [
        Reading::new(
            base() + chrono::Duration::hours(end + 1),
            Energy::from_kwh(old.last().unwrap().register.kwh() + 0.2).unwrap(),
        ),
        Reading::new(
            base() + chrono::Duration::hours(end + 2),
            Energy::from_kwh(old.last().unwrap().register.kwh() + 0.4).unwrap(),
        ),
    ];
    // A hostile clock: a reading three days ahead is refused, and must not
    // make the hours up to it look whole (and quiet).
    let ahead = Reading::new(
        chrono::Utc::now() + chrono::Duration::days(3),
        Energy::from_kwh(old.last().unwrap().register.kwh() + 0.5).unwrap(),
    );
    for r in later.iter().chain([&ahead]) {
        publish_all(&bus, &[message(seasoned, r)]).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    wait_handled(&[&adapter], messages.len() as u64 + 3).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let stored = db
        .count("SELECT COUNT(*) FROM alerts WHERE kind = 'unusual'")
        .await;
    assert_eq!(
        stored, 1,
        "one alert for one run, none for the young device"
    );
    let limit = db
        .count("SELECT COUNT(*) FROM alerts WHERE kind = 'limit'")
        .await;
    assert_eq!(limit, 0);
    // The young device has a baseline, not ready: three weeks are needed.
    let ready: i64 = sqlx::query_scalar(
        "SELECT CAST(ready * 10 + weeks_of_history AS SIGNED) FROM device_baselines WHERE device_id = ?",
    )
    .bind(young.to_string())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(ready, 1, "not ready, one whole week of history");
    let ready: i64 = sqlx::query_scalar(
        "SELECT CAST(ready AS SIGNED) FROM device_baselines WHERE device_id = ?",
    )
    .bind(seasoned.to_string())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(ready, 1);
    adapter.stop().await;
}
