//! Statements on `daily_consumption`: a device's UTC day in one row of 24
//! hourly totals (`h00` … `h23`), the same numbers as `hourly_consumption`,
//! changed by the same deltas in the same transaction (see
//! [`crate::consumption::daily`]).

use super::{rows, Dialect, Statement, Value};
use crate::consumption::daily::{DayHours, DAY_MS, HOURS_PER_DAY};
use std::collections::BTreeMap;

/// Day rows per statement: 26 bound values each.
pub const ROWS_PER_STATEMENT: usize = 200;

/// The hour columns, `h00, h01, …, h23`.
pub fn hour_columns() -> String {
    (0..HOURS_PER_DAY)
        .map(|h| format!("h{h:02}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds `n` days' changes to their rows, each bound as device id, day start
/// (unix ms), then the change of each of its 24 hours (µWh).
pub fn add(dialect: Dialect, n: usize) -> String {
    let one = format!("(?, ?, {})", vec!["?"; HOURS_PER_DAY].join(", "));
    let assignments = (0..HOURS_PER_DAY)
        .map(|h| {
            let column = format!("h{h:02}");
            format!("{column} = {column} + {}", dialect.new_value(&column))
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO daily_consumption (device_id, day_start, {}) VALUES {} {} {assignments}",
        hour_columns(),
        rows(&one, n),
        dialect.on_conflict_update("device_id, day_start"),
    )
}

/// [`add`] for the changed days of one device (from
/// [`crate::consumption::daily::day_changes`]), at most
/// [`ROWS_PER_STATEMENT`] days a statement.
pub fn add_days(
    dialect: Dialect,
    device_id: &str,
    days: &BTreeMap<i64, DayHours>,
) -> Vec<Statement> {
    let days: Vec<(&i64, &DayHours)> = days.iter().collect();
    days.chunks(ROWS_PER_STATEMENT)
        .map(|chunk| {
            let mut params = Vec::with_capacity(chunk.len() * (2 + HOURS_PER_DAY));
            for (day, hours) in chunk {
                params.push(Value::from(device_id));
                params.push(Value::Int(**day));
                params.extend(hours.iter().map(|&uwh| Value::Int(uwh)));
            }
            Statement::new(add(dialect, chunk.len()), params)
        })
        .collect()
}

/// The day rows of device `?` holding the hours that start in `(?, ?)` (unix
/// ms, bound as device id, after, before): `day_start, h00, …, h23`, by day.
pub fn hours_between(device_id: &str, after_ms: i64, before_ms: i64) -> Statement {
    Statement::new(
        format!(
            "SELECT day_start, {} FROM daily_consumption \
             WHERE device_id = ? AND day_start > ? AND day_start < ? ORDER BY day_start",
            hour_columns()
        ),
        vec![
            Value::from(device_id),
            // A day holds an hour after `after_ms` if it ends after it.
            Value::Int(after_ms.saturating_sub(DAY_MS)),
            Value::Int(before_ms),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_bind_every_value() {
        let days = (0..450)
            .map(|d| (d * DAY_MS, [1; HOURS_PER_DAY]))
            .collect::<BTreeMap<_, _>>();
        for dialect in [Dialect::Sqlite, Dialect::Mysql] {
            let statements = add_days(dialect, "d", &days);
            assert_eq!(statements.len(), 3);
            assert_eq!(statements[2].params.len(), 50 * 26);
        }
        assert!(add(Dialect::Sqlite, 1).ends_with("h23 = h23 + excluded.h23"));
        assert!(add(Dialect::Mysql, 1).ends_with("h23 = h23 + VALUES(h23)"));
        assert_eq!(hours_between("d", 0, 1).params.len(), 3);
    }
}
