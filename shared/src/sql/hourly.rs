//! Statements on `hourly_consumption`.

use super::{placeholders, rows, Dialect};

/// Adds `n` changes to their hours' totals, each bound as device id, hour
/// start (unix ms), change (µWh), updated at (unix ms). On SQLite it returns
/// each hour's new total (`hour_start, energy_uwh`); on MySQL nothing: read
/// them with [`totals`].
pub fn add(dialect: Dialect, n: usize) -> String {
    format!(
        "INSERT INTO hourly_consumption (device_id, hour_start, energy_uwh, updated_at) VALUES {} \
         {} energy_uwh = energy_uwh + {}, updated_at = {}{}",
        rows("(?, ?, ?, ?)", n),
        dialect.on_conflict_update("device_id, hour_start"),
        dialect.new_value("energy_uwh"),
        dialect.new_value("updated_at"),
        dialect.returning("hour_start, energy_uwh"),
    )
}

/// The totals of device `?` at `n` hour starts `?` (unix ms): `hour_start, energy_uwh`.
pub fn totals(n: usize) -> String {
    format!(
        "SELECT hour_start, energy_uwh FROM hourly_consumption \
         WHERE device_id = ? AND hour_start IN ({})",
        placeholders(n)
    )
}
