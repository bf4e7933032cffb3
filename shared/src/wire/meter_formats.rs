//! The payloads real meters send (Tasmota, Shelly Gen2+, Home Assistant
//! style states, a plain number) decoded into the same [`MeterReading`]s as
//! iems' own message; see `docs/meters.md`. Pure decoding: which device sent
//! the payload comes from its credential, and the reading policy (timestamp
//! window, resets) applies afterwards as on every other path.

mod home_assistant;
mod shelly;
mod tasmota;
#[cfg(test)]
mod tests;

use super::reading::{decode_readings, parse_timestamp, ReadingError};
use super::MeterReading;
use crate::consumption::Reading;
use crate::energy::Energy;
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// The largest payload decoded; a meter's frame is a few hundred bytes.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;

/// How a device's payloads are read, chosen per device or [`detect`]ed from the topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeterFormat {
    /// iems' own message or batch: `{"device_id":"…","timestamp":1700000000,"measurement_value":12.5}`.
    Iems,
    /// Tasmota `tele/<topic>/SENSOR`: `{"Time":"2018-01-17T18:59:50","ENERGY":{"Total":1.956}}` (kWh).
    Tasmota,
    /// Shelly Gen2+ switch/EM status or `NotifyStatus`: `{"id":0,"aenergy":{"total":1234.567}}` (Wh).
    Shelly,
    /// Home Assistant state: `{"state":"12.5","unit_of_measurement":"kWh"}`, or a bare number in `unit`.
    HomeAssistant {
        /// The unit of a bare number or of a state that names none.
        unit: EnergyUnit,
    },
    /// A bare number in kWh, timed by its receipt: `12.5`.
    PlainNumber,
}

/// The unit a register arrives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnergyUnit {
    /// Kilowatt-hours.
    Kwh,
    /// Watt-hours.
    Wh,
}

/// The stable code of a [`DecodeError`], the part of a dead-letter reason before the colon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Not readable as the format at all (not JSON, not a number, wrong shape).
    Malformed,
    /// A well-formed frame that carries no energy register (power-only, offline, another channel).
    NoEnergy,
    /// A register or timestamp of the wrong type or out of range, or an oversize payload.
    Invalid,
    /// iems' own message names a device other than the reporting one (a
    /// credential reports only for its own device).
    OtherDevice,
}

/// Why a payload gave no readings; displays as `code: detail`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {detail}", code.as_str())]
pub struct DecodeError {
    /// The stable code.
    pub code: ErrorCode,
    /// What was wrong, for people.
    pub detail: String,
}

impl ErrorCode {
    /// The code as it appears in reasons and API errors.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::NoEnergy => "no_energy",
            ErrorCode::Invalid => "invalid",
            ErrorCode::OtherDevice => "other_device",
        }
    }
}

impl DecodeError {
    fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        DecodeError {
            code,
            detail: detail.into(),
        }
    }
    fn malformed(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Malformed, detail)
    }
    fn no_energy(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::NoEnergy, detail)
    }
    fn invalid(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Invalid, detail)
    }
}

impl EnergyUnit {
    /// The unit as Home Assistant writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            EnergyUnit::Kwh => "kWh",
            EnergyUnit::Wh => "Wh",
        }
    }

    /// A register value in this unit, checked like iems' own `measurement_value`
    /// (finite, non-negative, at most `MAX_REGISTER_KWH`); Wh are scaled in one
    /// step so that 1234.567 Wh is exactly 1 234 567 000 µWh.
    pub fn register(self, value: f64, field: &str) -> Result<Energy, DecodeError> {
        let kwh = match self {
            EnergyUnit::Kwh => value,
            EnergyUnit::Wh => value / 1000.0,
        };
        let checked =
            Energy::from_kwh(kwh).map_err(|e| DecodeError::invalid(format!("{field}: {e}")))?;
        Ok(match self {
            EnergyUnit::Kwh => checked,
            // In range (≤ 1e12 Wh), so the product stays far below i64::MAX.
            EnergyUnit::Wh => Energy::from_uwh((value * 1e6).round() as i64),
        })
    }
}

impl FromStr for EnergyUnit {
    type Err = DecodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("kwh") {
            Ok(EnergyUnit::Kwh)
        } else if s.eq_ignore_ascii_case("wh") {
            Ok(EnergyUnit::Wh)
        } else {
            Err(DecodeError::invalid(format!(
                "unit {s:?}: expected kWh or Wh"
            )))
        }
    }
}

impl MeterFormat {
    /// Every format, for listings and tests.
    pub const ALL: [MeterFormat; 6] = [
        MeterFormat::Iems,
        MeterFormat::Tasmota,
        MeterFormat::Shelly,
        MeterFormat::HomeAssistant {
            unit: EnergyUnit::Kwh,
        },
        MeterFormat::HomeAssistant {
            unit: EnergyUnit::Wh,
        },
        MeterFormat::PlainNumber,
    ];

    /// The snake_case name stored with a device (`home_assistant` states default to kWh).
    pub fn as_str(self) -> &'static str {
        match self {
            MeterFormat::Iems => "iems",
            MeterFormat::Tasmota => "tasmota",
            MeterFormat::Shelly => "shelly",
            MeterFormat::HomeAssistant {
                unit: EnergyUnit::Kwh,
            } => "home_assistant",
            MeterFormat::HomeAssistant {
                unit: EnergyUnit::Wh,
            } => "home_assistant_wh",
            MeterFormat::PlainNumber => "plain_number",
        }
    }
}

