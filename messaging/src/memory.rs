//! The in-process transport: tokio channels in place of RabbitMQ, for `iems up`.

use crate::dead_letters::{DeadLetters, InProcessConfig, DELIVERY_LIMIT, DELIVERY_LIMIT_REASON};
use crate::delivery::{DeadLetter, Delivery, Origin, Settle, Subscription, WorkConsumer};
use crate::{BusError, Topic};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, Semaphore};

/// How many readings may wait in the in-process queue before publishing waits.
const QUEUE_CAPACITY: usize = 65_536;
/// How many topic messages a slow subscriber may lag behind before it misses some.
const TOPIC_CAPACITY: usize = 4_096;

#[derive(Debug)]
pub(crate) struct MemMsg {
    pub(crate) payload: Vec<u8>,
    pub(crate) redelivered: bool,
    /// Where the readings came from ([`crate::Bus::publish_reading_from`]).
    pub(crate) source: Option<String>,
    /// Times it was given back after a failed attempt (RabbitMQ's delivery count).
    pub(crate) returns: u32,
}

/// Queue, topics and dead letters of one in-process bus.
#[derive(Debug)]
pub(crate) struct MemoryBus {
    queue_tx: mpsc::UnboundedSender<MemMsg>,
    queue_rx: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<MemMsg>>>,
    room: Arc<Semaphore>,
    topics: HashMap<Topic, broadcast::Sender<Vec<u8>>>,
    pub(crate) dead: DeadLetters,
}

impl MemoryBus {
    pub(crate) fn new(config: InProcessConfig) -> Self {
        let (queue_tx, queue_rx) = mpsc::unbounded_channel();
        let topics = Topic::ALL
            .iter()
            .map(|t| (*t, broadcast::channel(TOPIC_CAPACITY).0))
            .collect();
        MemoryBus {
            queue_tx,
            queue_rx: Arc::new(tokio::sync::Mutex::new(queue_rx)),
            room: Arc::new(Semaphore::new(QUEUE_CAPACITY)),
            topics,
            dead: DeadLetters::new(config),
        }
    }

    pub(crate) async fn publish_reading(
        &self,
        payload: Vec<u8>,
        source: Option<String>,
    ) -> Result<(), BusError> {
        // Back-pressure in place of publisher confirms: wait while the queue is full.
        self.room
            .acquire()
            .await
            .map_err(|_| BusError::Closed)?
            .forget();
        self.queue_tx
            .send(MemMsg {
                payload,
                redelivered: false,
                source,
                returns: 0,
            })
            .map_err(|_| BusError::Closed)
    }

    /// Gives back a message whose attempt failed: requeued, or dead-lettered
    /// once it was given back more than [`DELIVERY_LIMIT`] times (as RabbitMQ does).
    pub(crate) async fn give_back(
        &self,
        payload: Vec<u8>,
        source: Option<String>,
        returns: u32,
    ) -> Result<(), BusError> {
        let returns = returns.saturating_add(1);
        if returns > DELIVERY_LIMIT {
            self.push_dead_letter(DeadLetter {
                payload,
                reason: DELIVERY_LIMIT_REASON.to_string(),
            })
            .await;
            return Ok(());
        }
        self.requeue(MemMsg {
            payload,
            redelivered: true,
            source,
            returns,
        })
    }

    fn requeue(&self, msg: MemMsg) -> Result<(), BusError> {
        if let Ok(permit) = self.room.try_acquire() {
            permit.forget();
        }
        self.queue_tx.send(msg).map_err(|_| BusError::Closed)
    }

    pub(crate) fn consume_readings(self: &Arc<Self>, prefetch: u16) -> WorkConsumer {
        let (tx, rx) = mpsc::channel(usize::from(prefetch.max(1)));
        let bus = Arc::clone(self);
        let shared_rx = Arc::clone(&self.queue_rx);
        tokio::spawn(async move {
            loop {
                // Several consumers take turns on the one queue.
                let msg = tokio::select! {
                    msg = async { shared_rx.lock().await.recv().await } => msg,
                    () = tx.closed() => return,
                };
                let Some(msg) = msg else { return };
                bus.room.add_permits(1);
                let delivery = Delivery::new(
                    msg.payload,
                    msg.redelivered,
                    Origin::Readings {
                        source: msg.source.clone(),
                    },
                    Settle::Memory {
                        bus: Arc::clone(&bus),
                        returns: msg.returns,
                    },
                );
                if let Err(unsent) = tx.send(delivery).await {
                    // The consumer went away: keep the message for the next one
                    // (not an attempt that failed, so not counted).
                    let d = unsent.0;
                    let _ = bus.requeue(MemMsg {
                        payload: d.payload().to_vec(),
                        redelivered: true,
                        source: msg.source,
                        returns: msg.returns,
                    });
                    return;
                }
            }
        });
        WorkConsumer { rx }
    }

    pub(crate) fn publish(&self, topic: Topic, payload: Vec<u8>) {
        // No subscriber is not an error: nobody is listening right now.
        let _ = self.topics[&topic].send(payload);
    }

    pub(crate) fn subscribe(&self, topic: Topic) -> Subscription {
        let mut source = self.topics[&topic].subscribe();
        let (tx, rx) = mpsc::channel(TOPIC_CAPACITY);
        tokio::spawn(async move {
            loop {
                let msg = tokio::select! {
                    msg = source.recv() => msg,
                    () = tx.closed() => return,
                };
                match msg {
                    Ok(payload) => {
                        if tx.send(payload).await.is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(
                            topic = topic.as_str(),
                            missed = n,
                            "slow subscriber missed messages"
                        );
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        Subscription { rx }
    }

    pub(crate) async fn push_dead_letter(&self, letter: DeadLetter) {
        self.dead.push(letter).await;
    }

    pub(crate) fn pending_readings(&self) -> u64 {
        (QUEUE_CAPACITY - self.room.available_permits()) as u64
    }
}
