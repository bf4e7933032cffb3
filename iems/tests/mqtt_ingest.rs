//! Meters over MQTT on the real RabbitMQ MQTT plugin (127.0.0.1:1884), their
//! credentials checked by the adapter's broker auth routes on
//! 127.0.0.1:15680, where `scripts/ensure-mqtt` points the broker's HTTP
//! auth backend: docs/ingest.md. The listener's address is fixed, so this
//! file holds one test that runs every case in turn.

mod common;

use common::ingest::{hourly_total, stored, Adapter};
use common::world::world;
use iems_broker_adapter::ingest::{Ingest, IngestConfig};
use iems_simulator::{MqttDevice, MqttError};
use iems_testkit::rabbitmq;
use serde_json::json;
use sqlx::Row;
use std::time::Duration;

const MQTT_URL: &str = "mqtt://127.0.0.1:1884";
const BROKER_AUTH: &str = "127.0.0.1:15680";

/// Binds the broker auth address, waiting a while for another user of it to finish.
async fn bind_broker_auth() -> tokio::net::TcpListener {
    for _ in 0..60 {
        match tokio::net::TcpListener::bind(BROKER_AUTH).await {
            Ok(listener) => return listener,
            Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
    panic!("{BROKER_AUTH} stays in use: stop the iems that serves --broker-auth-listen there");
}

#[tokio::test]
async fn meters_publish_over_mqtt_with_their_own_credential_to_their_own_topic_only() {
    rabbitmq::require_rabbitmq();
    assert!(
        std::net::TcpStream::connect("127.0.0.1:1884").is_ok(),
        "RabbitMQ's MQTT listener is not on 127.0.0.1:1884: run scripts/ensure-mqtt as root"
    );
    let w = world().await;
    let api = &w.api;
    let admin = Some(w.admin.token.as_str());
    let adapter = Adapter::start(api, "mqtt").await;
    let (namespace, bus) = (adapter.namespace.clone(), adapter.bus.clone());
    let ingest = Ingest::new(
        IngestConfig {
            namespace: namespace.clone(),
            credential_ttl: Duration::from_millis(500),
            ..IngestConfig::default()
        },
        adapter.pool.clone(),
        bus.clone(),
    )
    .unwrap();
    let listener = bind_broker_auth().await;
    tokio::spawn(iems::listen::serve(
        listener,
        ingest.broker_auth_router(),
        adapter.stopped(),
    ));

    let issue = |device: String| {
        let api = &w.api;
        async move {
            let reply = api
                .call(
                    "POST",
                    &format!("/api/devices/{device}/credential"),
                    admin,
                    None,
                )
                .await;
            assert_eq!(reply.status, 201, "{}", reply.text());
            let body = reply.json();
            (
                body["key_id"].as_str().unwrap().to_string(),
                body["secret"].as_str().unwrap().to_string(),
            )
        }
    };
    let (key, secret) = issue(w.mine.clone()).await;
    let (their_key, their_secret) = issue(w.theirs.clone()).await;
    let now = chrono::Utc::now();
    let own = format!("{namespace}/{key}");

    // iems' own message on the readings topic, then a Tasmota frame (the
    // format detected from the topic, its local Time taken as the receive
    // time: the device has no time zone) and a STATE frame (no register).
    let meter = MqttDevice::connect(MQTT_URL, &key, &secret, "iems-test-mine")
        .await
        .expect("the device's own credential connects");
    let batch = json!([
        {"timestamp": (now - chrono::Duration::minutes(20)).timestamp(), "measurement_value": 5.0},
        {"timestamp": (now - chrono::Duration::minutes(10)).timestamp(), "measurement_value": 5.5},
    ]);
    for _ in 0..2 {
        // Twice: a retained or re-sent frame is stored once.
        meter
            .publish(&format!("{own}/readings"), batch.to_string().into_bytes())
            .await
            .expect("published to its own topic");
    }
    let tasmota = json!({"Time": "2026-01-01T00:00:00", "ENERGY": {"Total": 6.0, "Power": 120}});
    meter
        .publish(
            &format!("{own}/tele/plug/SENSOR"),
            tasmota.to_string().into_bytes(),
        )
        .await
        .expect("a Tasmota frame");
    meter
        .publish(
            &format!("{own}/tele/plug/STATE"),
            br#"{"POWER":"ON"}"#.to_vec(),
        )
        .await
        .expect("a frame without a register is accepted");
    iems_testkit::wait_for("three readings stored", 20, async || {
        stored(api, &w.mine).await == 3
    })
    .await;
    let total = hourly_total(api, &w.mine).await;
    assert_eq!(total, 1_000_000_000, "5 → 6 kWh, duplicates once");
    iems_testkit::wait_for("the report over MQTT", 20, async || {
        let device = api
            .call(
                "GET",
                &format!("/api/devices/{}", w.mine),
                Some(&w.alice.token),
                None,
            )
            .await
            .json();
        device["last_reported_via"] == "mqtt"
    })
    .await;

    // A frame in the wrong format for the device is dead-lettered with its
    // topic; once the format is fixed, a replay reads it in the right one.
    let patch = |format: serde_json::Value| {
        let api = &w.api;
        let path = format!("/api/devices/{}", w.mine);
        async move {
            let body = json!({ "meter_format": format });
            let reply = api.call("PATCH", &path, admin, Some(&body)).await;
            assert_eq!(reply.status, 200, "{}", reply.text());
        }
    };
    patch(json!("plain_number")).await;
    tokio::time::sleep(Duration::from_millis(2500)).await; // the adapter's device cache
    let later = json!({"Time": "2026-01-01T00:10:00", "ENERGY": {"Total": 6.0001}});
    meter
        .publish(
            &format!("{own}/tele/plug/SENSOR"),
            later.to_string().into_bytes(),
        )
        .await
        .expect("a frame the device's format cannot read");
    let mut letters = Vec::new();
    iems_testkit::wait_for("the frame dead-lettered", 20, async || {
        letters.clear();
        bus.browse_dead_letters(|l| letters.push(l.reason.clone()))
            .await
            .unwrap();
        !letters.is_empty()
    })
    .await;
    assert!(
        letters[0].starts_with("malformed: plain_number frame on \"tele/plug/SENSOR\""),
        "{letters:?}"
    );
    assert_eq!(stored(api, &w.mine).await, 3);
    patch(serde_json::Value::Null).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let replayed = bus.replay_dead_letters(|_| true, |_| {}).await.unwrap();
    assert_eq!(replayed.replayed, 1);
    iems_testkit::wait_for("the replayed frame stored as Tasmota", 20, async || {
        stored(api, &w.mine).await == 4
    })
    .await;

    // Another device's topic: the broker refuses the publish (and closes the connection).
    let theirs = format!("{namespace}/{their_key}/readings");
    let forged =
        json!({"device_id": w.theirs, "timestamp": now.timestamp(), "measurement_value": 1.0});
    let refused = meter
        .publish(&theirs, forged.to_string().into_bytes())
        .await;
    assert!(
        refused.is_err(),
        "publishing to another device's topic must fail"
    );
    // A wildcard topic cannot even be published to; a wrong secret, another key,
    // or no key at all cannot connect.
    for (user, password) in [
        (key.as_str(), their_secret.as_str()),
        (their_key.as_str(), secret.as_str()),
        ("guest-not-a-key", "x"),
    ] {
        match MqttDevice::connect(MQTT_URL, user, password, "iems-test-wrong").await {
            Err(MqttError::CredentialRefused { .. }) => {}
            other => panic!(
                "{user}: expected the credential to be refused, got {:?}",
                other.err()
            ),
        }
    }

    // Revocation bites within seconds: new connections are refused; a
    // connection kept busy (the broker keeps its topic checks until it idles)
    // may still publish, but iems refuses its frames (the topic names the key).
    let theirs_meter = MqttDevice::connect(MQTT_URL, &their_key, &their_secret, "iems-test-theirs")
        .await
        .expect("their credential connects");
    theirs_meter
        .publish(&theirs, forged.to_string().into_bytes())
        .await
        .expect("their own topic");
    iems_testkit::wait_for("their first reading", 20, async || {
        stored(api, &w.theirs).await == 1
    })
    .await;
    let reply = api
        .call(
            "DELETE",
            &format!("/api/devices/{}/credential", w.theirs),
            admin,
            None,
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    let revoked = std::time::Instant::now();
    let mut late = Vec::new();
    for i in 1..=40 {
        let at = now + chrono::Duration::seconds(i);
        let message =
            json!({"timestamp": at.timestamp(), "measurement_value": 1.0 + i as f64 / 1000.0});
        let sent = revoked.elapsed();
        if theirs_meter
            .publish(&theirs, message.to_string().into_bytes())
            .await
            .is_err()
        {
            break; // the broker closed it: refused too
        }
        if sent > Duration::from_secs(3) {
            late.push(at.timestamp_millis());
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    // Let the adapter work through everything published, then check.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for ts in &late {
        let row = sqlx::query("SELECT COUNT(*) FROM readings WHERE device_id = ? AND ts = ?")
            .bind(&w.theirs)
            .bind(ts)
            .fetch_one(&api.pool)
            .await
            .unwrap();
        let count: i64 = row.try_get(0).unwrap();
        assert_eq!(count, 0, "a frame 3 s after the revocation was stored");
    }
    assert!(matches!(
        MqttDevice::connect(MQTT_URL, &their_key, &their_secret, "iems-test-theirs-2").await,
        Err(MqttError::CredentialRefused { .. })
    ));
    assert!(
        stored(api, &w.theirs).await >= 1,
        "its reading before the revocation is kept"
    );
    eprintln!(
        "frames acknowledged by the broker more than 3 s after the revocation: {}",
        late.len()
    );
    assert_eq!(
        stored(api, &w.mine).await,
        4,
        "nothing else reached the first device"
    );
    bus.delete_topology().await.ok();
    drop(adapter);
}
