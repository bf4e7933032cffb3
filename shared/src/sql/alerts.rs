//! Statements on `alerts`.

use super::{Dialect, Statement, Value};
use crate::model::StoredAlert;

/// A device's first alert of a kind for an hour.
#[derive(Debug, Clone)]
pub struct NewAlert<'a> {
    /// UUID.
    pub id: &'a str,
    /// The device.
    pub device_id: &'a str,
    /// `limit` or `unusual` ([`crate::model::ALERT_LIMIT`], [`crate::model::ALERT_UNUSUAL`]).
    pub kind: &'a str,
    /// Start of the (first) clock hour, unix ms.
    pub hour_start_ms: i64,
    /// Hours covered.
    pub hours: u32,
    /// The energy of those hours, µWh.
    pub energy_uwh: i64,
    /// Unusual: the baseline's energy for them, µWh.
    pub expected_uwh: Option<i64>,
    /// Unusual: `high` or `low`.
    pub direction: Option<&'a str>,
    /// The device's limit, µWh.
    pub max_hourly_uwh: i64,
    /// Unix ms.
    pub created_at_ms: i64,
}

/// The columns an alert is read back with, on `alerts a`, in
/// [`crate::model::StoredAlert`]'s order.
pub const COLUMNS: &str = "a.id, a.device_id, a.kind, a.hour_start, a.hours, a.energy_uwh, \
                           a.expected_uwh, a.direction, a.max_hourly_uwh, a.created_at, a.acknowledged_at";

/// Stores `alert` unless the device has one of its kind for the hour (then no
/// row changes): the unique `(device_id, kind, hour_start)` key is the
/// once-only guard.
pub fn insert_once(dialect: Dialect, alert: &NewAlert<'_>) -> Statement {
    // Every value is an id or an integer, so MySQL's `INSERT IGNORE` has
    // nothing but the duplicate to skip.
    Statement::new(
        dialect.insert_ignore(
            "alerts (id, device_id, kind, hour_start, hours, energy_uwh, expected_uwh, \
             direction, max_hourly_uwh, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "device_id, kind, hour_start",
        ),
        vec![
            alert.id.into(),
            alert.device_id.into(),
            alert.kind.into(),
            Value::Int(alert.hour_start_ms),
            Value::Int(i64::from(alert.hours)),
            Value::Int(alert.energy_uwh),
            alert.expected_uwh.map_or(Value::Null, Value::Int),
            alert.direction.map_or(Value::Null, Value::from),
            Value::Int(alert.max_hourly_uwh),
            Value::Int(alert.created_at_ms),
        ],
    )
}

impl From<&NewAlert<'_>> for StoredAlert {
    /// The alert as stored, before anyone acknowledged it.
    fn from(a: &NewAlert<'_>) -> StoredAlert {
        StoredAlert {
            id: a.id.to_string(),
            device_id: a.device_id.to_string(),
            kind: a.kind.to_string(),
            hour_start_ms: a.hour_start_ms,
            hours: a.hours,
            energy_uwh: a.energy_uwh,
            expected_uwh: a.expected_uwh,
            direction: a.direction.map(str::to_string),
            max_hourly_uwh: a.max_hourly_uwh,
            created_at_ms: a.created_at_ms,
            acknowledged_at_ms: None,
        }
    }
}
