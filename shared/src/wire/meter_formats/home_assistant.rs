//! Home Assistant style states: `{"state":"12.5","unit_of_measurement":"kWh",
//! "last_updated":"…"}` or a bare number in the device's configured unit.

use super::{bare_number, json, timestamp, DecodeError, EnergyUnit};
use crate::consumption::Reading;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// States Home Assistant publishes while a sensor has no value.
const NO_VALUE: [&str; 2] = ["unavailable", "unknown"];

/// The state in its own `unit_of_measurement` (else `unit`), at `last_updated`
/// (else the receive time).
pub(super) fn decode(
    payload: &[u8],
    unit: EnergyUnit,
    received_at: DateTime<Utc>,
) -> Result<Reading, DecodeError> {
    let trimmed = std::str::from_utf8(payload).map(str::trim).unwrap_or("");
    if NO_VALUE.contains(&trimmed) {
        return Err(DecodeError::no_energy(format!("state {trimmed}")));
    }
    let value = match json(payload)? {
        Value::Object(state) => state,
        Value::Number(_) => {
            let register = unit.register(bare_number(payload)?, "state")?;
            return Ok(Reading {
                at: received_at,
                register,
            });
        }
        _ => {
            return Err(DecodeError::malformed(
                "expected a number or a state object",
            ))
        }
    };
    let number = match value.get("state") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) if NO_VALUE.contains(&s.as_str()) => {
            return Err(DecodeError::no_energy(format!("state {s}")));
        }
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        None | Some(Value::Null) => return Err(DecodeError::no_energy("no state")),
        Some(_) => None,
    }
    .ok_or_else(|| DecodeError::invalid("state: not a number"))?;
    let unit = match value.get("unit_of_measurement") {
        None | Some(Value::Null) => unit,
        Some(Value::String(u)) => u.parse()?,
        Some(_) => return Err(DecodeError::invalid("unit_of_measurement: not a string")),
    };
    let at = match value.get("last_updated") {
        None | Some(Value::Null) => received_at,
        Some(ts @ Value::String(_)) => timestamp(ts, "last_updated")?,
        Some(_) => return Err(DecodeError::invalid("last_updated: not an RFC 3339 string")),
    };
    Ok(Reading {
        at,
        register: unit.register(number, "state")?,
    })
}
