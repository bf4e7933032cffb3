//! Turns a batch of deliveries into readings to store and dead letters to send.
//!
//! Every dead-letter reason starts with a code (`malformed`, `invalid`,
//! `unknown_device`, or one of the reading policy's), then `: ` and the detail,
//! so `iems dead-letters` can count and replay by code.

use crate::devices::{DeviceCache, DeviceInfo};
use iems_db::Pool;
use iems_shared::consumption::Reading;
use iems_shared::wire::decode_readings;
use serde_json::Value;

/// A valid reading of a known device.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub(crate) device: DeviceInfo,
    /// Its index in the message's batch array (`None`: the message was one reading).
    pub(crate) item: Option<usize>,
    pub(crate) reading: Reading,
}

/// A message body (or one reading of a batch) to dead-letter, and why.
#[derive(Debug, Clone)]
pub(crate) struct Rejected {
    pub(crate) payload: Vec<u8>,
    pub(crate) reason: String,
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

/// Decodes and validates one message body; readings of unknown devices are rejected.
pub(crate) async fn sort(
    body: &[u8],
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
            });
        }
    }
    Ok(sorted)
}
