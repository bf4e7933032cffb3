//! One publish/consume interface for iems with two transports: RabbitMQ
//! (lapin) between processes, and tokio channels inside one process (`iems up`).
//!
//! Two patterns:
//! - a **work queue** of readings: [`Bus::publish_reading`] (persistent, with a
//!   publisher confirm) and [`Bus::consume_readings`] (bounded prefetch, each
//!   [`Delivery`] acked after the database commit or dead-lettered with a reason);
//! - **fan-out topics** ([`Topic`]): [`Bus::publish`] reaches every live
//!   [`Bus::subscribe`]r, in every process.
//!
//! On RabbitMQ every name is prefixed by a namespace (see [`Names`]), consumers
//! reconnect with backoff and re-declare the topology, and passwords never reach a log.

mod amqp;
mod amqp_consume;
mod amqp_dead_letters;
mod dead_letters;
mod delivery;
mod memory;
mod names;

pub use dead_letters::{
    reason_code, DeadLetterStore, InProcessConfig, StoreError, DEFAULT_DEAD_LETTER_CAP,
    DELIVERY_LIMIT, DELIVERY_LIMIT_REASON,
};
pub use delivery::{Confirm, DeadLetter, Delivery, Origin, Subscription, WorkConsumer};
pub use names::{redact, Names, Topic, MQTT_ROUTING_KEY_HEADER, REASON_HEADER, SOURCE_HEADER};

use amqp::AmqpLink;
use delivery::ConfirmInner;
use memory::MemoryBus;
use std::sync::Arc;
use std::time::Duration;

/// Default RabbitMQ URL of the development machine.
pub const DEFAULT_AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// Errors of the bus.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// RabbitMQ could not be reached within the connect timeout (URL redacted).
    #[error(
        "RabbitMQ at {url} is unreachable: {source} (is it running? `rabbitmq-server -detached`)"
    )]
    Unreachable {
        /// The URL, password replaced.
        url: String,
        /// The last connect error.
        source: lapin::Error,
    },
    /// An AMQP protocol or I/O error.
    #[error("AMQP error: {0}")]
    Amqp(#[from] lapin::Error),
    /// A consumer could not be started.
    #[error("cannot start consumer: {0}")]
    Consumer(String),
    /// The broker refused responsibility for a published message.
    #[error("the broker nacked the message")]
    Nacked,
    /// The message matched no queue.
    #[error("the message was unroutable (is the topology declared?)")]
    Unroutable,
    /// The bus was closed.
    #[error("the bus is closed")]
    Closed,
}

/// How to build a [`Bus`].
#[derive(Debug, Clone)]
pub struct BusConfig {
    /// RabbitMQ URL; `None` runs the in-process transport.
    pub amqp_url: Option<String>,
    /// Prefix of every exchange and queue name (RabbitMQ only).
    pub namespace: String,
    /// How long to keep retrying the first connection and each publish.
    pub connect_timeout: Duration,
}

impl BusConfig {
    /// The in-process transport.
    pub fn in_process() -> Self {
        BusConfig {
            amqp_url: None,
            namespace: "iems".into(),
            connect_timeout: Duration::from_secs(30),
        }
    }

    /// RabbitMQ at `url`, names under `namespace`.
    pub fn amqp(url: impl Into<String>, namespace: impl Into<String>) -> Self {
        BusConfig {
            amqp_url: Some(url.into()),
            namespace: namespace.into(),
            connect_timeout: Duration::from_secs(30),
        }
    }
}

/// What a dead-letter replay did so far (or in all, once it returns).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Replayed {
    /// Letters put back on the readings queue (and removed from the dead letters).
    pub replayed: u64,
    /// Letters not selected, left where they are.
    pub left: u64,
}

/// The message bus; cheap to clone, all clones share the transport.
#[derive(Debug, Clone)]
pub struct Bus {
    transport: Transport,
    names: Names,
}

#[derive(Debug, Clone)]
enum Transport {
    Memory(Arc<MemoryBus>),
    Amqp(Arc<AmqpLink>),
}

