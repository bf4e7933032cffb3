//! Each UTC day's 24 hourly totals of a device in one row
//! (`daily_consumption`): the same numbers as `hourly_consumption`, kept in
//! the same transaction, so that a long range reads one row per day instead
//! of one per hour. [`day_changes`] turns the changes of hours into changes
//! of day rows; [`hours_of_days`] turns day rows back into the hourly rows a
//! range query over `hourly_consumption` would have returned (hours whose
//! total is zero left out: they weigh nothing in any sum or cost).

use super::HOUR_MS;
use crate::Energy;
use std::collections::BTreeMap;

/// Milliseconds in a UTC day.
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// Hours in a UTC day (the columns `h00` … `h23`).
pub const HOURS_PER_DAY: usize = 24;

/// A UTC day's hourly totals, µWh, from its 00:00 hour.
pub type DayHours = [i64; HOURS_PER_DAY];

/// The start of the UTC day containing `ms` (unix ms).
pub fn day_start(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS) * DAY_MS
}

/// The changes `(hour_start_ms, change_µWh)` grouped by UTC day: per day
/// start, the change of each of its hours (zero where an hour does not change).
pub fn day_changes(changes: &[(i64, i64)]) -> BTreeMap<i64, DayHours> {
    let mut days: BTreeMap<i64, DayHours> = BTreeMap::new();
    for &(hour, change) in changes {
        let day = day_start(hour);
        let index = ((hour - day) / HOUR_MS) as usize;
        let slot = &mut days.entry(day).or_insert([0; HOURS_PER_DAY])[index];
        *slot = slot.saturating_add(change);
    }
    days
}

/// The hourly rows `(hour_start_ms, energy)` of day rows `(day_start_ms,
/// hours)` whose hour starts lie in `(after_ms, before_ms)`, by hour, leaving
/// out hours whose total is zero.
pub fn hours_of_days(
    days: &[(i64, DayHours)],
    after_ms: i64,
    before_ms: i64,
) -> Vec<(i64, Energy)> {
    let mut sorted: Vec<&(i64, DayHours)> = days.iter().collect();
    sorted.sort_unstable_by_key(|d| d.0);
    let mut rows = Vec::with_capacity(days.len() * HOURS_PER_DAY);
    for (day, hours) in sorted {
        for (i, &uwh) in hours.iter().enumerate() {
            let hour = day + i as i64 * HOUR_MS;
            if uwh != 0 && hour > after_ms && hour < before_ms {
                rows.push((hour, Energy::from_uwh(uwh)));
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    #[test]
    fn days_start_at_utc_midnight_before_and_after_1970() {
        assert_eq!(day_start(T0 + 5 * HOUR_MS + 1), T0);
        assert_eq!(day_start(T0), T0);
        assert_eq!(day_start(-1), -DAY_MS);
        assert_eq!(day_start(-DAY_MS), -DAY_MS);
    }

    /// Random hourly changes, applied hour by hour and day by day, give the
    /// same hours back for any window.
    #[test]
    fn day_rows_hold_exactly_the_hours() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200 {
            let mut hourly: BTreeMap<i64, i64> = BTreeMap::new();
            let mut daily: BTreeMap<i64, DayHours> = BTreeMap::new();
            for _ in 0..(next() % 8) {
                let changes: Vec<(i64, i64)> = (0..(next() % 30))
                    .map(|_| {
                        let hour = T0 + ((next() % 24 * 20) as i64 - 24 * 5) * HOUR_MS;
                        (hour, (next() % 2_000_000_000) as i64 - 500_000_000)
                    })
                    .collect();
                for &(h, c) in &changes {
                    *hourly.entry(h).or_default() += c;
                }
                for (day, hours) in day_changes(&changes) {
                    let row = daily.entry(day).or_insert([0; HOURS_PER_DAY]);
                    for (stored, change) in row.iter_mut().zip(hours) {
                        *stored += change;
                    }
                }
            }
            let days: Vec<(i64, DayHours)> = daily.into_iter().rev().collect();
            let lo = T0 + ((next() % 24 * 20) as i64 - 24 * 6) * HOUR_MS + (next() % 3) as i64;
            let hi = lo + (next() % (24 * 20)) as i64 * HOUR_MS;
            let expected: Vec<(i64, Energy)> = hourly
                .range(lo + 1..hi)
                .filter(|(_, e)| **e != 0)
                .map(|(h, e)| (*h, Energy::from_uwh(*e)))
                .collect();
            assert_eq!(hours_of_days(&days, lo, hi), expected);
        }
    }
}
