//! The AMQP reading message: `{"device_id", "timestamp", "measurement_value"}`,
//! or a JSON array of them (a data concentrator's batch), each handled alone.

use crate::consumption::Reading;
use crate::energy::Energy;
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Below this a numeric timestamp is unix seconds, above it unix milliseconds
/// (10^11 s is the year 5138; 10^11 ms is 1973).
const SECONDS_MS_BOUNDARY: f64 = 1e11;

/// A decoded, validated reading of one meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeterReading {
    /// The meter (device) id.
    pub device_id: uuid::Uuid,
    /// Time and register value.
    pub reading: Reading,
}

/// The message as published (the format of the original simulator).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadingMessage {
    /// Device UUID.
    pub device_id: String,
    /// Unix seconds, unix milliseconds or RFC 3339.
    pub timestamp: Value,
    /// Cumulative register in kWh.
    pub measurement_value: Value,
}

impl MeterReading {
    /// The message form with an RFC 3339 timestamp (what our simulator sends).
    pub fn to_message(&self) -> ReadingMessage {
        ReadingMessage {
            device_id: self.device_id.to_string(),
            timestamp: Value::String(
                self.reading
                    .at
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            ),
            measurement_value: serde_json::json!(self.reading.register.kwh()),
        }
    }
}

/// The whole message could not be read (not JSON, or neither an object nor an array).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(pub String);

/// Why one reading was rejected; `reason()` goes into the dead-letter header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadingError {
    /// A required field is missing or has the wrong type.
    #[error("field {field}: {problem}")]
    Field {
        /// The field at fault.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

impl ReadingError {
    fn field(field: &'static str, problem: impl Into<String>) -> Self {
        ReadingError::Field {
            field,
            problem: problem.into(),
        }
    }

    /// A one-line reason for logs and the dead-letter header.
    pub fn reason(&self) -> String {
        self.to_string()
    }
}

/// Decodes a message body into its readings. `Err` when the body as a whole is
/// unreadable; otherwise one result per reading, so a bad one can be
/// dead-lettered alone.
pub fn decode_readings(
    body: &[u8],
) -> Result<Vec<Result<MeterReading, ReadingError>>, DecodeError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| DecodeError(format!("malformed JSON: {e}")))?;
    match value {
        Value::Array(items) if items.is_empty() => Err(DecodeError("empty batch".into())),
        Value::Array(items) => Ok(items.iter().map(decode_one).collect()),
        obj @ Value::Object(_) => Ok(vec![decode_one(&obj)]),
        _ => Err(DecodeError(
            "expected a JSON object or an array of objects".into(),
        )),
    }
}

fn decode_one(value: &Value) -> Result<MeterReading, ReadingError> {
    let obj = value
        .as_object()
        .ok_or_else(|| ReadingError::field("reading", "expected a JSON object"))?;
    let device_id = obj
        .get("device_id")
        .and_then(Value::as_str)
        .ok_or_else(|| ReadingError::field("device_id", "missing or not a string"))?;
    let device_id = uuid::Uuid::parse_str(device_id)
        .map_err(|_| ReadingError::field("device_id", "not a UUID"))?;
    let at = parse_timestamp(obj.get("timestamp"))?;
    let kwh = obj
        .get("measurement_value")
        .and_then(Value::as_f64)
        .ok_or_else(|| ReadingError::field("measurement_value", "missing or not a number"))?;
    let register = Energy::from_kwh(kwh)
        .map_err(|e| ReadingError::field("measurement_value", e.to_string()))?;
    Ok(MeterReading {
        device_id,
        reading: Reading { at, register },
    })
}

/// Unix seconds or milliseconds (integer or fractional), or an RFC 3339 string.
pub fn parse_timestamp(value: Option<&Value>) -> Result<DateTime<Utc>, ReadingError> {
    let bad = |p: &str| ReadingError::field("timestamp", p);
    let at = match value {
        Some(Value::Number(n)) => {
            let x = n.as_f64().ok_or_else(|| bad("not a number"))?;
            if !x.is_finite() || x < 0.0 {
                return Err(bad("must be a non-negative unix time"));
            }
            let ms = if x < SECONDS_MS_BOUNDARY {
                x * 1000.0
            } else {
                x
            };
            Utc.timestamp_millis_opt(ms.round() as i64)
                .single()
                .ok_or_else(|| bad("out of range"))?
        }
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map_err(|_| bad("not an RFC 3339 time"))?
            .with_timezone(&Utc),
        Some(_) => return Err(bad("must be unix seconds, unix milliseconds or RFC 3339")),
        None => return Err(bad("missing")),
    };
    // Register times beyond these are a clock fault, not a meter reading.
    let year = chrono::Datelike::year(&at);
    if !(1990..=2200).contains(&year) {
        return Err(bad("outside the years 1990 to 2200"));
    }
    Ok(at)
}

#[cfg(test)]
mod tests;
