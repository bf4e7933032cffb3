//! Statements on `auth_throttle`: counters of attempts per key in fixed
//! windows, and the addresses users signed in from (rows with no failures).

use super::{Dialect, Statement, Value};

/// Adds one to `key`'s counter, or starts a new window ending at `ends_ms`
/// when there is none or it ended by `now_ms`; atomic per key.
pub fn hit(dialect: Dialect, key: &str, now_ms: i64, ends_ms: i64) -> Statement {
    // `failures` reads the stored `expires_at`, so it is assigned first (MySQL
    // assigns left to right).
    Statement::new(
        format!(
            "INSERT INTO auth_throttle (throttle_key, failures, expires_at) VALUES (?, 1, ?) {} \
             failures = CASE WHEN expires_at <= ? THEN 1 ELSE failures + 1 END, \
             expires_at = CASE WHEN expires_at <= ? THEN ? ELSE expires_at END",
            dialect.on_conflict_update("throttle_key")
        ),
        vec![
            key.into(),
            Value::Int(ends_ms),
            Value::Int(now_ms),
            Value::Int(now_ms),
            Value::Int(ends_ms),
        ],
    )
}

/// The counter and the window's end of key `?`.
pub const COUNTER: &str = "SELECT failures, expires_at FROM auth_throttle WHERE throttle_key = ?";

/// Takes one back from key `?`'s counter (never below zero).
pub const REFUND: &str =
    "UPDATE auth_throttle SET failures = failures - 1 WHERE throttle_key = ? AND failures > 0";

/// Deletes every row whose window ended by `?` (unix ms).
pub const SWEEP: &str = "DELETE FROM auth_throttle WHERE expires_at <= ?";

/// One row (`1`) when key `?` is alive at `?` (unix ms).
pub const ALIVE: &str = "SELECT 1 FROM auth_throttle WHERE throttle_key = ? AND expires_at > ?";

/// Deletes key `?`.
pub const FORGET: &str = "DELETE FROM auth_throttle WHERE throttle_key = ?";

/// Deletes keys `?` and `?`.
pub const FORGET_TWO: &str = "DELETE FROM auth_throttle WHERE throttle_key = ? OR throttle_key = ?";

/// Stores key `?` with no failures until `?` (unix ms): a known address.
pub const REMEMBER: &str =
    "INSERT INTO auth_throttle (throttle_key, failures, expires_at) VALUES (?, 0, ?)";
