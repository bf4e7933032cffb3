//! Turns a batch of deliveries into readings to store and dead letters to send.
//!
//! Every dead-letter reason starts with a code (`malformed`, `invalid`,
//! `unknown_device`, or one of the reading policy's), then `: ` and the detail,
//! so `iems dead-letters` can count and replay by code.

use crate::credentials::{self, CredentialCache};
use crate::devices::{DeviceCache, DeviceInfo};
use iems_db::Pool;
use iems_messaging::{Delivery, Origin};
use iems_shared::consumption::Reading;
use iems_shared::ingest::{DeviceTopics, Via};
use iems_shared::wire::decode_readings;
use iems_shared::wire::meter_formats::{self, ErrorCode, MeterFormat};
use serde_json::Value;

/// A valid reading of a known device.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub(crate) device: DeviceInfo,
    /// Its index in the message's batch array (`None`: the message was one reading).
    pub(crate) item: Option<usize>,
    pub(crate) reading: Reading,
    /// The path it came by (for the device's "last reported via").
    pub(crate) via: Via,
}

/// A message body (or one reading of a batch) to dead-letter, and why.
#[derive(Debug, Clone)]
pub(crate) struct Rejected {
    pub(crate) payload: Vec<u8>,
    pub(crate) reason: String,
    /// Where its message came from (a meter's frame keeps its topic for a replay).
    pub(crate) origin: Option<Origin>,
}

/// What one delivery holds.
#[derive(Debug, Default)]
pub(crate) struct Sorted {
    /// Readings to store.
    pub(crate) readings: Vec<Incoming>,
    /// The whole message is bad: dead-letter the delivery itself.
    pub(crate) whole: Option<String>,
    /// Single bad readings of an otherwise readable message.
    pub(crate) parts: Vec<Rejected>,
    /// A meter's frame that carries no register (a Tasmota `STATE`, Home
    /// Assistant's `unavailable`): acked and counted, not a dead letter.
    pub(crate) without_energy: bool,
    /// A frame under a credential no longer in force: acked and counted.
    pub(crate) revoked: bool,
}

/// The dead-letter reason of a reading: `code: detail`, naming the batch item.
pub(crate) fn reason(code: &str, detail: &str, item: Option<usize>) -> String {
    match item {
        Some(index) => format!("{code}: batch item {index}: {detail}"),
        None => format!("{code}: {detail}"),
    }
}

/// The body of one item of a batch message, to dead-letter it alone.
pub(crate) fn item_payload(body: &[u8], index: usize) -> Vec<u8> {
    serde_json::from_slice::<Vec<Value>>(body)
        .ok()
        .and_then(|items| items.get(index).map(|v| v.to_string().into_bytes()))
        .unwrap_or_default()
}

/// Decodes and validates one delivery by where it came from: iems' own
/// message (AMQP, or `POST /api/ingest`) or a meter's MQTT frame.
pub(crate) async fn sort(
    delivery: &Delivery,
    topics: Option<&DeviceTopics>,
    devices: &mut DeviceCache,
    credentials: &mut CredentialCache,
    pool: &Pool,
) -> Result<Sorted, sqlx::Error> {
    let body = delivery.payload();
    match delivery.origin() {
        Origin::Readings { source } => {
            let via = match source.as_deref() {
                Some("http") => Via::Http,
                _ => Via::Amqp,
            };
            sort_own(body, via, devices, pool).await
        }
        Origin::Mqtt { routing_key } => {
            let received_ms = chrono::Utc::now().timestamp_millis();
            let frame = Frame {
                routing_key,
                body,
                received_ms,
            };
            sort_frame(frame, topics, devices, credentials, pool).await
        }
    }
}

/// A meter's MQTT frame as the broker relayed it.
struct Frame<'a> {
    routing_key: &'a str,
    body: &'a [u8],
    received_ms: i64,
}

