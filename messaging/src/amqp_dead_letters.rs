//! Browsing and replaying RabbitMQ's dead-letter queue without losing a letter:
//! letters are fetched unacknowledged, so whatever is not explicitly acked
//! (everything, when browsing) goes back to the queue, in place, when the
//! channel closes, and a replayed letter is acked only after the readings
//! exchange confirmed its copy.

use crate::amqp::{reason_of, AmqpLink, MQTT_EXCHANGE, PERSISTENT};
use crate::{BusError, DeadLetter, Replayed};
use lapin::message::BasicGetMessage;
use lapin::options::{BasicAckOptions, BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Connection, PublisherConfirm};
use std::collections::VecDeque;

/// Published copies awaiting their confirm before their letter is acked.
const IN_FLIGHT: usize = 256;
/// Progress is reported every this many letters looked at.
const PROGRESS_EVERY: u64 = 1_000;

/// Fetches the next dead letter, unacknowledged.
async fn next(channel: &Channel, link: &AmqpLink) -> Result<Option<BasicGetMessage>, BusError> {
    let queue = link.names.dead_letter_queue();
    Ok(channel
        .basic_get(queue.into(), BasicGetOptions { no_ack: false })
        .await?)
}

fn letter_of(msg: &BasicGetMessage) -> DeadLetter {
    DeadLetter {
        payload: msg.delivery.data.clone(),
        reason: reason_of(&msg.delivery.properties),
    }
}

async fn finish(conn: Connection, channel: Channel) {
    // Closing the channel returns every unacked letter to the queue.
    let _ = channel.close(200, "dead letters looked at".into()).await;
    let _ = conn.close(200, "done".into()).await;
}

/// Shows `visit` every letter in the queue, leaving all of them there.
pub(crate) async fn browse(
    link: &AmqpLink,
    visit: &mut (dyn FnMut(&DeadLetter) + Send),
) -> Result<u64, BusError> {
    let conn = link.open("dead-letter-browser").await?;
    let channel = conn.create_channel().await?;
    let mut seen = 0u64;
    let result = async {
        while let Some(msg) = next(&channel, link).await? {
            visit(&letter_of(&msg));
            seen += 1;
        }
        Ok::<_, BusError>(seen)
    }
    .await;
    finish(conn, channel).await;
    result
}

/// Re-publishes the letters `select` picks to the readings exchange, each
/// acked off the dead-letter queue only once its copy is confirmed; the rest stay.
pub(crate) async fn replay(
    link: &AmqpLink,
    select: &mut (dyn FnMut(&DeadLetter) -> bool + Send),
    progress: &mut (dyn FnMut(Replayed) + Send),
) -> Result<Replayed, BusError> {
    let conn = link.open("dead-letter-replayer").await?;
    let channel = conn.create_channel().await?;
    let publisher = conn.create_channel().await?;
    let mut done = Replayed::default();
    let result = async {
        publisher
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        let mut in_flight: VecDeque<(PublisherConfirm, BasicGetMessage)> = VecDeque::new();
        let mut looked = 0u64;
        while let Some(msg) = next(&channel, link).await? {
            looked += 1;
            if select(&letter_of(&msg)) {
                let confirm = publish(&publisher, link, &msg).await?;
                in_flight.push_back((confirm, msg));
                if in_flight.len() >= IN_FLIGHT {
                    settle_oldest(&mut in_flight, &mut done).await?;
                }
            } else {
                done.left += 1;
            }
            if looked % PROGRESS_EVERY == 0 {
                progress(done);
            }
        }
        while !in_flight.is_empty() {
            settle_oldest(&mut in_flight, &mut done).await?;
        }
        Ok::<_, BusError>(done)
    }
    .await;
    let _ = publisher.close(200, "replayed".into()).await;
    finish(conn, channel).await;
    result
}

/// Publishes a letter's copy: a meter's MQTT frame back to `amq.topic` with
/// its routing key (read in its device's format again), anything else to the
/// readings exchange.
async fn publish(
    publisher: &Channel,
    link: &AmqpLink,
    msg: &BasicGetMessage,
) -> Result<PublisherConfirm, BusError> {
    let props = BasicProperties::default()
        .with_delivery_mode(PERSISTENT)
        .with_content_type("application/json".into());
    let (exchange, routing_key) = match mqtt_routing_key(&msg.delivery.properties) {
        Some(key) => (MQTT_EXCHANGE.to_string(), key),
        None => (
            link.names.readings_exchange(),
            link.names.readings_routing_key().to_string(),
        ),
    };
    let options = BasicPublishOptions {
        mandatory: true,
        ..BasicPublishOptions::default()
    };
    Ok(publisher
        .basic_publish(
            exchange.into(),
            routing_key.into(),
            options,
            &msg.delivery.data,
            props,
        )
        .await?)
}

/// The routing key a dead-lettered MQTT frame had.
fn mqtt_routing_key(props: &BasicProperties) -> Option<String> {
    match props
        .headers()
        .as_ref()?
        .inner()
        .get(crate::MQTT_ROUTING_KEY_HEADER)?
    {
        lapin::types::AMQPValue::LongString(s) => Some(s.to_string()),
        _ => None,
    }
}

/// Waits for the oldest copy's confirm, then acks its letter off the dead-letter queue.
async fn settle_oldest(
    in_flight: &mut VecDeque<(PublisherConfirm, BasicGetMessage)>,
    done: &mut Replayed,
) -> Result<(), BusError> {
    let Some((confirm, msg)) = in_flight.pop_front() else {
        return Ok(());
    };
    crate::delivery::Confirm(crate::delivery::ConfirmInner::Amqp(confirm))
        .wait()
        .await?;
    msg.delivery.acker.ack(BasicAckOptions::default()).await?;
    done.replayed += 1;
    Ok(())
}
