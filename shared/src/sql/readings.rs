//! Statements on `readings`.

use super::rows;

/// The stored readings of device `?` in `[?, ?]` (unix ms), plus the nearest
/// one before and after, each with the kind of the meter event (if any) of
/// the step ending at it: `ts, register_uwh, kind`.
/// Binds: device, min, max, device, min, device, max.
pub const WINDOW: &str = "\
SELECT r.ts, r.register_uwh, e.kind FROM readings r
    LEFT JOIN meter_events e ON e.device_id = r.device_id AND e.ts = r.ts
    WHERE r.device_id = ? AND r.ts BETWEEN ? AND ?
UNION ALL SELECT * FROM (SELECT r.ts, r.register_uwh, e.kind FROM readings r
    LEFT JOIN meter_events e ON e.device_id = r.device_id AND e.ts = r.ts
    WHERE r.device_id = ? AND r.ts < ? ORDER BY r.ts DESC LIMIT 1) AS before_range
UNION ALL SELECT * FROM (SELECT r.ts, r.register_uwh, e.kind FROM readings r
    LEFT JOIN meter_events e ON e.device_id = r.device_id AND e.ts = r.ts
    WHERE r.device_id = ? AND r.ts > ? ORDER BY r.ts ASC LIMIT 1) AS after_range";

/// Inserts `n` readings, each bound as device id, timestamp (unix ms),
/// register (µWh), received at (unix ms).
pub fn insert(n: usize) -> String {
    format!(
        "INSERT INTO readings (device_id, ts, register_uwh, received_at) VALUES {}",
        rows("(?, ?, ?, ?)", n)
    )
}
