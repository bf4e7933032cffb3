//! Shelly Gen2+ frames: a component's status (`<id>/status/switch:0`,
//! `emdata:0`, `em1data:0`) or a `NotifyStatus` on `<id>/events/rpc`.
//! iems meters one register per device, so a multi-channel device reports
//! `switch:0` (the first metered component found, in [`METERED`] order).

use super::{json, number, timestamp, DecodeError, EnergyUnit};
use crate::consumption::Reading;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// The components whose status carries the device's register.
pub(super) const METERED: [&str; 3] = ["switch:0", "emdata:0", "em1data:0"];

/// A status object, or a `NotifyStatus`/`NotifyFullStatus` frame timed by `params.ts`.
pub(super) fn decode(
    topic: Option<&str>,
    payload: &[u8],
    received_at: DateTime<Utc>,
) -> Result<Reading, DecodeError> {
    if let Some((_, component)) = topic.and_then(|t| t.rsplit_once("/status/")) {
        if !METERED.contains(&component) {
            return Err(DecodeError::no_energy(format!(
                "{component} is not metered (iems takes {})",
                METERED.join(", ")
            )));
        }
    }
    let frame = json(payload)?;
    let frame = frame
        .as_object()
        .ok_or_else(|| DecodeError::malformed("expected a JSON object"))?;
    match frame.get("method") {
        None => component_status(frame, "", received_at),
        Some(Value::String(m)) if m == "NotifyStatus" || m == "NotifyFullStatus" => {
            notify_status(frame, received_at)
        }
        Some(Value::String(m)) => Err(DecodeError::no_energy(format!("{m} carries no status"))),
        Some(_) => Err(DecodeError::malformed("method: not a string")),
    }
}

fn notify_status(
    frame: &Map<String, Value>,
    received_at: DateTime<Utc>,
) -> Result<Reading, DecodeError> {
    let params = frame
        .get("params")
        .and_then(Value::as_object)
        .ok_or_else(|| DecodeError::malformed("params: missing or not an object"))?;
    let at = match params.get("ts") {
        None => received_at,
        Some(ts) => timestamp(ts, "params.ts")?,
    };
    for name in METERED {
        match params.get(name) {
            None => continue,
            Some(Value::Object(status)) => {
                match component_status(status, &format!("params.{name}."), at) {
                    // A changed-fields-only frame may name the switch without its energy.
                    Err(e) if e.code == super::ErrorCode::NoEnergy => continue,
                    other => return other,
                }
            }
            Some(_) => {
                return Err(DecodeError::invalid(format!(
                    "params.{name}: not an object"
                )))
            }
        }
    }
    Err(DecodeError::no_energy(format!(
        "NotifyStatus without energy of {}",
        METERED.join(", ")
    )))
}

/// A switch's `aenergy.total` (timed by `aenergy.minute_ts`, the start of the
/// last full minute, when present), an EM's `total_act` or an EM1's
/// `total_act_energy`, all in Wh.
fn component_status(
    status: &Map<String, Value>,
    path: &str,
    at: DateTime<Utc>,
) -> Result<Reading, DecodeError> {
    if let Some(id) = status
        .get("id")
        .and_then(Value::as_u64)
        .filter(|&id| id != 0)
    {
        return Err(DecodeError::no_energy(format!(
            "{path}id {id}: iems takes channel 0"
        )));
    }
    let wh = |field: &str| -> Result<Option<_>, DecodeError> {
        let name = format!("{path}{field}");
        match number(status.get(field), &name)? {
            Some(wh) => EnergyUnit::Wh.register(wh, &name).map(Some),
            None => Ok(None),
        }
    };
    match status.get("aenergy") {
        None | Some(Value::Null) => {}
        Some(Value::Object(aenergy)) => {
            let name = format!("{path}aenergy.total");
            let Some(total) = number(aenergy.get("total"), &name)? else {
                return Err(DecodeError::no_energy(format!("no {name}")));
            };
            let register = EnergyUnit::Wh.register(total, &name)?;
            let at = match aenergy.get("minute_ts") {
                None | Some(Value::Null) => at,
                Some(ts) => timestamp(ts, &format!("{path}aenergy.minute_ts"))?,
            };
            return Ok(Reading { at, register });
        }
        Some(_) => {
            return Err(DecodeError::invalid(format!(
                "{path}aenergy: not an object"
            )))
        }
    }
    if let Some(register) = wh("total_act")?.or(wh("total_act_energy")?) {
        return Ok(Reading { at, register });
    }
    Err(DecodeError::no_energy(format!(
        "no {path}aenergy.total, total_act or total_act_energy"
    )))
}
