//! Dead letters a person can act on: what a dead-lettered message says (device,
//! reading time), and the `dead_letters` table where `iems up` on the
//! in-process bus keeps them for `iems dead-letters list|replay`.

pub mod store;
pub mod table;

use chrono::DateTime;
use serde_json::Value;

/// What a dead-lettered message names, as far as it can be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Described {
    /// The `device_id` of the reading (of the first one of a batch).
    pub device_id: Option<String>,
    /// The reading's `timestamp` in unix ms.
    pub reading_ts_ms: Option<i64>,
    /// Readings in the message when it is a batch (a JSON array).
    pub batch: Option<usize>,
}

/// Reads the device and timestamp out of a reading message, leniently: a
/// message that is not JSON (often why it was dead-lettered) describes nothing.
pub fn describe(payload: &[u8]) -> Described {
    let Ok(value) = serde_json::from_slice::<Value>(payload) else {
        return Described::default();
    };
    let (reading, batch) = match &value {
        Value::Array(items) => (items.first(), Some(items.len())),
        other => (Some(other), None),
    };
    let device_id = reading
        .and_then(|r| r.get("device_id"))
        .and_then(Value::as_str)
        .map(|s| truncate(s, 100).to_owned());
    let reading_ts_ms = reading.and_then(|r| r.get("timestamp")).and_then(ts_ms);
    Described {
        device_id,
        reading_ts_ms,
        batch,
    }
}

/// A timestamp as the wire format allows it: unix seconds, unix ms or RFC 3339.
fn ts_ms(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => {
            let n = n.as_f64()?;
            // Below 10^11 it is seconds (until the year 5138), above, milliseconds.
            let ms = if n.abs() < 1e11 { n * 1000.0 } else { n };
            (ms.is_finite() && ms.abs() < 1e16).then_some(ms.round() as i64)
        }
        Value::String(s) => DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.timestamp_millis()),
        _ => None,
    }
}

/// At most `max` bytes of `s`, cut at a character boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_single_readings_batches_and_garbage() {
        let one = describe(br#"{"device_id":"d1","timestamp":1767225600,"measurement_value":1}"#);
        assert_eq!(one.device_id.as_deref(), Some("d1"));
        assert_eq!(one.reading_ts_ms, Some(1_767_225_600_000));
        assert_eq!(one.batch, None);
        let ms = describe(br#"{"device_id":"d1","timestamp":1767225600123}"#);
        assert_eq!(ms.reading_ts_ms, Some(1_767_225_600_123));
        let batch = describe(br#"[{"device_id":"d2","timestamp":"2026-01-01T00:00:00Z"},{}]"#);
        assert_eq!(batch.device_id.as_deref(), Some("d2"));
        assert_eq!(batch.reading_ts_ms, Some(1_767_225_600_000));
        assert_eq!(batch.batch, Some(2));
        assert_eq!(describe(b"\xff not json"), Described::default());
        assert_eq!(describe(br#"{"timestamp":1e300}"#).reading_ts_ms, None);
    }

    #[test]
    fn truncates_at_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
