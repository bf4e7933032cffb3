//! `iems up --demo` stopped and started again later on the same database goes
//! on from each meter's last stored reading: the second start publishes no
//! reading at or before a meter's last stored one, and no register below it
//! (before, the backfill replayed the course from another line and the
//! register stepped back, which was booked as a meter reset).

use iems::up::{seed, simulate};
use iems_db::testing::TestDatabase;
use iems_db::Pool;
use iems_messaging::Bus;
use std::collections::HashMap;
use std::time::Duration;

fn plan(backfill_hours: u32, speed: f64) -> simulate::Plan {
    simulate::Plan {
        csv: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sensor.csv"),
        backfill_hours,
        speed,
    }
}

async fn stored(pool: &Pool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM readings")
        .fetch_one(pool)
        .await
        .unwrap()
}

// Multi-threaded: the simulator, the adapter and the test's polling side by side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_demo_continues_each_meter_from_its_last_reading() {
    let db = TestDatabase::from_env().await;
    let pool = db.pool(4).await.unwrap();
    seed::ensure_demo(&pool, Some("demo password 1"))
        .await
        .unwrap();
    let devices = seed::device_ids(&pool).await.unwrap();

    // First run: 30 hours of backfill stored by the adapter, then stopped.
    let bus = Bus::in_process();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    let adapter = tokio::spawn(iems_broker_adapter::run(
        iems_broker_adapter::AdapterConfig::default(),
        bus.clone(),
        pool.clone(),
        stopped(),
    ));
    let first = tokio::spawn(simulate::run(
        plan(30, 1.0),
        bus.clone(),
        devices.clone(),
        simulate::last_readings(&pool).await.unwrap(),
        stopped(),
    ));
    let backfill = 2 * 30 * 6;
    iems_testkit::wait_for("the first run's backfill to be stored", 60, async || {
        stored(&pool).await >= backfill
    })
    .await;
    let _ = stop_tx.send(true);
    first.await.unwrap();
    adapter.await.unwrap().unwrap();
    let last = simulate::last_readings(&pool).await.unwrap();
    assert_eq!(last.len(), 2, "both meters have readings");

    // Second run "later": a shorter backfill starts the course at another line
    // for the same meter times, as a later start did. It plays at 600x (a
    // reading per second); what it publishes is taken off the queue.
    let bus = Bus::in_process();
    let mut consumer = bus.consume_readings(1000).await.unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let second = tokio::spawn(simulate::run(
        plan(24, 600.0),
        bus.clone(),
        devices.clone(),
        simulate::last_readings(&pool).await.unwrap(),
        async {
            let _ = stop_rx.await;
        },
    ));
    let mut published: Vec<serde_json::Value> = Vec::new();
    let until = tokio::time::Instant::now() + Duration::from_millis(3500);
    while let Ok(Some(d)) = tokio::time::timeout_at(until, consumer.next()).await {
        published.push(serde_json::from_slice(d.payload()).unwrap());
        d.ack().await.unwrap();
    }
    let _ = stop_tx.send(());
    second.await.unwrap();

    let mut register_before: HashMap<String, f64> = HashMap::new();
    for reading in &published {
        let device = reading["device_id"].as_str().unwrap().to_owned();
        let at = reading["timestamp"].as_i64().unwrap();
        let register = reading["measurement_value"].as_f64().unwrap();
        let stop = &last[&uuid::Uuid::parse_str(&device).unwrap()];
        assert!(
            at > stop.at.timestamp_millis(),
            "{device}: reading at {at} is not after the stored last one ({})",
            stop.at
        );
        let floor = register_before
            .get(&device)
            .copied()
            .unwrap_or(stop.register_kwh);
        assert!(
            register >= floor,
            "{device}: register {register} steps back from {floor}"
        );
        register_before.insert(device, register);
    }
    assert_eq!(
        register_before.len(),
        2,
        "both meters played on: {published:?}"
    );
    // It continues: the first new reading is one step of the course past the stored one.
    for (device, stop) in &last {
        let first = published
            .iter()
            .find(|r| r["device_id"] == device.to_string())
            .unwrap();
        let step_kwh = first["measurement_value"].as_f64().unwrap() - stop.register_kwh;
        assert!(
            (0.0..5.0).contains(&step_kwh),
            "{device}: first new register is {step_kwh} kWh past the stored one"
        );
    }
    pool.close().await;
}
