//! Long-lived RabbitMQ consumers: each runs in a task on its own connection,
//! reconnecting with backoff and re-declaring the topology whenever the
//! connection or channel is lost, until its receiver is dropped.

use crate::amqp::{AmqpLink, Backoff};
use crate::delivery::{Delivery, Origin, Settle, Subscription, WorkConsumer};
use crate::{BusError, Topic};
use futures::StreamExt;
use lapin::options::{BasicConsumeOptions, BasicQosOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Connection, Consumer};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// What one consumer task is for.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Readings { prefetch: u16 },
    Topic(Topic),
}

/// Starts a reading consumer; returns once it is consuming (or the first connect failed).
pub(crate) async fn consume_readings(
    link: Arc<AmqpLink>,
    prefetch: u16,
) -> Result<WorkConsumer, BusError> {
    let (tx, rx) = mpsc::channel(usize::from(prefetch.max(1)));
    let (ready_tx, ready_rx) = oneshot::channel();
    let kind = Kind::Readings {
        prefetch: prefetch.max(1),
    };
    tokio::spawn(run(link, kind, ready_tx, Sink::Work(tx)));
    ready_rx.await.map_err(|_| BusError::Closed)??;
    Ok(WorkConsumer { rx })
}

/// Starts a topic subscriber; returns once its queue is bound.
pub(crate) async fn subscribe(link: Arc<AmqpLink>, topic: Topic) -> Result<Subscription, BusError> {
    let (tx, rx) = mpsc::channel(4096);
    let (ready_tx, ready_rx) = oneshot::channel();
    tokio::spawn(run(link, Kind::Topic(topic), ready_tx, Sink::Topic(tx)));
    ready_rx.await.map_err(|_| BusError::Closed)??;
    Ok(Subscription { rx })
}

enum Sink {
    Work(mpsc::Sender<Delivery>),
    Topic(mpsc::Sender<Vec<u8>>),
}

impl Sink {
    fn is_closed(&self) -> bool {
        match self {
            Sink::Work(tx) => tx.is_closed(),
            Sink::Topic(tx) => tx.is_closed(),
        }
    }

    async fn closed(&self) {
        match self {
            Sink::Work(tx) => tx.closed().await,
            Sink::Topic(tx) => tx.closed().await,
        }
    }
}

async fn run(
    link: Arc<AmqpLink>,
    kind: Kind,
    ready: oneshot::Sender<Result<(), BusError>>,
    sink: Sink,
) {
    let mut ready = Some(ready);
    let mut backoff = Backoff::new();
    while !sink.is_closed() {
        let started = match ready.is_some() {
            true => link
                .open_with_retry(role(kind))
                .await
                .map_err(|e| e.to_string()),
            false => link.open(role(kind)).await.map_err(|e| e.to_string()),
        };
        let conn = match started {
            Ok(conn) => conn,
            Err(err) => {
                if let Some(ready) = ready.take() {
                    let _ = ready.send(Err(BusError::Consumer(err)));
                    return;
                }
                tracing::warn!(url = %link.redacted_url(), error = %err, "consumer reconnect failed, retrying");
                backoff.wait().await;
                continue;
            }
        };
        let consumer = match start(&conn, &link, kind).await {
            Ok(consumer) => consumer,
            Err(err) => {
                let _ = conn.close(200, "setup failed".into()).await;
                if let Some(ready) = ready.take() {
                    let _ = ready.send(Err(err.into()));
                    return;
                }
                tracing::warn!(error = %err, "consumer setup failed, retrying");
                backoff.wait().await;
                continue;
            }
        };
        if let Some(ready) = ready.take() {
            let _ = ready.send(Ok(()));
        } else {
            tracing::info!(role = role(kind), "consumer reconnected");
        }
        backoff = Backoff::new();
        forward(consumer, &link, &sink).await;
        if conn.status().connected() {
            let _ = conn.close(200, "consumer done".into()).await;
        }
        if !sink.is_closed() {
            tracing::warn!(
                role = role(kind),
                "consumer lost its connection, reconnecting"
            );
            backoff.wait().await;
        }
    }
}

fn role(kind: Kind) -> &'static str {
    match kind {
        Kind::Readings { .. } => "readings-consumer",
        Kind::Topic(Topic::Alerts) => "alerts-subscriber",
        Kind::Topic(Topic::Consumption) => "consumption-subscriber",
        Kind::Topic(Topic::Chat) => "chat-subscriber",
    }
}

async fn start(conn: &Connection, link: &AmqpLink, kind: Kind) -> Result<Consumer, lapin::Error> {
    let channel = conn.create_channel().await?;
    match kind {
        Kind::Readings { prefetch } => {
            channel
                .basic_qos(prefetch, BasicQosOptions::default())
                .await?;
            let queue = link.names.readings_queue();
            channel
                .basic_consume(
                    queue.into(),
                    "".into(),
                    BasicConsumeOptions::default(),
                    FieldTable::default(),
                )
                .await
        }
        Kind::Topic(topic) => {
            // A server-named queue of our own: exclusive, gone when we are.
            let options = QueueDeclareOptions {
                exclusive: true,
                auto_delete: true,
                ..QueueDeclareOptions::default()
            };
            let queue = channel
                .queue_declare("".into(), options, FieldTable::default())
                .await?;
            let exchange = link.names.topic_exchange(topic);
            channel
                .queue_bind(
                    queue.name().clone(),
                    exchange.into(),
                    "".into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
            let options = BasicConsumeOptions {
                no_ack: true,
                ..BasicConsumeOptions::default()
            };
            channel
                .basic_consume(
                    queue.name().clone(),
                    "".into(),
                    options,
                    FieldTable::default(),
                )
                .await
        }
    }
}

/// Passes deliveries on until the stream ends (connection lost) or the receiver is dropped.
async fn forward(mut consumer: Consumer, link: &Arc<AmqpLink>, sink: &Sink) {
    // Tells this consumer's channel from the ones before and after a reconnect.
    static CHANNELS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let channel = CHANNELS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    loop {
        let next = tokio::select! {
            next = consumer.next() => next,
            () = sink.closed() => return,
        };
        let delivery = match next {
            Some(Ok(delivery)) => delivery,
            Some(Err(err)) => {
                tracing::warn!(error = %err, "consumer stream error");
                return;
            }
            None => return,
        };
        let sent = match sink {
            Sink::Work(tx) => {
                let settle = Settle::Amqp {
                    acker: delivery.acker,
                    link: Arc::clone(link),
                    channel,
                    tag: delivery.delivery_tag,
                };
                let origin = if delivery.exchange.as_str() == crate::amqp::MQTT_EXCHANGE {
                    Origin::Mqtt {
                        routing_key: delivery.routing_key.to_string(),
                    }
                } else {
                    Origin::Readings {
                        source: source_header(&delivery.properties),
                    }
                };
                tx.send(Delivery::new(
                    delivery.data,
                    delivery.redelivered,
                    origin,
                    settle,
                ))
                .await
                .is_ok()
            }
            Sink::Topic(tx) => tx.send(delivery.data).await.is_ok(),
        };
        if !sent {
            return;
        }
    }
}

/// The `x-iems-source` header of a reading message, if it is a string.
fn source_header(properties: &lapin::BasicProperties) -> Option<String> {
    let headers = properties.headers().as_ref()?;
    match headers.inner().get(crate::SOURCE_HEADER)? {
        lapin::types::AMQPValue::LongString(s) => Some(s.to_string()),
        _ => None,
    }
}