impl Bus {
    /// Connects (RabbitMQ: declares the topology, retrying up to the connect timeout).
    pub async fn connect(config: &BusConfig) -> Result<Bus, BusError> {
        let names = Names::new(config.namespace.clone());
        let Some(url) = &config.amqp_url else {
            return Ok(Bus::in_process());
        };
        let link = AmqpLink::new(url.clone(), names.clone(), config.connect_timeout);
        let probe = link.open_with_retry("setup").await?;
        let _ = probe.close(200, "topology declared".into()).await;
        tracing::info!(url = %link.redacted_url(), namespace = %names.namespace(), "connected to RabbitMQ");
        Ok(Bus {
            transport: Transport::Amqp(Arc::new(link)),
            names,
        })
    }

    /// A new in-process bus (nothing leaves this process; dead letters are
    /// kept in memory, at most [`DEFAULT_DEAD_LETTER_CAP`]).
    pub fn in_process() -> Bus {
        Bus::in_process_with(InProcessConfig::default())
    }

    /// A new in-process bus with these options (e.g. a store for its dead letters).
    pub fn in_process_with(config: InProcessConfig) -> Bus {
        Bus {
            transport: Transport::Memory(Arc::new(MemoryBus::new(config))),
            names: Names::new("iems"),
        }
    }

    /// True for the in-process transport.
    pub fn is_in_process(&self) -> bool {
        matches!(self.transport, Transport::Memory(_))
    }

    /// The broker names in use.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// Publishes one reading message (persistent); await the returned [`Confirm`]
    /// before counting it as sent. Many confirms may be outstanding at once.
    pub async fn publish_reading(&self, payload: &[u8]) -> Result<Confirm, BusError> {
        self.publish_reading_from(payload, None).await
    }

    /// [`Bus::publish_reading`] naming where the readings came from (e.g.
    /// `http` for `POST /api/ingest`), which the consumer sees in
    /// [`Delivery::origin`].
    pub async fn publish_reading_from(
        &self,
        payload: &[u8],
        source: Option<&str>,
    ) -> Result<Confirm, BusError> {
        match &self.transport {
            Transport::Memory(bus) => {
                bus.publish_reading(payload.to_vec(), source.map(str::to_string))
                    .await?;
                Ok(Confirm(ConfirmInner::Done))
            }
            Transport::Amqp(link) => Ok(Confirm(ConfirmInner::Amqp(
                link.publish_reading(payload, source).await?,
            ))),
        }
    }

    /// Starts consuming readings, at most `prefetch` unsettled at a time.
    pub async fn consume_readings(&self, prefetch: u16) -> Result<WorkConsumer, BusError> {
        match &self.transport {
            Transport::Memory(bus) => Ok(bus.consume_readings(prefetch)),
            Transport::Amqp(link) => {
                amqp_consume::consume_readings(Arc::clone(link), prefetch).await
            }
        }
    }

    /// Publishes to a fan-out topic (best effort: subscribers that are offline miss it).
    pub async fn publish(&self, topic: Topic, payload: &[u8]) -> Result<(), BusError> {
        match &self.transport {
            Transport::Memory(bus) => {
                bus.publish(topic, payload.to_vec());
                Ok(())
            }
            Transport::Amqp(link) => link.publish_topic(topic, payload).await,
        }
    }

    /// Subscribes to a topic; every message published after this returns is received.
    pub async fn subscribe(&self, topic: Topic) -> Result<Subscription, BusError> {
        match &self.transport {
            Transport::Memory(bus) => Ok(bus.subscribe(topic)),
            Transport::Amqp(link) => amqp_consume::subscribe(Arc::clone(link), topic).await,
        }
    }

    /// [`Bus::publish_dead_letter`] for a part of a delivery from `origin`: a
    /// meter's MQTT frame keeps its routing key, so that a replay reads it
    /// in its device's format again.
    pub async fn publish_dead_letter_from(
        &self,
        payload: &[u8],
        reason: &str,
        origin: &Origin,
    ) -> Result<(), BusError> {
        match (&self.transport, origin) {
            (Transport::Amqp(link), Origin::Mqtt { routing_key }) => {
                link.publish_dead_letter(payload, reason, Some(routing_key))
                    .await
            }
            _ => self.publish_dead_letter(payload, reason).await,
        }
    }

