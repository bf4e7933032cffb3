//! The MQTT publisher against RabbitMQ's MQTT plugin on 127.0.0.1:1884 (set up
//! by `scripts/ensure-mqtt`), as the broker's `guest` user (the internal
//! backend, allowed from loopback): what a device publishes arrives on
//! `amq.topic` with the topic as routing key, byte for byte and in order.
//! The refusals (a wrong password, nothing listening, a broker that hangs up
//! on a publish or never acknowledges it) are errors, never a hang.

use futures::StreamExt;
use iems_shared::ingest::{DeviceTopics, IssuedCredential};
use iems_simulator::{
    play_mqtt, reading_json, MqttConfig, MqttDevice, MqttError, Planned, PlayConfig,
};
use lapin::options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties, Consumer};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

const MQTT_URL: &str = "mqtt://127.0.0.1:1884";
/// Nothing here may wait longer than this.
const PATIENCE: Duration = Duration::from_secs(30);

fn amqp_url() -> String {
    std::env::var("IEMS_AMQP_URL").unwrap_or_else(|_| iems_messaging::DEFAULT_AMQP_URL.into())
}

/// Fails (never skips) when the broker's MQTT listener is not there.
async fn require_mqtt_listener() {
    let reachable = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::TcpStream::connect("127.0.0.1:1884"),
    )
    .await;
    assert!(
        matches!(reachable, Ok(Ok(_))),
        "RabbitMQ's MQTT listener is not reachable on 127.0.0.1:1884: run `scripts/ensure-mqtt` as root"
    );
}

