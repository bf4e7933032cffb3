//! Tasmota's `tele/<topic>/SENSOR` frame: `ENERGY.Total` (kWh) at `Time`,
//! the device's local time without an offset.

use super::{json, number, DecodeError, EnergyUnit};
use crate::consumption::Reading;
use crate::energy::Energy;
use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// `Total`, or the sum of per-phase totals (`SetOption129`), at `Time` placed
/// in `tz`; without `tz` (or without `Time`) the receive time.
pub(super) fn decode(
    topic: Option<&str>,
    payload: &[u8],
    received_at: DateTime<Utc>,
    tz: Option<chrono_tz::Tz>,
) -> Result<Reading, DecodeError> {
    // STATE, LWT and RESULT frames share the device's topics but never carry the register.
    if let Some(topic) = topic.filter(|t| !t.ends_with("/SENSOR")) {
        return Err(DecodeError::no_energy(format!(
            "{topic} is not a Tasmota SENSOR topic"
        )));
    }
    let frame = json(payload)?;
    let frame = frame
        .as_object()
        .ok_or_else(|| DecodeError::malformed("expected a JSON object"))?;
    let total = match frame.get("ENERGY") {
        None | Some(Value::Null) => None,
        Some(Value::Object(energy)) => energy.get("Total"),
        Some(_) => return Err(DecodeError::invalid("ENERGY: not an object")),
    };
    let register = match total {
        Some(Value::Array(phases)) => per_phase_total(phases)?,
        total => match number(total, "ENERGY.Total")? {
            Some(kwh) => EnergyUnit::Kwh.register(kwh, "ENERGY.Total")?,
            None => return Err(DecodeError::no_energy("no ENERGY.Total in the frame")),
        },
    };
    let at = match (frame.get("Time"), tz) {
        (None, _) => received_at,
        (Some(Value::String(time)), tz) => place(time, tz, received_at)?,
        (Some(_), _) => return Err(DecodeError::invalid("Time: not a string")),
    };
    Ok(Reading { at, register })
}

fn per_phase_total(phases: &[Value]) -> Result<Energy, DecodeError> {
    let mut sum = Energy::ZERO;
    for (i, phase) in phases.iter().enumerate() {
        let field = format!("ENERGY.Total[{i}]");
        let kwh = number(Some(phase), &field)?
            .ok_or_else(|| DecodeError::invalid(format!("{field}: not a number")))?;
        sum = sum
            .checked_add(EnergyUnit::Kwh.register(kwh, &field)?)
            .map_err(|_| DecodeError::invalid("ENERGY.Total: sum out of range"))?;
    }
    // The sum must also be a plausible register.
    EnergyUnit::Kwh.register(sum.kwh(), "ENERGY.Total")?;
    Ok(sum)
}

/// An offset-carrying `Time` (`SetOption52`) is exact; a local one needs the
/// device's zone. In the hour a clock turns back, the earlier or later
/// instant is the one nearer the receive time; a local time the zone skips
/// means the device and iems disagree on the zone.
fn place(
    time: &str,
    tz: Option<chrono_tz::Tz>,
    received_at: DateTime<Utc>,
) -> Result<DateTime<Utc>, DecodeError> {
    if let Ok(exact) = DateTime::parse_from_rfc3339(time) {
        return Ok(exact.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(time, "%Y-%m-%dT%H:%M:%S%.f")
        .map_err(|_| DecodeError::invalid(format!("Time {time:?}: not a local date-time")))?;
    let Some(tz) = tz else {
        return Ok(received_at);
    };
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            let near = |t: DateTime<Utc>| (t - received_at).num_milliseconds().abs();
            Ok(if near(a) <= near(b) { a } else { b })
        }
        LocalResult::None => Err(DecodeError::invalid(format!(
            "Time {time}: does not exist in {tz}"
        ))),
    }
}
