//! The RabbitMQ transport: one connection for publishing (reconnected on
//! demand), the topology of the architecture, declared on every connect.

use crate::names::{redact, Names, REASON_HEADER};
use crate::{BusError, Topic};
use lapin::options::{
    BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions,
    ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{
    BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind, PublisherConfirm,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// AMQP delivery mode of messages that survive a broker restart.
pub(crate) const PERSISTENT: u8 = 2;
/// The exchange RabbitMQ's MQTT plugin publishes to.
pub(crate) const MQTT_EXCHANGE: &str = "amq.topic";

/// Exponential backoff between reconnect attempts, 100 ms doubling up to 5 s.
#[derive(Debug)]
pub(crate) struct Backoff(Duration);

impl Backoff {
    pub(crate) fn new() -> Self {
        Backoff(Duration::from_millis(100))
    }

    pub(crate) async fn wait(&mut self) {
        tokio::time::sleep(self.0).await;
        self.0 = (self.0 * 2).min(Duration::from_secs(5));
    }
}

/// A RabbitMQ URL, its namespace, and the live publishing connection.
#[derive(Debug)]
pub(crate) struct AmqpLink {
    url: String,
    pub(crate) names: Names,
    connect_timeout: Duration,
    live: Mutex<Option<Live>>,
}

#[derive(Debug)]
struct Live {
    conn: Arc<Connection>,
    channel: Channel,
}

impl AmqpLink {
    pub(crate) fn new(url: String, names: Names, connect_timeout: Duration) -> Self {
        AmqpLink {
            url,
            names,
            connect_timeout,
            live: Mutex::new(None),
        }
    }

    pub(crate) fn redacted_url(&self) -> String {
        redact(&self.url)
    }

    /// Opens a new connection and declares the topology on it.
    pub(crate) async fn open(&self, role: &str) -> Result<Connection, lapin::Error> {
        let props =
            ConnectionProperties::default().with_connection_name(format!("iems-{role}").into());
        let conn = Connection::connect(&self.url, props).await?;
        let channel = conn.create_channel().await?;
        declare_topology(&channel, &self.names).await?;
        let _ = channel.close(200, "topology declared".into()).await;
        Ok(conn)
    }

    /// Like [`AmqpLink::open`], retrying with backoff for up to the connect timeout.
    pub(crate) async fn open_with_retry(&self, role: &str) -> Result<Connection, BusError> {
        let deadline = Instant::now() + self.connect_timeout;
        let mut backoff = Backoff::new();
        loop {
            match self.open(role).await {
                Ok(conn) => return Ok(conn),
                Err(err) if Instant::now() >= deadline => {
                    return Err(BusError::Unreachable {
                        url: self.redacted_url(),
                        source: err,
                    });
                }
                Err(err) => {
                    tracing::warn!(url = %self.redacted_url(), error = %err, "RabbitMQ connect failed, retrying");
                    backoff.wait().await;
                }
            }
        }
    }

    /// The live confirm-mode publishing channel, reconnecting if it is gone.
    async fn channel(&self) -> Result<Channel, BusError> {
        let mut live = self.live.lock().await;
        if let Some(l) = live.as_ref() {
            if l.conn.status().connected() && l.channel.status().connected() {
                return Ok(l.channel.clone());
            }
            tracing::info!(url = %self.redacted_url(), "publishing connection lost, reconnecting");
        }
        let conn = Arc::new(self.open_with_retry("publisher").await?);
        let channel = conn.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        *live = Some(Live {
            conn,
            channel: channel.clone(),
        });
        Ok(channel)
    }

    /// Publishes once, retrying on a fresh connection if the current one fails.
    pub(crate) async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        payload: &[u8],
        properties: BasicProperties,
        mandatory: bool,
    ) -> Result<PublisherConfirm, BusError> {
        let mut backoff = Backoff::new();
        let deadline = Instant::now() + self.connect_timeout;
        loop {
            let channel = self.channel().await?;
            let options = BasicPublishOptions {
                mandatory,
                ..BasicPublishOptions::default()
            };
            match channel
                .basic_publish(
                    exchange.into(),
                    routing_key.into(),
                    options,
                    payload,
                    properties.clone(),
                )
                .await
            {
                Ok(confirm) => return Ok(confirm),
                Err(err) if Instant::now() >= deadline => return Err(err.into()),
                Err(err) => {
                    tracing::warn!(error = %err, "publish failed, reconnecting");
                    backoff.wait().await;
                }
            }
        }
    }

    pub(crate) async fn publish_reading(
        &self,
        payload: &[u8],
        source: Option<&str>,
    ) -> Result<PublisherConfirm, BusError> {
        let mut props = BasicProperties::default()
            .with_delivery_mode(PERSISTENT)
            .with_content_type("application/json".into());
        if let Some(source) = source {
            let mut headers = FieldTable::default();
            headers.insert(
                crate::SOURCE_HEADER.into(),
                AMQPValue::LongString(source.into()),
            );
            props = props.with_headers(headers);
        }
        let exchange = self.names.readings_exchange();
        self.publish(
            &exchange,
            self.names.readings_routing_key(),
            payload,
            props,
            true,
        )
        .await
    }

    pub(crate) async fn publish_topic(&self, topic: Topic, payload: &[u8]) -> Result<(), BusError> {
        let props = BasicProperties::default().with_content_type("application/json".into());
        let exchange = self.names.topic_exchange(topic);
        // Live updates are not worth a round trip: the message is on the wire, no confirm awaited.
        let _unawaited = self.publish(&exchange, "", payload, props, false).await?;
        Ok(())
    }

    pub(crate) async fn publish_dead_letter(
        &self,
        payload: &[u8],
        reason: &str,
        mqtt_routing_key: Option<&str>,
    ) -> Result<(), BusError> {
        let mut headers = FieldTable::default();
        headers.insert(
            REASON_HEADER.into(),
            AMQPValue::LongString(LongString::from(reason)),
        );
        if let Some(key) = mqtt_routing_key {
            headers.insert(
                crate::MQTT_ROUTING_KEY_HEADER.into(),
                AMQPValue::LongString(LongString::from(key)),
            );
        }
        let props = BasicProperties::default()
            .with_delivery_mode(PERSISTENT)
            .with_content_type("application/json".into())
            .with_headers(headers);
        let exchange = self.names.dead_letter_exchange();
        let confirm = self.publish(&exchange, "", payload, props, true).await?;
        crate::delivery::Confirm(crate::delivery::ConfirmInner::Amqp(confirm))
            .wait()
            .await
    }

    /// Takes every message now in the dead-letter queue (removing them).
    pub(crate) async fn take_dead_letters(&self) -> Result<Vec<crate::DeadLetter>, BusError> {
        let conn = self.open("inspector").await?;
        let channel = conn.create_channel().await?;
        let mut letters = Vec::new();
        while let Some(msg) = channel
            .basic_get(
                self.names.dead_letter_queue().into(),
                BasicGetOptions { no_ack: true },
            )
            .await?
        {
            let reason = reason_of(&msg.delivery.properties);
            letters.push(crate::DeadLetter {
                payload: msg.delivery.data,
                reason,
            });
        }
        let _ = conn.close(200, "done".into()).await;
        Ok(letters)
    }

    /// Messages waiting in the readings queue (not counting unacked deliveries).
    pub(crate) async fn pending_readings(&self) -> Result<u64, BusError> {
        let channel = self.channel().await?;
        let options = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let queue = channel
            .queue_declare(
                self.names.readings_queue().into(),
                options,
                FieldTable::default(),
            )
            .await?;
        Ok(u64::from(queue.message_count()))
    }

    /// Deletes every queue and exchange of the namespace (test clean-up).
    pub(crate) async fn delete_topology(&self) -> Result<(), BusError> {
        let conn = self.open("cleanup").await?;
        let channel = conn.create_channel().await?;
        for queue in [self.names.readings_queue(), self.names.dead_letter_queue()] {
            channel
                .queue_delete(queue.into(), QueueDeleteOptions::default())
                .await?;
        }
        let mut exchanges = vec![
            self.names.readings_exchange(),
            self.names.dead_letter_exchange(),
        ];
        exchanges.extend(Topic::ALL.iter().map(|t| self.names.topic_exchange(*t)));
        for exchange in exchanges {
            channel
                .exchange_delete(exchange.into(), ExchangeDeleteOptions::default())
                .await?;
        }
        let _ = conn.close(200, "cleaned up".into()).await;
        Ok(())
    }

    pub(crate) async fn close(&self) {
        if let Some(live) = self.live.lock().await.take() {
            let _ = live.conn.close(200, "bye".into()).await;
        }
    }
}

/// The reason of a dead letter: our header, or RabbitMQ's own `x-death` reason.
pub(crate) fn reason_of(props: &BasicProperties) -> String {
    let Some(headers) = props.headers() else {
        return "unknown".into();
    };
    let inner = headers.inner();
    if let Some(AMQPValue::LongString(s)) = inner.get(&ShortString::from(REASON_HEADER)) {
        return s.to_string();
    }
    if let Some(AMQPValue::ShortString(s)) = inner.get(&ShortString::from("x-first-death-reason")) {
        return format!("broker: {s}");
    }
    if let Some(AMQPValue::LongString(s)) = inner.get(&ShortString::from("x-first-death-reason")) {
        return format!("broker: {s}");
    }
    "unknown".into()
}

/// Declares the exchanges and queues of the architecture (idempotent).
pub(crate) async fn declare_topology(channel: &Channel, names: &Names) -> Result<(), lapin::Error> {
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    let dlx = names.dead_letter_exchange();
    channel
        .exchange_declare(
            dlx.clone().into(),
            ExchangeKind::Fanout,
            durable,
            FieldTable::default(),
        )
        .await?;
    let durable_queue = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };
    let dlq = names.dead_letter_queue();
    channel
        .queue_declare(dlq.clone().into(), durable_queue, FieldTable::default())
        .await?;
    channel
        .queue_bind(
            dlq.into(),
            dlx.clone().into(),
            "".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;

    let readings = names.readings_exchange();
    channel
        .exchange_declare(
            readings.clone().into(),
            ExchangeKind::Direct,
            durable,
            FieldTable::default(),
        )
        .await?;
    let mut args = FieldTable::default();
    args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    args.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString(dlx.as_str().into()),
    );
    args.insert(
        "x-delivery-limit".into(),
        AMQPValue::LongLongInt(i64::from(crate::DELIVERY_LIMIT)),
    );
    let queue = names.readings_queue();
    channel
        .queue_declare(queue.clone().into(), durable_queue, args)
        .await?;
    channel
        .queue_bind(
            queue.clone().into(),
            readings.into(),
            names.readings_routing_key().into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    // Meters' MQTT publishes (RabbitMQ's MQTT plugin puts them on amq.topic)
    // under `<namespace>/<device id>/…` join the same queue (docs/ingest.md).
    if let Ok(topics) = iems_shared::ingest::DeviceTopics::new(names.namespace()) {
        channel
            .queue_bind(
                queue.into(),
                MQTT_EXCHANGE.into(),
                topics.binding_key().into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }

    for topic in Topic::ALL {
        let exchange = names.topic_exchange(topic);
        channel
            .exchange_declare(
                exchange.into(),
                ExchangeKind::Fanout,
                durable,
                FieldTable::default(),
            )
            .await?;
    }
    Ok(())
}
