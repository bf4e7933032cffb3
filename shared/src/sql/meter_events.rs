//! Statements on `meter_events`: resets and gaps, keyed by the reading that
//! ends the step.

use super::{Dialect, Statement, Value};
use crate::consumption::plan::MeterEvent;

/// Deletes the event of device `?` at `?` (unix ms).
pub const DELETE: &str = "DELETE FROM meter_events WHERE device_id = ? AND ts = ?";

/// Stores `event` of `device_id` at `ts` (unix ms), replacing the one stored there.
pub fn upsert(
    dialect: Dialect,
    device_id: &str,
    ts: i64,
    event: &MeterEvent,
    recorded_at_ms: i64,
) -> Statement {
    let replaced = [
        "kind",
        "from_ts",
        "register_before_uwh",
        "register_after_uwh",
        "unspread_uwh",
        "recorded_at",
    ]
    .map(|column| format!("{column} = {}", dialect.new_value(column)))
    .join(", ");
    Statement::new(
        format!(
            "INSERT INTO meter_events (device_id, ts, kind, from_ts, register_before_uwh, \
             register_after_uwh, unspread_uwh, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) {} {replaced}",
            dialect.on_conflict_update("device_id, ts")
        ),
        vec![
            device_id.into(),
            Value::Int(ts),
            event.kind.as_str().into(),
            Value::Int(event.from.at_ms()),
            Value::Int(event.from.register.uwh()),
            Value::Int(event.to.register.uwh()),
            Value::Int(event.unspread.uwh()),
            Value::Int(recorded_at_ms),
        ],
    )
}
