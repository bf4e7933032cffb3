//! Statements on `device_credentials` and the devices' reporting columns
//! (docs/ingest.md).

use super::{Statement, Value};

/// The device and stored hash of the credential `?` while it is not revoked:
/// `device_id, secret_sha256`.
pub const ACTIVE_BY_KEY: &str = "SELECT device_id, secret_sha256 FROM device_credentials \
     WHERE key_id = ? AND revoked_at IS NULL";

/// The device's current credential `?`: `key_id, created_at`.
pub const ACTIVE_FOR_DEVICE: &str = "SELECT key_id, created_at FROM device_credentials \
     WHERE device_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, key_id LIMIT 1";

/// The device's format and time zone for decoding its frames `?`:
/// `meter_format, time_zone`.
pub const DECODING: &str = "SELECT meter_format, time_zone FROM devices WHERE id = ?";

/// When and how the device `?` last reported: `last_reported_at, last_reported_via`.
pub const LAST_REPORTED: &str =
    "SELECT last_reported_at, last_reported_via FROM devices WHERE id = ?";

/// Revokes every credential of a device still in force (a rotation revokes
/// the old one before the new one is inserted, in one transaction).
pub fn revoke_for_device(device_id: &str, now_ms: i64) -> Statement {
    Statement::new(
        "UPDATE device_credentials SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL",
        vec![Value::Int(now_ms), device_id.into()],
    )
}

/// Stores a new credential: its key id and the secret's hash, never the secret.
pub fn insert(key_id: &str, device_id: &str, secret_sha256: &str, now_ms: i64) -> Statement {
    Statement::new(
        "INSERT INTO device_credentials (key_id, device_id, secret_sha256, created_at) \
         VALUES (?, ?, ?, ?)",
        vec![
            key_id.into(),
            device_id.into(),
            secret_sha256.into(),
            Value::Int(now_ms),
        ],
    )
}

/// Records that the device reported at `at_ms` over `via`, never moving the
/// time back (a late batch of old readings does not hide a fresher report).
pub fn touch_reported(device_id: &str, at_ms: i64, via: &str) -> Statement {
    Statement::new(
        "UPDATE devices SET last_reported_via = CASE WHEN last_reported_at IS NULL OR last_reported_at <= ? \
         THEN ? ELSE last_reported_via END, \
         last_reported_at = CASE WHEN last_reported_at IS NULL OR last_reported_at < ? \
         THEN ? ELSE last_reported_at END WHERE id = ?",
        vec![
            Value::Int(at_ms),
            via.into(),
            Value::Int(at_ms),
            Value::Int(at_ms),
            device_id.into(),
        ],
    )
}
