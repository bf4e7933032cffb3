//! What consumers receive: work-queue deliveries to settle, topic messages,
//! publisher confirms and dead letters.

use crate::amqp::AmqpLink;
use crate::memory::MemoryBus;
use crate::BusError;
use std::sync::Arc;
use tokio::sync::mpsc;

/// A reading message taken from the work queue. Settle it exactly once:
/// [`Delivery::ack`] after the database commit, [`Delivery::dead_letter`] when it
/// can never succeed, [`Delivery::requeue`] when it may succeed later. Dropping it
/// unsettled leaves it with the broker, which redelivers it after a reconnect.
#[derive(Debug)]
pub struct Delivery {
    payload: Vec<u8>,
    redelivered: bool,
    origin: Origin,
    settle: Settle,
}

/// Where a delivery came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// iems' own message on the readings exchange, with the source it was
    /// published with ([`crate::Bus::publish_reading_from`]; `None`: not named).
    Readings {
        /// E.g. `http` for `POST /api/ingest`.
        source: Option<String>,
    },
    /// A meter's MQTT publish, relayed by RabbitMQ's MQTT plugin through
    /// `amq.topic`: the payload is the meter's own, the routing key names the device.
    Mqtt {
        /// The routing key (the MQTT topic with `/` and `.` swapped).
        routing_key: String,
    },
}

#[derive(Debug)]
pub(crate) enum Settle {
    Memory {
        bus: Arc<MemoryBus>,
        /// Times the message was given back before this delivery.
        returns: u32,
    },
    Amqp {
        acker: lapin::Acker,
        link: Arc<AmqpLink>,
        /// Which consumer channel delivered it (a new one after each reconnect).
        channel: u64,
        /// The channel's delivery tag: deliveries arrive in tag order.
        tag: u64,
    },
}

impl Delivery {
    pub(crate) fn new(payload: Vec<u8>, redelivered: bool, origin: Origin, settle: Settle) -> Self {
        Delivery {
            payload,
            redelivered,
            origin,
            settle,
        }
    }

    /// Where the message came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The message body (JSON bytes).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// True when the broker delivered this message before (to this or another consumer).
    pub fn redelivered(&self) -> bool {
        self.redelivered
    }

    /// Acknowledges the message: it is done and removed from the queue.
    pub async fn ack(self) -> Result<(), BusError> {
        match self.settle {
            Settle::Memory { .. } => Ok(()),
            Settle::Amqp { acker, .. } => {
                acker
                    .ack(lapin::options::BasicAckOptions::default())
                    .await?;
                Ok(())
            }
        }
    }

    /// Acknowledges a batch of deliveries with one `basic.ack` per consumer
    /// channel (`multiple` up to the highest tag) instead of one per message.
    ///
    /// Every earlier delivery of those channels must already be settled or be
    /// in `deliveries`: true for a consumer that settles its batches in the
    /// order it received them (the broker-adapter does). Deliveries of a
    /// channel that has since closed cannot be acked; the broker redelivers them.
    pub async fn ack_all(deliveries: Vec<Delivery>) -> Result<(), BusError> {
        let mut last: Vec<Delivery> = Vec::new();
        for delivery in deliveries {
            let Settle::Amqp { channel, tag, .. } = &delivery.settle else {
                continue; // in-process: nothing to tell anyone
            };
            let (channel, tag) = (*channel, *tag);
            let highest = last
                .iter_mut()
                .find(|d| matches!(&d.settle, Settle::Amqp { channel: c, .. } if *c == channel));
            match highest {
                Some(d) if matches!(&d.settle, Settle::Amqp { tag: t, .. } if *t >= tag) => {}
                Some(d) => *d = delivery,
                None => last.push(delivery),
            }
        }
        let mut result = Ok(());
        for delivery in last {
            if let Settle::Amqp { acker, .. } = delivery.settle {
                let options = lapin::options::BasicAckOptions { multiple: true };
                if let Err(err) = acker.ack(options).await {
                    result = Err(err.into());
                }
            }
        }
        result
    }

