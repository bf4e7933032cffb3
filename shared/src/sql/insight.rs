//! Statements of insight (docs/insight.md): each device's learned baseline
//! (`device_baselines`) and its unusual-consumption settings, read and written
//! by the broker-adapter and read by the `queries` component.

use super::{Dialect, Statement, Value};

/// A device's settings and its stored baseline, by device id `?`:
/// `time_zone, unusual_sensitivity, unusual_sustain_hours, max_hourly_uwh,
/// owner_id`, then the baseline's (NULL before the first learning)
/// `time_zone, learned_at, weeks_of_history, ready, slots, checked_to,
/// alerted_to`.
pub const DEVICE_STATE: &str = "SELECT d.time_zone, d.unusual_sensitivity, \
     CAST(d.unusual_sustain_hours AS SIGNED), d.max_hourly_uwh, d.owner_id, \
     b.time_zone, b.learned_at, CAST(b.weeks_of_history AS SIGNED), CAST(b.ready AS SIGNED), \
     b.slots, b.checked_to, b.alerted_to \
     FROM devices d LEFT JOIN device_baselines b ON b.device_id = d.id WHERE d.id = ?";

/// The stored baselines of client `?`'s devices: `device_id, time_zone,
/// ready, slots, weeks_of_history`.
pub const CLIENT_BASELINES: &str = "SELECT b.device_id, b.time_zone, CAST(b.ready AS SIGNED), \
     b.slots, CAST(b.weeks_of_history AS SIGNED) \
     FROM device_baselines b JOIN devices d ON d.id = b.device_id WHERE d.owner_id = ?";

/// The first stored hour of device `?` (NULL when none).
pub const FIRST_HOUR: &str = "SELECT MIN(hour_start) FROM hourly_consumption WHERE device_id = ?";

/// The hourly totals of device `?` whose hour starts in `[?, ?)`:
/// `hour_start, energy_uwh`.
pub const HOURS_FROM: &str = "SELECT hour_start, energy_uwh FROM hourly_consumption \
     WHERE device_id = ? AND hour_start >= ? AND hour_start < ? ORDER BY hour_start";

/// A learned baseline, as [`save_baseline`] stores it.
#[derive(Debug, Clone)]
pub struct SavedBaseline<'a> {
    /// The device.
    pub device_id: &'a str,
    /// The zone it was learned in (IANA name).
    pub time_zone: &'a str,
    /// The data hour it was learned at (unix ms).
    pub learned_at_ms: i64,
    /// Whole weeks of history inside its window.
    pub weeks_of_history: u32,
    /// Whether it may raise alerts and forecast.
    pub ready: bool,
    /// [`crate::insight::encode_slots`].
    pub slots: &'a str,
    /// Hours before this were looked at for unusual runs.
    pub checked_to_ms: i64,
    /// The end of the last run alerted.
    pub alerted_to_ms: i64,
    /// Unix ms.
    pub now_ms: i64,
}

/// Stores a device's learned baseline and how far its hours were looked at.
pub fn save_baseline(dialect: Dialect, b: &SavedBaseline<'_>) -> Statement {
    let new = |c: &str| dialect.new_value(c);
    Statement::new(
        format!(
            "INSERT INTO device_baselines (device_id, time_zone, learned_at, weeks_of_history, \
             ready, slots, checked_to, alerted_to, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) {} \
             time_zone = {}, learned_at = {}, weeks_of_history = {}, ready = {}, slots = {}, \
             checked_to = {}, alerted_to = {}, updated_at = {}",
            dialect.on_conflict_update("device_id"),
            new("time_zone"),
            new("learned_at"),
            new("weeks_of_history"),
            new("ready"),
            new("slots"),
            new("checked_to"),
            new("alerted_to"),
            new("updated_at"),
        ),
        vec![
            b.device_id.into(),
            b.time_zone.into(),
            Value::Int(b.learned_at_ms),
            Value::Int(i64::from(b.weeks_of_history)),
            Value::Int(i64::from(b.ready)),
            b.slots.into(),
            Value::Int(b.checked_to_ms),
            Value::Int(b.alerted_to_ms),
            Value::Int(b.now_ms),
        ],
    )
}

/// Records how far device `device_id`'s hours were looked at and the end of
/// its last alerted run.
pub fn save_progress(
    device_id: &str,
    checked_to_ms: i64,
    alerted_to_ms: i64,
    now_ms: i64,
) -> Statement {
    Statement::new(
        "UPDATE device_baselines SET checked_to = ?, alerted_to = ?, updated_at = ? WHERE device_id = ?",
        vec![
            Value::Int(checked_to_ms),
            Value::Int(alerted_to_ms),
            Value::Int(now_ms),
            device_id.into(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_bind_every_value() {
        let b = SavedBaseline {
            device_id: "d",
            time_zone: "UTC",
            learned_at_ms: 1,
            weeks_of_history: 2,
            ready: false,
            slots: "",
            checked_to_ms: 3,
            alerted_to_ms: 3,
            now_ms: 4,
        };
        for dialect in [Dialect::Sqlite, Dialect::Mysql] {
            let s = save_baseline(dialect, &b);
            assert_eq!(s.sql.matches('?').count(), s.params.len());
        }
        assert!(save_baseline(Dialect::Sqlite, &b)
            .sql
            .contains("ON CONFLICT (device_id) DO UPDATE SET"));
        assert_eq!(save_progress("d", 1, 2, 3).params.len(), 4);
        for sql in [DEVICE_STATE, CLIENT_BASELINES, FIRST_HOUR] {
            assert_eq!(sql.matches('?').count(), 1);
        }
        assert_eq!(HOURS_FROM.matches('?').count(), 3);
    }
}