/// A meter's MQTT frame: the device is the one whose credential's topic it
/// is (the broker let only that credential publish there), if the credential
/// is still in force; the format the device's, else the one its topic names,
/// else iems' own message on `…/readings`; frames on other topics of a device
/// without a format carry no reading (counted, not stored).
async fn sort_frame(
    frame: Frame<'_>,
    topics: Option<&DeviceTopics>,
    devices: &mut DeviceCache,
    credentials: &mut CredentialCache,
    pool: &Pool,
) -> Result<Sorted, sqlx::Error> {
    let Frame {
        routing_key,
        body,
        received_ms,
    } = frame;
    let mut sorted = Sorted::default();
    let Some((key_id, rest)) = topics.and_then(|t| t.split_routing_key(routing_key)) else {
        sorted.whole = Some(reason(
            "unknown_device",
            &format!("routing key {routing_key:?} names no device credential"),
            None,
        ));
        return Ok(sorted);
    };
    let active = match credentials.get(key_id) {
        Some(answer) => answer,
        None => {
            let answer = credentials::lookup(pool, key_id).await?;
            credentials.put(key_id, answer.clone());
            answer
        }
    };
    // A revoked or rotated key on a connection the broker still keeps open:
    // not the device's reading any more.
    let Some(device_id) = active.and_then(|a| uuid::Uuid::parse_str(&a.device_id).ok()) else {
        sorted.revoked = true;
        return Ok(sorted);
    };
    let Some(device) = devices.get(pool, device_id).await? else {
        sorted.whole = Some(reason(
            "unknown_device",
            &format!("unknown device {device_id}"),
            None,
        ));
        return Ok(sorted);
    };
    let format = match device.meter_format.or_else(|| meter_formats::detect(&rest)) {
        Some(format) => format,
        // iems' own message on its own topic.
        None if rest == "readings" || rest.is_empty() => MeterFormat::Iems,
        // A device's other chatter (Tasmota's STATE and LWT, Shelly's
        // `online`): no reading in it, unless its format is set.
        None => {
            sorted.without_energy = true;
            return Ok(sorted);
        }
    };
    let topic = format!("{device_id}/{rest}");
    match meter_formats::decode(
        format,
        device_id,
        Some(&topic),
        body,
        received_ms,
        device.time_zone,
    ) {
        Ok(readings) => {
            let batch = readings.len() > 1 || body.trim_ascii_start().starts_with(b"[");
            sorted.readings = readings
                .into_iter()
                .enumerate()
                .map(|(i, meter)| Incoming {
                    device: device.clone(),
                    item: batch.then_some(i),
                    reading: meter.reading,
                    via: Via::Mqtt,
                })
                .collect();
        }
        Err(err) if err.code == ErrorCode::NoEnergy => sorted.without_energy = true,
        Err(err) => {
            sorted.whole = Some(reason(
                err.code.as_str(),
                &format!("{format} frame on {rest:?}: {}", err.detail),
                None,
            ))
        }
    }
    Ok(sorted)
}

/// iems' own message (one reading or a batch); readings of unknown devices are rejected.
async fn sort_own(
    body: &[u8],
    via: Via,
    devices: &mut DeviceCache,
    pool: &Pool,
) -> Result<Sorted, sqlx::Error> {
    let mut sorted = Sorted::default();
    let items = match decode_readings(body) {
        Ok(items) => items,
        Err(err) => {
            sorted.whole = Some(reason("malformed", &err.to_string(), None));
            return Ok(sorted);
        }
    };
    let single = items.len() == 1 && !body.trim_ascii_start().starts_with(b"[");
    let mut reasons = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let at = (!single).then_some(index);
        let why = match item {
            Err(err) => reason("invalid", &err.reason(), at),
            Ok(meter) => match devices.get(pool, meter.device_id).await? {
                Some(device) => {
                    sorted.readings.push(Incoming {
                        device,
                        item: at,
                        reading: meter.reading,
                        via,
                    });
                    continue;
                }
                None => reason(
                    "unknown_device",
                    &format!("unknown device {}", meter.device_id),
                    at,
                ),
            },
        };
        reasons.push((index, why));
    }
    if single {
        sorted.whole = reasons.pop().map(|(_, why)| why);
    } else {
        for (index, why) in reasons {
            sorted.parts.push(Rejected {
                payload: item_payload(body, index),
                reason: why,
                origin: None,
            });
        }
    }
    Ok(sorted)
}
