//! Statements on `alerts`.

use super::{Dialect, Statement, Value};

/// A device's first alert for an hour.
#[derive(Debug, Clone)]
pub struct NewAlert<'a> {
    /// UUID.
    pub id: &'a str,
    /// The device.
    pub device_id: &'a str,
    /// Start of the clock hour, unix ms.
    pub hour_start_ms: i64,
    /// The hour's total, µWh.
    pub energy_uwh: i64,
    /// The device's limit, µWh.
    pub max_hourly_uwh: i64,
    /// Unix ms.
    pub created_at_ms: i64,
}

/// Stores `alert` unless the device has one for the hour (then no row
/// changes): the unique `(device_id, hour_start)` key is the once-only guard.
pub fn insert_once(dialect: Dialect, alert: &NewAlert<'_>) -> Statement {
    // Every value is an id or an integer, so MySQL's `INSERT IGNORE` has
    // nothing but the duplicate to skip.
    Statement::new(
        dialect.insert_ignore(
            "alerts (id, device_id, hour_start, energy_uwh, max_hourly_uwh, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            "device_id, hour_start",
        ),
        vec![
            alert.id.into(),
            alert.device_id.into(),
            Value::Int(alert.hour_start_ms),
            Value::Int(alert.energy_uwh),
            Value::Int(alert.max_hourly_uwh),
            Value::Int(alert.created_at_ms),
        ],
    )
}
