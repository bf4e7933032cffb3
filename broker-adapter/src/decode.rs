//! Turns a batch of deliveries into readings to store and dead letters to send.

use crate::devices::{DeviceCache, DeviceInfo};
use iems_db::Pool;
use iems_shared::consumption::Reading;
use iems_shared::wire::decode_readings;
use serde_json::Value;

/// A valid reading of a known device.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub(crate) device: DeviceInfo,
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
            sorted.whole = Some(err.to_string());
            return Ok(sorted);
        }
    };
    let single = items.len() == 1 && !body.trim_ascii_start().starts_with(b"[");
    let mut reasons = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let reason = match item {
            Err(err) => err.reason(),
            Ok(meter) => match devices.get(pool, meter.device_id).await? {
                Some(device) => {
                    sorted.readings.push(Incoming {
                        device,
                        reading: meter.reading,
                    });
                    continue;
                }
                None => format!("unknown device {}", meter.device_id),
            },
        };
        reasons.push((index, reason));
    }
    if single {
        sorted.whole = reasons.pop().map(|(_, reason)| reason);
    } else if !reasons.is_empty() {
        let array: Vec<Value> = serde_json::from_slice(body).unwrap_or_default();
        for (index, reason) in reasons {
            let payload = array
                .get(index)
                .map(|v| v.to_string().into_bytes())
                .unwrap_or_default();
            sorted.parts.push(Rejected {
                payload,
                reason: format!("batch item {index}: {reason}"),
            });
        }
    }
    Ok(sorted)
}
