//! The adapter survives the broker closing every connection mid-stream.

mod common;

use common::{expected, reading, wait_stored, Running, TestDb};
use iems_messaging::{Bus, BusConfig};
use iems_shared::consumption::Reading;
use iems_testkit::rabbitmq::TestVhost;
use std::time::Duration;

#[tokio::test]
async fn closed_connections_mid_stream_reconnect_and_totals_stay_exact() {
    let vhost = TestVhost::create("adapter-reconnect");
    let db = TestDb::new().await;
    let bus = Bus::connect(&BusConfig::amqp(vhost.url(), "iems"))
        .await
        .unwrap();
    let devices = [db.device(100.0).await, db.device(100.0).await];
    let readings: Vec<Reading> = (0..1500).map(|i| reading(10 * i, 0.5 * i as f64)).collect();
    let adapter = Running::start(bus.clone(), db.pool.clone());

    let publisher = {
        let bus = bus.clone();
        let readings = readings.clone();
        tokio::spawn(async move {
            let planned: Vec<iems_simulator::Planned> = readings
                .iter()
                .flat_map(|r| {
                    devices.map(|device_id| iems_simulator::Planned {
                        device_id,
                        at: r.at,
                        register_kwh: r.register.kwh(),
                    })
                })
                .collect();
            let config = iems_simulator::PlayConfig {
                rate: Some(1500.0),
                max_in_flight: 50,
                ..Default::default()
            };
            iems_simulator::play(&config, &bus, &planned, std::future::pending()).await
        })
    };
    // Let part of the stream through, then pull the rug.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let before = db.count("SELECT COUNT(*) FROM readings").await;
    vhost.close_all_connections();
    let summary = publisher.await.unwrap();
    assert_eq!(summary.failed, 0, "{summary}");
    wait_stored(&db, &bus, 2 * readings.len() as i64).await;
    adapter.stop().await;

    assert!(
        before > 0 && before < 3000,
        "the close happened mid-stream ({before} stored before)"
    );
    for device in devices {
        assert_eq!(db.hourly(device).await, expected(&readings));
    }
    bus.close().await;
}
