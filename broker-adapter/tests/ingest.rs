//! End-to-end ingestion through the real RabbitMQ into real SQLite files.

mod common;

use common::{amqp_bus, expected, message, publish_all, reading, wait_handled, Running, TestDb};
use iems_messaging::{Bus, Topic};
use iems_shared::consumption::Reading;
use iems_shared::Energy;
use std::time::Duration;

#[tokio::test]
async fn course_file_for_one_device_gives_exact_hourly_totals() {
    let db = TestDb::new().await;
    let bus = amqp_bus("course").await;
    let device = db.device(1000.0).await;
    let registers = common::course_registers();
    assert_eq!(registers.len(), 3999);
    let readings: Vec<Reading> = registers
        .iter()
        .enumerate()
        .map(|(i, kwh)| reading(10 * i as i64, *kwh))
        .collect();
    let adapter = Running::start(bus.clone(), db.pool.clone());
    // Played by the simulator itself, from the course format.
    let course = iems_simulator::Course::Registers(registers.clone());
    let timeline = iems_simulator::Timeline {
        start: readings[0].at,
        step: chrono::Duration::minutes(10),
        offset_per_device: 0,
        count: None,
    };
    let planned = iems_simulator::plan(&course, &[device], &timeline);
    let played =
        iems_simulator::play(&Default::default(), &bus, &planned, std::future::pending()).await;
    assert_eq!(
        (played.sent, played.confirmed, played.failed),
        (3999, 3999, 0)
    );
    wait_handled(&[&adapter], readings.len() as u64).await;
    adapter.stop().await;

    let stored = db.hourly(device).await;
    assert_eq!(stored, expected(&readings));
    // Six readings an hour: the hour's total is its register increase, spread linearly across boundaries.
    let total: i64 = stored.values().sum();
    let first = Energy::from_kwh(registers[0]).unwrap();
    let last = Energy::from_kwh(*registers.last().unwrap()).unwrap();
    assert_eq!(total, (last - first).uwh());
    assert_eq!(db.count("SELECT COUNT(*) FROM readings").await, 3999);
    assert!(bus.take_dead_letters().await.unwrap().is_empty());
    bus.delete_topology().await.unwrap();
}