    /// Dead-letters one message body with `reason` (e.g. one bad reading of a batch)
    /// without settling any delivery; confirmed by the broker before returning.
    pub async fn publish_dead_letter(&self, payload: &[u8], reason: &str) -> Result<(), BusError> {
        match &self.transport {
            Transport::Memory(bus) => {
                bus.push_dead_letter(DeadLetter {
                    payload: payload.to_vec(),
                    reason: reason.to_string(),
                })
                .await;
                Ok(())
            }
            Transport::Amqp(link) => link.publish_dead_letter(payload, reason, None).await,
        }
    }

    /// Removes and returns the dead letters collected so far (in process:
    /// those in memory, not those handed to a [`DeadLetterStore`]).
    pub async fn take_dead_letters(&self) -> Result<Vec<DeadLetter>, BusError> {
        match &self.transport {
            Transport::Memory(bus) => Ok(bus.dead.take()),
            Transport::Amqp(link) => link.take_dead_letters().await,
        }
    }

    /// Shows `visit` every dead letter, oldest first, removing none; returns how many.
    pub async fn browse_dead_letters(
        &self,
        mut visit: impl FnMut(&DeadLetter) + Send,
    ) -> Result<u64, BusError> {
        match &self.transport {
            Transport::Memory(bus) => {
                let letters = bus.dead.snapshot();
                letters.iter().for_each(&mut visit);
                Ok(letters.len() as u64)
            }
            Transport::Amqp(link) => amqp_dead_letters::browse(link, &mut visit).await,
        }
    }

    /// Puts the dead letters `select` picks back on the readings queue (on
    /// RabbitMQ each removed from the dead letters only once the copy is
    /// confirmed) and leaves the others; `progress` hears every 1,000 letters.
    pub async fn replay_dead_letters(
        &self,
        mut select: impl FnMut(&DeadLetter) -> bool + Send,
        mut progress: impl FnMut(Replayed) + Send,
    ) -> Result<Replayed, BusError> {
        match &self.transport {
            Transport::Memory(bus) => {
                let before = bus.dead.snapshot().len() as u64;
                let taken = bus.dead.take_where(&mut select);
                let mut done = Replayed {
                    replayed: 0,
                    left: before.saturating_sub(taken.len() as u64),
                };
                for letter in taken {
                    bus.publish_reading(letter.payload, None).await?;
                    done.replayed += 1;
                    if done.replayed % 1_000 == 0 {
                        progress(done);
                    }
                }
                Ok(done)
            }
            Transport::Amqp(link) => {
                amqp_dead_letters::replay(link, &mut select, &mut progress).await
            }
        }
    }

    /// In-process dead letters dropped because the in-memory cap was reached (0 on RabbitMQ).
    pub fn dropped_dead_letters(&self) -> u64 {
        match &self.transport {
            Transport::Memory(bus) => bus.dead.dropped(),
            Transport::Amqp(_) => 0,
        }
    }

    /// Readings waiting in the queue, not yet delivered to a consumer.
    pub async fn pending_readings(&self) -> Result<u64, BusError> {
        match &self.transport {
            Transport::Memory(bus) => Ok(bus.pending_readings()),
            Transport::Amqp(link) => link.pending_readings().await,
        }
    }

    /// Deletes the namespace's queues and exchanges (RabbitMQ; for tests and benchmarks).
    pub async fn delete_topology(&self) -> Result<(), BusError> {
        match &self.transport {
            Transport::Memory(_) => Ok(()),
            Transport::Amqp(link) => link.delete_topology().await,
        }
    }

    /// Closes the publishing connection (consumers close when dropped).
    pub async fn close(&self) {
        if let Transport::Amqp(link) = &self.transport {
            link.close().await;
        }
    }
}
