//! The same behaviour on both transports: in-process and the real RabbitMQ.

mod common;

use iems_messaging::{Bus, Delivery, Topic, WorkConsumer};
use std::time::Duration;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(10);

async fn work_queue_acks_and_dead_letters(bus: &Bus) {
    let mut consumer = bus.consume_readings(10).await.unwrap();
    for body in [b"one".as_slice(), b"two", b"three"] {
        bus.publish_reading(body)
            .await
            .unwrap()
            .wait()
            .await
            .unwrap();
    }
    let first = timeout(WAIT, consumer.next()).await.unwrap().unwrap();
    assert_eq!(first.payload(), b"one");
    first.ack().await.unwrap();
    let second = timeout(WAIT, consumer.next()).await.unwrap().unwrap();
    assert_eq!(second.payload(), b"two");
    second.dead_letter("unknown device 42").await.unwrap();
    let third = timeout(WAIT, consumer.next()).await.unwrap().unwrap();
    assert_eq!(third.payload(), b"three");
    assert!(!third.redelivered());
    third.requeue().await.unwrap();
    let again = timeout(WAIT, consumer.next()).await.unwrap().unwrap();
    assert_eq!(again.payload(), b"three");
    assert!(again.redelivered());
    again.ack().await.unwrap();

    let dead = bus.take_dead_letters().await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].payload, b"two");
    assert_eq!(dead[0].reason, "unknown device 42");
    assert!(bus.take_dead_letters().await.unwrap().is_empty());
    assert!(
        timeout(Duration::from_millis(300), consumer.next())
            .await
            .is_err(),
        "nothing left"
    );
}

async fn topics_reach_every_subscriber(publisher: &Bus, a: &Bus, b: &Bus) {
    let mut alerts_a = a.subscribe(Topic::Alerts).await.unwrap();
    let mut alerts_b = b.subscribe(Topic::Alerts).await.unwrap();
    let mut chat_a = a.subscribe(Topic::Chat).await.unwrap();
    publisher
        .publish(Topic::Alerts, b"{\"alert\":1}")
        .await
        .unwrap();
    publisher
        .publish(Topic::Chat, b"{\"chat\":1}")
        .await
        .unwrap();
    assert_eq!(
        timeout(WAIT, alerts_a.next()).await.unwrap().unwrap(),
        b"{\"alert\":1}"
    );
    assert_eq!(
        timeout(WAIT, alerts_b.next()).await.unwrap().unwrap(),
        b"{\"alert\":1}"
    );
    assert_eq!(
        timeout(WAIT, chat_a.next()).await.unwrap().unwrap(),
        b"{\"chat\":1}"
    );
    // Topics are separate: the alert subscription saw no chat message.
    assert!(timeout(Duration::from_millis(300), alerts_a.next())
        .await
        .is_err());
}

#[tokio::test]
async fn in_process_work_queue() {
    work_queue_acks_and_dead_letters(&Bus::in_process()).await;
}

#[tokio::test]
async fn in_process_topics() {
    let bus = Bus::in_process();
    topics_reach_every_subscriber(&bus, &bus, &bus).await;
}

#[tokio::test]
async fn rabbitmq_work_queue() {
    let bus = common::amqp_bus("wq").await;
    work_queue_acks_and_dead_letters(&bus).await;
    bus.delete_topology().await.unwrap();
}

#[tokio::test]
async fn rabbitmq_topics_fan_out_across_connections() {
    let publisher = common::amqp_bus("fan").await;
    // Two "instances": separate buses, same namespace.
    let config = iems_messaging::BusConfig::amqp(
        format!("{}/%2f", common::base_url()),
        publisher.names().namespace().to_string(),
    );
    let a = Bus::connect(&config).await.unwrap();
    let b = Bus::connect(&config).await.unwrap();
    topics_reach_every_subscriber(&publisher, &a, &b).await;
    publisher.delete_topology().await.unwrap();
}

