//! Statements on `daily_consumption`: a device's UTC day in one row of 24
//! hourly totals (`h00` … `h23`, and the same as one text, `hours`), the same
//! numbers as `hourly_consumption`, changed by the same deltas in the same
//! transaction (see [`crate::consumption::daily`]).

use super::{rows, Dialect, Statement, Value};
use crate::consumption::daily::{DayHours, DAY_MS, HOURS_PER_DAY};
use crate::consumption::monthly::MonthHours;
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
/// (unix ms), the changes as text (`hours` of a new row, see [`hours_text`]),
/// then the change of each of its 24 hours (µWh). `hours` is rewritten from
/// the stored totals plus the changes: it is assigned first, so that it reads
/// the stored row on MySQL (which assigns left to right) as on SQLite.
pub fn add(dialect: Dialect, n: usize) -> String {
    let one = format!("(?, ?, ?, {})", ["?"; HOURS_PER_DAY].join(", "));
    let sums = (0..HOURS_PER_DAY)
        .map(|h| format!("h{h:02} + {}", dialect.new_value(&format!("h{h:02}"))))
        .collect::<Vec<_>>()
        .join(", ");
    let assignments = (0..HOURS_PER_DAY)
        .map(|h| {
            let column = format!("h{h:02}");
            format!("{column} = {column} + {}", dialect.new_value(&column))
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO daily_consumption (device_id, day_start, hours, {}) VALUES {} {} \
         hours = CONCAT_WS(',', {sums}), {assignments}",
        hour_columns(),
        rows(&one, n),
        dialect.on_conflict_update("device_id, day_start"),
    )
}

/// A day's 24 totals as the `hours` text: `h00,h01,…,h23` in decimal µWh.
pub fn hours_text(hours: &DayHours) -> String {
    hours.map(|h| h.to_string()).join(",")
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
            let mut params = Vec::with_capacity(chunk.len() * (3 + HOURS_PER_DAY));
            for (day, hours) in chunk {
                params.push(Value::from(device_id));
                params.push(Value::Int(**day));
                params.push(Value::Text(hours_text(hours)));
                params.extend(hours.iter().map(|&uwh| Value::Int(uwh)));
            }
            Statement::new(add(dialect, chunk.len()), params)
        })
        .collect()
}

/// The day rows of device `?` holding the hours that start in `(?, ?)` (unix
/// ms, bound as device id, after, before), by day: `day_start, hours` (read
/// `hours` with [`parse_hours`]). Two values a day instead of 25: handing
/// values over from the database is most of such a query's time.
pub fn hours_between(device_id: &str, after_ms: i64, before_ms: i64) -> Statement {
    Statement::new(
        "SELECT day_start, hours FROM daily_consumption \
         WHERE device_id = ? AND day_start > ? AND day_start < ? ORDER BY day_start",
        vec![
            Value::from(device_id),
            // A day holds an hour after `after_ms` if it ends after it.
            Value::Int(after_ms.saturating_sub(DAY_MS)),
            Value::Int(before_ms),
        ],
    )
}

/// The 24 hourly totals of all devices of client `owner` together, per UTC
/// day, for the days starting in `[from_day, to_day)` (unix ms; a day with no
/// device's row is left out): `day_start, h00 … h23`. One row per day,
/// however many devices.
pub fn client_days(owner: &str, from_day: i64, to_day: i64) -> Statement {
    Statement::new(
        format!(
            "SELECT c.day_start, {} FROM daily_consumption c JOIN devices d ON d.id = c.device_id \
             WHERE d.owner_id = ? AND c.day_start >= ? AND c.day_start < ? \
             GROUP BY c.day_start ORDER BY c.day_start",
            summed_hours()
        ),
        vec![Value::from(owner), Value::Int(from_day), Value::Int(to_day)],
    )
}