impl FromStr for MeterFormat {
    type Err = DecodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MeterFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| DecodeError::invalid(format!("unknown meter format {s:?}")))
    }
}

impl fmt::Display for MeterFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for MeterFormat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MeterFormat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// The format a topic names by its last levels, whatever prefix comes before
/// (a device's topics are under `<namespace>/<device id>/`):
/// `…/tele/<t>/SENSOR` is Tasmota; `…/events/rpc` and
/// `…/status/{switch:0,emdata:0,em1data:0}` are Shelly.
pub fn detect(topic: &str) -> Option<MeterFormat> {
    let levels: Vec<&str> = topic.split('/').collect();
    match levels.as_slice() {
        [.., "tele", t, "SENSOR"] if !t.is_empty() => Some(MeterFormat::Tasmota),
        [.., "events", "rpc"] => Some(MeterFormat::Shelly),
        [.., "status", component] if shelly::METERED.contains(component) => {
            Some(MeterFormat::Shelly)
        }
        _ => None,
    }
}

/// Decodes one payload of `device_id` into its readings (one, except iems
/// batches). A payload without a usable timestamp takes `received_at_ms`;
/// `device_tz` places Tasmota's offset-less local `Time`. An iems message
/// must name `device_id` and is accepted or refused as a whole (the first bad
/// reading refuses the batch), so a credentialed device never half-reports.
pub fn decode(
    format: MeterFormat,
    device_id: uuid::Uuid,
    topic: Option<&str>,
    payload: &[u8],
    received_at_ms: i64,
    device_tz: Option<chrono_tz::Tz>,
) -> Result<Vec<MeterReading>, DecodeError> {
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(DecodeError::invalid(format!(
            "payload of {} bytes is over the {MAX_PAYLOAD_BYTES}-byte limit",
            payload.len()
        )));
    }
    let received_at = Utc
        .timestamp_millis_opt(received_at_ms)
        .single()
        .ok_or_else(|| DecodeError::invalid("receive time out of range"))?;
    let one = |reading: Reading| vec![MeterReading { device_id, reading }];
    match format {
        MeterFormat::Iems => decode_iems(device_id, payload),
        MeterFormat::Tasmota => tasmota::decode(topic, payload, received_at, device_tz).map(one),
        MeterFormat::Shelly => shelly::decode(topic, payload, received_at).map(one),
        MeterFormat::HomeAssistant { unit } => {
            home_assistant::decode(payload, unit, received_at).map(one)
        }
        MeterFormat::PlainNumber => {
            let register = EnergyUnit::Kwh.register(bare_number(payload)?, "value")?;
            Ok(one(Reading {
                at: received_at,
                register,
            }))
        }
    }
}

fn decode_iems(device_id: uuid::Uuid, payload: &[u8]) -> Result<Vec<MeterReading>, DecodeError> {
    let named = with_device(payload, device_id);
    let items = decode_readings(named.as_deref().unwrap_or(payload))
        .map_err(|e| DecodeError::malformed(e.0))?;
    let batch = items.len() > 1;
    let at = |i: usize| {
        if batch {
            format!("reading {i}: ")
        } else {
            String::new()
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Ok(r) if r.device_id == device_id => Ok(r),
            Ok(_) => Err(DecodeError::new(
                ErrorCode::OtherDevice,
                format!("{}field device_id: not the reporting device", at(i)),
            )),
            Err(e) => Err(DecodeError::invalid(format!("{}{}", at(i), e.reason()))),
        })
        .collect()
}

/// iems' own body with the reporting device filled into every reading that
/// names none (a device need not repeat its own id); `None` when it is not
/// JSON or already names the device everywhere.
fn with_device(payload: &[u8], device_id: uuid::Uuid) -> Option<Vec<u8>> {
    let mut value: Value = serde_json::from_slice(payload).ok()?;
    let mut filled = false;
    let items: Vec<&mut Value> = match &mut value {
        Value::Array(items) => items.iter_mut().collect(),
        one => vec![one],
    };
    for item in items {
        if let Value::Object(fields) = item {
            if fields.get("device_id").is_none_or(Value::is_null) {
                fields.insert("device_id".into(), Value::String(device_id.to_string()));
                filled = true;
            }
        }
    }
    filled.then(|| serde_json::to_vec(&value).ok()).flatten()
}

/// A payload that is only a number (surrounding whitespace allowed).
fn bare_number(payload: &[u8]) -> Result<f64, DecodeError> {
    std::str::from_utf8(payload)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .ok_or_else(|| DecodeError::malformed("expected a bare number"))
}

/// The payload as JSON (serde_json bounds its nesting at 128 levels).
fn json(payload: &[u8]) -> Result<Value, DecodeError> {
    serde_json::from_slice(payload).map_err(|e| DecodeError::malformed(format!("JSON: {e}")))
}

/// A register field: `None` when absent, `invalid` when not a number.
fn number(value: Option<&Value>, field: &str) -> Result<Option<f64>, DecodeError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| DecodeError::invalid(format!("{field}: not a number"))),
    }
}

/// A unix-time or RFC 3339 field, checked as iems' own `timestamp` is.
fn timestamp(value: &Value, field: &str) -> Result<DateTime<Utc>, DecodeError> {
    parse_timestamp(Some(value)).map_err(|e| match e {
        ReadingError::Field { problem, .. } => DecodeError::invalid(format!("{field}: {problem}")),
    })
}