/// Valid readings with a reset, sent shuffled and partly twice, among bad messages.
async fn messy_stream(bus: Bus) {
    let db = TestDb::new().await;
    let device = db.device(50.0).await;
    let mut valid: Vec<Reading> = (0..60)
        .map(|i| reading(10 * i, 100.0 + 0.37 * i as f64))
        .collect();
    // The meter resets at minute 600 and counts on from zero.
    valid.extend((60..90).map(|i| reading(10 * i, 0.25 * (i - 59) as f64)));
    let mut messages: Vec<Vec<u8>> = valid.iter().map(|r| message(device, r)).collect();
    messages.extend(valid.iter().step_by(7).map(|r| message(device, r))); // duplicates
                                                                          // A deterministic shuffle.
    let mut seed = 0x2545F4914F6CDD1Du64;
    for i in (1..messages.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        messages.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    let unknown = uuid::Uuid::new_v4();
    let bad: Vec<(Vec<u8>, &str)> = vec![
        (message(unknown, &reading(5, 1.0)), "unknown device"),
        (b"{not json".to_vec(), "malformed JSON"),
        (
            format!(
                r#"{{"device_id":"{device}","timestamp":1772323200,"measurement_value":-3.5}}"#
            )
            .into_bytes(),
            "measurement_value",
        ),
        (
            format!(
                r#"{{"device_id":"{device}","timestamp":1772323200,"measurement_value":"12"}}"#
            )
            .into_bytes(),
            "measurement_value",
        ),
    ];
    for (i, (b, _)) in bad.iter().enumerate() {
        messages.insert(i * 17, b.clone());
    }
    // A concentrator batch: two good readings (new timestamps, between existing ones) and one bad.
    let extra = [reading(15, 100.0 + 0.37 * 1.5), reading(905, 7.75)];
    let batch = format!(
        "[{}, {}, {{\"device_id\":\"{device}\",\"timestamp\":\"yesterday\",\"measurement_value\":1}}]",
        String::from_utf8(message(device, &extra[0])).unwrap(),
        String::from_utf8(message(device, &extra[1])).unwrap(),
    );
    messages.push(batch.into_bytes());
    valid.extend(extra);

    let adapter = Running::start(bus.clone(), db.pool.clone());
    publish_all(&bus, &messages).await;
    // Readings: every single message counts one, the batch three.
    wait_handled(&[&adapter], messages.len() as u64 + 2).await;
    adapter.stop().await;

    assert_eq!(db.hourly(device).await, expected(&valid));
    assert_eq!(
        db.count("SELECT COUNT(*) FROM readings").await,
        valid.len() as i64
    );
    assert_eq!(
        common::events(&db).await,
        vec![(
            "reset".to_string(),
            valid[60].at_ms(),
            valid[59].register.uwh(),
            valid[60].register.uwh(),
            0
        )]
    );

    let mut dead = bus.take_dead_letters().await.unwrap();
    dead.sort_by(|a, b| a.reason.cmp(&b.reason));
    assert_eq!(dead.len(), 5, "{dead:?}");
    for (payload, why) in &bad {
        let letter = dead
            .iter()
            .find(|d| &d.payload == payload)
            .expect("bad message dead-lettered");
        assert!(
            letter.reason.contains(why),
            "{} should mention {why}",
            letter.reason
        );
    }
    let item = dead
        .iter()
        .find(|d| d.reason.starts_with("invalid: batch item 2"))
        .expect("bad batch item");
    assert!(item.reason.contains("timestamp"), "{}", item.reason);
    assert!(String::from_utf8_lossy(&item.payload).contains("yesterday"));
}

#[tokio::test]
async fn messy_stream_over_rabbitmq_is_exact_and_dead_letters_the_bad() {
    let bus = amqp_bus("messy").await;
    messy_stream(bus.clone()).await;
    bus.delete_topology().await.unwrap();
}

#[tokio::test]
async fn messy_stream_in_process_is_exact_and_dead_letters_the_bad() {
    messy_stream(Bus::in_process()).await;
}

#[tokio::test]
async fn two_adapters_on_one_queue_are_exact() {
    let db = TestDb::new().await;
    let bus = amqp_bus("two").await;
    let devices = [
        db.device(100.0).await,
        db.device(100.0).await,
        db.device(100.0).await,
    ];
    let readings: Vec<Reading> = (0..400)
        .map(|i| reading(10 * i, 2.0 * i as f64 + 0.001 * (i % 7) as f64))
        .collect();
    let config = iems_messaging::BusConfig::amqp(
        "amqp://guest:guest@127.0.0.1:5672/%2f",
        bus.names().namespace().to_string(),
    );
    let second_bus = Bus::connect(&config).await.unwrap();
    let a = Running::start(bus.clone(), db.pool.clone());
    let b = Running::start(second_bus, db.another_pool().await);
    let mut messages = Vec::new();
    for r in &readings {
        for d in devices {
            messages.push(message(d, r));
        }
    }
    publish_all(&bus, &messages).await;
    wait_handled(&[&a, &b], messages.len() as u64).await;
    let (batches_a, batches_b) = (
        a.stats.batches.load(std::sync::atomic::Ordering::Relaxed),
        b.stats.batches.load(std::sync::atomic::Ordering::Relaxed),
    );
    a.stop().await;
    b.stop().await;
    assert!(
        batches_a > 0 && batches_b > 0,
        "both adapters took part ({batches_a}, {batches_b})"
    );
    for d in devices {
        assert_eq!(db.hourly(d).await, expected(&readings));
    }
    bus.delete_topology().await.unwrap();
}

#[tokio::test]
async fn an_alert_is_raised_once_when_an_hour_crosses_its_limit() {
    let db = TestDb::new().await;
    let bus = amqp_bus("alert").await;
    let device = db.device(1.0).await;
    let mut alerts = bus.subscribe(Topic::Alerts).await.unwrap();
    // Hour 0: 0.3 kWh per 10 minutes, 1.8 kWh in all (crosses 1 kWh at its fourth reading).
    // Hour 1: 0.1 kWh per 10 minutes, 0.6 kWh (stays under).
    let mut register = 0.0;
    let mut readings = vec![reading(0, 0.0)];
    for i in 1..=12 {
        register += if i <= 6 { 0.3 } else { 0.1 };
        readings.push(reading(10 * i, register));
    }
    let adapter = Running::start(bus.clone(), db.pool.clone());
    for r in &readings {
        // One at a time, so the hour crosses the limit over several transactions.
        bus.publish_reading(&message(device, r))
            .await
            .unwrap()
            .wait()
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_handled(&[&adapter], readings.len() as u64).await;
    adapter.stop().await;

    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT hour_start, energy_uwh FROM alerts WHERE device_id = ?")
            .bind(device.to_string())
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let hour0 = readings[0].at_ms();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, hour0);
    assert!(rows[0].1 > Energy::from_kwh(1.0).unwrap().uwh());
    let event = tokio::time::timeout(Duration::from_secs(5), alerts.next())
        .await
        .unwrap()
        .unwrap();
    let event: iems_shared::wire::AlertEvent = serde_json::from_slice(&event).unwrap();
    assert_eq!(event.alert.device_id, device.to_string());
    assert_eq!(event.alert.max_hourly_kwh, 1.0);
    assert!(
        tokio::time::timeout(Duration::from_millis(500), alerts.next())
            .await
            .is_err(),
        "only one alert"
    );
    bus.delete_topology().await.unwrap();
}