    /// Moves the message to the dead-letter queue with `reason` in the
    /// `x-iems-reason` header, then removes it from the work queue.
    pub async fn dead_letter(self, reason: &str) -> Result<(), BusError> {
        match self.settle {
            Settle::Memory { bus, .. } => {
                bus.push_dead_letter(DeadLetter {
                    payload: self.payload,
                    reason: reason.to_string(),
                })
                .await;
                Ok(())
            }
            Settle::Amqp { acker, link, .. } => {
                let key = match &self.origin {
                    Origin::Mqtt { routing_key } => Some(routing_key.as_str()),
                    Origin::Readings { .. } => None,
                };
                link.publish_dead_letter(&self.payload, reason, key).await?;
                acker
                    .ack(lapin::options::BasicAckOptions::default())
                    .await?;
                Ok(())
            }
        }
    }

    /// Gives the message back to the queue for another attempt; past
    /// [`crate::DELIVERY_LIMIT`] attempts it is dead-lettered instead
    /// (`broker: delivery_limit`), on either transport.
    pub async fn requeue(self) -> Result<(), BusError> {
        match self.settle {
            Settle::Memory { bus, returns } => {
                let source = match self.origin {
                    Origin::Readings { source } => source,
                    Origin::Mqtt { .. } => None,
                };
                bus.give_back(self.payload, source, returns).await
            }
            Settle::Amqp { acker, .. } => {
                let options = lapin::options::BasicNackOptions {
                    multiple: false,
                    requeue: true,
                };
                acker.nack(options).await?;
                Ok(())
            }
        }
    }
}

/// A message that was dead-lettered, with the reason given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The original message body.
    pub payload: Vec<u8>,
    /// Why it was dead-lettered (the `x-iems-reason` header; `broker: …` when
    /// RabbitMQ dead-lettered it itself, e.g. after too many redeliveries).
    pub reason: String,
}

/// A stream of readings from the work queue (see [`crate::Bus::consume_readings`]).
#[derive(Debug)]
pub struct WorkConsumer {
    pub(crate) rx: mpsc::Receiver<Delivery>,
}

impl WorkConsumer {
    /// The next delivery; `None` once the bus is gone.
    pub async fn next(&mut self) -> Option<Delivery> {
        self.rx.recv().await
    }

    /// A delivery that is ready now, without waiting (for filling a batch).
    pub fn try_next(&mut self) -> Option<Delivery> {
        self.rx.try_recv().ok()
    }
}

/// A subscription to a fan-out topic (see [`crate::Bus::subscribe`]).
#[derive(Debug)]
pub struct Subscription {
    pub(crate) rx: mpsc::Receiver<Vec<u8>>,
}

impl Subscription {
    /// The next message body; `None` once the bus is gone.
    pub async fn next(&mut self) -> Option<Vec<u8>> {
        self.rx.recv().await
    }
}

/// The broker's pending confirmation of a published reading.
#[derive(Debug)]
#[must_use = "a reading is only safe once its confirm resolves"]
pub struct Confirm(pub(crate) ConfirmInner);

#[derive(Debug)]
pub(crate) enum ConfirmInner {
    Done,
    Amqp(lapin::PublisherConfirm),
}

impl Confirm {
    /// Waits until the broker has taken responsibility for the message.
    pub async fn wait(self) -> Result<(), BusError> {
        match self.0 {
            ConfirmInner::Done => Ok(()),
            ConfirmInner::Amqp(confirm) => {
                let confirmation = confirm.await?;
                if confirmation.is_nack() {
                    return Err(BusError::Nacked);
                }
                if confirmation.take_message().is_some() {
                    return Err(BusError::Unroutable);
                }
                Ok(())
            }
        }
    }
}
