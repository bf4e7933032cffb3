//! Each UTC month's total of a device (`monthly_consumption`): the same
//! numbers as `hourly_consumption`, kept in the same transaction, so that a
//! year of all of a client's devices reads one row per device and month
//! (docs/insight.md). [`month_changes`] turns changes of hours into changes of
//! month rows; [`bucket_energy`] answers buckets whose edges lie near month
//! starts (the months of a local year) from month totals plus the hours of
//! the UTC days holding the edges.

use super::daily::{day_start, DayHours, DAY_MS};
use super::{into_buckets, HOUR_MS};
use crate::Energy;
use chrono::{DateTime, Datelike, NaiveDate};
use std::collections::BTreeMap;

/// The first instant (unix ms) of the UTC month containing `ms`.
pub fn month_start(ms: i64) -> i64 {
    let Some(t) = DateTime::from_timestamp_millis(ms) else {
        return ms;
    };
    NaiveDate::from_ymd_opt(t.year(), t.month(), 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(ms, |d| d.and_utc().timestamp_millis())
}

/// The first instant of the UTC month after the one starting at `month_ms`.
pub fn next_month(month_ms: i64) -> i64 {
    month_start(month_ms.saturating_add(32 * DAY_MS))
}

/// The changes `(hour_start_ms, change_µWh)` grouped by UTC month.
pub fn month_changes(changes: &[(i64, i64)]) -> BTreeMap<i64, i64> {
    let mut months: BTreeMap<i64, i64> = BTreeMap::new();
    for &(hour, change) in changes {
        let total = months.entry(month_start(hour)).or_insert(0);
        *total = total.saturating_add(change);
    }
    months
}

/// The UTC days whose hours [`bucket_energy`] needs besides month totals: the
/// day of every edge that is not at a day start.
pub fn edge_days(edges: &[i64]) -> Vec<i64> {
    let mut days: Vec<i64> = edges
        .iter()
        .filter(|&&e| e.rem_euclid(DAY_MS) != 0)
        .map(|&e| day_start(e))
        .collect();
    days.dedup();
    days
}

/// Energy per bucket for `edges` (as [`into_buckets`]) from the month
/// totals `months` (`month_start → µWh`, every UTC month overlapping the
/// edges that has a row) and the hours of the [`edge_days`] (`day_start →
/// hours`). Each month's energy outside the loaded days lies in one bucket
/// (or outside the edges) when every edge is near a month start; `None` when
/// it does not, and the caller reads the hours instead. Equal to
/// [`into_buckets`] over the same hours.
pub fn bucket_energy(
    edges: &[i64],
    months: &BTreeMap<i64, i64>,
    days: &BTreeMap<i64, DayHours>,
) -> Option<Vec<Energy>> {
    let n = edges.len().checked_sub(1)?;
    let (lo, hi) = (edges[0], edges[n]);
    // -1 before the edges, n after them, else the bucket.
    let place = |t: i64| -> i64 {
        if t < lo {
            -1
        } else if t >= hi {
            n as i64
        } else {
            edges[..n].partition_point(|&e| e <= t) as i64 - 1
        }
    };
    let mut atoms: Vec<(i64, Energy)> = Vec::new();
    for (&month, &total) in months {
        let end = next_month(month);
        let mut known: i64 = 0;
        let mut rest: Option<(i64, i64)> = None; // the first unloaded day and its place
        let mut split = false; // unloaded days in more than one place
        let mut day = month;
        while day < end {
            if let Some(hours) = days.get(&day) {
                for (i, &uwh) in hours.iter().enumerate() {
                    known = known.saturating_add(uwh);
                    if uwh != 0 {
                        atoms.push((day + i as i64 * HOUR_MS, Energy::from_uwh(uwh)));
                    }
                }
            } else {
                let (a, b) = (place(day), place(day + DAY_MS - 1));
                split |= a != b || rest.is_some_and(|(_, p)| p != a);
                rest = rest.or(Some((day, a)));
            }
            day += DAY_MS;
        }
        let remainder = total.saturating_sub(known);
        if remainder != 0 {
            match rest {
                Some((first, _)) if !split => atoms.push((first, Energy::from_uwh(remainder))),
                _ => return None,
            }
        }
    }
    atoms.sort_unstable_by_key(|a| a.0);
    Some(into_buckets(&atoms, edges))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{bucket_starts, to_unix_ms, Bucket};
    use chrono::TimeZone;
    use chrono_tz::Tz;
    use proptest::prelude::*;

    fn ms(y: i32, m: u32, d: u32, h: u32) -> i64 {
        chrono::Utc
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn month_starts() {
        assert_eq!(month_start(ms(2026, 3, 31, 23)), ms(2026, 3, 1, 0));
        assert_eq!(month_start(ms(2026, 3, 1, 0)), ms(2026, 3, 1, 0));
        assert_eq!(next_month(ms(2026, 12, 1, 0)), ms(2027, 1, 1, 0));
        assert_eq!(next_month(ms(2026, 1, 1, 0)), ms(2026, 2, 1, 0));
        let m = month_changes(&[
            (ms(2026, 1, 31, 23), 5),
            (ms(2026, 2, 1, 0), 7),
            (ms(2026, 1, 2, 3), 1),
        ]);
        assert_eq!(
            m.into_iter().collect::<Vec<_>>(),
            vec![(ms(2026, 1, 1, 0), 6), (ms(2026, 2, 1, 0), 7)]
        );
    }

    fn year_edges(year: i32, tz: Tz) -> Vec<i64> {
        let from = tz
            .with_ymd_and_hms(year, 1, 1, 0, 0, 0)
            .earliest()
            .unwrap()
            .with_timezone(&chrono::Utc);
        let to = tz
            .with_ymd_and_hms(year + 1, 1, 1, 0, 0, 0)
            .earliest()
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mut edges: Vec<i64> = bucket_starts(from, to, Bucket::Month, tz)
            .into_iter()
            .map(to_unix_ms)
            .collect();
        edges.push(to_unix_ms(to));
        edges
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Month totals plus edge days give exactly the buckets of the hours.
        #[test]
        fn year_by_month_equals_the_hours(
            zone in prop::sample::select(vec!["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Pacific/Kiritimati", "America/St_Johns"]),
            year in 2020i32..2030,
            seed in any::<u64>(),
            dense in any::<bool>(),
        ) {
            let tz: Tz = zone.parse().unwrap();
            let edges = year_edges(year, tz);
            let (lo, hi) = (edges[0] - 3 * DAY_MS, *edges.last().unwrap() + 3 * DAY_MS);
            let mut state = seed;
            let mut hours: Vec<(i64, Energy)> = Vec::new();
            let mut h = lo.div_euclid(HOUR_MS) * HOUR_MS;
            while h < hi {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                if dense || state >> 60 == 0 {
                    hours.push((h, Energy::from_uwh((state >> 33) as i64)));
                }
                h += HOUR_MS;
            }
            let changes: Vec<(i64, i64)> = hours.iter().map(|&(h, e)| (h, e.uwh())).collect();
            let months = month_changes(&changes);
            let all_days = crate::consumption::daily::day_changes(&changes);
            let days: BTreeMap<i64, DayHours> = edge_days(&edges)
                .into_iter()
                .map(|d| (d, all_days.get(&d).copied().unwrap_or([0; 24])))
                .collect();
            let got = bucket_energy(&edges, &months, &days);
            prop_assert_eq!(got, Some(into_buckets(&hours, &edges)));
        }
    }

    #[test]
    fn edges_inside_months_fall_back() {
        // UTC day buckets: a month's unloaded days lie in several buckets.
        let from = ms(2026, 3, 1, 0);
        let edges: Vec<i64> = (0..10).map(|d| from + d * DAY_MS).collect();
        assert!(edge_days(&edges).is_empty());
        let months = BTreeMap::from([(from, 10)]);
        assert_eq!(bucket_energy(&edges, &months, &BTreeMap::new()), None);
        // A month of no energy needs nothing.
        let months = BTreeMap::from([(from, 0)]);
        assert_eq!(
            bucket_energy(&edges, &months, &BTreeMap::new()),
            Some(vec![Energy::ZERO; 9])
        );
    }
}
