//! Dead letters on both transports: the same delivery limit, browsing that
//! removes nothing, replay of the selected letters only, and the in-process
//! bound and store.

mod common;

use iems_messaging::{
    reason_code, Bus, DeadLetter, DeadLetterStore, InProcessConfig, StoreError, DELIVERY_LIMIT,
    DELIVERY_LIMIT_REASON,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(10);

/// Requeues one message on every delivery until the bus gives up on it;
/// returns how many deliveries there were and the dead letters then.
async fn requeue_until_given_up(bus: &Bus) -> (u32, Vec<DeadLetter>) {
    let mut consumer = bus.consume_readings(1).await.unwrap();
    bus.publish_reading(b"poison")
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    let mut deliveries = 0;
    while let Ok(Some(delivery)) = timeout(Duration::from_secs(2), consumer.next()).await {
        deliveries += 1;
        assert!(deliveries <= 10 * DELIVERY_LIMIT, "requeued without end");
        delivery.requeue().await.unwrap();
    }
    let mut dead = Vec::new();
    iems_testkit::wait_for("the dead letter", 10, async || {
        dead.extend(bus.take_dead_letters().await.unwrap());
        !dead.is_empty()
    })
    .await;
    (deliveries, dead)
}

#[tokio::test]
async fn in_process_gives_up_after_the_delivery_limit() {
    let bus = Bus::in_process();
    let (deliveries, dead) = requeue_until_given_up(&bus).await;
    assert_eq!(
        deliveries,
        DELIVERY_LIMIT + 1,
        "the first delivery and DELIVERY_LIMIT more"
    );
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].payload, b"poison");
    assert_eq!(dead[0].reason, DELIVERY_LIMIT_REASON);
    assert_eq!(reason_code(&dead[0].reason), "broker");
}

#[tokio::test]
async fn rabbitmq_gives_up_after_the_same_delivery_limit() {
    let bus = common::amqp_bus("limit").await;
    let (deliveries, dead) = requeue_until_given_up(&bus).await;
    bus.delete_topology().await.unwrap();
    assert_eq!(
        deliveries,
        DELIVERY_LIMIT + 1,
        "the first delivery and DELIVERY_LIMIT more"
    );
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].payload, b"poison");
    assert_eq!(dead[0].reason, DELIVERY_LIMIT_REASON);
}

/// Three letters of two reasons: browsing twice sees all three each time,
/// replaying one reason puts exactly those back on the readings queue.
async fn browse_then_replay_one_reason(bus: &Bus) {
    for (body, reason) in [
        (b"a".as_slice(), "unknown_device: device a"),
        (b"b", "malformed: not JSON"),
        (b"c", "unknown_device: device c"),
    ] {
        bus.publish_dead_letter(body, reason).await.unwrap();
    }
    for _ in 0..2 {
        let mut seen = Vec::new();
        let n = bus
            .browse_dead_letters(|l| seen.push((l.payload.clone(), l.reason.clone())))
            .await
            .unwrap();
        assert_eq!(n, 3);
        assert_eq!(seen[0], (b"a".to_vec(), "unknown_device: device a".into()));
        assert_eq!(seen[1].0, b"b");
        assert_eq!(seen[2].0, b"c");
    }
    let mut consumer = bus.consume_readings(10).await.unwrap();
    let done = bus
        .replay_dead_letters(|l| reason_code(&l.reason) == "unknown_device", |_| {})
        .await
        .unwrap();
    assert_eq!((done.replayed, done.left), (2, 1));
    let mut replayed = Vec::new();
    for _ in 0..2 {
        let d = timeout(WAIT, consumer.next()).await.unwrap().unwrap();
        replayed.push(d.payload().to_vec());
        d.ack().await.unwrap();
    }
    replayed.sort();
    assert_eq!(replayed, vec![b"a".to_vec(), b"c".to_vec()]);
    let mut left = Vec::new();
    bus.browse_dead_letters(|l| left.push(l.reason.clone()))
        .await
        .unwrap();
    assert_eq!(left, vec!["malformed: not JSON".to_string()]);
}

#[tokio::test]
async fn in_process_browse_and_replay() {
    browse_then_replay_one_reason(&Bus::in_process()).await;
}

#[tokio::test]
async fn rabbitmq_browse_and_replay() {
    let bus = common::amqp_bus("replay").await;
    browse_then_replay_one_reason(&bus).await;
    bus.delete_topology().await.unwrap();
}

#[tokio::test]
async fn in_process_dead_letters_are_bounded_oldest_dropped() {
    let bus = Bus::in_process_with(InProcessConfig {
        dead_letter_cap: 3,
        ..InProcessConfig::default()
    });
    for i in 0..5u8 {
        bus.publish_dead_letter(&[i], "malformed: test")
            .await
            .unwrap();
    }
    assert_eq!(bus.dropped_dead_letters(), 2);
    let kept: Vec<u8> = bus
        .take_dead_letters()
        .await
        .unwrap()
        .iter()
        .map(|l| l.payload[0])
        .collect();
    assert_eq!(kept, vec![2, 3, 4]);
}

/// A store that fails while `failing` is set.
#[derive(Debug, Default)]
struct FlakyStore {
    kept: Mutex<Vec<DeadLetter>>,
    failing: Mutex<bool>,
}

impl DeadLetterStore for FlakyStore {
    fn keep<'a>(
        &'a self,
        letter: &'a DeadLetter,
    ) -> futures::future::BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            if *self.failing.lock().unwrap() {
                return Err("database unreachable".into());
            }
            self.kept.lock().unwrap().push(letter.clone());
            Ok(())
        })
    }
}

#[tokio::test]
async fn in_process_store_gets_letters_and_a_failed_one_later() {
    let store = Arc::new(FlakyStore::default());
    let bus = Bus::in_process_with(InProcessConfig {
        dead_letter_store: Some(store.clone()),
        ..InProcessConfig::default()
    });
    bus.publish_dead_letter(b"1", "malformed: one")
        .await
        .unwrap();
    *store.failing.lock().unwrap() = true;
    bus.publish_dead_letter(b"2", "malformed: two")
        .await
        .unwrap();
    assert_eq!(store.kept.lock().unwrap().len(), 1);
    *store.failing.lock().unwrap() = false;
    bus.publish_dead_letter(b"3", "malformed: three")
        .await
        .unwrap();
    let kept: Vec<Vec<u8>> = store
        .kept
        .lock()
        .unwrap()
        .iter()
        .map(|l| l.payload.clone())
        .collect();
    assert_eq!(kept, vec![b"1".to_vec(), b"2".to_vec(), b"3".to_vec()]);
    assert!(bus.take_dead_letters().await.unwrap().is_empty());
}