/// A fresh queue with readings 0..20 and a consumer (prefetch 5) holding the first five.
async fn twenty_queued_five_held(name: &str) -> (Bus, WorkConsumer, Vec<Delivery>) {
    let bus = common::amqp_bus(name).await;
    for i in 0..20u8 {
        bus.publish_reading(&[i])
            .await
            .unwrap()
            .wait()
            .await
            .unwrap();
    }
    let mut consumer = bus.consume_readings(5).await.unwrap();
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(timeout(WAIT, consumer.next()).await.unwrap().unwrap());
    }
    (bus, consumer, held)
}

#[tokio::test]
async fn rabbitmq_prefetch_bounds_unacked_deliveries() {
    let (bus, mut consumer, held) = twenty_queued_five_held("prefetch").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        consumer.try_next().is_none(),
        "no sixth delivery while five are unacked"
    );
    assert_eq!(bus.pending_readings().await.unwrap(), 15);
    for d in held {
        d.ack().await.unwrap();
    }
    let sixth = timeout(WAIT, consumer.next()).await.unwrap().unwrap();
    assert_eq!(sixth.payload(), &[5]);
    sixth.ack().await.unwrap();
    drop(consumer);
    bus.delete_topology().await.unwrap();
}

/// `Delivery::ack_all` settles exactly the deliveries it is given (one
/// `multiple` ack up to the highest), not the later ones still held.
#[tokio::test]
async fn rabbitmq_ack_all_settles_exactly_the_batch() {
    let (bus, mut consumer, mut held) = twenty_queued_five_held("ack-all").await;
    let later = held.split_off(3);
    held.reverse(); // any order within the batch
    Delivery::ack_all(held).await.unwrap();
    let mut next = Vec::new();
    for _ in 0..3 {
        next.push(timeout(WAIT, consumer.next()).await.unwrap().unwrap());
    }
    let payloads: Vec<u8> = next.iter().map(|d| d.payload()[0]).collect();
    assert_eq!(
        payloads,
        vec![5, 6, 7],
        "three settled, three more delivered"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        consumer.try_next().is_none(),
        "the two held deliveries are still unacked"
    );
    let mut rest = later;
    rest.extend(next);
    Delivery::ack_all(rest).await.unwrap();
    for expected in 8..13u8 {
        let d = timeout(WAIT, consumer.next()).await.unwrap().unwrap();
        assert_eq!(d.payload(), &[expected]);
        d.ack().await.unwrap();
    }
    drop(consumer);
    bus.delete_topology().await.unwrap();
}

#[tokio::test]
async fn rabbitmq_reconnects_after_connections_are_closed() {
    let vhost = common::TestVhost::create("reconnect");
    let config = iems_messaging::BusConfig::amqp(vhost.url(), "iems");
    let bus = Bus::connect(&config).await.unwrap();
    let mut consumer = bus.consume_readings(10).await.unwrap();
    let mut alerts = bus.subscribe(Topic::Alerts).await.unwrap();
    bus.publish_reading(b"before")
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    let d = timeout(WAIT, consumer.next()).await.unwrap().unwrap();
    d.ack().await.unwrap();

    vhost.close_all_connections();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Publishing reconnects on demand; the consumer and subscriber come back by themselves.
    bus.publish_reading(b"after")
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    let d = timeout(Duration::from_secs(20), consumer.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.payload(), b"after");
    d.ack().await.unwrap();
    let mut delivered = false;
    for _ in 0..40 {
        bus.publish(Topic::Alerts, b"ping").await.unwrap();
        if let Ok(Some(msg)) = timeout(Duration::from_millis(250), alerts.next()).await {
            assert_eq!(msg, b"ping");
            delivered = true;
            break;
        }
    }
    assert!(delivered, "subscriber re-bound after reconnect");
    drop((consumer, alerts));
    bus.close().await;
}