fn summed_hours() -> String {
    (0..HOURS_PER_DAY)
        .map(|h| format!("CAST(SUM(c.h{h:02}) AS SIGNED)"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The columns of a month row's first-day (`f00` …) and last-day (`l00` …) hours.
fn month_hour_columns(prefix: char) -> Vec<String> {
    (0..HOURS_PER_DAY)
        .map(|h| format!("{prefix}{h:02}"))
        .collect()
}

/// Adds each UTC month's change (`month_start →` [`MonthHours`], from
/// [`crate::consumption::monthly::month_changes`]) of device `device_id` to
/// its `monthly_consumption` row: the total and the hours of its first and
/// last UTC days.
pub fn add_months(
    dialect: Dialect,
    device_id: &str,
    months: &BTreeMap<i64, MonthHours>,
) -> Statement {
    let hours: Vec<String> = month_hour_columns('f')
        .into_iter()
        .chain(month_hour_columns('l'))
        .collect();
    let one = format!("(?, ?, ?, {})", ["?"; 2 * HOURS_PER_DAY].join(", "));
    let assignments = std::iter::once("energy_uwh".to_string())
        .chain(hours.iter().cloned())
        .map(|c| format!("{c} = {c} + {}", dialect.new_value(&c)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut params = Vec::with_capacity(months.len() * (3 + 2 * HOURS_PER_DAY));
    for (&month, change) in months {
        params.push(Value::from(device_id));
        params.push(Value::Int(month));
        params.push(Value::Int(change.total));
        params.extend(
            change
                .first
                .iter()
                .chain(&change.last)
                .map(|&h| Value::Int(h)),
        );
    }
    Statement::new(
        format!(
            "INSERT INTO monthly_consumption (device_id, month_start, energy_uwh, {}) VALUES {} {} {assignments}",
            hours.join(", "),
            rows(&one, months.len()),
            dialect.on_conflict_update("device_id, month_start"),
        ),
        params,
    )
}

/// The month rows of all devices of client `owner` together, for the UTC
/// months starting in `[from_month, to)`: `month_start, energy_uwh`, then the
/// `first` hours of the first day and the `last` hours of the last day
/// (from [`crate::consumption::monthly::edge_columns`]), each summed.
pub fn client_months(
    owner: &str,
    from_month: i64,
    to: i64,
    first: std::ops::Range<usize>,
    last: std::ops::Range<usize>,
) -> Statement {
    let f = month_hour_columns('f');
    let l = month_hour_columns('l');
    let sums: String = f[first.start.min(HOURS_PER_DAY)..first.end.min(HOURS_PER_DAY)]
        .iter()
        .chain(&l[last.start.min(HOURS_PER_DAY)..last.end.min(HOURS_PER_DAY)])
        .map(|c| format!(", CAST(SUM(m.{c}) AS SIGNED)"))
        .collect();
    Statement::new(
        format!(
            "SELECT m.month_start, CAST(SUM(m.energy_uwh) AS SIGNED){sums} FROM monthly_consumption m \
             JOIN devices d ON d.id = m.device_id \
             WHERE d.owner_id = ? AND m.month_start >= ? AND m.month_start < ? \
             GROUP BY m.month_start ORDER BY m.month_start"
        ),
        vec![Value::from(owner), Value::Int(from_month), Value::Int(to)],
    )
}

/// The 24 totals of a day row's text (see [`hours_between`]); `None` unless
/// it is exactly 24 integers.
pub fn parse_hours(text: &str) -> Option<DayHours> {
    let mut hours: DayHours = [0; HOURS_PER_DAY];
    let mut parts = text.as_bytes().split(|&b| b == b',');
    for h in hours.iter_mut() {
        *h = parse_int(parts.next()?)?;
    }
    parts.next().is_none().then_some(hours)
}

/// A decimal integer (`-` and digits) in `i64`; several times faster than
/// `str::parse` on wasm32, where a year's 8,760 of them are read per chart.
fn parse_int(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    if digits.len() <= 18 {
        // Cannot overflow: plain arithmetic (checked 64-bit multiplication
        // is a library call on wasm32).
        let mut value: i64 = 0;
        for &d in digits {
            if !d.is_ascii_digit() {
                return None;
            }
            value = value * 10 + i64::from(d - b'0');
        }
        return Some(if negative { -value } else { value });
    }
    // Accumulated negative, so that i64::MIN fits.
    let mut value: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_sub(i64::from(d - b'0'))?;
    }
    if negative {
        Some(value)
    } else {
        value.checked_neg()
    }
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
            assert_eq!(statements[2].params.len(), 50 * 27);
        }
        assert!(add(Dialect::Sqlite, 1).ends_with("h23 = h23 + excluded.h23"));
        assert!(add(Dialect::Mysql, 1).ends_with("h23 = h23 + VALUES(h23)"));
        assert!(
            add(Dialect::Mysql, 1).contains("UPDATE hours = CONCAT_WS(',', h00 + VALUES(h00), ")
        );
        assert_eq!(hours_between("d", 0, 1).params.len(), 3);
        assert_eq!(client_days("c", 0, 1).params.len(), 3);
        let months = client_months("c", 0, 1, 0..2, 21..24);
        assert_eq!(months.params.len(), 3);
        assert!(months
            .sql
            .contains("SUM(m.f01) AS SIGNED), CAST(SUM(m.l21)"));
        assert!(!months.sql.contains("m.f02") && !months.sql.contains("m.l20"));
        let none = client_months("c", 0, 1, 0..0, 24..24);
        assert!(none
            .sql
            .starts_with("SELECT m.month_start, CAST(SUM(m.energy_uwh) AS SIGNED) FROM"));
        let months = BTreeMap::from([(0, MonthHours::default()), (1, MonthHours::default())]);
        assert!(add_months(Dialect::Mysql, "d", &months)
            .sql
            .ends_with("l23 = l23 + VALUES(l23)"));
        assert_eq!(
            add_months(Dialect::Sqlite, "d", &months).params.len(),
            2 * 51
        );
        let mut day = [0; HOURS_PER_DAY];
        day[0] = i64::MIN;
        day[23] = i64::MAX;
        day[7] = 1_234_567;
        let text = hours_text(&day);
        assert_eq!(parse_hours(&text), Some(day));
        assert_eq!(parse_hours(&format!("{text},1")), None);
        assert_eq!(parse_hours("1,2"), None);
        assert_eq!(parse_hours(&text.replace("1234567", "x")), None);
        assert_eq!(parse_hours(&text.replace("1234567", "")), None);
        assert_eq!(parse_hours(&text.replace("1234567", "-")), None);
        assert_eq!(parse_hours(&text.replace("1234567", "+1")), None);
        assert_eq!(
            parse_hours(&text.replace("1234567", "9223372036854775808")),
            None
        );
        for v in [0, 1, -1, 42, i64::MAX, i64::MIN, -9_000_000_000] {
            assert_eq!(parse_int(v.to_string().as_bytes()), Some(v));
        }
    }
}
