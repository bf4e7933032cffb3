//! The in-process transport: tokio channels in place of RabbitMQ, for `iems up`.

use crate::delivery::{DeadLetter, Delivery, Settle, Subscription, WorkConsumer};
use crate::{BusError, Topic};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, mpsc, Semaphore};

/// How many readings may wait in the in-process queue before publishing waits.
const QUEUE_CAPACITY: usize = 65_536;
/// How many topic messages a slow subscriber may lag behind before it misses some.
const TOPIC_CAPACITY: usize = 4_096;

#[derive(Debug)]
pub(crate) struct MemMsg {
    pub(crate) payload: Vec<u8>,
    pub(crate) redelivered: bool,
}

/// Queue, topics and dead letters of one in-process bus.
#[derive(Debug)]
pub(crate) struct MemoryBus {
    queue_tx: mpsc::UnboundedSender<MemMsg>,
    queue_rx: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<MemMsg>>>,
    room: Arc<Semaphore>,
    topics: HashMap<Topic, broadcast::Sender<Vec<u8>>>,
    dead: Mutex<Vec<DeadLetter>>,
}

impl MemoryBus {
    pub(crate) fn new() -> Self {
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
            dead: Mutex::new(Vec::new()),
        }
    }

    pub(crate) async fn publish_reading(&self, payload: Vec<u8>) -> Result<(), BusError> {
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
            })
            .map_err(|_| BusError::Closed)
    }

    pub(crate) fn requeue(&self, msg: MemMsg) -> Result<(), BusError> {
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
                    Settle::Memory(Arc::clone(&bus)),
                );
                if let Err(unsent) = tx.send(delivery).await {
                    // The consumer went away: keep the message for the next one.
                    let d = unsent.0;
                    let _ = bus.requeue(MemMsg {
                        payload: d.payload().to_vec(),
                        redelivered: true,
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

    pub(crate) fn push_dead_letter(&self, letter: DeadLetter) {
        tracing::warn!(reason = %letter.reason, "reading dead-lettered");
        self.dead
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(letter);
    }

    pub(crate) fn take_dead_letters(&self) -> Vec<DeadLetter> {
        std::mem::take(&mut *self.dead.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub(crate) fn pending_readings(&self) -> u64 {
        (QUEUE_CAPACITY - self.room.available_permits()) as u64
    }
}