/// Topics under a namespace of this test's own, and a consumer of everything
/// published under it (an exclusive queue bound to `amq.topic`).
async fn listen() -> (DeviceTopics, String, Connection, Consumer) {
    require_mqtt_listener().await;
    let namespace = format!("simtest_{}", Uuid::new_v4().simple());
    let topics = DeviceTopics::new(&namespace).expect("a plain namespace");
    let conn = Connection::connect(&amqp_url(), ConnectionProperties::default())
        .await
        .expect("RabbitMQ's AMQP listener (IEMS_AMQP_URL or the default)");
    let channel = conn.create_channel().await.unwrap();
    let queue = channel
        .queue_declare(
            "".into(),
            QueueDeclareOptions {
                exclusive: true,
                auto_delete: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    channel
        .queue_bind(
            queue.name().clone(),
            "amq.topic".into(),
            topics.binding_key().as_str().into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let consumer = channel
        .basic_consume(
            queue.name().clone(),
            "".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..BasicConsumeOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    (topics, namespace, conn, consumer)
}

/// The next `n` deliveries as (routing key, body).
async fn receive(consumer: &mut Consumer, n: usize) -> Vec<(String, Vec<u8>)> {
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        let delivery = tokio::time::timeout(PATIENCE, consumer.next())
            .await
            .unwrap_or_else(|_| panic!("only {} of {n} messages arrived", got.len()))
            .expect("the consumer ended")
            .expect("a delivery");
        got.push((delivery.routing_key.to_string(), delivery.data));
    }
    got
}

fn readings(device: Uuid, n: usize) -> Vec<Planned> {
    let start = chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap();
    (0..n)
        .map(|i| Planned {
            device_id: device,
            at: start + chrono::Duration::minutes(10 * i as i64),
            register_kwh: 1000.0 + 0.25 * i as f64,
        })
        .collect()
}

fn payload(p: &Planned) -> Vec<u8> {
    reading_json(p).to_string().into_bytes()
}

#[tokio::test]
async fn published_readings_arrive_on_amq_topic_in_order_under_the_device_topic() {
    let (topics, namespace, conn, mut consumer) = listen().await;
    let device = Uuid::new_v4();
    // A credential's topic (the broker's guest user publishes it here).
    let key = IssuedCredential::generate().key_id;
    let topic = topics.readings_topic(&key);
    assert_eq!(topic, format!("{namespace}/{key}/readings"));
    let mqtt = MqttDevice::connect(MQTT_URL, "guest", "guest", &format!("simtest-{device}"))
        .await
        .expect("guest connects from loopback");

    let planned = readings(device, 6);
    let mut sent: Vec<Vec<u8>> = planned.iter().map(payload).collect();
    // A batch, as a data concentrator sends it.
    sent.push(
        serde_json::Value::Array(planned[..3].iter().map(reading_json).collect())
            .to_string()
            .into_bytes(),
    );
    mqtt.publish(&topic, sent[0].clone())
        .await
        .expect("the first PUBACK");
    let acked = mqtt
        .publish_all(&topic, sent[1..].iter().cloned())
        .await
        .expect("every PUBACK");
    assert_eq!(acked, sent.len() as u64 - 1);
    mqtt.close().await;

    let got = receive(&mut consumer, sent.len()).await;
    let routing_key = format!("{namespace}.{key}.readings");
    for (i, ((key, body), expected)) in got.iter().zip(&sent).enumerate() {
        assert_eq!(key, &routing_key, "message {i}");
        assert_eq!(
            String::from_utf8_lossy(body),
            String::from_utf8_lossy(expected),
            "message {i}"
        );
    }
    assert_eq!(
        topics.split_routing_key(&got[0].0),
        Some((key.as_str(), "readings".to_string()))
    );
    // Nothing else arrived.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), consumer.next())
            .await
            .is_err(),
        "an extra message arrived"
    );
    let _ = conn.close(200, "done".into()).await;
}

#[tokio::test]
async fn play_mqtt_counts_readings_confirmed_by_puback_and_batches_them() {
    let (topics, namespace, conn, mut consumer) = listen().await;
    let device = Uuid::new_v4();
    let key = IssuedCredential::generate().key_id;
    let topic = topics.readings_topic(&key);
    let mut config = MqttConfig::new(MQTT_URL, "guest", "guest", &format!("simtest-{device}"));
    config.window = 2;
    let mqtt = MqttDevice::connect_with(&config).await.unwrap();
    let planned = readings(device, 5);
    let play = PlayConfig {
        batch: 2,
        max_in_flight: 2,
        ..PlayConfig::default()
    };
    let summary = play_mqtt(&play, &mqtt, &topic, &planned, std::future::pending()).await;
    assert_eq!((summary.sent, summary.confirmed, summary.failed), (5, 5, 0));
    assert_eq!(mqtt.ended(), None);
    mqtt.close().await;

    let got = receive(&mut consumer, 3).await;
    let expected: Vec<String> = vec![
        serde_json::Value::Array(planned[0..2].iter().map(reading_json).collect()).to_string(),
        serde_json::Value::Array(planned[2..4].iter().map(reading_json).collect()).to_string(),
        reading_json(&planned[4]).to_string(),
    ];
    for ((routing_key, body), expected) in got.iter().zip(&expected) {
        assert_eq!(routing_key, &format!("{namespace}.{key}.readings"));
        assert_eq!(&String::from_utf8_lossy(body), expected);
    }
    let _ = conn.close(200, "done".into()).await;
}

#[tokio::test]
async fn a_wrong_password_is_the_credential_error() {
    require_mqtt_listener().await;
    let refused = tokio::time::timeout(
        PATIENCE,
        MqttDevice::connect(
            MQTT_URL,
            "guest",
            "not-the-password",
            "simtest-wrong-password",
        ),
    )
    .await
    .expect("a refusal, not a hang");
    let err = refused.expect_err("a wrong password connects");
    assert!(
        matches!(&err, MqttError::CredentialRefused { key_id, .. } if key_id == "guest"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("the broker refused the credential"),
        "{err}"
    );
    assert!(!err.to_string().contains("not-the-password"), "{err}");
}

#[tokio::test]
async fn nothing_listening_is_unreachable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("mqtt://127.0.0.1:{port}");
    let err = MqttDevice::connect(&url, "guest", "guest", "simtest-nobody")
        .await
        .expect_err("nothing listens there");
    assert!(matches!(err, MqttError::Unreachable { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

/// A stand-in broker on loopback: accepts the CONNECT, then never acknowledges
/// a PUBLISH, and hangs up on the first one if `close_on_publish`.
async fn fake_broker(close_on_publish: bool) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("mqtt://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        // CONNECT (one read is enough on loopback for a small packet).
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0 && buf[0] >> 4 == 1, "expected CONNECT");
        socket.write_all(&[0x20, 0x02, 0x00, 0x00]).await.unwrap();
        loop {
            let n = socket.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                return;
            }
            if buf[0] >> 4 == 3 && close_on_publish {
                // As RabbitMQ does with a publish the credential may not make.
                return;
            }
        }
    });
    (url, task)
}

#[tokio::test]
async fn a_broker_closing_on_a_publish_fails_it_at_once() {
    let (url, broker) = fake_broker(true).await;
    let mut config = MqttConfig::new(&url, "dk0123456789abcdef0123", "secret", "simtest-refused");
    config.ack_timeout = Duration::from_secs(60);
    let mqtt = MqttDevice::connect_with(&config).await.unwrap();
    let err = tokio::time::timeout(PATIENCE, mqtt.publish("iems/x/readings", b"{}".to_vec()))
        .await
        .expect("an error, not a hang")
        .expect_err("the broker hung up");
    assert!(matches!(err, MqttError::Closed(_)), "{err:?}");
    assert!(mqtt.ended().is_some());
    // Later publishes fail too, without waiting.
    let again = tokio::time::timeout(
        Duration::from_secs(1),
        mqtt.publish("iems/x/readings", b"{}".to_vec()),
    )
    .await
    .expect("at once");
    assert!(matches!(again, Err(MqttError::Closed(_))), "{again:?}");
    broker.await.unwrap();
}

#[tokio::test]
async fn a_puback_that_never_comes_times_out() {
    let (url, broker) = fake_broker(false).await;
    let mut config = MqttConfig::new(&url, "guest", "guest", "simtest-silent");
    config.ack_timeout = Duration::from_millis(300);
    let mqtt = MqttDevice::connect_with(&config).await.unwrap();
    let err = tokio::time::timeout(PATIENCE, mqtt.publish("iems/x/readings", b"{}".to_vec()))
        .await
        .expect("an error, not a hang")
        .expect_err("no PUBACK");
    assert_eq!(err, MqttError::AckTimeout(Duration::from_millis(300)));
    mqtt.close().await;
    broker.abort();
}
