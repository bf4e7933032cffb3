//! Statements on `devices`.

use super::{placeholders, Dialect, Statement, Value};

/// The columns [`BY_ID`] returns, in this order.
pub const COLUMNS: &str = "id, name, address, max_hourly_uwh, owner_id, created_at, max_power_w, \
     meter_format, time_zone, last_reported_at, last_reported_via, unusual_sensitivity, \
     CAST(unusual_sustain_hours AS SIGNED)";

/// The device with id `?`: [`COLUMNS`].
pub const BY_ID: &str =
    "SELECT id, name, address, max_hourly_uwh, owner_id, created_at, max_power_w, \
     meter_format, time_zone, last_reported_at, last_reported_via, unusual_sensitivity, \
     CAST(unusual_sustain_hours AS SIGNED) FROM devices WHERE id = ?";

/// Locks the rows of `n` devices `?` in id order until the transaction ends
/// (two writers that lock in the same order cannot wait on each other).
pub fn lock_in_order(dialect: Dialect, n: usize) -> String {
    format!(
        "SELECT id FROM devices WHERE id IN ({}) ORDER BY id{}",
        placeholders(n),
        dialect.for_update()
    )
}

/// Inserts a device; see [`insert`].
pub const INSERT: &str = "INSERT INTO devices (id, name, address, max_hourly_uwh, max_power_w, \
     owner_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

/// A new device's row, already validated.
#[derive(Debug, Clone)]
pub struct NewDevice<'a> {
    /// UUID.
    pub id: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Optional address.
    pub address: Option<&'a str>,
    /// The hourly limit in µWh.
    pub max_hourly_uwh: i64,
    /// Plausible maximum power in watts (`None`: the policy's default).
    pub max_power_w: Option<i64>,
    /// Assigned client (must be a client: the callers check).
    pub owner_id: Option<&'a str>,
    /// Creation time, unix ms.
    pub created_at_ms: i64,
}

/// The insert of `device`.
pub fn insert(device: &NewDevice<'_>) -> Statement {
    Statement::new(
        INSERT,
        vec![
            device.id.into(),
            device.name.into(),
            device.address.into(),
            Value::Int(device.max_hourly_uwh),
            device.max_power_w.into(),
            device.owner_id.into(),
            Value::Int(device.created_at_ms),
            Value::Int(device.created_at_ms),
        ],
    )
}
